"""The task-first public pages: the home page's four tasks and emergency line, the "get a card"
page computed from the desk's own rules, the main navigation, the 403 page in the staff layout."""

import io

import pytest
from django.urls import reverse

from sanspeur.cards.selectors import document_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_clinics():
    from sanspeur.clinics import demo

    demo.load(stdout=io.StringIO(), print_logins=False)


def test_home_starts_with_the_four_tasks_and_the_emergency_line(client, settings):
    settings.SANSPEUR_EMERGENCY_PHONE = "911"
    settings.SANSPEUR_CITY_PHONE = "311"
    html = client.get("/en/").content.decode()
    tasks = html.index('class="tasks"')
    for url in (reverse("core:get_card"), reverse("directory:search"), reverse("clinics:public_list")):
        assert f'class="task-link" href="{url}"' in html
    assert html.index('class="task-link"') < html.index('class="emergency"') < html.index('class="lead"')
    assert tasks < html.index('class="emergency"')
    assert 'href="tel:911"' in html and 'href="tel:311"' in html


def test_main_navigation_reaches_every_public_capability(client):
    html = client.get("/fr/").content.decode()
    nav = html[html.index('class="main-nav') : html.index("</nav>", html.index('class="main-nav'))]
    for name in (
        "core:get_card",
        "directory:search",
        "clinics:public_list",
        "protection:home",
        "grants:call_list",
        "outside_requests:transparency",
        "impact:dashboard",
        "core:promise",
    ):
        assert f'href="{reverse(name)}"' in nav, name


def test_get_a_card_lists_the_desks_own_documents_and_points(client, demo_clinics):
    rules = document_rules(language="fr")
    assert rules.documents
    html = client.get("/fr/get-a-card/").content.decode()
    for document in rules.documents:
        assert document.name.replace("'", "&#x27;") in html
    assert reverse("clinics:precheck") in html
    assert f"{reverse('clinics:public_list')}?service=enrollment" in html


def test_get_a_card_follows_a_change_of_the_rules(client, demo_clinics):
    from sanspeur.cards.models import DocumentType

    document = DocumentType.objects.filter(is_active=True).first()
    DocumentType.objects.filter(pk=document.pk).update(is_active=False)
    html = client.get("/en/get-a-card/").content.decode()
    assert document.name_in("en") not in html


def test_get_a_card_shows_the_next_clinics_that_enroll(client, demo_clinics):
    from sanspeur.clinics.constants import ServiceKind
    from sanspeur.clinics.selectors import public_events

    events = list(public_events(service=ServiceKind.ENROLLMENT))
    assert events
    html = client.get("/en/get-a-card/").content.decode()
    assert reverse("clinics:event_detail", args=[events[0].pk]) in html


def test_forbidden_page_keeps_the_staff_layout_for_signed_in_staff(make_staff, mfa_client):
    client = mfa_client(make_staff("reader", []))
    response = client.get(reverse("cards:rules"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="staff"' in html and "staff-nav" in html
    assert reverse("accounts:dashboard") in html


def test_forbidden_page_for_the_public_keeps_the_public_layout(client):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from sanspeur.core.views import permission_denied

    request = RequestFactory().get("/fr/")
    request.user = AnonymousUser()
    response = permission_denied(request)
    html = response.content.decode()
    assert response.status_code == 403 and 'class="public"' in html and "main-nav" in html
