"""Agreements: reports whose indicators are aggregates only, and payments released by accepted
reports (the tranche gate)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from sanspeur.core.transitions import InvalidTransition
from sanspeur.grants import selectors, services
from sanspeur.grants.models import Indicator, Report, Tranche

from .conftest import into_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(officer, applicant, call):
    application = into_review(officer, applicant, call, amount="100000")
    services.application_decide(
        acting_user=officer, application=application, move="approve", amount=Decimal("100000"), resolution_number="CE1"
    )
    services.agreement_schedule(acting_user=officer, application=application)
    return application


def _submit(applicant, report, **people):
    return services.report_submit(
        acting_user=applicant, report=report, narrative="Permanences tenues.", spent=Decimal("40000"), people=people
    )


def test_the_schedule_has_one_report_and_one_payment_per_year_adding_up_to_the_award(funded):
    tranches = list(funded.tranches.all())
    assert [t.state for t in tranches] == ["conditions_met", "scheduled"]
    assert sum(t.amount for t in tranches) == Decimal("100000")
    assert tranches[0].gate is None and tranches[1].gate == funded.reports.get(number=1)


def test_a_payment_waits_for_the_acceptance_of_its_report(officer, applicant, funded):
    second = funded.tranches.get(number=2)
    with pytest.raises(InvalidTransition):
        services.tranche_move(acting_user=officer, tranche=second, move="approve")
    report = funded.reports.get(number=1)
    _submit(applicant, report, legal=42)
    with pytest.raises(InvalidTransition):  # submitted is not accepted
        services.tranche_move(acting_user=officer, tranche=second, move="approve")
    services.report_review(acting_user=officer, report=report, move="accept")
    assert Tranche.objects.get(pk=second.pk).state == "conditions_met"
    services.tranche_move(acting_user=officer, tranche=second, move="approve")
    assert services.tranche_move(acting_user=officer, tranche=second, move="pay").state == "paid"


def test_the_gate_is_checked_again_even_if_the_row_says_conditions_met(officer, funded):
    """A row moved by hand (or by a bug) does not open the payment: the report itself is asked."""
    second = funded.tranches.get(number=2)
    Tranche.objects.filter(pk=second.pk).update(state="conditions_met")
    with translation.override("en"), pytest.raises(ValidationError, match="not accepted"):
        services.tranche_move(acting_user=officer, tranche=second, move="approve")


def test_people_are_entered_as_counts_rounded_to_5_and_small_counts_suppressed(applicant, funded):
    report = _submit(applicant, funded.reports.get(number=1), legal=42, health=7, housing=13, food=0)
    kept = {i.service: (i.people, i.suppressed) for i in report.indicators.all()}
    assert kept == {"legal": (40, False), "health": (None, True), "housing": (15, False)}


def test_a_per_person_entry_is_impossible(applicant, funded):
    report = funded.reports.get(number=1)
    # No field of a report or an indicator can hold a person: counts, a type of service, a flag.
    fields = {f.name for model in (Report, Indicator) for f in model._meta.get_fields()}
    assert not fields & {"name", "person", "participant", "people_list", "birth_date", "status", "email"}
    for people in ({"legal": ["Awa", "Jean"]}, {"legal": "Awa Diallo"}, {"a person": 1}, {"legal": True}):
        with pytest.raises(ValidationError):
            _submit(applicant, report, **people)
    # Below 10 cannot be stored, nor an unrounded count: the database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(report=report, service="legal", people=1, suppressed=False)


def test_the_report_form_has_only_counts(mfa_client, applicant, funded):
    client = mfa_client(applicant)
    page = client.get(f"/fr/grants/apply/{funded.pk}/reports/").content.decode()
    assert 'name="people_legal"' in page and 'type="number"' in page
    posted = client.post(
        f"/fr/grants/apply/{funded.pk}/reports/",
        {"narrative": "Bilan.", "spent": "1000", "people_legal": "Awa Diallo"},
    )
    assert posted.status_code == 400
    assert not Indicator.objects.exists()


def test_only_the_funded_organisation_reports_and_only_officers_review(officer, applicant, other_applicant, funded):
    report = funded.reports.get(number=1)
    with pytest.raises(PermissionDenied):
        _submit(other_applicant, report, legal=20)
    _submit(applicant, report, legal=20)
    with pytest.raises(PermissionDenied):
        services.report_review(acting_user=applicant, report=report, move="accept")


def test_the_table_of_reports_sorts_due_overdue_received(officer, applicant, funded):
    import datetime as dt

    first, second = funded.reports.order_by("number")
    Report.objects.filter(pk=first.pk).update(due_on=dt.date(2000, 1, 1))
    table = selectors.reports_table(today=dt.date(2001, 1, 1))
    assert [r.pk for r in table["overdue"]] == [first.pk]
    _submit(applicant, first, legal=20)
    table = selectors.reports_table(today=dt.date(2001, 1, 1))
    assert [r.pk for r in table["received"]] == [first.pk] and second.pk in [
        r.pk for r in table["due"] + table["overdue"]
    ]


def test_the_agreement_pdf_carries_the_schedule_and_the_data_protection_clause(mfa_client, officer, applicant, funded):
    import shutil
    import subprocess

    response = mfa_client(officer).get(f"/fr/grants/staff/applications/{funded.pk}/agreement.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert mfa_client(applicant).get(f"/fr/grants/apply/{funded.pk}/agreement.pdf").status_code == 200
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Entente de financement" in text  # the organisation's language (French here)
    assert "statut migratoire" in text and "arrondis à 5" in text
    assert "acceptation du rapport 1" in text and "100 000,00 $" in text.replace("\u202f", " ").replace("\xa0", " ")


def test_another_organisation_gets_no_agreement(mfa_client, other_applicant, funded):
    assert mfa_client(other_applicant).get(f"/fr/grants/apply/{funded.pk}/agreement.pdf").status_code == 404


def test_the_finance_export_lists_every_payment(mfa_client, officer, applicant, funded):
    import csv
    import io

    from sanspeur.accounts.models import Organisation

    Organisation.objects.filter(pk=funded.organisation_id).update(name="=SUM(A1:A9)")
    response = mfa_client(officer).get("/en/grants/staff/payments.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["application", "recipient"]
    assert [(row[4], row[5], row[7]) for row in rows[1:]] == [
        ("1", "50000.00", "conditions_met"),
        ("2", "50000.00", "scheduled"),
    ]
    assert rows[1][1] == "'=SUM(A1:A9)"
    assert mfa_client(applicant).get("/en/grants/staff/payments.csv").status_code == 403
