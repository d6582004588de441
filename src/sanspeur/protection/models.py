"""The protection unit's records. Every free-text value is encrypted to the unit's public key.

Content blobs are double-wrapped: the inner layer is a NaCl SealedBox to the unit's X25519 public
key (only the caseworkers' passphrase opens it); the outer layer is sealed by the case's vault
``DataKey``, so shredding that key makes every copy of the blobs (backups included) unreadable.
Plain columns hold only codes used for triage and counting: category, priority, risk, status, dates
rounded to the day.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

CATEGORIES = [
    ("work", _("Work (unpaid wages, abuse at work)")),
    ("housing", _("Housing")),
    ("violence", _("Violence")),
    ("exploitation", _("Exploitation")),
    ("fraud", _("Fraud or scam")),
    ("discrimination", _("Discrimination")),
    ("denunciation", _("Threat of being reported to the authorities")),
    ("other", _("Something else")),
]


class UnitKey(models.Model):
    """The unit's key pair. The private key is stored only encrypted under the unit passphrase."""

    created_on = models.DateField()
    public_key = models.BinaryField()
    encrypted_private_key = models.BinaryField()
    salt = models.BinaryField()
    opslimit = models.PositiveIntegerField()
    memlimit = models.PositiveBigIntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="protection_one_active_key"
            )
        ]


class Case(models.Model):
    class Source(models.TextChoices):
        WEB = "web", _("Online report")
        WALK_IN = "walk_in", _("Walk-in")
        PHONE = "phone", _("Phone")

    class State(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        CLOSURE_REQUESTED = "closure_requested", _("Closure awaiting approval")
        CLOSED = "closed", _("Closed")
        SHREDDED = "shredded", _("Shredded")

    class Priority(models.TextChoices):
        UNSET = "", _("Not triaged")
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Risk(models.TextChoices):
        UNSET = "", _("Not assessed")
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        REFERRED = "referred", _("Referred to a partner")
        NO_CONTACT = "no_contact", _("No further contact")
        WITHDRAWN = "withdrawn", _("Withdrawn by the person")
        OTHER = "other", _("Other")

    reference = models.CharField(max_length=16, unique=True)
    unit_key = models.ForeignKey(UnitKey, on_delete=models.PROTECT)
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    category = models.CharField(max_length=20, choices=CATEGORIES)
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True, default="")
    risk = models.CharField(max_length=10, choices=Risk.choices, blank=True, default="")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_on = models.DateField()
    content = models.BinaryField(null=True)
    safety_plan = models.BinaryField(null=True)
    stats_consent = models.BooleanField(default=False)
    # Codename access: a fast keyed look-up id, and a slow scrypt verifier (never the codename).
    codename_lookup = models.CharField(max_length=64, null=True, blank=True, unique=True)
    codename_salt = models.BinaryField(null=True)
    codename_verifier = models.BinaryField(null=True)
    reporter_public_key = models.BinaryField(null=True)
    # What the person sent, sealed to their codename-derived key too: the follow-up page shows it back.
    content_for_reporter = models.BinaryField(null=True)
    reporter_seen_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)
    shredded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return self.reference

    @property
    def offered_actions(self) -> frozenset[str]:
        """What the case page may offer in the case's state (protection/states.py, declared once)."""
        from .states import CASE

        return CASE.offered(self.state)


class Message(models.Model):
    """An exchange with the reporter: their additions, and the unit's replies."""

    class Direction(models.TextChoices):
        FROM_REPORTER = "in", _("From the person")
        TO_REPORTER = "out", _("Reply from the unit")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    created_on = models.DateField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    for_unit = models.BinaryField(null=True)  # sealed to the unit key (+ case data key)
    for_reporter = models.BinaryField(null=True)  # sealed to the codename-derived key (replies, additions)
    deleted_by_reporter = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=4)  # jpeg, png, pdf
    sealed = models.BinaryField(null=True)


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_on = models.DateField()
    sealed = models.BinaryField(null=True)

    class Meta:
        ordering = ["id"]


class FollowUp(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followups")
    due_on = models.DateField()
    done = models.BooleanField(default=False)
    sealed = models.BinaryField(null=True)

    class Meta:
        ordering = ["due_on", "id"]


PARTNERS = [
    ("legal_clinic", _("Legal clinic")),
    ("shelter", _("Shelter")),
    ("labour_rights", _("Labour-rights group")),
    ("health", _("Health or psychosocial support")),
]


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    partner = models.CharField(max_length=20, choices=PARTNERS)
    consent_recorded_on = models.DateField()
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_on = models.DateField()
    sealed = models.BinaryField(null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent_recorded_on__isnull=False), name="protection_referral_has_consent"
            )
        ]
