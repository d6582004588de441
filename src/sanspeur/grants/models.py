"""The community funding program (docs/grants.md).

A **call** has an envelope and a maximum per project in Canadian dollars (``Decimal``, never a
float), an eligibility checklist, weighted criteria with scoring anchors, dates and texts in French
and English ({"fr": ..., "en": ...}, French the visible fallback). An **application** belongs to one
applicant organisation (accounts.Organisation of kind "applicant"), lists its coalition partners,
its budget lines (category × year: the totals are computed, never typed) and its attachments, sealed
in the vault. A reviewer's **assignment** holds the conflict-of-interest declaration that comes
before any content, and the scores.

Nothing about the people a project serves is asked or kept here: no participant, no status.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import states

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_MONEY = Decimal("9999999999.99")  # what MONEY's twelve digits can hold

STATE_LABELS = {
    states.DRAFT: pgettext_lazy("grants state", "Draft"),
    states.PUBLISHED: pgettext_lazy("grants state", "Open for applications"),
    states.CLOSED: pgettext_lazy("grants state", "Closed"),
    states.REVIEWING: pgettext_lazy("grants state", "Under review"),
    states.DECIDED: pgettext_lazy("grants state", "Decided"),
    states.ARCHIVED: pgettext_lazy("grants state", "Archived"),
    states.SUBMITTED: pgettext_lazy("grants state", "Submitted"),
    states.SCREENING: pgettext_lazy("grants state", "Eligibility check"),
    states.INELIGIBLE: pgettext_lazy("grants state", "Not eligible"),
    states.UNDER_REVIEW: pgettext_lazy("grants state", "Under review"),
    states.MORE_INFORMATION: pgettext_lazy("grants state", "More information asked"),
    states.APPROVED: pgettext_lazy("grants state", "Funded"),
    states.DECLINED: pgettext_lazy("grants state", "Not funded"),
    states.WAITLISTED: pgettext_lazy("grants state", "Waiting list"),
    states.WITHDRAWN: pgettext_lazy("grants state", "Withdrawn"),
}

STATE_LABELS.update(
    {
        states.DUE: pgettext_lazy("grants state", "Due"),
        states.CHANGES_REQUESTED: pgettext_lazy("grants state", "Changes requested"),
        states.ACCEPTED: pgettext_lazy("grants state", "Accepted"),
        states.SCHEDULED: pgettext_lazy("grants state", "Scheduled"),
        states.CONDITIONS_MET: pgettext_lazy("grants state", "Conditions met"),
        states.PAID: pgettext_lazy("grants state", "Paid"),
        states.HELD: pgettext_lazy("grants state", "Held"),
    }
)

# Texts of accounts' files that belong to this app (the kind of organisation it adds, its role, its
# dashboard tiles): their translations live in this app's catalog.
ACCOUNTS_LABELS = (
    _("Applicant organisation (funding)"),
    _("Applicant for funding"),
    _("Funding applications"),
    _("Apply to a call for projects, follow your applications."),
    _("Calls for projects"),
    _("Calls, eligibility, reviewers, ranking and decisions within the envelope."),
    _("Funding reviews"),
    _("Declare conflicts, then score the applications assigned to you."),
)


class Call(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    title = models.JSONField(default=dict, blank=True)  # {"fr": ..., "en": ...}
    summary = models.JSONField(default=dict, blank=True)
    body = models.JSONField(default=dict, blank=True)
    envelope = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("1"))])
    max_per_project = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("1"))])
    first_year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    last_year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    opens_on = models.DateField()
    closes_on = models.DateField()
    decision_on = models.DateField()
    # [{"code": "nonprofit", "fr": ..., "en": ...}]: the applicant ticks each; screening confirms.
    eligibility = models.JSONField(default=list, blank=True)
    blind_review = models.BooleanField(default=False)
    state = models.CharField(max_length=12, default=states.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_per_project__lte=models.F("envelope")), name="grants_max_le_envelope"
            ),
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")), name="grants_years_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))


class Criterion(models.Model):
    """A criterion of the rubric: its weight (points out of the total) and what 0, 3 and 5 mean."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.JSONField(default=dict, blank=True)
    weight = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(100)])
    anchors = models.JSONField(default=dict, blank=True)  # {"0": {"fr":..,"en":..}, "3": {...}, "5": {...}}

    class Meta:
        ordering = ["call", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.call_id}:{self.position}"


class Question(models.Model):
    """A question asked about a call and the city's answer, public once published."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    question = models.JSONField(default=dict, blank=True)
    answer = models.JSONField(default=dict, blank=True)
    published_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["call", "pk"]

    def __str__(self) -> str:
        return f"question {self.pk}"


class CommitteeMeeting(models.Model):
    """The minutes of a selection committee's meeting on a call: who sat, who withdrew for a
    conflict, what was decided and why. City records about organisations and projects; nothing
    about the people the projects serve."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    members = models.TextField(max_length=2000)  # who sat (names and roles), who withdrew and why
    minutes = models.TextField(max_length=10000)
    # None: entered from the server's command line (minutes of a meeting held before the platform).
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()

    class Meta:
        ordering = ["call", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.call_id}:meeting {self.held_on}"


class ApplicantProfile(models.Model):
    """What an applicant organisation says about itself once, reused by each of its applications."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="grant_profile")
    registration_number = models.CharField(max_length=40, blank=True)  # Quebec enterprise number (NEQ)
    mission = models.TextField(max_length=2000, blank=True)
    language = models.CharField(max_length=2, default="fr")  # fr or en: letters and e-mails

    def __str__(self) -> str:
        return f"profile of {self.organisation_id}"


class Application(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="grant_applications"
    )
    state = models.CharField(max_length=20, default=states.DRAFT)
    language = models.CharField(max_length=2, default="fr")
    # The sections of the form, saved as drafts as often as the applicant likes.
    project_title = models.CharField(max_length=200, blank=True)
    summary = models.TextField(max_length=2000, blank=True)
    need = models.TextField(max_length=5000, blank=True)
    activities = models.TextField(max_length=5000, blank=True)
    outcomes = models.TextField(max_length=5000, blank=True)
    borough = models.CharField(max_length=100, blank=True)
    eligibility = models.JSONField(default=list, blank=True)  # the codes of the checklist the applicant ticked
    data_key = models.ForeignKey("core.DataKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField(null=True, blank=True)
    # The decision (section 4 of docs/grants.md).
    awarded_amount = models.DecimalField(**MONEY, null=True, blank=True)
    resolution_number = models.CharField(max_length=40, blank=True)
    rationale = models.TextField(max_length=2000, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["call", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(awarded_amount__gte=0) | models.Q(awarded_amount__isnull=True),
                name="grants_award_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.call.code.upper()}-{self.pk:04d}" if self.pk else "new"

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))

    @property
    def is_editable(self) -> bool:
        return self.state in states.EDITABLE


class Partner(models.Model):
    """A partner of a coalition application (the applicant organisation is the lead)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(max_length=200)
    contribution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return self.name


class BudgetCategory(models.TextChoices):
    STAFF = "staff", pgettext_lazy("budget", "Salaries and fees")
    ACTIVITIES = "activities", pgettext_lazy("budget", "Activities")
    INTERPRETING = "interpreting", pgettext_lazy("budget", "Interpreting and translation")
    RENT = "rent", pgettext_lazy("budget", "Rent and premises")
    EQUIPMENT = "equipment", pgettext_lazy("budget", "Equipment")
    ADMIN = "admin", pgettext_lazy("budget", "Administration")


class BudgetLine(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(max_length=20, choices=BudgetCategory.choices)
    year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(ZERO)])

    class Meta:
        ordering = ["application", "year", "category"]
        constraints = [
            models.UniqueConstraint(fields=["application", "category", "year"], name="grants_one_line_per_cell"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="grants_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.category}:{self.year}"


class Attachment(models.Model):
    """A file joined to an application, checked like the other uploads and sealed in the vault
    under the application's data key (name and content)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=8)  # pdf, png, jpeg
    size = models.PositiveIntegerField()
    sealed_name = models.BinaryField(null=True)
    sealed = models.BinaryField(null=True)

    class Meta:
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return f"attachment {self.pk}"


class SignedAgreement(models.Model):
    """The agreement as the organisation signed it (a PDF or a scan), checked like every upload and
    sealed under the application's data key. Receiving it meets the first payment's condition; a
    later copy replaces it."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="signed_agreement")
    kind = models.CharField(max_length=8)  # pdf, png, jpeg
    size = models.PositiveIntegerField()
    sealed = models.BinaryField()
    received_on = models.DateField()

    def __str__(self) -> str:
        return f"signed agreement {self.application_id}"


class Assignment(models.Model):
    """A reviewer assigned to an application. ``conflict`` is None until declared: no content is
    shown before; True recuses the reviewer (for good); False opens the application and the rubric."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grant_assignments")
    conflict = models.BooleanField(null=True)
    declared_on = models.DateField(null=True, blank=True)
    comment = models.TextField(max_length=3000, blank=True)
    submitted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["application", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="grants_one_assignment_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk}"

    @property
    def counts(self) -> bool:
        """A recused reviewer's review is not awaited."""
        return self.conflict is not True


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="grants_one_score_per_criterion"),
            models.CheckConstraint(condition=models.Q(score__lte=5), name="grants_score_at_most_5"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}:{self.criterion_id}={self.score}"


REPORT_SUBMITTED_LABEL = pgettext_lazy("grants report state", "Submitted")


# --- Agreements: progress reports and tranches ------------------------------------------------------------
class ServiceType(models.TextChoices):
    LEGAL = "legal", pgettext_lazy("service type", "Legal information")
    HEALTH = "health", pgettext_lazy("service type", "Access to health care")
    HOUSING = "housing", pgettext_lazy("service type", "Housing")
    FOOD = "food", pgettext_lazy("service type", "Food")
    LANGUAGE = "language", pgettext_lazy("service type", "Interpreting and language")
    ACCOMPANIMENT = "accompaniment", pgettext_lazy("service type", "Accompaniment to services")


class Report(models.Model):
    """A progress report the agreement calls for (one per project year, and any at a milestone's
    date). Its indicators are
    aggregates only (``Indicator``): there is no field in which a person could be entered."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reports")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    # Blank for the yearly reports of the agreement; the milestone's name for a report an officer
    # added at a milestone's date (``services.milestone_report_add``).
    milestone = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=20, default=states.DUE)
    narrative = models.TextField(max_length=5000, blank=True)
    spent = models.DecimalField(**MONEY, null=True, blank=True, validators=[MinValueValidator(ZERO)])
    submitted_on = models.DateField(null=True, blank=True)
    review_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["application", "due_on", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="grants_one_report_per_number")]

    def __str__(self) -> str:
        return f"{self.application_id}:report {self.number}"

    @property
    def state_label(self) -> str:
        if self.state == states.SUBMITTED:  # a report is "remis" in French, an application "déposée"
            return str(REPORT_SUBMITTED_LABEL)
        return str(STATE_LABELS.get(self.state, self.state))


class Spending(models.Model):
    """What a report says was spent in one budget category during its year: the actual beside the
    budget line of the same category and year (``selectors.budget_vs_actual``)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="spending")
    category = models.CharField(max_length=20, choices=BudgetCategory.choices)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(ZERO)])

    class Meta:
        ordering = ["report", "category"]
        constraints = [
            models.UniqueConstraint(fields=["report", "category"], name="grants_one_spending_per_category"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="grants_spending_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.category}"


class Indicator(models.Model):
    """People reached by one type of service during the report's period: a count, rounded to 5 at
    entry, or suppressed (``people`` None) when fewer than 10 — never a list of people."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="indicators")
    service = models.CharField(max_length=20, choices=ServiceType.choices)
    people = models.PositiveIntegerField(null=True, blank=True)
    suppressed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "service"], name="grants_one_indicator_per_service"),
            models.CheckConstraint(
                condition=models.Q(suppressed=True, people__isnull=True)
                | models.Q(suppressed=False, people__gte=10, people__isnull=False),
                name="grants_indicator_aggregate_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.service}"


class Tranche(models.Model):
    """A payment of the award. A tranche gated by a report has its conditions met only when that
    report is accepted; only then can it be approved, then paid."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(ZERO)])
    due_on = models.DateField()
    gate = models.ForeignKey(Report, null=True, blank=True, on_delete=models.PROTECT, related_name="gated_tranches")
    state = models.CharField(max_length=20, default=states.SCHEDULED)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="grants_one_tranche_per_number")]

    def __str__(self) -> str:
        return f"{self.application_id}:tranche {self.number}"

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))


class AmendmentKind(models.TextChoices):
    BUDGET = "budget", pgettext_lazy("amendment", "Budget: money moved between lines")
    TIME = "time", pgettext_lazy("amendment", "Dates: a report due later")
    SCOPE = "scope", pgettext_lazy("amendment", "Scope: the activities change")


AMENDMENT_STATE_LABELS = {
    states.REQUESTED: pgettext_lazy("amendment state", "Requested"),
    states.APPROVED: pgettext_lazy("amendment state", "Approved"),
    states.REFUSED: pgettext_lazy("amendment state", "Refused"),
}


class Amendment(models.Model):
    """A change to a funded project's agreement, asked by the organisation and decided by a program
    officer: new amounts for budget lines (the total cannot grow), a later due date for a report,
    or a change of activities. Approving applies it, in the same transaction."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=AmendmentKind.choices)
    description = models.TextField(max_length=2000)  # what changes and why, in general terms
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    new_due_on = models.DateField(null=True, blank=True)
    budget = models.JSONField(default=dict, blank=True)  # {"staff:2026": "45000.00", ...}: the new amounts
    state = models.CharField(max_length=10, default=states.REQUESTED)
    requested_on = models.DateField()
    decided_on = models.DateField(null=True, blank=True)
    decision_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="grants_one_amendment_number")]

    def __str__(self) -> str:
        return f"{self.application_id}:amendment {self.number}"

    @property
    def state_label(self) -> str:
        return str(AMENDMENT_STATE_LABELS.get(self.state, self.state))

    def budget_lines(self) -> list[tuple[str, int, Decimal]]:
        """(category label, year, new amount) of a budget amendment, in the budget's order."""
        labels = dict(BudgetCategory.choices)
        lines = []
        for key, amount in self.budget.items():
            category, _sep, year = key.partition(":")
            lines.append((str(labels.get(category, category)), int(year), Decimal(amount)))
        return sorted(lines, key=lambda line: (line[1], line[0]))


class ReportReminder(models.Model):
    """A reminder sent about a report, once per kind: a week "before" its due date, and "after" it
    when the report is late. The row is the guarantee against a second e-mail."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10)  # before, after
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="grants_one_reminder_per_kind")]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.kind}"
