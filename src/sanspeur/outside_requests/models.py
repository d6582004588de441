"""The register of outside requests for data, and residents' reports of a refusal.

An outside request keeps in plain columns only what the register and the transparency report
count: who asked (a type), under which instrument, which categories of data, dates, the state and
the decision. Who the requester is by name, whom the request is about, the notes and every document
received are sealed in the vault under the request's data key (``core.vault``); shredding that key
leaves the counts and destroys the rest.

A refusal report is anonymous: a directory service, what happened (a code) and the day — no name,
no contact, no address, no time finer than the day, no free text; if the person wants to follow it,
the keyed look-up of a codename only they hold.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import states


class RequesterType(models.TextChoices):
    BORDER_AGENCY = "border_agency", _("Border agency")
    IMMIGRATION = "immigration", _("Immigration department")
    FEDERAL_POLICE = "federal_police", _("Federal police")
    PROVINCIAL_POLICE = "provincial_police", _("Provincial police")
    MUNICIPAL_POLICE = "municipal_police", _("Municipal police")
    COURT = "court", _("Court")
    PRIVATE_LITIGANT = "private_litigant", _("Private litigant")
    OTHER_GOVERNMENT = "other_government", _("Other government body")


class Instrument(models.TextChoices):
    INFORMAL = "informal", _("Informal request (voluntary)")
    LETTER = "letter", _("Letter")
    ADMINISTRATIVE = "administrative", _("Administrative demand or subpoena")
    PRODUCTION_ORDER = "production_order", _("Production order")
    SEARCH_WARRANT = "search_warrant", _("Search warrant")
    COURT_ORDER = "court_order", _("Court order")


#: The only instruments the city complies with: issued by a judge (the policy, docs/outside-requests.md).
JUDICIAL = frozenset({Instrument.PRODUCTION_ORDER, Instrument.SEARCH_WARRANT, Instrument.COURT_ORDER})
#: Refused as such: the city gives nothing on a voluntary basis.
VOLUNTARY = frozenset({Instrument.INFORMAL, Instrument.LETTER})


class Channel(models.TextChoices):
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("At a counter")
    OTHER = "other", _("Other")


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Identity (name, date of birth)")
    ADDRESS = "address", _("Address or place of residence")
    CARD = "card", _("Card records")
    PHOTO = "photo", _("Photo")
    DOCUMENTS = "documents", _("Identity documents")
    IMMIGRATION_STATUS = "immigration_status", _("Immigration status")
    BOOKINGS = "bookings", _("Clinic bookings")
    PROTECTION = "protection", _("Protection unit reports")
    USAGE = "usage", _("Use of services or of the card")
    STAFF = "staff", _("Staff records")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    REFUSED = "refused", pgettext_lazy("outside request", "Refused")
    NO_RECORDS = "no_records", pgettext_lazy("outside request", "No records held")
    PARTIALLY_DISCLOSED = "partially_disclosed", pgettext_lazy("outside request", "Partially disclosed")
    DISCLOSED = "disclosed", pgettext_lazy("outside request", "Disclosed")
    CHALLENGED = "challenged", pgettext_lazy("outside request", "Challenged in court")


class Notice(models.TextChoices):
    SENT = "sent", _("Person notified")
    DEFERRED = "deferred", _("Notice deferred")
    PROHIBITED = "prohibited", _("Notice prohibited")


CHECKLIST = (
    ("authority", _("Authority: the instrument was issued by a body with the power to issue it")),
    ("jurisdiction", _("Jurisdiction: it applies to the city and to these records")),
    ("scope", _("Scope: it names the records precisely; nothing beyond them")),
    ("necessity", _("Necessity: the disclosure is necessary for the stated purpose")),
    ("less_intrusive", _("No less intrusive alternative (narrowing, a summary, no personal data)")),
)


class OutsideRequest(models.Model):
    class State(models.TextChoices):
        RECEIVED = states.RECEIVED, pgettext_lazy("outside request", "Received")
        TRIAGED = states.TRIAGED, pgettext_lazy("outside request", "Triaged")
        LEGAL_REVIEW = states.LEGAL_REVIEW, pgettext_lazy("outside request", "Legal review")
        NARROWING = states.NARROWING, pgettext_lazy("outside request", "Narrowing asked")
        DECIDED = states.DECIDED, pgettext_lazy("outside request", "Decided")
        RESPONDED = states.RESPONDED, pgettext_lazy("outside request", "Responded")
        DEFERRED = states.DEFERRED, pgettext_lazy("outside request", "Notice deferred")
        NOTIFIED = states.NOTIFIED, pgettext_lazy("outside request", "Person notified or notice settled")
        CLOSED = states.CLOSED, pgettext_lazy("outside request", "Closed")
        PUBLISHED = states.PUBLISHED, pgettext_lazy("outside request", "Published")

    reference = models.CharField(max_length=16, unique=True)
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    # requester name, subject of the request, notes: one blob under the data key
    sealed = models.BinaryField(null=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    requester_type = models.CharField(max_length=20, choices=RequesterType.choices)
    instrument = models.CharField(max_length=20, choices=Instrument.choices)
    categories = models.JSONField(default=list)  # DataCategory codes
    persons_affected = models.PositiveIntegerField(default=1)
    received_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    non_disclosure_order = models.BooleanField(default=False)
    ndo_expires_on = models.DateField(null=True, blank=True)  # None with an order: no end date
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECEIVED)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    notice = models.CharField(max_length=10, choices=Notice.choices, blank=True, default="")
    notice_deferred_until = models.DateField(null=True, blank=True)
    checklist = models.JSONField(default=dict)  # item -> True/False, see CHECKLIST
    legal_sign_off = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    legal_sign_off_on = models.DateField(null=True, blank=True)
    privacy_sign_off = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    privacy_sign_off_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    # The transparency report's edition that counted it (set when the edition is published).
    edition = models.ForeignKey(
        "TransparencyEdition", null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    shredded_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("outside request")
        verbose_name_plural = _("outside requests")

    def __str__(self) -> str:
        return self.reference

    @property
    def offered_actions(self) -> frozenset[str]:
        return states.REQUEST.offered(self.state)

    @property
    def is_judicial(self) -> bool:
        return self.instrument in JUDICIAL

    @property
    def is_voluntary(self) -> bool:
        return self.instrument in VOLUNTARY

    @property
    def checklist_complete(self) -> bool:
        return all(self.checklist.get(item) is True for item, _label in CHECKLIST)

    def category_labels(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [str(labels.get(code, code)) for code in self.categories]


class RequestDocument(models.Model):
    """A document received with a request (the letter, the order): sealed, name and content."""

    request = models.ForeignKey(OutsideRequest, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10)  # pdf, jpeg, png, text, other (from its first bytes)
    size = models.PositiveIntegerField()
    sealed_name = models.BinaryField(null=True)
    sealed = models.BinaryField(null=True)
    received_on = models.DateField()

    class Meta:
        ordering = ["id"]


class DisclosureEntry(models.Model):
    """The register of communications (Québec's access law, art. 67.3): one row per disclosure,
    written by the disclosure itself."""

    request = models.OneToOneField(OutsideRequest, on_delete=models.PROTECT, related_name="disclosure")
    disclosed_on = models.DateField()
    requester_type = models.CharField(max_length=20, choices=RequesterType.choices)
    instrument = models.CharField(max_length=20, choices=Instrument.choices)
    categories = models.JSONField(default=list)
    partial = models.BooleanField()
    persons_affected = models.PositiveIntegerField()

    class Meta:
        ordering = ["-disclosed_on", "-id"]


class RefusalReport(models.Model):
    """A resident's anonymous report that a service point asked their status or refused the card."""

    class What(models.TextChoices):
        ASKED_STATUS = "asked_status", _("They asked about my immigration status")
        REFUSED_CARD = "refused_card", _("They refused the city card as identification")
        ASKED_DOCUMENTS = "asked_documents", _("They asked for documents the service does not need")
        CALLED_POLICE = "called_police", _("They called the police or threatened to")
        OTHER = "other", _("Something else made me afraid to use the service")

    class State(models.TextChoices):
        RECEIVED = states.R_RECEIVED, pgettext_lazy("refusal report", "Received")
        CONTACTED = states.R_CONTACTED, pgettext_lazy("refusal report", "Service contacted")
        RESOLVED = states.R_RESOLVED, pgettext_lazy("refusal report", "Resolved")
        UNRESOLVED = states.R_UNRESOLVED, pgettext_lazy("refusal report", "Unresolved")

    service = models.ForeignKey("directory.Service", null=True, on_delete=models.SET_NULL, related_name="+")
    what = models.CharField(max_length=20, choices=What.choices)
    happened_on = models.DateField()
    received_on = models.DateField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.RECEIVED)
    contacted_on = models.DateField(null=True, blank=True)
    settled_on = models.DateField(null=True, blank=True)
    # Only if the person asked for a codename to follow the report: a keyed look-up id and an
    # scrypt verifier (protection/crypto.py). The codename itself is shown once and never stored.
    codename_lookup = models.CharField(max_length=64, null=True, blank=True, unique=True)
    codename_salt = models.BinaryField(null=True, blank=True)
    codename_verifier = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("refusal report")
        verbose_name_plural = _("refusal reports")

    @property
    def offered_actions(self) -> frozenset[str]:
        return states.REFUSAL.offered(self.state)


class TransparencyEdition(models.Model):
    """One half-year's transparency report, frozen when published: its files are the numbers of that
    day and never recomputed (a correction is a new edition's erratum). Requests enter the edition
    of the half-year in which they were published (an order that kept one secret delays it)."""

    period = models.CharField(max_length=7, unique=True)  # "2026-H1"
    starts_on = models.DateField()
    ends_on = models.DateField()
    published_on = models.DateField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    total = models.PositiveIntegerField()
    signing_kid = models.CharField(max_length=16)  # hex of the root key that signed the files

    class Meta:
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period


class EditionFile(models.Model):
    """A published file of an edition (JSON, CSV, data-package descriptor, PDF) and its detached
    signature (core/publications.py)."""

    edition = models.ForeignKey(TransparencyEdition, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=60)
    content = models.BinaryField()
    signature = models.TextField()

    class Meta:
        ordering = ["name"]


class CanaryStatement(models.Model):
    """The month's signed statement, renewed by a privacy officer (never automatically: a statement
    that renews itself says nothing)."""

    month = models.DateField(unique=True)  # the first day of the month it covers
    text = models.TextField()
    signature = models.TextField()
    signed_on = models.DateField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-month"]


class AlertNotice(models.Model):
    """An alert e-mailed to the register's handlers (a deadline, an order expiring): once each."""

    request = models.ForeignKey(OutsideRequest, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)  # selectors.Alert.kind
    on = models.DateField()  # the date the alert is about
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "kind", "on"], name="outside_requests_alert_once")]


class CharterSignature(models.Model):
    """An organisation's signature of the "sans peur" charter (charter.py): who, when, which version."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField()
    signed_on = models.DateField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"],
                condition=models.Q(withdrawn_on__isnull=True),
                name="outside_requests_one_charter_signature",
            )
        ]
