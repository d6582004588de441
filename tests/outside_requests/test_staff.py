"""The register's pages: city staff with the roles only, every action through one endpoint,
the "what we hold" answer generated from the schema, the dashboard's deadlines."""

import datetime as dt

import pytest
from django.utils import timezone

from sanspeur.core.models import AuditEntry
from sanspeur.outside_requests import holdings, services
from sanspeur.outside_requests.models import OutsideRequest

from .conftest import ALL_CHECKED, LETTER, register, to_review

pytestmark = pytest.mark.django_db


def test_intake_seals_the_document_and_the_details_and_the_detail_page_opens_them(privacy, mfa_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = mfa_client(privacy)
    response = client.post(
        "/fr/accountability/requests/new/",
        {
            "channel": "email",
            "received_on": timezone.localdate().isoformat(),
            "requester_type": "border_agency",
            "requester": "Fictional agency",
            "instrument": "administrative",
            "categories": ["identity", "immigration_status"],
            "subject": "Zéphyrine Quasimodo-Lavoie",
            "persons_affected": "1",
            "document": SimpleUploadedFile("demand.pdf", b"%PDF-1.4 " + LETTER),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request = OutsideRequest.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Zéphyrine Quasimodo-Lavoie" in page and "demand.pdf" in page
    assert "Statut d&#x27;immigration : aucun dossier n&#x27;a de champ pour cela" in page  # what we hold
    assert AuditEntry.objects.filter(action="outside_requests.outsiderequest.view", object_id=str(request.pk)).exists()
    document = request.documents.get()
    download = client.get(f"/fr/accountability/requests/{request.reference}/documents/{document.pk}/")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 " + LETTER
    assert download["Content-Type"] == "application/pdf"
    assert client.get(f"/fr/accountability/requests/{request.reference}/documents/{2**63}/").status_code == 404
    assert client.get("/fr/accountability/requests/DR-\x00/").status_code == 404


def test_bad_intake_shows_translated_errors_and_saves_nothing(privacy, mfa_client):
    client = mfa_client(privacy)
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post("/fr/accountability/requests/new/", {"received_on": future, "categories": ["nope"]})
    assert response.status_code == 400
    assert "La date de réception ne peut pas être dans le futur." in response.content.decode()
    assert not OutsideRequest.objects.exists()


def test_the_two_people_disclose_through_the_page_and_one_person_cannot(legal, privacy, both, mfa_client):
    request = to_review(privacy, register(privacy))
    client = mfa_client(legal)
    base = f"/fr/accountability/requests/{request.reference}"
    client.post(f"{base}/checklist/", dict.fromkeys(ALL_CHECKED, "on"))
    client.post(f"{base}/sign_off_legal/")
    response = client.post(f"{base}/disclose/", follow=True)
    assert "approbation d&#x27;un conseiller juridique et d&#x27;un responsable" in response.content.decode()
    assert OutsideRequest.objects.get(pk=request.pk).state == "legal_review"
    mfa_client(privacy).post(f"{base}/sign_off_privacy/")
    mfa_client(legal).post(f"{base}/disclose_partially/")
    assert OutsideRequest.objects.get(pk=request.pk).outcome == "partially_disclosed"


def test_a_page_for_an_action_not_offered_is_refused_with_a_message(privacy, mfa_client):
    request = register(privacy)
    client = mfa_client(privacy)
    response = client.post(f"/fr/accountability/requests/{request.reference}/publish/", follow=True)
    assert "pas possible pour cette demande" in response.content.decode()
    response = client.post(f"/fr/accountability/requests/{request.reference}/sign_off_legal/", follow=True)
    assert "Votre rôle ne permet pas cette action." in response.content.decode()
    assert client.post(f"/fr/accountability/requests/{request.reference}/explode/").status_code == 404


def test_the_dashboard_shows_deadlines_and_non_disclosure_orders(privacy, mfa_client):
    today = timezone.localdate()
    overdue = register(privacy, received_on=today - dt.timedelta(days=20), due_on=today - dt.timedelta(days=1))
    secret = register(privacy, non_disclosure_order=True, ndo_expires_on=today + dt.timedelta(days=5))
    page = mfa_client(privacy).get("/fr/accountability/requests/").content.decode()
    alerts = page.split('id="alerts"')[1].split("</ul>")[0]
    assert overdue.reference in alerts and "Date limite dépassée" in alerts
    assert secret.reference in alerts and "Ordonnance de non-divulgation bientôt expirée" in alerts


def test_what_we_hold_is_generated_from_the_schema_and_every_claim_holds():
    result = holdings.what_we_hold()
    assert {item.code for item in result.not_held} == {code for code, _label, _check in holdings.CLAIMS}
    models = {item.model for item in result.held}
    assert {"cards.holder", "clinics.booking", "protection.case"} <= models
    assert "outside_requests.outsiderequest" not in models
    # Every record that seals a person's data has a description (a new one must be given one).
    assert models <= set(holdings.DESCRIPTIONS)
    holder = next(item for item in result.held if item.model == "cards.holder")
    assert holder.findable_by_name


def test_a_status_field_added_to_the_schema_would_remove_the_claim(monkeypatch):
    from django.db import models

    from sanspeur.cards.models import Holder

    field = models.CharField(max_length=10)
    field.set_attributes_from_name("immigration_status")
    monkeypatch.setattr(Holder._meta, "concrete_fields", (*Holder._meta.concrete_fields, field))
    assert not holdings.no_status_field()
    assert "immigration_status" not in {item.code for item in holdings.what_we_hold().not_held}


def test_refusal_follow_up_page(privacy, legal, service, mfa_client):
    report = services.refusal_submit(
        acting_user=None, service=service, what="asked_status", happened_on=timezone.localdate()
    )
    client = mfa_client(privacy)
    page = client.get("/fr/accountability/refusals/").content.decode()
    assert "Prêt de livres" in page and "On m&#x27;a demandé mon statut d&#x27;immigration" in page
    client.post(f"/fr/accountability/refusals/{report.pk}/contact_service/")
    client.post(f"/fr/accountability/refusals/{report.pk}/resolve/")
    report.refresh_from_db()
    assert report.state == "resolved"
    assert client.post(f"/fr/accountability/refusals/{2**70}/resolve/").status_code == 404
    # the same test client, now signed in as the legal counsel (no follow-up capability)
    assert mfa_client(legal).get("/fr/accountability/refusals/").status_code == 403
