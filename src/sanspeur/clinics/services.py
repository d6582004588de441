"""Writes of the clinics app: one function per action, atomic and audited (codes and counts only).

Capacity is race-free: every change to a session's bookings first locks that session's row
(``_lock_session``: ``select_for_update`` on PostgreSQL; on SQLite a write that takes the database
write lock before anything is read), then counts, then writes, in one transaction.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanspeur.core import vault
from sanspeur.core.services import audit_entry_create

from . import codes
from .models import Booking, Event, Service, Session, Tally

ACTIVE = (Booking.Status.CONFIRMED, Booking.Status.CHECKED_IN)
CODE_PURPOSE = "clinics.booking_code"


class BookingError(Exception):
    """A refusal with a translated, human message (nothing changed)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def code_hash(code: str) -> str:
    return vault.blind_index(CODE_PURPOSE, code)


def purge_after_days() -> int:
    return settings.SANSPEUR_CLINICS_PURGE_AFTER_DAYS


# --- Events, services, sessions (staff) ------------------------------------------------------
def event_save(*, acting_user, event: Event | None = None, data: dict, organisations=None) -> Event:
    with transaction.atomic():
        created = event is None
        event = event or Event()
        for name, value in data.items():
            setattr(event, name, value)
        event.save()
        if organisations is not None:
            event.organisations.set(organisations)
        audit_entry_create(acting_user=acting_user, action="event.create" if created else "event.update", target=event)
    return event


def service_create(*, acting_user, event: Event, kind: str, max_places_per_code: int = 1, grace_minutes: int = 15):
    with transaction.atomic():
        service = Service.objects.create(
            event=event, kind=kind, max_places_per_code=max_places_per_code, grace_minutes=grace_minutes
        )
        audit_entry_create(acting_user=acting_user, action="service.create", target=service, detail={"kind": kind})
    return service


def session_create(*, acting_user, service: Service, starts_at, ends_at, capacity: int, released_at) -> Session:
    with transaction.atomic():
        session = Session.objects.create(
            service=service, starts_at=starts_at, ends_at=ends_at, capacity=capacity, released_at=released_at
        )
        audit_entry_create(
            acting_user=acting_user, action="session.create", target=session, detail={"capacity": capacity}
        )
    return session


def session_cancel(*, acting_user, session: Session, now=None) -> int:
    """Cancel a time slot (weather, no staff): its bookings and waiting list are told, by e-mail
    where a person left one, and can move to another slot with the same code. Idempotent.
    Returns the number of bookings affected."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock_session(session.pk)
        if session.cancelled_at is not None:
            return 0
        if session.ends_at <= now:
            raise BookingError(_("This time slot is over: it can no longer be cancelled."))
        session.cancelled_at = now
        session.save(update_fields=["cancelled_at"])
        affected = list(
            session.bookings.filter(status__in=(Booking.Status.CONFIRMED, Booking.Status.WAITLISTED)).select_related(
                "session__service__event", "reminder_key"
            )
        )
        for booking in affected:
            booking.status = Booking.Status.SLOT_CANCELLED
            booking.queued_at = None
            booking.save(update_fields=["status", "queued_at"])
            _notify(booking, "slot_cancelled")
        audit_entry_create(
            acting_user=acting_user, action="session.cancel", target=session, detail={"bookings": len(affected)}
        )
    return len(affected)


def event_cancel(*, acting_user, event: Event, now=None) -> int:
    """Cancel every time slot of the event that is not over yet. Returns the bookings affected."""
    now = now or timezone.now()
    affected = 0
    with transaction.atomic():
        for session in Session.objects.filter(service__event=event, cancelled_at__isnull=True, ends_at__gt=now):
            affected += session_cancel(acting_user=acting_user, session=session, now=now)
        audit_entry_create(acting_user=acting_user, action="event.cancel", target=event, detail={"bookings": affected})
    return affected


def session_capacity_change(*, acting_user, session: Session, capacity: int, now=None) -> Session:
    """Change a slot's capacity: never below the places already confirmed; more room goes to the
    waiting list first, in order."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock_session(session.pk)
        used = _used_places(session)
        if capacity < used:
            raise BookingError(
                _("%(used)s place(s) are already booked: the capacity cannot be lower.") % {"used": used}
            )
        if session.cancelled_at is not None:
            raise BookingError(_("This time slot was cancelled by the organisers."))
        previous = session.capacity
        session.capacity = capacity
        session.save(update_fields=["capacity"])
        promoted = _promote_waitlist(session, now) if session.ends_at > now else 0
        audit_entry_create(
            acting_user=acting_user,
            action="session.capacity",
            target=session,
            detail={"from": previous, "to": capacity, "promoted": promoted},
        )
    return session


# --- Capacity --------------------------------------------------------------------------------
def _lock_session(session_id: int) -> Session:
    if transaction.get_connection().vendor == "sqlite":
        # The first statement of the transaction is a write: SQLite grants the write lock (waiting
        # for the busy timeout if needed) before this transaction reads any count.
        Session.objects.filter(pk=session_id).update(lock_version=F("lock_version") + 1)
    return Session.objects.select_for_update().select_related("service__event").get(pk=session_id)


def _used_places(session: Session) -> int:
    return session.bookings.filter(status__in=ACTIVE).aggregate(total=Sum("places"))["total"] or 0


def _promote_waitlist(session: Session, now) -> int:
    """Offer freed places in order (strict FIFO): the head of the list first, while it fits."""
    free = session.capacity - _used_places(session)
    promoted = 0
    for booking in session.bookings.filter(status=Booking.Status.WAITLISTED).order_by("queued_at", "id"):
        if booking.places > free:
            break
        booking.status = Booking.Status.CONFIRMED
        booking.save(update_fields=["status"])
        _notify(booking, "promoted")
        free -= booking.places
        promoted += 1
    return promoted


def _notify(booking: Booking, what: str) -> None:
    """Tell the person who left an e-mail what happened to their booking (after commit).

    ``what`` is ``"promoted"`` (a waiting list gave them a place: nobody re-checks a waiting list)
    or ``"slot_cancelled"``. Phone numbers wait for an SMS provider, like reminders.
    """
    from django.core.mail import send_mail

    from .reminders import change_message

    if not booking.reminder_key_id or booking.sealed_reminder is None:
        return
    fields = vault.open_fields(booking.reminder_key, booking.sealed_reminder, context=booking.reminder_context)
    contact = fields.get("contact", "")
    if "@" in contact:
        subject, body = change_message(booking, what)
        transaction.on_commit(lambda: send_mail(subject, body, None, [contact]))


def _tally_add(*, event_id, service_kind: str, language: str, kind: str, count: int) -> None:
    if count <= 0:
        return
    row, _created = Tally.objects.select_for_update().get_or_create(
        event_id=event_id, service_kind=service_kind, language=language, kind=kind
    )
    Tally.objects.filter(pk=row.pk).update(count=F("count") + count)


# --- Bookings (public) -----------------------------------------------------------------------
def booking_create(
    *,
    acting_user=None,
    session_id: int,
    places: int = 1,
    language: str = "fr",
    reminder: str = "",
    allow_waitlist: bool = True,
    now=None,
) -> tuple[Booking, str]:
    """Book ``places`` in a session. Returns the booking and its code (the only time it exists in
    clear on the server). Refuses with :class:`BookingError` and changes nothing otherwise."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock_session(session_id)
        service = session.service
        if not service.event.is_published or session.starts_at <= now:
            raise BookingError(_("This time slot is over: it can no longer be booked."))
        if session.cancelled_at is not None:
            raise BookingError(_("This time slot was cancelled by the organisers."))
        if session.released_at > now:
            raise BookingError(_("Booking for this time slot has not opened yet."))
        if places < 1 or places > service.max_places_per_code:
            raise BookingError(
                _("One code can hold at most %(max)s place(s) for this service.") % {"max": service.max_places_per_code}
            )
        if places > session.capacity:
            raise BookingError(_("This time slot does not have that many places."))
        free = session.capacity - _used_places(session)
        queue_ahead = session.bookings.filter(status=Booking.Status.WAITLISTED).exists()
        if free >= places and not queue_ahead:
            status = Booking.Status.CONFIRMED
        elif allow_waitlist:
            status = Booking.Status.WAITLISTED
        else:
            raise BookingError(_("This time slot is full."))
        for _attempt in range(5):
            code = codes.generate()
            try:
                with transaction.atomic():
                    booking = Booking.objects.create(
                        session=session,
                        code_hash=code_hash(code),
                        places=places,
                        status=status,
                        language=language[:8],
                        queued_at=now if status == Booking.Status.WAITLISTED else None,
                    )
                break
            except IntegrityError:  # pragma: no cover - a 40-bit collision
                continue
        if reminder:
            key = vault.datakey_create(purpose="clinics.reminder")
            booking.reminder_key = key
            booking.sealed_reminder = vault.seal_fields(key, {"contact": reminder}, context=booking.reminder_context)
            booking.save(update_fields=["reminder_key", "sealed_reminder"])
        audit_entry_create(
            acting_user=acting_user,
            action="booking.create",
            target=booking,
            detail={"session": session.pk, "places": places, "status": status, "reminder": bool(reminder)},
        )
    return booking, code


def _booking_by_code_locked(code: str) -> Booking:
    """Find by code and lock its session. Raises BookingError for an unknown code."""
    normalised = codes.normalise(code)
    if not normalised:
        raise BookingError(_("This booking code is not valid. Check the characters and try again."))
    found = Booking.objects.filter(code_hash=code_hash(normalised)).values_list("session_id", flat=True).first()
    if found is None:
        raise BookingError(_("No booking has this code."))
    _lock_session(found)
    return Booking.objects.select_related("session__service__event").get(code_hash=code_hash(normalised))


def booking_cancel(*, acting_user=None, code: str, now=None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        booking = _booking_by_code_locked(code)
        if booking.status not in (Booking.Status.CONFIRMED, Booking.Status.WAITLISTED):
            raise BookingError(_("This booking can no longer be cancelled."))
        if booking.session.ends_at <= now:
            raise BookingError(_("This time slot is over."))
        booking.status = Booking.Status.CANCELLED
        _shred_reminder(booking)
        booking.save(update_fields=["status", "reminder_key", "sealed_reminder"])
        promoted = _promote_waitlist(booking.session, now)
        audit_entry_create(
            acting_user=acting_user, action="booking.cancel", target=booking, detail={"promoted": promoted}
        )
    return booking


def booking_move(*, acting_user=None, code: str, session_id: int, now=None) -> Booking:
    """Move a booking to another time slot of the same kind of service, keeping its code.

    The new place is secured before the old one is released, in one transaction: a person never
    ends up with neither, and if the new slot cannot take the booking nothing changes. A move never
    jumps a waiting list: a slot with people waiting counts as full.
    """
    now = now or timezone.now()
    normalised = codes.normalise(code)
    if not normalised:
        raise BookingError(_("This booking code is not valid. Check the characters and try again."))
    with transaction.atomic():
        current = Booking.objects.filter(code_hash=code_hash(normalised)).values_list("session_id", flat=True).first()
        if current is None:
            raise BookingError(_("No booking has this code."))
        if not Session.objects.filter(pk=session_id).exists():
            raise BookingError(_("Choose one of the time slots offered."))
        for pk in sorted({current, session_id}):  # always the same order: no deadlock between two moves
            _lock_session(pk)
        booking = Booking.objects.select_related("session__service__event").get(code_hash=code_hash(normalised))
        old = booking.session
        if booking.status == Booking.Status.SLOT_CANCELLED:
            pass  # the organisers cancelled the slot: the person may always pick another
        elif booking.status not in (Booking.Status.CONFIRMED, Booking.Status.WAITLISTED) or old.ends_at <= now:
            raise BookingError(_("This booking can no longer be changed."))
        if old.pk != current:  # moved by a concurrent request between the look-up and the locks
            raise BookingError(_("This booking changed in the meantime. Look at it again."))
        if session_id == old.pk:
            raise BookingError(_("Your booking is already for this time slot."))
        target = Session.objects.select_related("service__event").get(pk=session_id)
        if target.service.kind != old.service.kind:
            raise BookingError(_("Choose one of the time slots offered."))
        if not target.service.event.is_published or target.starts_at <= now:
            raise BookingError(_("This time slot is over: it can no longer be booked."))
        if target.cancelled_at is not None:
            raise BookingError(_("This time slot was cancelled by the organisers."))
        if target.released_at > now:
            raise BookingError(_("Booking for this time slot has not opened yet."))
        if booking.places > target.service.max_places_per_code:
            raise BookingError(
                _("One code can hold at most %(max)s place(s) for this service.")
                % {"max": target.service.max_places_per_code}
            )
        waiting = target.bookings.filter(status=Booking.Status.WAITLISTED).exists()
        if waiting or target.capacity - _used_places(target) < booking.places:
            raise BookingError(_("This time slot is full: your booking was not changed."))
        booking.session = target
        booking.status = Booking.Status.CONFIRMED
        booking.queued_at = None
        if booking.reminder_key_id and booking.sealed_reminder is not None:
            # A reminder already sent was for the old time: the new one gets its own.
            fields = vault.open_fields(booking.reminder_key, booking.sealed_reminder, context=booking.reminder_context)
            fields.pop("sent", None)
            booking.sealed_reminder = vault.seal_fields(booking.reminder_key, fields, context=booking.reminder_context)
        booking.save(update_fields=["session", "status", "queued_at", "sealed_reminder"])
        promoted = _promote_waitlist(old, now) if old.cancelled_at is None else 0
        audit_entry_create(
            acting_user=acting_user,
            action="booking.move",
            target=booking,
            detail={"from": old.pk, "to": target.pk, "promoted": promoted},
        )
    return booking


def _shred_reminder(booking: Booking) -> None:
    if booking.reminder_key_id:
        vault.datakey_shred(booking.reminder_key)
    booking.reminder_key = None
    booking.sealed_reminder = None


# --- At the door (staff) ---------------------------------------------------------------------
def booking_check_in(*, acting_user, event: Event, code: str, now=None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        booking = _booking_by_code_locked(code)
        session = booking.session
        if session.service.event_id != event.pk:
            raise BookingError(_("This code is for another event."))
        if booking.status == Booking.Status.CHECKED_IN:
            raise BookingError(_("This code has already been used to check in."))
        if booking.status == Booking.Status.CANCELLED:
            raise BookingError(_("This booking was cancelled."))
        if booking.status == Booking.Status.WAITLISTED:
            raise BookingError(_("This person is on the waiting list: no place has been offered yet."))
        if booking.status == Booking.Status.NO_SHOW:
            raise BookingError(_("This booking's place was released (no-show). Record the person as a walk-in."))
        if booking.status == Booking.Status.SLOT_CANCELLED:
            raise BookingError(_("This time slot was cancelled by the organisers."))
        booking.status = Booking.Status.CHECKED_IN
        booking.checked_in_at = now
        booking.save(update_fields=["status", "checked_in_at"])
        _tally_add(
            event_id=event.pk,
            service_kind=session.service.kind,
            language=booking.language,
            kind=Tally.Kind.BOOKED,
            count=booking.places,
        )
        audit_entry_create(
            acting_user=acting_user, action="booking.check_in", target=booking, detail={"places": booking.places}
        )
    return booking


def walk_in_record(*, acting_user, service: Service, language: str, count: int = 1) -> None:
    with transaction.atomic():
        _tally_add(
            event_id=service.event_id,
            service_kind=service.kind,
            language=language,
            kind=Tally.Kind.WALK_IN,
            count=count,
        )
        audit_entry_create(
            acting_user=acting_user,
            action="walk_in.record",
            target=service,
            detail={"language": language, "count": count},
        )


# --- Jobs ------------------------------------------------------------------------------------
def bookings_release_no_shows(*, acting_user=None, now=None) -> int:
    """Bookings not checked in ``grace`` minutes after their start become no-shows; their places
    go to the waiting list (then to walk-ins). Idempotent."""
    now = now or timezone.now()
    released = 0
    candidates = (
        Session.objects.filter(starts_at__lte=now, bookings__status=Booking.Status.CONFIRMED)
        .select_related("service")
        .distinct()
    )
    for candidate in candidates:
        if candidate.starts_at + timedelta(minutes=candidate.service.grace_minutes) > now:
            continue
        with transaction.atomic():
            session = _lock_session(candidate.pk)
            late = list(session.bookings.filter(status=Booking.Status.CONFIRMED))
            for booking in late:
                booking.status = Booking.Status.NO_SHOW
                booking.save(update_fields=["status"])
                _tally_add(
                    event_id=session.service.event_id,
                    service_kind=session.service.kind,
                    language=booking.language,
                    kind=Tally.Kind.NO_SHOW,
                    count=booking.places,
                )
            promoted = _promote_waitlist(session, now) if session.ends_at > now else 0
            released += len(late)
            audit_entry_create(
                acting_user=acting_user,
                action="session.release_no_shows",
                target=session,
                detail={"released": len(late), "promoted": promoted},
            )
    return released


def bookings_purge(*, acting_user=None, now=None, days: int | None = None) -> dict:
    """Shred every reminder contact once its time slot is over; delete the bookings of events
    that ended ``days`` days ago (default ``SANSPEUR_CLINICS_PURGE_AFTER_DAYS``, 1). The counters
    (``Tally``) stay, so reports do not change. Idempotent."""
    now = now or timezone.now()
    days = purge_after_days() if days is None else days
    result = {"reminders": 0, "bookings": 0, "events": 0}
    with transaction.atomic():
        for booking in Booking.objects.filter(session__ends_at__lte=now, reminder_key__isnull=False).select_related(
            "reminder_key"
        ):
            _shred_reminder(booking)
            booking.save(update_fields=["reminder_key", "sealed_reminder"])
            result["reminders"] += 1
        cutoff = timezone.localdate(now) - timedelta(days=days)
        for event in Event.objects.filter(date__lte=cutoff, purged_at__isnull=True):
            bookings = Booking.objects.filter(session__service__event=event)
            for booking in bookings.filter(reminder_key__isnull=False).select_related("reminder_key"):
                _shred_reminder(booking)
                booking.save(update_fields=["reminder_key", "sealed_reminder"])
            deleted, _detail = bookings.delete()
            event.purged_at = now
            event.save(update_fields=["purged_at"])
            result["bookings"] += deleted
            result["events"] += 1
            audit_entry_create(
                acting_user=acting_user, action="event.purge_bookings", target=event, detail={"deleted": deleted}
            )
    return result


def reminders_send(*, acting_user=None, now=None, hours_ahead: int = 24) -> dict:
    """E-mail a reminder for confirmed bookings starting within ``hours_ahead``, each once."""
    from django.core.mail import send_mail

    from .reminders import reminder_message

    now = now or timezone.now()
    sent = {"email": 0, "sms_pending": 0}
    with transaction.atomic():
        due = Booking.objects.filter(
            status=Booking.Status.CONFIRMED,
            reminder_key__isnull=False,
            session__starts_at__gt=now,
            session__starts_at__lte=now + timedelta(hours=hours_ahead),
        ).select_related("session__service__event", "reminder_key")
        for booking in due:
            fields = vault.open_fields(booking.reminder_key, booking.sealed_reminder, context=booking.reminder_context)
            if fields.get("sent"):
                continue
            contact = fields.get("contact", "")
            if "@" in contact:
                message = reminder_message(booking)
                transaction.on_commit(lambda c=contact, m=message: send_mail("Sans peur", m, None, [c]))
                sent["email"] += 1
            else:
                sent["sms_pending"] += 1
            booking.sealed_reminder = vault.seal_fields(
                booking.reminder_key, {**fields, "sent": True}, context=booking.reminder_context
            )
            booking.save(update_fields=["sealed_reminder"])
        if sent["email"] or sent["sms_pending"]:
            audit_entry_create(acting_user=acting_user, action="booking.remind", detail=sent)
    return sent
