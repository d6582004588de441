"""Applicant organisations: sign-up with the second factor, the holding rule, the application's
sections, budget totals, attachments checked like other uploads, submission and withdrawal."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sanspeur.accounts import policy
from sanspeur.accounts.models import Organisation, User
from sanspeur.accounts.services import staff_user_set_roles
from sanspeur.core.transitions import InvalidTransition
from sanspeur.grants import selectors, services
from sanspeur.grants.models import Application, Attachment, BudgetLine

from .conftest import complete_application

pytestmark = pytest.mark.django_db

SIGNUP = {
    "organisation_name": "Entraide Sans Frontières (test)",
    "registration_number": "1170000001",
    "borough": "Verdun",
    "mission": "Accompagner les personnes vers les services.",
    "language": "fr",
    "contact_name": "Awa Diallo",
    "email": "contact@example.org",
    "username": "entraide.sf",
    "password1": "une phrase de passe assez longue 2026",
    "password2": "une phrase de passe assez longue 2026",
}


def test_an_organisation_signs_up_and_must_enrol_an_authenticator_before_anything_opens(client):
    response = client.post("/fr/grants/signup/", SIGNUP)
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/staff/mfa/?next=/fr/grants/apply/")
    user = User.objects.get(username="entraide.sf")
    assert user.organisation.kind == "applicant"
    assert sorted(user.groups.values_list("name", flat=True)) == ["grant_applicant"]
    assert user.must_change_password is False
    # Password only: the applicant's space sends to the second factor, whose page enrols a first authenticator.
    assert client.get("/fr/grants/apply/")["Location"].startswith("/fr/staff/mfa/")
    enrol = client.get("/fr/staff/mfa/")
    assert enrol.status_code == 200 and "otpauth" not in enrol.content.decode()[:0]  # the QR is a data URI


def test_a_bad_sign_up_gives_translated_errors_and_saves_nothing(client):
    response = client.post("/fr/grants/signup/", {**SIGNUP, "password2": "autre chose entièrement 2026"})
    assert response.status_code == 400
    assert "Les deux mots de passe ne sont pas identiques." in response.content.decode()
    assert not Organisation.objects.filter(name=SIGNUP["organisation_name"]).exists()
    assert not User.objects.filter(username="entraide.sf").exists()


def test_a_second_sign_up_with_the_same_name_is_refused(client):
    client.post("/fr/grants/signup/", SIGNUP)
    again = client.post("/en/grants/signup/", {**SIGNUP, "username": "autre.nom"})
    assert again.status_code == 400
    assert "An organisation with this name has already signed up." in again.content.decode()
    assert Organisation.objects.filter(kind="applicant").count() == 1


def test_an_applicant_account_never_gains_another_role(applicant, make_staff, city_organisation):
    admin = make_staff("alex.admin", ["administrator"], city_organisation)
    for role in policy.ROLE_TABLE:
        if role == "grant_applicant":
            continue
        assert not policy.may_hold(role, applicant.organisation)
        with pytest.raises((PermissionDenied, ValidationError)):
            staff_user_set_roles(acting_user=admin, user=applicant, roles=["grant_applicant", role])
    assert policy.roles_for(applicant.organisation) == ["grant_applicant"]
    # Nor does a staff organisation's account hold the applicant's role.
    assert not policy.may_hold("grant_applicant", city_organisation)


def test_a_city_wide_capability_written_by_hand_on_an_applicant_account_is_refused(applicant):
    applicant.groups.add(Group.objects.get(name="program_officer"))
    applicant = User.objects.get(pk=applicant.pk)
    assert applicant.has_perm("accounts.manage_grants")
    assert not policy.has_capability(applicant, "manage_grants")
    assert not policy.manages_grants(applicant)


def test_the_budget_totals_are_computed_per_year_and_category(applicant, call):
    application = complete_application(applicant, call, amount="60000")
    services.budget_line_set(
        acting_user=applicant,
        application=application,
        category="activities",
        year=call.last_year,
        amount=Decimal("15000.50"),
    )
    services.budget_line_set(
        acting_user=applicant, application=application, category="staff", year=call.last_year, amount=Decimal("5000")
    )
    table = selectors.budget_table(application)
    assert table.total == Decimal("80000.50")
    assert table.year_totals == [Decimal("60000"), Decimal("20000.50")]
    staff = next(row for row in table.rows if row[0] == "staff")
    assert staff[3] == Decimal("65000")
    services.budget_line_set(
        acting_user=applicant, application=application, category="staff", year=call.last_year, amount=Decimal("0")
    )
    assert selectors.budget_table(application).total == Decimal("75000.50")


def test_a_budget_line_outside_the_projects_years_is_refused(applicant, call):
    application = complete_application(applicant, call)
    with pytest.raises(ValidationError):
        services.budget_line_set(
            acting_user=applicant,
            application=application,
            category="staff",
            year=call.last_year + 1,
            amount=Decimal("1"),
        )


def test_submission_needs_every_section_the_checklist_and_a_budget_within_the_maximum(applicant, call):
    application = services.application_create(acting_user=applicant, call=call, organisation=applicant.organisation)
    with pytest.raises(ValidationError) as refused:
        services.application_submit(acting_user=applicant, application=application)
    assert "Confirm every eligibility condition." in refused.value.messages
    complete = complete_application(applicant, call, amount="250000")  # the maximum is 200 000
    assert complete.pk == application.pk
    with pytest.raises(ValidationError, match="maximum per project"):
        services.application_submit(acting_user=applicant, application=complete)
    services.budget_line_set(
        acting_user=applicant, application=complete, category="staff", year=call.first_year, amount=Decimal("200000")
    )
    assert services.application_submit(acting_user=applicant, application=complete).state == "submitted"
    with pytest.raises(ValidationError):  # no longer editable
        services.application_save(
            acting_user=applicant, application=complete, sections={"summary": "x"}, eligibility=[]
        )


def test_an_application_is_withdrawn_by_its_organisation_only(applicant, other_applicant, call):
    application = complete_application(applicant, call)
    with pytest.raises(PermissionDenied):
        services.application_withdraw(acting_user=other_applicant, application=application)
    services.application_withdraw(acting_user=applicant, application=application)
    assert Application.objects.get(pk=application.pk).state == "withdrawn"
    with pytest.raises(InvalidTransition):
        services.application_withdraw(acting_user=applicant, application=application)


def test_another_organisation_never_opens_an_application(mfa_client, applicant, other_applicant, call):
    application = complete_application(applicant, call)
    client = mfa_client(other_applicant)
    for suffix in ("", "partners/", "budget/", "files/"):
        assert client.get(f"/fr/grants/apply/{application.pk}/{suffix}").status_code == 404
    assert client.post(f"/fr/grants/apply/{application.pk}/do/withdraw/").status_code == 404
    assert Application.objects.get(pk=application.pk).state == "draft"


def test_the_applicant_saves_a_draft_through_the_page_without_javascript(mfa_client, applicant, call):
    client = mfa_client(applicant)
    start = client.post(f"/fr/grants/apply/calls/{call.code}/")
    application = Application.objects.get(organisation=applicant.organisation)
    assert start["Location"] == f"/fr/grants/apply/{application.pk}/"
    saved = client.post(
        f"/fr/grants/apply/{application.pk}/",
        {"project_title": "Titre", "summary": "Résumé", "eligibility": ["territory"]},
    )
    assert saved.status_code == 302
    application.refresh_from_db()
    assert (application.project_title, application.summary, application.eligibility) == (
        "Titre",
        "Résumé",
        ["territory"],
    )
    budget = client.post(
        f"/fr/grants/apply/{application.pk}/budget/",
        {"category": "rent", "year": call.first_year, "amount": "12 500,50"},
    )
    assert budget.status_code == 302
    assert BudgetLine.objects.get(application=application).amount == Decimal("12500.50")
    bad = client.post(
        f"/fr/grants/apply/{application.pk}/budget/", {"category": "rent", "year": call.first_year, "amount": "douze"}
    )
    assert bad.status_code == 400 and "Saisissez un montant" in bad.content.decode()


def _upload(client, application, name, data, content_type):
    return client.post(
        f"/fr/grants/apply/{application.pk}/files/", {"file": SimpleUploadedFile(name, data, content_type=content_type)}
    )


def test_attachments_are_checked_sealed_and_stripped_like_other_uploads(mfa_client, applicant, call):
    application = complete_application(applicant, call)
    client = mfa_client(applicant)
    refused = _upload(client, application, "virus.exe", b"MZ\x90\x00" + b"\x00" * 100, "application/octet-stream")
    assert refused.status_code == 400
    assert not Attachment.objects.exists()
    pdf = b"%PDF-1.4\n% lettre\n%%EOF\n"
    assert _upload(client, application, "lettre.pdf", pdf, "application/pdf").status_code == 302
    attachment = Attachment.objects.get()
    assert pdf not in bytes(attachment.sealed) and b"lettre.pdf" not in bytes(attachment.sealed_name)
    download = client.get(f"/fr/grants/apply/{application.pk}/files/{attachment.pk}/")
    assert download.status_code == 200 and download.content == pdf
    image = Image.new("RGB", (20, 20), "red")
    exif = Image.Exif()
    exif[0x010F] = "Appareil secret"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    assert b"Appareil secret" in buffer.getvalue()
    assert _upload(client, application, "photo.jpg", buffer.getvalue(), "image/jpeg").status_code == 302
    photo = Attachment.objects.order_by("-pk").first()
    stored = client.get(f"/fr/grants/apply/{application.pk}/files/{photo.pk}/").content
    assert stored.startswith(b"\xff\xd8\xff") and b"Appareil secret" not in stored


def test_an_upload_over_the_limit_is_refused_before_the_body_is_read(mfa_client, applicant, call):
    application = complete_application(applicant, call)
    client = mfa_client(applicant)
    response = client.generic(
        "POST", f"/fr/grants/apply/{application.pk}/files/", b"x" * 10, CONTENT_LENGTH=str(20 * 1024 * 1024)
    )
    assert response.status_code == 413


def test_a_program_officer_opens_a_submitted_application_s_file_and_the_read_is_audited(
    mfa_client, officer, reviewer, applicant, call
):
    from sanspeur.core.models import AuditEntry

    application = complete_application(applicant, call)
    services.attachment_add(
        acting_user=applicant, application=application, name="statuts.pdf", kind="pdf", data=b"%PDF-1.4\n%%EOF\n"
    )
    attachment = Attachment.objects.get()
    path = f"/en/grants/staff/applications/{application.pk}/files/{attachment.pk}/"
    assert mfa_client(officer).get(path).status_code == 404  # a draft is the organisation's own
    services.application_submit(acting_user=applicant, application=application)
    assert mfa_client(officer).get(path).content == b"%PDF-1.4\n%%EOF\n"
    assert AuditEntry.objects.filter(action="grants.attachment.view", actor=officer).count() == 1
    assert mfa_client(reviewer).get(path).status_code == 403
