"""Reads of the funding program. Who may read what is asked of accounts/policy.py (section 6c);
the views call these only after the policy said yes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from sanspeur.accounts import policy
from sanspeur.core import vault
from sanspeur.core.services import audit_read

from . import services, states
from .models import ZERO, Application, Assignment, Attachment, BudgetCategory, Call, Score


# --- Calls -----------------------------------------------------------------------------------------------
def public_calls():
    return Call.objects.filter(state__in=states.PUBLIC_CALL_STATES).exclude(state=states.ARCHIVED)


def public_call(code: str) -> Call | None:
    if not code or len(code) > 40:
        return None
    return Call.objects.filter(code=code, state__in=states.PUBLIC_CALL_STATES).prefetch_related("criteria").first()


def published_questions(call: Call):
    return call.questions.filter(published_on__isnull=False)


def calls_for_staff():
    return Call.objects.annotate(
        n_applications=Count("applications", filter=~Q(applications__state__in=[states.DRAFT, states.WITHDRAWN]))
    )


# --- Applications -----------------------------------------------------------------------------------------
def applications_of(*, acting_user):
    """The applications of the acting user's own organisation (an applicant sees no other)."""
    queryset = Application.objects.select_related("call").order_by("-pk")
    return policy.scope(queryset, acting_user=acting_user, field="organisation", reach=policy.OWN)


def application_of(*, acting_user, pk: int) -> Application | None:
    if pk > 2**62:
        return None
    return applications_of(acting_user=acting_user).filter(pk=pk).first()


@dataclass
class BudgetTable:
    years: list[int]
    rows: list[tuple[str, str, list[Decimal], Decimal]]  # code, label, per year, row total
    year_totals: list[Decimal]
    total: Decimal


def budget_table(application: Application) -> BudgetTable:
    """Category × year, the totals computed here (never typed by anyone)."""
    years = application.call.years
    cells = {(line.category, line.year): line.amount for line in application.budget_lines.all()}
    rows = []
    for code, label in BudgetCategory.choices:
        amounts = [cells.get((code, year), ZERO) for year in years]
        rows.append((code, label, amounts, sum(amounts, ZERO)))
    year_totals = [sum((cells.get((code, year), ZERO) for code in BudgetCategory.values), ZERO) for year in years]
    return BudgetTable(years, rows, year_totals, sum(year_totals, ZERO))


def attachments_of(application: Application) -> list[dict]:
    """Each file with its name (opened from the vault: the applicant's own, or the officer's)."""
    found = []
    for attachment in application.attachments.all():
        name = ""
        if attachment.sealed_name is not None:
            name = vault.open_bytes(
                application.data_key,
                attachment.sealed_name,
                context=services.attachment_context(attachment, "name"),
            ).decode("utf-8", "replace")
        found.append({"pk": attachment.pk, "kind": attachment.kind, "size": attachment.size, "name": name})
    return found


def attachment_open(*, acting_user, application: Application, attachment_id: int) -> tuple[Attachment, bytes] | None:
    if attachment_id > 2**62:
        return None
    attachment = Attachment.objects.filter(application=application, pk=attachment_id).first()
    if attachment is None or attachment.sealed is None:
        return None
    audit_read(acting_user=acting_user, target=attachment)
    data = vault.open_bytes(
        application.data_key, attachment.sealed, context=services.attachment_context(attachment, "content")
    )
    return attachment, data


def signed_agreement_open(*, acting_user, application: Application):
    """(the signed copy, its bytes), the opening audited; None when none was received."""
    from .models import SignedAgreement

    signed = SignedAgreement.objects.filter(application=application).first()
    if signed is None:
        return None
    audit_read(acting_user=acting_user, target=signed)
    return signed, vault.open_bytes(
        application.data_key, signed.sealed, context=services.signed_context(application.pk)
    )


def application_for_staff(*, acting_user, pk: int) -> Application | None:
    """An application as a program officer opens it (audited), drafts excluded."""
    if pk > 2**62 or not policy.manages_grants(acting_user):
        return None
    application = (
        Application.objects.select_related("call", "organisation").exclude(state=states.DRAFT).filter(pk=pk).first()
    )
    if application is not None:
        audit_read(acting_user=acting_user, target=application)
    return application


# --- Reviews -----------------------------------------------------------------------------------------------
def assignments_of(*, acting_user):
    return (
        Assignment.objects.filter(reviewer=acting_user)
        .select_related("application__call")
        .order_by("submitted_on", "pk")
    )


def assignment_for(*, acting_user, application_pk: int) -> Assignment | None:
    """The acting reviewer's own assignment to this application (None: not assigned)."""
    if application_pk > 2**62 or not policy.reviews_grants(acting_user):
        return None
    return (
        Assignment.objects.select_related("application__call", "application__organisation")
        .filter(reviewer=acting_user, application_id=application_pk)
        .first()
    )


def application_for_reviewer(*, acting_user, assignment: Assignment) -> Application | None:
    """The application's content, only when the policy lets this reviewer read it (no conflict
    declared, none pending): the one door through which a reviewer reaches the content."""
    if not policy.reviewer_may_read(acting_user, assignment):
        return None
    application = assignment.application
    audit_read(acting_user=acting_user, target=application)
    return application


@dataclass
class ReviewSummary:
    expected: int  # reviewers not recused
    received: int
    recused: int
    all_in: bool
    average: Decimal | None  # weighted, out of 5; None until every review is in
    by_criterion: list[tuple[object, Decimal]] | None
    spread: list[Decimal] | None  # each reviewer's weighted total (calibration), hidden the same way


def _weighted(scores: dict[int, int], weights: dict[int, int]) -> Decimal:
    total_weight = sum(weights.values()) or 1
    value = sum(Decimal(weights[pk]) * Decimal(score) for pk, score in scores.items() if pk in weights)
    return (value / Decimal(total_weight)).quantize(Decimal("0.01"))


def review_summary(application: Application, *, acting_user) -> ReviewSummary:
    """The averages appear only once every non-recused reviewer has submitted, and only to whom the
    policy shows them (``sees_review_averages``); before that only the counts."""
    assignments = list(application.assignments.all())
    counting = [a for a in assignments if a.counts]
    received = [a for a in counting if a.submitted_on is not None]
    all_in = bool(counting) and len(received) == len(counting)
    summary = ReviewSummary(len(counting), len(received), len(assignments) - len(counting), all_in, None, None, None)
    if not policy.sees_review_averages(acting_user, all_reviews_in=all_in):
        return summary
    criteria = list(application.call.criteria.all())
    weights = {c.pk: c.weight for c in criteria}
    per_reviewer = []
    by_criterion: dict[int, list[int]] = {c.pk: [] for c in criteria}
    for score in Score.objects.filter(assignment__in=received):
        by_criterion.setdefault(score.criterion_id, []).append(score.score)
    for assignment in received:
        scores = {s.criterion_id: s.score for s in assignment.scores.all()}
        per_reviewer.append(_weighted(scores, weights))
    summary.average = (sum(per_reviewer, Decimal(0)) / len(per_reviewer)).quantize(Decimal("0.01"))
    summary.by_criterion = [
        (c, (Decimal(sum(by_criterion[c.pk])) / len(by_criterion[c.pk])).quantize(Decimal("0.1")))
        for c in criteria
        if by_criterion[c.pk]
    ]
    summary.spread = sorted(per_reviewer)
    return summary


# --- Decisions -------------------------------------------------------------------------------------------
@dataclass
class RankedRow:
    application: Application
    requested: Decimal
    summary: ReviewSummary
    running_total: Decimal  # what is committed, plus this and every row above it not yet decided
    fits: bool


def ranking(call: Call, *, acting_user) -> tuple[list[RankedRow], Decimal]:
    """The applications in review or decided, best average first (those still waiting for reviews
    last), each with the running total against the envelope; and what is committed."""
    applications = list(
        Application.objects.filter(
            call=call, state__in=[states.UNDER_REVIEW, states.WAITLISTED, states.APPROVED, states.DECLINED]
        )
        .select_related("organisation", "call")
        .annotate(requested=Sum("budget_lines__amount"))
    )
    rows = [(a, a.requested or ZERO, review_summary(a, acting_user=acting_user)) for a in applications]
    rows.sort(key=lambda r: (r[0].state == states.DECLINED, r[2].average is None, -(r[2].average or 0), r[0].pk))
    committed = services.committed(call)
    running = committed
    ranked = []
    for application, requested, summary in rows:
        if application.state == states.APPROVED:
            ranked.append(RankedRow(application, requested, summary, running, True))
            continue
        if application.state != states.DECLINED:
            running += requested
        ranked.append(RankedRow(application, requested, summary, running, running <= call.envelope))
    return ranked, committed


# --- Calibration across a call's reviewers ----------------------------------------------------------------
DISAGREEMENT = Decimal("1.5")  # out of 5: two reviewers this far apart should talk before the committee


@dataclass
class ReviewerCalibration:
    reviewer: str  # the username: the committee knows its reviewers
    reviewed: int
    mean: Decimal  # the mean of the reviewer's weighted totals
    offset: Decimal  # the mean of (own total − the other reviewers' mean on the same application)


@dataclass
class Disagreement:
    application: Application
    low: Decimal
    high: Decimal

    @property
    def gap(self) -> Decimal:
        return self.high - self.low


def calibration(call: Call, *, acting_user) -> tuple[list[ReviewerCalibration], list[Disagreement]] | None:
    """How each reviewer scores compared with the others on the same applications (a lenient or a
    severe reviewer shows a positive or negative offset), and the applications whose reviewers are
    DISAGREEMENT or more apart. Only applications whose reviews are all in count (averages stay
    hidden until then); None for whom the policy does not show averages."""
    if not policy.sees_review_averages(acting_user, all_reviews_in=True):
        return None
    weights = {c.pk: c.weight for c in call.criteria.all()}
    applications = Application.objects.filter(call=call).prefetch_related(
        "assignments__scores", "assignments__reviewer"
    )
    totals: dict[str, list[Decimal]] = {}
    offsets: dict[str, list[Decimal]] = {}
    disagreements = []
    for application in applications:
        counting = [a for a in application.assignments.all() if a.counts]
        if not counting or any(a.submitted_on is None for a in counting):
            continue
        scored = [
            (a.reviewer.get_username(), _weighted({s.criterion_id: s.score for s in a.scores.all()}, weights))
            for a in counting
        ]
        for name, total in scored:
            totals.setdefault(name, []).append(total)
            others = [other for other_name, other in scored if other_name != name]
            if others:
                offsets.setdefault(name, []).append(total - sum(others, Decimal(0)) / len(others))
        low, high = min(t for _n, t in scored), max(t for _n, t in scored)
        if len(scored) > 1 and high - low >= DISAGREEMENT:
            disagreements.append(Disagreement(application, low, high))
    two = Decimal("0.01")
    reviewers = [
        ReviewerCalibration(
            name,
            len(values),
            (sum(values, Decimal(0)) / len(values)).quantize(two),
            (sum(offsets.get(name, []), Decimal(0)) / max(len(offsets.get(name, [])), 1)).quantize(two),
        )
        for name, values in sorted(totals.items())
    ]
    disagreements.sort(key=lambda d: (-d.gap, d.application.pk))
    return reviewers, disagreements


# --- Duplicate and fraud flags (for the program officer's eyes, never automatic) --------------------------
SIMILAR = 0.6  # share of the five-word sequences two applications' texts have in common
_WORD = re.compile(r"\w+", re.UNICODE)


def _shingles(application: Application) -> set[tuple[str, ...]]:
    text = " ".join((application.summary, application.need, application.activities, application.outcomes))
    words = [word.casefold() for word in _WORD.findall(text)]
    return {tuple(words[i : i + 5]) for i in range(max(len(words) - 4, 0))}


@dataclass
class Flag:
    kind: str  # "same_registration" | "similar_text"
    other: Application | None
    share: int | None = None  # per cent of text in common


def flags_for(application: Application) -> list[Flag]:
    """What an officer should look at before screening: another organisation that declares the same
    enterprise number, or another organisation's application (any call) whose text is largely the same.
    Read-only: a flag decides nothing."""
    found: list[Flag] = []
    profile = getattr(application.organisation, "grant_profile", None)
    number = (profile.registration_number if profile else "").replace(" ", "")
    if number:
        twins = (
            Application.objects.filter(organisation__grant_profile__registration_number__iexact=number)
            .exclude(organisation=application.organisation)
            .exclude(state=states.DRAFT)
            .select_related("organisation")
            .order_by("pk")[:5]
        )
        found += [Flag("same_registration", other) for other in twins]
    mine = _shingles(application)
    if len(mine) >= 20:
        others = (
            Application.objects.exclude(organisation=application.organisation)
            .exclude(state=states.DRAFT)
            .only("pk", "call_id", "organisation_id", "summary", "need", "activities", "outcomes")
            .order_by("-pk")[:500]
        )
        for other in others:
            theirs = _shingles(other)
            if not theirs:
                continue
            share = len(mine & theirs) / min(len(mine), len(theirs))
            if share >= SIMILAR:
                found.append(Flag("similar_text", other, round(100 * share)))
    return found


# --- Agreements, reports and the portfolio ------------------------------------------------------------------
# Budget against actual, per line (category × year). A line is flagged when its year's report says
# more than a tenth over it was spent, when money went to a category with no budget that year, or when
# less than half of it was spent in a year that has been reported.
OVER_TOLERANCE = Decimal("0.10")
UNDER_SHARE = Decimal("0.50")
REPORTED_STATES = (states.SUBMITTED, states.CHANGES_REQUESTED, states.ACCEPTED)
ALERTS = {
    "over": _("Over the budget line by more than a tenth"),
    "unbudgeted": _("Spent on a line with no budget"),
    "under": _("Less than half of the budget line spent"),
}


@dataclass(frozen=True)
class SpendingRow:
    year: int
    category: str
    label: str
    budget: Decimal
    actual: Decimal | None  # None: that year's report has not been received yet

    @property
    def difference(self) -> Decimal | None:
        return None if self.actual is None else self.actual - self.budget

    @property
    def percent(self) -> int | None:
        if self.actual is None or self.budget == ZERO:
            return None
        return int((100 * self.actual / self.budget).to_integral_value())

    @property
    def alert(self) -> str:
        if self.actual is None:
            return ""
        if self.budget == ZERO:
            return "unbudgeted" if self.actual > ZERO else ""
        if self.actual > self.budget * (1 + OVER_TOLERANCE):
            return "over"
        if self.actual < self.budget * UNDER_SHARE:
            return "under"
        return ""

    @property
    def alert_label(self) -> str:
        return str(ALERTS[self.alert]) if self.alert else ""


def _spending_rows(years, budget: dict, actual: dict, reported_years: set[int]) -> list[SpendingRow]:
    labels = dict(BudgetCategory.choices)
    rows = []
    for year in years:
        for code in BudgetCategory.values:
            planned = budget.get((code, year), ZERO)
            spent = actual.get((code, year), ZERO) if year in reported_years else None
            if planned > ZERO or (spent or ZERO) > ZERO:
                rows.append(SpendingRow(year, code, str(labels[code]), planned, spent))
    return rows


def budget_vs_actual(application: Application) -> list[SpendingRow]:
    """Each budget line beside what the reports say was spent on it; a year counts as reported once
    its yearly report has been received (submitted, sent back for changes or accepted). What a
    milestone report says was spent counts in its year's actual."""
    from .models import Spending

    budget = {(line.category, line.year): line.amount for line in application.budget_lines.all()}
    reported = set(
        application.reports.filter(state__in=REPORTED_STATES, milestone="").values_list("due_on__year", flat=True)
    )
    actual = {
        (row["category"], row["report__due_on__year"]): row["amount"]
        for row in Spending.objects.filter(report__application=application, report__state__in=REPORTED_STATES)
        .values("category", "report__due_on__year")
        .annotate(amount=Sum("amount"))
    }
    return _spending_rows(application.call.years, budget, actual, reported)


def spending_alerts() -> list[tuple[Application, list[SpendingRow]]]:
    """The funded projects with at least one flagged line, for the program officer's report table:
    four queries whatever the number of projects."""
    from .models import BudgetLine, Report, Spending

    funded = list(
        Application.objects.filter(state=states.APPROVED).select_related("organisation", "call").order_by("pk")
    )
    budget: dict[int, dict] = {}
    for line in BudgetLine.objects.filter(application__in=funded).values(
        "application_id", "category", "year", "amount"
    ):
        budget.setdefault(line["application_id"], {})[(line["category"], line["year"])] = line["amount"]
    reported: dict[int, set] = {}
    for report in Report.objects.filter(application__in=funded, state__in=REPORTED_STATES, milestone="").values(
        "application_id", "due_on__year"
    ):
        reported.setdefault(report["application_id"], set()).add(report["due_on__year"])
    actual: dict[int, dict] = {}
    rows = (
        Spending.objects.filter(report__application__in=funded, report__state__in=REPORTED_STATES)
        .values("report__application_id", "category", "report__due_on__year")
        .annotate(amount=Sum("amount"))
    )
    for row in rows:
        key = row["report__application_id"]
        actual.setdefault(key, {})[(row["category"], row["report__due_on__year"])] = row["amount"]
    flagged = []
    for application in funded:
        lines = _spending_rows(
            application.call.years,
            budget.get(application.pk, {}),
            actual.get(application.pk, {}),
            reported.get(application.pk, set()),
        )
        alerts = [row for row in lines if row.alert]
        if alerts:
            flagged.append((application, alerts))
    return flagged


@dataclass
class ReportRow:
    report: object
    overdue: bool


def reports_table(*, today) -> dict[str, list]:
    """Every report of every funded project: due (not yet received), overdue (past its date and not
    received), received (submitted, waiting for review) and accepted."""
    from .models import Report

    table: dict[str, list] = {"overdue": [], "due": [], "received": [], "accepted": []}
    for report in Report.objects.select_related("application__organisation", "application__call").order_by("due_on"):
        if report.state == states.ACCEPTED:
            table["accepted"].append(report)
        elif report.state == states.SUBMITTED:
            table["received"].append(report)
        elif report.due_on < today:
            table["overdue"].append(report)
        else:
            table["due"].append(report)
    return table


def portfolio() -> dict:
    """Committed, paid and remaining; people reached per type of service (sums of rounded counts
    from accepted reports; suppressed counts are not added); reports accepted."""
    from .models import Indicator, ServiceType, Tranche

    committed_total = (
        Application.objects.filter(state=states.APPROVED).aggregate(total=Sum("awarded_amount"))["total"] or ZERO
    )
    paid = Tranche.objects.filter(state=states.PAID).aggregate(total=Sum("amount"))["total"] or ZERO
    labels = dict(ServiceType.choices)
    reached = (
        Indicator.objects.filter(report__state=states.ACCEPTED, suppressed=False)
        .values("service")
        .annotate(people=Sum("people"))
        .order_by("service")
    )
    by_borough = (
        Application.objects.filter(state=states.APPROVED)
        .values("borough")
        .annotate(n=Count("id"), amount=Sum("awarded_amount"))
        .order_by("borough")
    )
    return {
        "committed": committed_total,
        "paid": paid,
        "remaining": committed_total - paid,
        "reached": [(labels.get(row["service"], row["service"]), row["people"]) for row in reached],
        "by_borough": list(by_borough),
    }


# --- Work queues (the dashboard's tiles, accounts/dashboard.py) -----------------------------------------
def applications_to_complete_count(*, acting_user) -> int:
    """An applicant's drafts and the applications the city sent back for more information."""
    return applications_of(acting_user=acting_user).filter(state__in=states.EDITABLE).count()


def applications_to_screen_count() -> int:
    """Submitted applications a program officer has not yet found eligible or not."""
    return Application.objects.filter(state__in=(states.SUBMITTED, states.SCREENING)).count()


def reviews_to_do_count(*, acting_user) -> int:
    """The reviewer's assignments not yet submitted (a declared conflict ends the assignment)."""
    return assignments_of(acting_user=acting_user).filter(submitted_on__isnull=True).exclude(conflict=True).count()
