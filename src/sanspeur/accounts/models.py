import secrets
import time
import uuid
from base64 import b32encode
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("City office")
        PARTNER = "partner", _("Partner community organisation")
        SERVICE_POINT = "service_point", _("Service point")
        # An organisation that applies for the city's community funding (grants app): its accounts
        # hold the applicant role only (policy.ROLE_TABLE), never a staff role.
        APPLICANT = "applicant", _("Applicant organisation (funding)")

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
            ("handle_outside_requests", _("Handle the register of outside requests for data")),
            ("review_outside_requests_legal", _("Sign off a disclosure as legal counsel")),
            ("review_outside_requests_privacy", _("Sign off a disclosure as privacy officer")),
            ("follow_up_refusal_reports", _("Follow up residents' reports of a service point")),
            ("follow_unit_training", _("Follow the training of the units one manages")),
            ("translate_content", _("Translate public content into the residents' languages")),
            ("apply_for_grants", _("Apply for funding and report on funded projects")),
            ("prepare_statistics_releases", _("Prepare releases of public statistics")),
            ("approve_statistics_releases", _("Approve releases of public statistics")),
            ("moderate_testimonies", _("Redact and approve testimonies for publication")),
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
    # No sign-in time is kept (issue 14: staff login metadata minimised); without the field, Django
    # does not connect its ``update_last_login`` receiver either.
    last_login = None  # type: ignore[assignment]
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

    ``device`` is empty for every browser that holds no device cookie for the account, else a
    keyed hash of the random id of that browser's cookie (a copy of the table does not give the
    cookie's value away). ``account`` is a keyed hash of the username as typed (folded), so that a
    password typed into the username field is not kept. No address.
    """

    account = models.CharField(max_length=64)
    # A keyed hash of the browser's id (``lockout.device_key``), never the id its cookie holds.
    device = models.CharField(max_length=64, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "device"], name="accounts_one_throttle_per_device")]
        indexes = [models.Index(fields=["last_failure_at"], name="accounts_throttle_last_failure")]

    def __str__(self) -> str:
        return f"sign-in throttle {self.pk}"


TOTP_SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends


def totp_key_context(user_id, uid) -> str:
    """The associated data of a sealed authenticator secret: its person and its device."""
    return f"accounts.totp:{user_id}:{uid}"


class SealedTOTPDevice(ThrottlingMixin, Device):
    """A staff member's authenticator (TOTP, RFC 6238), whose secret is sealed in the vault.

    django-otp's own ``TOTPDevice`` keeps the secret in a plain column: a copy of the database would
    give every second factor away. Here the secret is an AES-GCM blob under the person's data key
    (``User.data_key``, the key that seals their name), bound to this device (a blob copied onto
    another device does not open), so the master keys outside the database are needed to read it.
    No creation or last-use time is kept: a sign-in leaves no time on the device.

    A device is a plugin model of django-otp (a ``Device`` subclass in an installed app), so its
    middleware, ``otp_login`` and ``is_verified`` treat it like any other.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sealed_key = models.BinaryField(editable=False)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    @property
    def key_context(self) -> str:
        return totp_key_context(self.user_id, self.uid)

    def _data_key(self):
        """The person's data key; an account made outside ``staff_user_create`` (``createsuperuser``)
        gets one here."""
        from sanspeur.core import vault

        user = self.user
        if user.data_key_id is None:
            user.data_key = vault.datakey_create(purpose="accounts.user")
            type(user).objects.filter(pk=user.pk).update(data_key=user.data_key)
        return user.data_key

    def set_secret(self, secret: bytes) -> None:
        from sanspeur.core import vault

        self.sealed_key = vault.seal_bytes(self._data_key(), secret, context=self.key_context)
        self.__dict__.pop("_secret", None)

    @property
    def bin_key(self) -> bytes:
        """The secret, opened from the vault (kept in memory for this object only)."""
        from sanspeur.core import vault

        if "_secret" not in self.__dict__:
            self.__dict__["_secret"] = vault.open_bytes(self._data_key(), self.sealed_key, context=self.key_context)
        return self.__dict__["_secret"]

    def save(self, *args, **kwargs):
        # A new authenticator gets a fresh random secret, like django-otp's default key.
        if not self.sealed_key:
            self.set_secret(secrets.token_bytes(TOTP_SECRET_BYTES))
        super().save(*args, **kwargs)

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        """django-otp's TOTP check (tolerance, drift, no code used twice, throttling)."""
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            value = int(token)
        except (TypeError, ValueError):
            value = None
        verified = False
        if value is not None:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(value, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                if getattr(settings, "OTP_TOTP_SYNC", True):
                    self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` address an authenticator app reads from the QR code."""
        label = self.user.get_username()
        params = urlencode(
            {"secret": b32encode(self.bin_key), "algorithm": "SHA1", "digits": self.digits, "period": self.step}
        )
        issuer = getattr(settings, "OTP_TOTP_ISSUER", None)
        if callable(issuer):
            issuer = issuer(self)
        if isinstance(issuer, str) and issuer:
            issuer = issuer.replace(":", "")
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{params}"
