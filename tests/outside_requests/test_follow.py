"""A resident who asked for a codename follows the report: its state and days, nothing else; the
codename is never stored; wrong codenames are limited without any address."""

import re

import pytest
from django.core.cache import cache

from sanspeur.outside_requests import services
from sanspeur.outside_requests.models import RefusalReport

from .test_public import _post

pytestmark = pytest.mark.django_db
FOLLOW = "/{lang}/accountability/report/follow/"
CODENAME = re.compile(r'<p class="codename" id="codename" lang="(\w+)" dir="(\w+)"><bdi>([^<]+)</bdi></p>')


def _codename(response) -> tuple[str, str, str]:
    match = CODENAME.search(response.content.decode())
    assert match, "no codename shown"
    return match.groups()


def test_a_report_in_arabic_gets_an_arabic_codename_that_follows_it_to_resolution(client, service, privacy):
    response = _post(client, "ar", service, follow_up="on")
    language, direction, codename = _codename(response)
    assert (language, direction) == ("ar", "rtl")
    assert re.search(r"[\u0600-\u06ff]", codename)
    report = RefusalReport.objects.get()
    stored = " ".join(str(value) for value in RefusalReport.objects.values_list().get())
    assert codename not in stored and codename.split()[0] not in stored
    page = client.post(FOLLOW.format(lang="ar"), {"codename": codename})
    assert page.status_code == 200
    assert 'id="follow-state"' in page.content.decode()
    services.refusal_contact_service(acting_user=privacy, report=report)
    services.refusal_resolve(acting_user=privacy, report=report)
    text = client.post(FOLLOW.format(lang="en"), {"codename": codename}).content.decode()
    assert "The service has corrected what happened" in text
    assert "Settled on" in text


def test_without_the_box_no_codename_and_nothing_to_follow(client, service):
    response = _post(client, "fr", service)
    assert 'id="codename"' not in response.content.decode()
    assert RefusalReport.objects.get().codename_lookup is None


def test_a_wrong_codename_is_refused_then_limited(client, service, settings):
    settings.SANSPEUR_PROTECTION_CODENAME_PER_ID_LIMIT = 3
    cache.clear()
    _post(client, "en", service, follow_up="on")
    statuses = [
        client.post(FOLLOW.format(lang="en"), {"codename": "not my words at all"}).status_code for _ in range(4)
    ]
    assert statuses[:3] == [400, 400, 400]
    assert statuses[3] == 429


@pytest.mark.parametrize("data", [{}, {"codename": ""}, {"codename": "x" * 5000}, {"codename": "\x00"}])
def test_bad_input_is_a_clear_error_never_a_500(client, data):
    response = client.post(FOLLOW.format(lang="ht"), data)
    assert response.status_code in (400, 413)


def test_the_follow_page_sets_no_cookie(client):
    response = client.get(FOLLOW.format(lang="ht"))
    assert response.status_code == 200 and not response.cookies
