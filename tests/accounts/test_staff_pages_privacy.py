"""What a staff laptop keeps (issue 14): no staff response may be cached (``Cache-Control:
no-store``, set once by ``staff_view``), and no form that takes personal data may feed the
browser's autofill (``autocomplete="off"`` on the form element)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from sanspeur.accounts import policy
from sanspeur.accounts.decorators import staff_view

from .test_url_matrix import path_of, routes

pytestmark = pytest.mark.django_db

# Fields that carry a person's data (residents' and staff members').
PERSONAL = {
    "given_names",
    "family_names",
    "date_of_birth",
    "postal_code",
    "phone",
    "email",
    "full_name",
    "number",
    "photo_upload",
    "photo_data",
}
TEXT_LIKE = {"text", "email", "tel", "date", "number", "search", "file", "url", ""}


class Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._open = {"attrs": a, "fields": []}
            self.forms.append(self._open)
        elif self._open is not None and tag in ("input", "textarea", "select") and a.get("name"):
            kind = a.get("type", "").lower() if tag == "input" else tag
            self._open["fields"].append((a["name"], kind))

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def forms_of(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


@pytest.fixture
def world(make_staff, city_organisation, organisation):
    """A city account holding the roles every cards and accounts page asks for, and a record of
    its organisation for the pages about one record."""
    import importlib

    from django.apps import apps

    from sanspeur.cards.faces import face_jpeg
    from sanspeur.cards.models import DocumentType
    from sanspeur.cards.services import holder_enroll
    from tests.cards.conftest import PROFILE

    importlib.import_module("sanspeur.cards.migrations.0002_default_document_rules").seed(apps, None)
    user = make_staff("city.all", ["administrator", "enrollment_agent", "auditor"], city_organisation)
    member = make_staff("partner.member", ["enrollment_agent"], organisation)
    documents = list(DocumentType.objects.filter(code__in=["passport", "birth-certificate", "shelter-letter"]))
    holder, card = holder_enroll(
        acting_user=user,
        organisation=city_organisation,
        profile=dict(PROFILE),
        photo_jpeg=face_jpeg(1),
        document_types=documents,
    )
    values = {
        "accounts:staff_detail": {"user_id": member.pk},
        "accounts:organisation_edit": {"organisation_id": organisation.pk},
        **{f"cards:{n}": {"pk": holder.pk} for n in ("holder_detail", "holder_issue", "holder_forget")},
        **{
            f"cards:{n}": {"pk": card.pk}
            for n in ("card_pdf", "card_renew", "card_replace", "card_revoke", "card_suspend", "card_reinstate")
        },
        "cards:document_type_edit": {"pk": documents[0].pk},
    }
    return user, values


def staff_routes():
    return [
        route
        for route in routes()
        if route.name.split(":")[0] in ("cards", "accounts") and policy.PAGES[route.name].access == policy.STAFF
    ]


def test_every_staff_page_of_cards_and_accounts_is_never_stored(world, mfa_client):
    user, values = world
    client = mfa_client(user)
    seen = []
    for route in staff_routes():
        if route.name in ("cards:holder_forget",):
            continue  # answers like the others, but would destroy the record the next pages show
        path = path_of(route, values)
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path, {})
        assert response.status_code < 500, route.name
        assert "no-store" in response.get("Cache-Control", ""), f"{route.name}: {response.get('Cache-Control')}"
        seen.append(route.name)
    assert {"cards:enroll", "cards:holder_list", "accounts:staff_create", "accounts:dashboard"} <= set(seen)


def test_staff_view_itself_forbids_storing_the_response():
    """Whatever the middleware does: a staff page is never stored, its redirects neither."""

    @staff_view()
    def page(request):
        return HttpResponse("personal data")

    request = RequestFactory().get("/fr/staff/something/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = page(request)
    assert response.status_code == 302 and "no-store" in response["Cache-Control"]


def test_staff_view_marks_the_page_itself_no_store(make_staff, organisation):
    user = make_staff("agent.nostore", ["enrollment_agent"], organisation)
    user.is_verified = lambda: True

    @staff_view("accounts.enroll_residents")
    def page(request):
        return HttpResponse("personal data")

    request = RequestFactory().get("/fr/cards/x/")
    request.user = user
    response = page(request)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_every_staff_form_with_personal_data_turns_autocomplete_off(world, mfa_client):
    user, values = world
    client = mfa_client(user)
    checked, missing = [], []
    for route in staff_routes():
        response = client.get(path_of(route, values))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(response.content.decode()):
            names = {name for name, kind in form["fields"] if kind in TEXT_LIKE or kind == "textarea"}
            if not names & PERSONAL:
                continue
            checked.append((route.name, sorted(names & PERSONAL)))
            if form["attrs"].get("autocomplete") != "off":
                missing.append(f"{route.name}: form with {sorted(names & PERSONAL)}")
    assert not missing, missing
    pages = {name for name, _fields in checked}
    assert {"cards:enroll", "cards:holder_list", "accounts:staff_create"} <= pages, pages


def test_the_personal_inputs_themselves_turn_autocomplete_off(world, mfa_client):
    """Chromium may still offer addresses on a field whose form alone says "off"."""
    user, _values = world
    client = mfa_client(user)
    for path in (reverse("cards:enroll"), reverse("cards:holder_list"), reverse("accounts:staff_create")):
        html = client.get(path).content.decode()
        for name in PERSONAL:
            for tag in re.findall(rf"<input[^>]*name=\"{name}\"[^>]*>", html):
                if 'type="hidden"' in tag or 'type="file"' in tag:  # no autofill on those
                    continue
                assert 'autocomplete="off"' in tag, (path, tag)
