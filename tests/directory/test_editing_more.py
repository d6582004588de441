"""Editors propose schedules and attribute flags through the same review workflow."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from sanspeur.core.models import AuditEntry
from sanspeur.directory.forms import parse_closure_lines, parse_phone_lines, parse_schedule_lines
from sanspeur.directory.models import ChangeProposal, Schedule, Service
from sanspeur.directory.services import phones_snapshot, proposal_create, proposal_publish, schedules_snapshot

from .test_editing import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(demo_data):
    service = Service.objects.order_by("id").first()
    Service.objects.filter(pk=service.pk).update(is_free=True, accepts_card=False, interpretation=False)
    service.refresh_from_db()
    return service


def test_schedule_lines_are_validated():
    rows = parse_schedule_lines("fr,mo 9:00-17:00\n\nSA 10:00-14:30 2026-06-01/2026-08-31")
    assert rows == [
        {"byday": "MO,FR", "opens_at": "09:00", "closes_at": "17:00", "valid_from": "", "valid_to": ""},
        {
            "byday": "SA",
            "opens_at": "10:00",
            "closes_at": "14:30",
            "valid_from": "2026-06-01",
            "valid_to": "2026-08-31",
        },
    ]
    for bad in ("XX 09:00-17:00", "MO 25:00-26:00", "MO,MO 09:00-10:00", "lundi 9h", "MO 09:00-17:00 2026-13-01/"):
        with translation.override("en"), pytest.raises(ValidationError, match="Line 1 is not understood"):
            parse_schedule_lines(bad)


def test_flags_and_hours_go_through_review(make_staff, mfa_client, service, city_organisation):
    editor = make_staff("editor.f", ["directory_editor"], city_organisation)
    client = mfa_client(editor)
    url = f"/fr/directory/staff/services/{service.id}/propose/"
    form = client.get(url).content.decode()
    assert 'name="accepts_card"' in form and 'name="schedules"' in form
    old_hours = schedules_snapshot(service)
    data = form_data(
        name_fr=service.name["fr"],
        name_en=service.name.get("en", ""),
        description_fr=service.description["fr"],
        description_en=service.description.get("en", ""),
        eligibility_description_fr=service.eligibility_description.get("fr", ""),
        eligibility_description_en=service.eligibility_description.get("en", ""),
        is_free="no",
        accepts_card="yes",
        no_id_needed="yes" if service.no_id_needed else "no",
        interpretation="yes",
        schedules="MO,WE 08:00-12:00\nSA 10:00-14:00",
    )
    assert client.post(url, {**data, "schedules": "MO 9h"}).status_code == 200  # invalid line
    assert not ChangeProposal.objects.exists()
    assert client.post(url, data).status_code == 302
    service.refresh_from_db()
    assert service.is_free and not service.accepts_card  # nothing public before review
    assert schedules_snapshot(service) == old_hours

    review = client.get("/fr/directory/staff/review/").content.decode()
    assert "Accepte la carte Sans peur" in review or "Accepts the Sans peur card" in review
    assert "SA 10:00-14:00" in review
    proposal = ChangeProposal.objects.get()
    assert client.post("/fr/directory/staff/review/", {"proposal": proposal.id, "action": "publish"}).status_code == 302

    service.refresh_from_db()
    assert (service.is_free, service.accepts_card, service.interpretation) == (False, True, True)
    assert [(s.byday, s.opens_at, s.closes_at) for s in Schedule.objects.filter(service=service).order_by("byday")] == [
        ("MO,WE", dt.time(8), dt.time(12)),
        ("SA", dt.time(10), dt.time(14)),
    ]
    version = service.versions.get()
    assert set(version.changed_fields) == {"is_free", "accepts_card", "interpretation", "schedules"}
    assert version.previous["is_free"] is True and version.previous["schedules"] == old_hours
    entry = AuditEntry.objects.get(action="proposal.publish")
    assert sorted(entry.detail["fields"]) == sorted(version.changed_fields)
    public = client.get(f"/fr/directory/services/{service.id}/").content.decode()
    assert 'lundi, mercredi · <bdi dir="ltr">8\xa0h\xa000–12\xa0h\xa000</bdi>' in public
    assert "Accepte la carte Sans peur" in public


def test_old_form_without_flags_or_hours_changes_neither(make_staff, service, city_organisation):
    editor = make_staff("editor.g", ["directory_editor"], city_organisation)
    hours = schedules_snapshot(service)
    proposal = proposal_create(acting_user=editor, service=service, changes={"name": {"fr": "Autre nom"}})
    version = proposal_publish(acting_user=editor, proposal=proposal)
    service.refresh_from_db()
    assert version.changed_fields == ["name"] and service.is_free and schedules_snapshot(service) == hours


def test_partner_cannot_propose_flags_for_another_organisation(make_staff, service, organisation):
    partner = make_staff("partner.g", ["partner_editor"], organisation)
    other = Service.objects.exclude(organization__partner=organisation).first()
    with pytest.raises(PermissionDenied):
        proposal_create(acting_user=partner, service=other, changes={"accepts_card": True})
    assert not ChangeProposal.objects.exists()


def test_phone_lines_are_validated_and_normalised():
    assert parse_phone_lines("(514) 555 0101 x 12\n1 800 555 0199\n\n211\n514.555.0101 poste 12") == [
        {"number": "514-555-0101", "extension": "12"},
        {"number": "800-555-0199", "extension": ""},
        {"number": "211", "extension": ""},
    ]
    for bad in ("abc", "555-01", "514-555-0100 x", "12345", "514-555-0100-99"):
        with translation.override("en"), pytest.raises(ValidationError, match="Line 1 is not a phone number"):
            parse_phone_lines(bad)


def test_phone_numbers_go_through_review_and_keep_a_version(make_staff, mfa_client, service, city_organisation):
    editor = make_staff("editor.p", ["directory_editor"], city_organisation)
    client = mfa_client(editor)
    url = f"/fr/directory/staff/services/{service.id}/propose/"
    old_phones = phones_snapshot(service)
    assert old_phones and old_phones[0]["number"] in client.get(url).content.decode()
    data = form_data(
        name_fr=service.name["fr"],
        name_en=service.name.get("en", ""),
        description_fr=service.description["fr"],
        description_en=service.description.get("en", ""),
        eligibility_description_fr=service.eligibility_description.get("fr", ""),
        eligibility_description_en=service.eligibility_description.get("en", ""),
        phones=f"{old_phones[0]['number']}\n(438) 555-0142 poste 3",
    )
    invalid = client.post(url, {**data, "phones": "appelez-nous"})
    assert invalid.status_code == 200 and "La ligne 1 n&#x27;est pas un numéro de téléphone" in invalid.content.decode()
    assert not ChangeProposal.objects.exists()
    assert client.post(url, data).status_code == 302
    assert phones_snapshot(service) == old_phones  # nothing public before review
    review = client.get("/fr/directory/staff/review/").content.decode()
    assert "438-555-0142 x 3" in review
    proposal = ChangeProposal.objects.get()
    client.post("/fr/directory/staff/review/", {"proposal": proposal.id, "action": "publish"})
    assert phones_snapshot(service) == sorted(
        [*old_phones, {"number": "438-555-0142", "extension": "3"}], key=lambda r: (r["number"], r["extension"])
    )
    version = service.versions.get()
    assert "phones" in version.changed_fields and version.previous["phones"] == old_phones
    public = client.get(f"/fr/directory/services/{service.id}/").content.decode()
    assert 'href="tel:438-555-0142;ext=3"' in public and "438-555-0142 x 3" in public


def test_closure_lines_are_validated():
    assert parse_closure_lines("2026-12-24/2027-01-02 Fermé pour les fêtes\n\n2026-07-01 Fête du Canada") == [
        {"date_start": "2026-12-24", "date_end": "2027-01-02", "note": "Fermé pour les fêtes"},
        {"date_start": "2026-07-01", "date_end": "2026-07-01", "note": "Fête du Canada"},
    ]
    for bad in ("demain", "2026-13-01", "2027-01-02/2026-12-24", "2026-01-01/2027-06-01", "24/12/2026"):
        with translation.override("en"), pytest.raises(ValidationError, match="Line 1 is not a closure"):
            parse_closure_lines(bad)


def test_a_proposed_closure_is_published_and_closes_the_service(
    make_staff, mfa_client, demo_data, city_organisation, settings
):
    from sanspeur.directory import selectors
    from sanspeur.directory.models import Closure

    settings.SANSPEUR_DIRECTORY_FIXED_NOW = "2026-11-24T10:30:00"  # a Tuesday morning in Montréal
    open_before = [r.service for r in selectors.search(open_now=True)]
    service = open_before[0]
    editor = make_staff("editor.c", ["directory_editor"], city_organisation)
    client = mfa_client(editor)
    url = f"/fr/directory/staff/services/{service.id}/propose/"
    data = form_data(
        name_fr=service.name["fr"],
        name_en=service.name.get("en", ""),
        description_fr=service.description["fr"],
        description_en=service.description.get("en", ""),
        eligibility_description_fr=service.eligibility_description.get("fr", ""),
        eligibility_description_en=service.eligibility_description.get("en", ""),
        closures="2026-11-24/2026-11-25 Inventaire annuel",
    )
    assert client.post(url, {**data, "closures": "24 novembre"}).status_code == 200
    assert not ChangeProposal.objects.exists()
    assert client.post(url, data).status_code == 302
    assert service.pk in {r.service.pk for r in selectors.search(open_now=True)}  # not before review
    assert "2026-11-24/2026-11-25 Inventaire annuel" in client.get("/fr/directory/staff/review/").content.decode()
    client.post("/fr/directory/staff/review/", {"proposal": ChangeProposal.objects.get().id, "action": "publish"})
    closure = Closure.objects.get(service=service)
    assert (str(closure.date_start), str(closure.date_end), closure.description) == (
        "2026-11-24",
        "2026-11-25",
        {"fr": "Inventaire annuel"},
    )
    assert service.pk not in {r.service.pk for r in selectors.search(open_now=True)}
    assert "Inventaire annuel" in client.get(f"/fr/directory/services/{service.id}/").content.decode()
    assert "closures" in service.versions.get().changed_fields
