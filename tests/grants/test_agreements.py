"""Agreements: reports whose indicators are aggregates only, and payments released by accepted
reports (the tranche gate)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from sanspeur.core.transitions import InvalidTransition
from sanspeur.grants import selectors, services
from sanspeur.grants.models import Indicator, Report, SignedAgreement, Tranche

from .conftest import into_review

pytestmark = pytest.mark.django_db


def _submit(applicant, report, **people):
    return services.report_submit(
        acting_user=applicant,
        report=report,
        narrative="Permanences tenues.",
        spending={"staff": Decimal("40000")},
        people=people,
    )


SIGNED_PDF = b"%PDF-1.4\n% signed\n%%EOF\n"


def test_the_schedule_has_one_report_and_one_payment_per_year_adding_up_to_the_award(funded):
    tranches = list(funded.tranches.all())
    assert [t.state for t in tranches] == ["scheduled", "scheduled"]
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
        {"narrative": "Bilan.", "spent_staff": "1000", "people_legal": "Awa Diallo"},
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
        ("1", "50000.00", "scheduled"),
        ("2", "50000.00", "scheduled"),
    ]
    assert rows[1][1] == "'=SUM(A1:A9)"
    assert mfa_client(applicant).get("/en/grants/staff/payments.csv").status_code == 403


# --- Budget against actual, per line ------------------------------------------------------------------------
def _spend(applicant, report, **spending):
    return services.report_submit(
        acting_user=applicant,
        report=report,
        narrative="Bilan.",
        spending={category: Decimal(amount) for category, amount in spending.items()},
        people={},
    )


def _alerts(application) -> dict:
    return {(row.category, row.year): (row.actual, row.alert) for row in selectors.budget_vs_actual(application)}


def test_the_report_total_is_the_sum_of_its_budget_lines(applicant, funded):
    report = _spend(applicant, funded.reports.get(number=1), staff="30000.504", activities="1000", rent="0")
    assert report.spent == Decimal("31000.50")
    assert {s.category: s.amount for s in report.spending.all()} == {
        "staff": Decimal("30000.50"),
        "activities": Decimal("1000.00"),
    }


@pytest.mark.parametrize(
    "spending",
    [
        {"staff": Decimal("-1")},
        {"a line": Decimal("1")},
        {"staff": 12},
        {"staff": Decimal("NaN")},
        {"staff": Decimal("1E+12")},
    ],
)
def test_a_wrong_amount_or_category_saves_nothing(applicant, funded, spending):
    report = funded.reports.get(number=1)
    with pytest.raises(ValidationError):
        services.report_submit(acting_user=applicant, report=report, narrative="x", spending=spending, people={})
    report.refresh_from_db()
    assert report.state == "due" and not report.spending.exists()


def test_budget_against_actual_flags_over_unbudgeted_and_under(applicant, officer, funded):
    year = funded.call.first_year
    report = funded.reports.get(number=1)
    # Before the report, the budget line is shown and nothing is flagged: the year is not reported.
    assert _alerts(funded) == {("staff", year): (None, "")}
    _spend(applicant, report, staff="115000", rent="500")
    assert _alerts(funded) == {
        ("staff", year): (Decimal("115000.00"), "over"),  # more than 10 % over 100 000
        ("rent", year): (Decimal("500.00"), "unbudgeted"),
    }
    flagged = selectors.spending_alerts()
    assert [(application.pk, [row.alert for row in rows]) for application, rows in flagged] == [
        (funded.pk, ["over", "unbudgeted"])
    ]
    # Sent back and corrected: the new figures replace the old ones, within 10 % is not flagged.
    services.report_review(acting_user=officer, report=report, move="request_changes", note="Précisez.")
    _spend(applicant, report, staff="109000")
    assert _alerts(funded) == {("staff", year): (Decimal("109000.00"), "")}
    assert selectors.spending_alerts() == []
    services.report_review(acting_user=officer, report=report, move="request_changes", note="Vraiment ?")
    _spend(applicant, report, staff="49999")
    assert _alerts(funded) == {("staff", year): (Decimal("49999.00"), "under")}


def test_the_alerts_of_every_project_take_the_same_queries(applicant, funded, django_assert_max_num_queries):
    _spend(applicant, funded.reports.get(number=1), staff="1")
    with django_assert_max_num_queries(4):
        assert len(selectors.spending_alerts()) == 1


def test_the_spending_table_is_on_the_agreement_and_the_reports_pages(mfa_client, officer, applicant, funded):
    _spend(applicant, funded.reports.get(number=1), staff="150000")
    with translation.override("en"):
        over = str(selectors.ALERTS["over"])
    page = mfa_client(officer).get(f"/en/grants/staff/applications/{funded.pk}/agreement/").content.decode()
    assert 'id="spending-table"' in page and over in page
    reports = mfa_client(officer).get("/en/grants/staff/reports/").content.decode()
    assert over in reports and funded.reference in reports
    own = mfa_client(applicant).get(f"/en/grants/apply/{funded.pk}/reports/").content.decode()
    assert 'id="spending-table"' in own and over in own


def test_differences_and_shares_read_naturally_in_each_language():
    from sanspeur.grants.templatetags.grants_tags import money, percent

    with translation.override("en"):
        assert "-$40,500<" in money(Decimal("-40500")) and ">49%<" in percent(49)
    with translation.override("fr"):
        assert ">-40" in money(Decimal("-40500")) and "500\xa0$<" in money(Decimal("-40500"))
        assert ">49\xa0%<" in percent(49)


# --- The signed agreement: the first payment's condition ------------------------------------------------------
def test_the_first_payment_waits_for_the_signed_agreement(officer, funded):
    first = funded.tranches.get(number=1)
    with pytest.raises(InvalidTransition):
        services.tranche_move(acting_user=officer, tranche=first, move="approve")
    # A row moved by hand does not open the payment either: the signed copy itself is asked for.
    Tranche.objects.filter(pk=first.pk).update(state="conditions_met")
    with translation.override("en"), pytest.raises(ValidationError, match="signed agreement"):
        services.tranche_move(acting_user=officer, tranche=first, move="approve")
    Tranche.objects.filter(pk=first.pk).update(state="scheduled")
    services.agreement_signed_record(acting_user=officer, application=funded, kind="pdf", data=SIGNED_PDF)
    assert Tranche.objects.get(pk=first.pk).state == "conditions_met"
    assert Tranche.objects.get(number=2, application=funded).state == "scheduled"  # still waits for its report
    assert services.tranche_move(acting_user=officer, tranche=first, move="approve").state == "approved"


def test_a_held_first_payment_is_released_to_its_conditions(officer, funded):
    first = funded.tranches.get(number=1)
    services.tranche_move(acting_user=officer, tranche=first, move="hold")
    assert services.tranche_move(acting_user=officer, tranche=first, move="release").state == "scheduled"
    services.agreement_signed_record(acting_user=officer, application=funded, kind="pdf", data=SIGNED_PDF)
    services.tranche_move(acting_user=officer, tranche=first, move="hold")
    assert services.tranche_move(acting_user=officer, tranche=first, move="release").state == "conditions_met"


def test_only_an_officer_records_the_signed_copy_and_only_of_a_scheduled_agreement(officer, applicant, call):
    application = into_review(officer, applicant, call, amount="100000")
    with pytest.raises(PermissionDenied):
        services.agreement_signed_record(acting_user=applicant, application=application, kind="pdf", data=SIGNED_PDF)
    with pytest.raises(ValidationError):
        services.agreement_signed_record(acting_user=officer, application=application, kind="pdf", data=SIGNED_PDF)
    assert not SignedAgreement.objects.exists()


def test_the_signed_copy_is_sealed_replaced_and_opened_with_an_audit_entry(mfa_client, officer, applicant, funded):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sanspeur.core.models import AuditEntry

    office = mfa_client(officer)
    url = f"/en/grants/staff/applications/{funded.pk}/agreement/signed/"
    refused = office.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/pdf")})
    assert refused.status_code == 400 and not SignedAgreement.objects.exists()
    assert Tranche.objects.get(application=funded, number=1).state == "scheduled"
    posted = office.post(url, {"file": SimpleUploadedFile("signee.pdf", SIGNED_PDF, content_type="application/pdf")})
    assert posted.status_code == 302
    signed = SignedAgreement.objects.get(application=funded)
    assert SIGNED_PDF not in bytes(signed.sealed)  # sealed under the application's key
    second = SIGNED_PDF.replace(b"signed", b"signed again")
    office.post(url, {"file": SimpleUploadedFile("signee2.pdf", second, content_type="application/pdf")})
    assert SignedAgreement.objects.count() == 1
    opened = office.get(url)
    assert opened.status_code == 200 and opened.content == second
    assert AuditEntry.objects.filter(action="grants.signedagreement.view").count() == 1
    own = mfa_client(applicant).get(f"/en/grants/apply/{funded.pk}/agreement/signed/")
    assert own.status_code == 200 and own.content == second


def test_another_organisation_never_sees_the_signed_copy(mfa_client, officer, other_applicant, funded):
    services.agreement_signed_record(acting_user=officer, application=funded, kind="pdf", data=SIGNED_PDF)
    assert mfa_client(other_applicant).get(f"/en/grants/apply/{funded.pk}/agreement/signed/").status_code == 404
    assert (
        mfa_client(other_applicant).post(f"/en/grants/staff/applications/{funded.pk}/agreement/signed/").status_code
        == 403
    )


# --- Milestone reports --------------------------------------------------------------------------------------
def test_a_milestone_report_is_scheduled_reminded_and_listed_in_date_order(officer, applicant, funded):
    import datetime as dt

    year = funded.call.first_year
    milestone = services.milestone_report_add(
        acting_user=officer, application=funded, due_on=dt.date(year, 6, 30), milestone="Deuxième permanence <b>"
    )
    assert milestone.number == 3 and milestone.milestone == "Deuxième permanence <b>"
    assert [r.number for r in funded.reports.all()] == [3, 1, 2]  # by due date
    assert services.reminder_kind(milestone, dt.date(year, 6, 25)) == "before"
    # It gates no payment, and what it says was spent counts in its year without closing the year.
    assert not Tranche.objects.filter(gate=milestone).exists()
    _spend(applicant, milestone, staff="10000")
    assert _alerts(funded) == {("staff", year): (None, "")}
    _spend(applicant, funded.reports.get(number=1), staff="40000")
    assert _alerts(funded) == {("staff", year): (Decimal("50000.00"), "")}


@pytest.mark.parametrize(
    ("years_after_start", "month", "day", "milestone"),
    [(-1, 12, 31, "Trop tôt"), (3, 1, 1, "Trop tard"), (0, 6, 1, "   ")],
)
def test_a_milestone_out_of_the_project_or_without_a_name_is_refused(
    officer, funded, years_after_start, month, day, milestone
):
    import datetime as dt

    due_on = dt.date(funded.call.first_year + years_after_start, month, day)
    with pytest.raises(ValidationError):
        services.milestone_report_add(acting_user=officer, application=funded, due_on=due_on, milestone=milestone)
    assert funded.reports.count() == 2


def test_only_an_officer_adds_a_milestone_report(mfa_client, officer, applicant, funded):
    import datetime as dt

    year = funded.call.first_year
    with pytest.raises(PermissionDenied):
        services.milestone_report_add(
            acting_user=applicant, application=funded, due_on=dt.date(year, 6, 30), milestone="x"
        )
    url = f"/en/grants/staff/applications/{funded.pk}/agreement/do/milestone/"
    bad = mfa_client(officer).post(url, {"milestone": "Ouverture", "due_on_day": "31", "due_on_month": "2"})
    assert bad.status_code == 400 and funded.reports.count() == 2
    posted = mfa_client(officer).post(
        url, {"milestone": "Ouverture", "due_on_day": "30", "due_on_month": "6", "due_on_year": str(year)}
    )
    assert posted.status_code == 302
    assert funded.reports.get(number=3).milestone == "Ouverture"
    pdf = mfa_client(officer).get(f"/fr/grants/staff/applications/{funded.pk}/agreement.pdf")
    assert pdf.status_code == 200
