"""Clinics and appointments: events, the services they offer, time slots, anonymous bookings.

A booking holds no name, phone or e-mail. Its code is never stored: only a keyed hash of it
(``code_hash``), so a copy of the database cannot be used to open or cancel anyone's booking. An
optional reminder contact is sealed in the vault and shredded once the event is over; bookings are
deleted a few days later, while the aggregate counters (``Tally``) stay. A booking keeps no time:
its audit entries are dated to the day and point at nothing (``core.audit.anonymous_entry_create``).
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanspeur.core.boroughs import BOROUGH_CHOICES
from sanspeur.directory.i18n import as_texts

from .constants import SPOKEN_LANGUAGE_NAMES, ServiceKind

SHORT_CODE_LENGTH = 6


def new_short_code() -> str:
    """A free short code for an event's poster."""
    import secrets

    from .codes import ALPHABET

    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(SHORT_CODE_LENGTH))
        if not Event.objects.filter(short_code=code).exists():
            return code


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Multilingual, as the directory's texts are ({"fr": ..., "ar": ...}, directory/i18n.py): French
    # is the organisers' source, the translators add the other languages (directory/translations.py).
    title = models.JSONField(_("title"), default=dict)
    is_mobile = models.BooleanField(_("mobile clinic"), default=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    # A directory location, resolved softly at render time (no link to the directory's tables).
    directory_location_id = models.UUIDField(_("directory location id"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Where exactly, in words ("community hall, 2nd floor"): multilingual like the title.
    place = models.JSONField(_("where exactly"), default=dict, blank=True)
    borough = models.CharField(_("borough"), max_length=80, choices=BOROUGH_CHOICES)
    organisations = models.ManyToManyField(
        "accounts.Organisation", blank=True, related_name="clinic_events", verbose_name=_("partner organisations")
    )
    # Comma-wrapped language codes (",fr,es,") so that one portable LIKE filters them.
    languages = models.CharField(_("languages spoken"), max_length=200, default=",fr,en,")
    is_published = models.BooleanField(_("published"), default=True)
    purged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The poster's short address (``/<lang>/clinics/?c=7KQ4MZ``): six characters of the booking
    # codes' alphabet (no symbol, nothing to confuse), not a secret.
    short_code = models.CharField(max_length=8, unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["date", "start_time"]

    def __str__(self) -> str:
        return f"{self.title_fr} ({self.date})"

    def save(self, *args, **kwargs):
        # A bare string (a form's French field, an older caller) is the French source.
        self.title, self.place = as_texts(self.title), as_texts(self.place)
        if not self.short_code:
            self.short_code = new_short_code()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "short_code"}
        super().save(*args, **kwargs)

    @property
    def title_fr(self) -> str:
        """The organisers' French title (staff pages, exports)."""
        return as_texts(self.title).get("fr", "")

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def language_names(self) -> list[str]:
        return [SPOKEN_LANGUAGE_NAMES.get(code, code) for code in self.language_codes]

    @property
    def spoken_languages(self) -> list[tuple[str, str]]:
        """(code, name) pairs: pages mark each name with its ``lang`` (the ``languages`` filter)."""
        return [(code, SPOKEN_LANGUAGE_NAMES.get(code, code)) for code in self.language_codes]

    @property
    def service_labels(self) -> list[str]:
        return [service.get_kind_display() for service in self.services.all()]

    def state_at(self, now) -> str:
        """Scheduled, cancelled or over (clinics/states.py), from its time slots' states."""
        from .states import CANCELLED, OPEN, OVER, SCHEDULED

        slots = Session.objects.filter(service__event=self).values_list("cancelled_at", "ends_at")
        states = {_slot_state(cancelled_at, ends_at, now) for cancelled_at, ends_at in slots}
        if OPEN in states:
            return SCHEDULED
        if CANCELLED in states:
            return CANCELLED
        if states or self.date < timezone.localdate(now):
            return OVER
        return SCHEDULED

    @property
    def offered_actions(self) -> frozenset[str]:
        """What the event page may offer now (clinics/states.py, declared once)."""
        from .states import EVENT

        return EVENT.offered(self.state_at(timezone.now()))


class Service(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("service"), max_length=30, choices=ServiceKind.choices)
    max_places_per_code = models.PositiveSmallIntegerField(_("places one code can hold"), default=1)
    grace_minutes = models.PositiveSmallIntegerField(_("grace period (minutes)"), default=15)

    class Meta:
        ordering = ["event", "kind"]
        constraints = [models.UniqueConstraint(fields=["event", "kind"], name="clinics_one_service_kind_per_event")]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class Session(models.Model):
    """A time slot of one service, with its capacity, bookable from ``released_at``."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    released_at = models.DateTimeField(_("booking opens at"))
    # No longer written: bookings lock the row with core.locks.lock_rows, and SQLite's IMMEDIATE
    # transactions take the write lock when they begin (settings/base.py). Kept until a migration
    # drops it.
    lock_version = models.PositiveBigIntegerField(default=0, editable=False)
    # Cancelled by the organisers (weather, staff): its bookings can move elsewhere with their code.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.service} {self.starts_at:%Y-%m-%d %H:%M}"

    def state_at(self, now) -> str:
        return _slot_state(self.cancelled_at, self.ends_at, now)

    @property
    def offered_actions(self) -> frozenset[str]:
        """What the event page may offer for this time slot now (clinics/states.py)."""
        from .states import SESSION

        return SESSION.offered(self.state_at(timezone.now()))


def _slot_state(cancelled_at, ends_at, now) -> str:
    from .states import CANCELLED, OPEN, OVER

    if cancelled_at is not None:
        return CANCELLED
    return OVER if ends_at <= now else OPEN


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CHECKED_IN = "checked_in", _("Checked in")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("Place released (no-show)")
        SLOT_CANCELLED = "slot_cancelled", _("Time slot cancelled by the organisers")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookings")
    code_hash = models.CharField(max_length=128, unique=True)
    places = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices)
    language = models.CharField(max_length=8, default="fr")
    # No time of any kind (issue 14): not when it was made, joined the waiting list or was checked
    # in. The waiting list is in booking order (``id``): a booking joins a list only when it is
    # made, under its time slot's lock.
    reminder_key = models.ForeignKey("core.DataKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sealed_reminder = models.BinaryField(null=True, blank=True, editable=False)
    # Messages to the reminder contact that the mail relay did not take; at SANSPEUR_MAIL_ATTEMPTS
    # the contact is shredded (services.booking_mail_failed). What failed is in the sealed fields.
    mail_failures = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["session", "status"])]

    def offered_actions_at(self, now) -> frozenset[str]:
        """The booking's actions (clinics/states.py) that its time slot still allows at ``now``:
        once the slot is over, nothing is cancelled or moved, except away from a slot the
        organisers cancelled."""
        from .states import BOOKING, SLOT_CANCELLED

        offered = BOOKING.offered(self.status)
        if self.session.ends_at <= now and self.status != SLOT_CANCELLED:
            offered -= {"cancel", "move"}
        return offered

    @property
    def offered_actions(self) -> frozenset[str]:
        return self.offered_actions_at(timezone.now())

    @property
    def reminder_context(self) -> str:
        return f"clinics.booking:{self.pk}:reminder"


class Tally(models.Model):
    """Aggregate counters, updated when people are served or places released. Never purged."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Served with a booking")
        WALK_IN = "walk_in", _("Walk-in")
        NO_SHOW = "no_show", _("No-show")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tallies")
    service_kind = models.CharField(max_length=30, choices=ServiceKind.choices)
    language = models.CharField(max_length=8)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "service_kind", "language", "kind"], name="clinics_one_tally_row")
        ]
