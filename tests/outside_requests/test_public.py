"""The resident's report: anonymous, five languages, the public-form protections, nothing finer
than a day and no address stored; bad input saves nothing and never causes a server error."""

import datetime as dt

import pytest
from django.db import models
from django.utils import timezone

from sanspeur.outside_requests.models import RefusalReport
from tests.proof import proof_for

pytestmark = pytest.mark.django_db
URL = "/{lang}/accountability/report/"


def _post(client, lang, chosen, **overrides):
    page = client.get(URL.format(lang=lang)).content.decode()
    data = {"service": str(chosen.pk), "what": "refused_card", "happened_on": timezone.localdate().isoformat()}
    data.update(proof_for(client, page))
    data.update(overrides)
    return client.post(URL.format(lang=lang), data, REMOTE_ADDR="203.0.113.77", HTTP_X_FORWARDED_FOR="198.51.100.9")


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("fr", "Signaler un service"),
        ("en", "Report a service"),
        ("es", "Denunciar un servicio"),
        ("ar", "الإبلاغ عن خدمة"),
        ("ht", "Siyale yon sèvis"),
    ],
)
def test_the_form_is_in_five_languages_sets_no_cookie_and_is_never_cached(client, service, lang, title):
    response = client.get(URL.format(lang=lang))
    text = response.content.decode()
    assert response.status_code == 200 and title in text
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert 'name="name"' not in text and 'type="email"' not in text and 'type="tel"' not in text
    if lang == "ar":
        assert 'dir="rtl"' in text


def test_a_report_in_arabic_is_stored_with_the_day_only_and_no_address(client, service):
    response = _post(client, "ar", service)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert "شكرًا" in response.content.decode()
    report = RefusalReport.objects.get()
    assert (report.service, report.what, report.happened_on) == (service, "refused_card", timezone.localdate())
    assert report.received_on == timezone.localdate()
    # No field can hold a time finer than a day, an address, a name or a contact.
    for field in RefusalReport._meta.concrete_fields:
        assert not isinstance(field, models.DateTimeField | models.TimeField | models.DurationField), field.name
        assert not isinstance(field, models.GenericIPAddressField), field.name
    names = {field.name for field in RefusalReport._meta.concrete_fields}
    assert names == {
        "id",
        "service",
        "what",
        "happened_on",
        "received_on",
        "state",
        "contacted_on",
        "settled_on",
        # Only with a codename asked for: a keyed look-up id and a verifier, never the codename.
        "codename_lookup",
        "codename_salt",
        "codename_verifier",
    }
    values = " ".join(str(v) for v in RefusalReport.objects.values_list().get())
    assert "203.0.113" not in values and "198.51.100" not in values


def test_without_a_proof_of_work_nothing_is_saved_and_the_question_is_shown(client, service):
    data = {"service": str(service.pk), "what": "asked_status", "happened_on": timezone.localdate().isoformat()}
    response = client.post(URL.format(lang="es"), data)
    assert response.status_code == 400
    assert 'name="answer"' in response.content.decode()  # the question for browsers without the widget
    assert not RefusalReport.objects.exists()


def test_a_cross_site_post_is_refused(client, service):
    response = client.post(URL.format(lang="fr"), {"service": str(service.pk)}, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert not RefusalReport.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"service": "not-a-uuid"}, "Elija el servicio."),
        ({"service": "00000000-0000-0000-0000-000000000000"}, "Elija el servicio."),
        ({"what": "asked_for_a_bribe"}, "Elija lo que pasó."),
        ({"happened_on": "2026-02-30"}, "Esta fecha no existe"),
        ({"happened_on": "\x00"}, "Esta fecha no existe"),
        ({"happened_on_day": "30", "happened_on_month": "2", "happened_on_year": "2026"}, "Esta fecha no existe"),
        (
            {"happened_on_day": "3", "happened_on_month": "", "happened_on_year": "2026"},
            "Indique el día en que ocurrió.",
        ),
        ({"happened_on_day": "x", "happened_on_month": "2", "happened_on_year": "2026"}, "Escriba el día y el año"),
        ({"happened_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}, "últimos doce meses"),
        ({"happened_on": "1999-01-01"}, "últimos doce meses"),
    ],
)
def test_bad_input_gives_a_translated_error_and_saves_nothing(client, service, overrides, message):
    response = _post(client, "es", service, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RefusalReport.objects.exists()


def test_a_body_too_large_is_refused_before_it_is_read(client, service):
    response = client.post(
        URL.format(lang="fr"), {"service": "x" * 40_000, "what": "other", "happened_on": "2026-01-01"}
    )
    assert response.status_code == 413
    assert not RefusalReport.objects.exists()


def test_the_transparency_page_is_public(client):
    for lang in ("fr", "en", "es", "ar", "ht"):
        response = client.get(f"/{lang}/accountability/transparency/?year=nonsense")
        assert response.status_code == 200
        assert not response.cookies
