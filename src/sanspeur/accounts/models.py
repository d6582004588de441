import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("City office")
        PARTNER = "partner", _("Partner community organisation")
        SERVICE_POINT = "service_point", _("Service point")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    borough = models.CharField(_("borough"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            # One city office per installation: it is the one whose administrators manage the others.
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="city"),
                name="accounts_one_city_organisation",
                violation_error_message=_("There is already a city organisation."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Capability(models.Model):
    """Holds the project's permissions: a role is a group granted some of these."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("manage_staff", _("Manage staff accounts and roles")),
            ("enroll_residents", _("Enroll residents and issue cards")),
            ("manage_cards", _("Renew, replace and revoke cards")),
            ("manage_card_rules", _("Configure document rules and card settings")),
            ("verify_cards", _("Verify cards at a service point")),
            ("manage_clinics", _("Organise mobile clinics and appointments")),
            ("checkin_bookings", _("Check in bookings at the door")),
            ("edit_directory", _("Propose directory changes for one's organisation")),
            ("publish_directory", _("Review and publish directory entries")),
            ("manage_grants", _("Manage the community funding program")),
            ("review_grants", _("Review funding applications")),
            ("handle_protection_cases", _("Handle protection unit cases")),
            ("supervise_protection_cases", _("Supervise protection unit cases")),
            ("manage_training", _("Manage staff and police training")),
            ("view_audit", _("Browse the audit trail")),
            ("view_statistics", _("View aggregate statistics")),
        ]


class StaffUserManager(UserManager):
    pass


class User(AbstractUser):
    """A member of staff. Names and e-mail are personal data: they live in the vault.

    The username is a work identifier (for example ``agent.cdn1``), not a person's name.
    """

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = None  # type: ignore[assignment]
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("organisation"),
    )
    data_key = models.ForeignKey("core.DataKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sealed_profile = models.BinaryField(null=True, blank=True, editable=False)
    preferred_language = models.CharField(_("preferred language"), max_length=8, default="fr")
    # A password someone else chose (the administrator who made the account): every staff page
    # leads to the password change until the person has chosen their own.
    must_change_password = models.BooleanField(_("must change the password"), default=False)
    # Set once an authenticator has been enrolled (and by every reset): from then on, enrolling a
    # new one takes a one-time link from an administrator, besides the password.
    needs_enrolment_link = models.BooleanField(_("enrolment needs a link"), default=False)

    REQUIRED_FIELDS: list[str] = []
    objects = StaffUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        swappable = "AUTH_USER_MODEL"

    @property
    def profile_context(self) -> str:
        return f"accounts.user:{self.pk}:profile"


class EnrolmentLink(models.Model):
    """A one-time link, given by an administrator after removing an authenticator, that lets its
    person enrol a new one (with their password). Only a hash of the link's secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"enrolment link {self.pk} for user {self.user_id}"


class SignInThrottle(models.Model):
    """Failed sign-ins of one account from one class of browser (accounts/lockout.py).

    ``device`` is empty for every browser that holds no device cookie for the account, else the
    random id of that browser's cookie. ``account`` is a keyed hash of the username as typed
    (folded), so that a password typed into the username field is not kept. No address.
    """

    account = models.CharField(max_length=64)
    device = models.CharField(max_length=32, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "device"], name="accounts_one_throttle_per_device")]
        indexes = [models.Index(fields=["last_failure_at"], name="accounts_throttle_last_failure")]

    def __str__(self) -> str:
        return f"sign-in throttle {self.pk}"
