"""Amendments to a funded project's agreement: asked by the organisation, decided by a program
officer, applied on approval in the same transaction — budget lines (the total never grows), a
report's due date (its reminders start again), or the scope."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from sanspeur.core.models import AuditEntry
from sanspeur.core.transitions import InvalidTransition
from sanspeur.grants import services
from sanspeur.grants.models import Amendment, BudgetLine, Report, ReportReminder

from .conftest import into_review

pytestmark = pytest.mark.django_db


def _lines(application) -> dict:
    return {(line.category, line.year): line.amount for line in BudgetLine.objects.filter(application=application)}


def _ask_budget(applicant, funded, **amounts):
    year = funded.call.first_year
    return services.amendment_request(
        acting_user=applicant,
        application=funded,
        kind="budget",
        description="Plus d'interprétation, moins de salaires.",
        budget={(category, year): Decimal(amount) for category, amount in amounts.items()},
    )


def test_a_budget_amendment_moves_money_only_once_approved(officer, applicant, funded):
    year = funded.call.first_year
    amendment = _ask_budget(applicant, funded, staff="80000", interpreting="20000")
    assert amendment.state == "requested" and _lines(funded) == {("staff", year): Decimal("100000.00")}
    services.amendment_decide(acting_user=officer, amendment=amendment, move="approve", note="D'accord.")
    assert _lines(funded) == {("staff", year): Decimal("80000.00"), ("interpreting", year): Decimal("20000.00")}
    assert Amendment.objects.get(pk=amendment.pk).state == "approved"
    assert AuditEntry.objects.filter(action="grants.amendment.decide").count() == 1


def test_a_budget_amendment_never_adds_money(officer, applicant, funded):
    with translation.override("en"), pytest.raises(ValidationError, match="cannot grow"):
        _ask_budget(applicant, funded, interpreting="1")
    # Checked again at the decision: lines changed since the request cannot make it add money.
    amendment = _ask_budget(applicant, funded, staff="90000", interpreting="10000")
    year = funded.call.first_year
    BudgetLine.objects.filter(application=funded, category="staff", year=year).update(amount=Decimal("95000"))
    with pytest.raises(ValidationError):
        services.amendment_decide(acting_user=officer, amendment=amendment, move="approve")
    assert Amendment.objects.get(pk=amendment.pk).state == "requested"


@pytest.mark.parametrize(
    "budget",
    [{}, {("a line", 2026): Decimal("1")}, {("staff", 1999): Decimal("1")}, {("staff", 2026): Decimal("-1")}],
)
def test_a_wrong_budget_line_is_refused_and_nothing_is_saved(applicant, funded, budget):
    budget = {(c, funded.call.first_year if y == 2026 else y): a for (c, y), a in budget.items()}
    with pytest.raises(ValidationError):
        services.amendment_request(
            acting_user=applicant, application=funded, kind="budget", description="x", budget=budget
        )
    assert not Amendment.objects.exists()


def test_a_report_moved_later_is_reminded_again_from_its_new_date(officer, applicant, funded):
    report = funded.reports.get(number=1)
    ReportReminder.objects.create(report=report, kind="before", sent_on=report.due_on - dt.timedelta(days=7))
    later = report.due_on + dt.timedelta(days=60)
    with pytest.raises(ValidationError):  # earlier is not later
        services.amendment_request(
            acting_user=applicant,
            application=funded,
            kind="time",
            description="x",
            report=report,
            new_due_on=report.due_on - dt.timedelta(days=1),
        )
    amendment = services.amendment_request(
        acting_user=applicant, application=funded, kind="time", description="Retard.", report=report, new_due_on=later
    )
    services.amendment_decide(acting_user=officer, amendment=amendment, move="approve")
    assert Report.objects.get(pk=report.pk).due_on == later
    assert not ReportReminder.objects.filter(report=report).exists()


def test_an_accepted_report_does_not_move(officer, applicant, funded):
    report = funded.reports.get(number=1)
    later = report.due_on + dt.timedelta(days=30)
    amendment = services.amendment_request(
        acting_user=applicant, application=funded, kind="time", description="Retard.", report=report, new_due_on=later
    )
    Report.objects.filter(pk=report.pk).update(state="accepted")
    with pytest.raises(ValidationError):
        services.amendment_decide(acting_user=officer, amendment=amendment, move="approve")
    assert Report.objects.get(pk=report.pk).due_on != later


def test_a_refused_amendment_changes_nothing_and_is_decided_once(officer, applicant, funded):
    before = _lines(funded)
    amendment = _ask_budget(applicant, funded, staff="50000", activities="50000")
    services.amendment_decide(acting_user=officer, amendment=amendment, move="refuse", note="Non.")
    assert _lines(funded) == before
    with pytest.raises(InvalidTransition):
        services.amendment_decide(acting_user=officer, amendment=amendment, move="approve")
    assert _lines(funded) == before


def test_only_the_organisation_asks_and_only_an_officer_decides(officer, applicant, other_applicant, funded):
    with pytest.raises(PermissionDenied):
        services.amendment_request(acting_user=other_applicant, application=funded, kind="scope", description="x")
    amendment = services.amendment_request(
        acting_user=applicant, application=funded, kind="scope", description="Un atelier de plus."
    )
    with pytest.raises(PermissionDenied):
        services.amendment_decide(acting_user=applicant, amendment=amendment, move="approve")


def test_only_a_scheduled_agreement_is_amended(officer, applicant, call):
    application = into_review(officer, applicant, call, amount="100000")
    with pytest.raises(ValidationError):
        services.amendment_request(acting_user=applicant, application=application, kind="scope", description="x")


def test_the_organisation_asks_from_its_page_and_the_officer_decides_on_the_agreement(
    mfa_client, officer, applicant, funded
):
    client = mfa_client(applicant)
    url = f"/en/grants/apply/{funded.pk}/amendments/"
    refused = client.post(url, {"kind": "budget", "description": "More interpreting.", "budget_year": "1999"})
    assert refused.status_code == 400 and not Amendment.objects.exists()
    year = funded.call.first_year
    posted = client.post(
        url,
        {
            "kind": "budget",
            "description": "More interpreting.",
            "budget_year": str(year),
            "amount_staff": "70 000",
            "amount_interpreting": "30 000",
        },
    )
    assert posted.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.budget == {f"interpreting:{year}": "30000.00", f"staff:{year}": "70000.00"}
    office = mfa_client(officer)
    page = office.get(f"/en/grants/staff/applications/{funded.pk}/agreement/").content.decode()
    assert 'id="amendment-1"' in page and "Approve and apply" in page
    office.post(
        f"/en/grants/staff/applications/{funded.pk}/agreement/do/amendment_approve/", {"id": amendment.pk, "note": "OK"}
    )
    assert _lines(funded)[("interpreting", year)] == Decimal("30000.00")
    assert "Approved" in mfa_client(applicant).get(url).content.decode()  # one test client: signed in again
