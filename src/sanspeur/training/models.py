"""Units, headcounts, courses, requirements, trainees, completions, sessions, outcome figures.

A trainee (a member of staff, an officer, a volunteer) keeps in plain columns only what coverage
counts: the unit, the dates and states of their completions. Their name is sealed in the vault
under the record's data key; their employee number is kept only as a keyed hash, for matching a
check-in (``vault.blind_index``). Nothing about anyone's immigration status exists here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import states


def _localized(obj, field: str) -> str:
    language = (get_language() or "fr")[:2]
    return (
        getattr(obj, f"{field}_en") if language == "en" and getattr(obj, f"{field}_en") else getattr(obj, f"{field}_fr")
    )


class Unit(models.Model):
    """A node of the tree: police → region → station; city services → borough → library; partners."""

    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        CITY = "city_service", _("City services")
        PARTNER = "partner", _("Partner organisation")

    code = models.CharField(max_length=32, unique=True)  # the HR system's code, used by the import
    name_fr = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True, default="")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Materialised path of zero-padded ids ("000001/000007/"): a subtree is one LIKE prefix.
    path = models.CharField(max_length=255, db_index=True, blank=True, default="")
    depth = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localized(self, "name")

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.split("/") if part]


class UnitManager(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="managers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "user"], name="training_unit_manager_once")]


class Headcount(models.Model):
    """How many people a unit counts in a period (a month), from the HR file."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="headcounts")
    period = models.DateField()  # the first day of the month
    headcount = models.PositiveIntegerField()

    class Meta:
        ordering = ["unit", "-period"]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="training_headcount_once")]


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Virtual class")
    ELEARNING = "elearning", _("E-learning module")
    ROLL_CALL = "roll_call", _("Roll-call briefing")


class Course(models.Model):
    code = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def current(self) -> CourseVersion | None:
        return self.versions.order_by("-number").first()


class CourseVersion(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    title_fr = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_fr = models.TextField(blank=True, default="")
    description_en = models.TextField(blank=True, default="")
    modes = models.JSONField(default=list)  # Mode codes
    elearning_url = models.URLField(blank=True, default="")
    pass_mark = models.PositiveSmallIntegerField(default=80)  # percent of the scenario questions
    requires_refresher = models.BooleanField(default=False)
    refresher_within_days = models.PositiveSmallIntegerField(default=180)
    published_on = models.DateField()

    class Meta:
        ordering = ["course", "-number"]
        constraints = [models.UniqueConstraint(fields=["course", "number"], name="training_version_once")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    @property
    def title(self) -> str:
        return _localized(self, "title")

    @property
    def description(self) -> str:
        return _localized(self, "description")

    def mode_labels(self) -> list[str]:
        labels = dict(Mode.choices)
        return [str(labels.get(code, code)) for code in self.modes]


class Requirement(models.Model):
    """Everyone in ``unit`` (and the units below it) must hold a valid completion of ``course``."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="requirements")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="requirements")
    refresh_months = models.PositiveSmallIntegerField(default=24)
    grace_days = models.PositiveSmallIntegerField(default=30)
    target_percent = models.PositiveSmallIntegerField(default=95)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "course"], name="training_requirement_once")]


class Person(models.Model):
    """A member of staff or a trainee: unit and dates in the clear, name sealed, employee number hashed."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="people")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    sealed = models.BinaryField(null=True)  # {"name": ..., "email": ...}
    employee_index = models.CharField(max_length=64, unique=True, null=True)
    # The language of the person's reminders (their work e-mail, if given, is in the sealed blob).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="fr")
    active = models.BooleanField(default=True)
    created_on = models.DateField()
    # The day the person left the unit's staff: reminders stop at once; the individual record is
    # forgotten SANSPEUR_TRAINING_RETENTION_DAYS later (services.people_forget).
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class ExemptionReason(models.TextChoices):
    """Codes only: a free-text reason could carry health or family details."""

    LONG_LEAVE = "long_leave", _("Long leave")
    NOT_PUBLIC_FACING = "not_public_facing", _("No contact with the public")
    EQUIVALENT = "equivalent", _("Equivalent training elsewhere")
    LEAVING = "leaving", _("Leaving the service")


class Completion(models.Model):
    class State(models.TextChoices):
        ASSIGNED = states.ASSIGNED, pgettext_lazy("training", "Assigned")
        COMPLETED = states.COMPLETED, pgettext_lazy("training", "Completed")
        EXPIRING = states.EXPIRING, pgettext_lazy("training", "Expiring")
        EXPIRED = states.EXPIRED, pgettext_lazy("training", "Expired")
        EXEMPT = states.EXEMPT, pgettext_lazy("training", "Exempt")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="completions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    version = models.ForeignKey(CourseVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ASSIGNED)
    assigned_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    # The day after which the person is overdue (assignment + grace, or validity + grace).
    due_on = models.DateField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    exemption_reason = models.CharField(max_length=20, choices=ExemptionReason.choices, blank=True, default="")
    session = models.ForeignKey("Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["person", "course"], name="training_completion_once")]
        indexes = [models.Index(fields=["course", "state", "valid_until"], name="training_completion_valid")]

    def state_on(self, today) -> str:
        return states.state_on(self.state, self.valid_until, today)

    @property
    def offered_actions(self) -> frozenset[str]:
        return states.COMPLETION.offered(self.state)


class Session(models.Model):
    version = models.ForeignKey(CourseVersion, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200)
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    capacity = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    # Part of every check-in code: changing it voids the codes already shown.
    token_nonce = models.CharField(max_length=32)

    class Meta:
        ordering = ["-starts_at", "-id"]


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendances")
    checked_in_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="training_attendance_once")]


class AttendanceSheet(models.Model):
    """The scan of a session's signed attendance sheet (where the signed QR could not be used): sealed
    under its own data key, opened by coordinators only (audited), destroyed by the daily job once the
    individual records' retention period has passed. The people it lists are checked in by their
    employee numbers, typed by the coordinator; the scan itself is never read by the server."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="sheets")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    sealed = models.BinaryField(null=True)
    kind = models.CharField(max_length=4)  # pdf, jpeg or png (from the file's first bytes)
    people = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_on = models.DateField()

    class Meta:
        ordering = ["session", "pk"]


class Registration(models.Model):
    """A trainee registered for a session by a coordinator: attended when they check in, a no-show
    when the session is over without them (the daily job), or cancelled before it."""

    class State(models.TextChoices):
        REGISTERED = states.REGISTERED, pgettext_lazy("training registration", "Registered")
        ATTENDED = states.ATTENDED, pgettext_lazy("training registration", "Attended")
        NO_SHOW = states.NO_SHOW, pgettext_lazy("training registration", "Did not come")
        CANCELLED = states.CANCELLED, pgettext_lazy("training registration", "Cancelled")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="registrations")
    state = models.CharField(max_length=10, choices=State.choices, default=State.REGISTERED)
    registered_on = models.DateField()

    class Meta:
        ordering = ["session", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="training_registration_once")]


class CoverageSnapshot(models.Model):
    """A unit's coverage of a course on the first day of a month (its subtree): the daily job keeps
    one per month, so that the trend over time can be shown — completions are renewed in place and
    would not tell what the coverage was a year ago. Counts only, never a person."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="snapshots")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    expected = models.PositiveIntegerField()  # headcount minus exemptions
    covered = models.PositiveIntegerField()
    target = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["unit", "course", "month"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "course", "month"], name="training_one_snapshot_a_month")
        ]

    @property
    def percent(self) -> int | None:
        return min(100, round(100 * self.covered / self.expected)) if self.expected else None


class OutcomeFigure(models.Model):
    """A published count of police status checks with the border agency, for a period: shown next
    to the police's coverage, never per officer."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="outcomes")
    period_label = models.CharField(max_length=20)  # "2023"
    period_start = models.DateField()
    count = models.PositiveIntegerField()
    source = models.CharField(max_length=300)
    source_url = models.URLField(blank=True, default="")

    class Meta:
        ordering = ["unit", "period_start"]
        constraints = [models.UniqueConstraint(fields=["unit", "period_start"], name="training_outcome_once")]


class Reminder(models.Model):
    """A reminder sent about a completion: once per kind and per date it is about (a renewed
    completion has a new date, so its reminders start again). ``overdue`` goes to the unit's
    managers, as a count without names."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        DUE_30 = "due_30", _("Due within 30 days")
        DUE_7 = "due_7", _("Due within 7 days")
        EXPIRY_90 = "expiry_90", _("Expires within 90 days")
        EXPIRY_30 = "expiry_30", _("Expires within 30 days")
        OVERDUE = "overdue", _("Overdue (manager told)")

    completion = models.ForeignKey(Completion, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    about = models.DateField()  # the due or expiry date the reminder is about
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["completion", "kind", "about"], name="training_reminder_once")]
