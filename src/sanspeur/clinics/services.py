"""Writes of the clinics app: one action per change (core/actions.py), audited with codes and
counts only; states checked against clinics/states.py.

Capacity is race-free: every change to a time slot's bookings first locks that slot's row
(``core.locks.lock_rows``: ``SELECT ... FOR UPDATE`` on PostgreSQL, two slots in primary-key
order; on SQLite the action's IMMEDIATE transaction already holds the database's write lock), then
counts, then writes, in the action's one transaction.

Bookings are anonymous: their audit entries are dated to the day and point at nothing
(``core.audit.anonymous_entry_create``). Messages to a reminder contact never fail an action: a
mail failure is caught after the commit, counted and put back for the next reminder run
(``booking_mail_failed``), and logged without the address.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sanspeur.core import vault
from sanspeur.core.actions import action, no_change, on_commit
from sanspeur.core.audit import anonymous_entry_create
from sanspeur.core.locks import lock_rows
from sanspeur.core.privacy import mail_send
from sanspeur.core.services import audit_entry_create
from sanspeur.directory import translations
from sanspeur.directory.i18n import as_texts

from . import codes
from .models import Booking, Event, Service, Session, Tally
from .states import BOOKING, CANCELLED, EVENT, SESSION

if TYPE_CHECKING:
    from sanspeur.accounts.models import User


def _too_many_places(limit: int) -> str:
    return ngettext(
        "One code can hold at most %(max)s place for this service.",
        "One code can hold at most %(max)s places for this service.",
        limit,
    ) % {"max": limit}


ACTIVE = (Booking.Status.CONFIRMED, Booking.Status.CHECKED_IN)
MULTILINGUAL = {"title", "place"}  # the event's texts in five languages ({"fr": ..., "ar": ...})
CODE_PURPOSE = "clinics.booking_code"
BOOKING_TYPE = "clinics.booking"  # object_type of the bookings' (anonymous) audit entries
REMINDER = "reminder"  # what a message to a contact is: the reminder, or a change (_notify)
# A change message put back after a failure is sent again only while it is still true.
PENDING_STILL_TRUE = {"promoted": Booking.Status.CONFIRMED, "slot_cancelled": Booking.Status.SLOT_CANCELLED}

logger = logging.getLogger(__name__)


class BookingError(Exception):
    """A refusal with a translated, human message (nothing changed)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def code_hash(code: str) -> str:
    return vault.blind_index(CODE_PURPOSE, code)


def purge_after_days() -> int:
    return settings.SANSPEUR_CLINICS_PURGE_AFTER_DAYS


# --- Who may act on an event (accounts/policy.py decides; asked before anything is written) ----
def _may_act_on(acting_user, event: Event | None, capability: str) -> bool:
    """The command line, the demo and scheduled jobs (no acting user) may; staff need the
    capability and, for an existing event, to see it: the City's staff every event, a partner's
    the events its organisation takes part in (the same rule as ``selectors.events_for_staff``)."""
    from sanspeur.accounts.policy import has_capability, in_scope, sees_all_organisations

    if acting_user is None:
        return True
    if not has_capability(acting_user, capability):
        return False
    if event is None or sees_all_organisations(acting_user):
        return True
    return any(in_scope(acting_user, pk) for pk in event.organisations.values_list("pk", flat=True))


def _may_remove_organisations(acting_user, removed) -> bool:
    """Co-organisers stay unless the policy says otherwise: a partner may withdraw its own
    organisation from a shared event, never another one (the City's coordinators may)."""
    from sanspeur.accounts.policy import in_scope

    return acting_user is None or all(in_scope(acting_user, pk) for pk in removed)


def _event_save_policy(acting_user, *, event: Event | None = None, **_kwargs) -> bool:
    return _may_act_on(acting_user, event, "manage_clinics")


def _event_policy(acting_user, *, event: Event, **_kwargs) -> bool:
    return _may_act_on(acting_user, event, "manage_clinics")


def _service_policy(acting_user, *, service: Service, **_kwargs) -> bool:
    return _may_act_on(acting_user, service.event, "manage_clinics")


def _session_policy(acting_user, *, session: Session, **_kwargs) -> bool:
    return _may_act_on(acting_user, session.service.event, "manage_clinics")


def _door_policy(acting_user, *, event: Event, **_kwargs) -> bool:
    return _may_act_on(acting_user, event, "checkin_bookings")


def _walk_in_policy(acting_user, *, service: Service, **_kwargs) -> bool:
    return _may_act_on(acting_user, service.event, "checkin_bookings")


# --- Events, services, sessions (staff) ------------------------------------------------------
@action("event.update", policy=_event_save_policy)
def event_save(*, acting_user: User | None, event: Event | None = None, data: dict, organisations=None) -> Event:
    """Create or edit an event. Organisations removed from a shared event must be ones the acting
    user may remove (``_may_remove_organisations``); the audit entry names the fields changed and
    the organisations added or removed (ids), never a value typed in."""
    created = event is None
    removed: set = set()
    if created:
        event, before = Event(), {}
    else:
        event = lock_rows(Event.objects.filter(pk=event.pk))[0]
        before = {name: getattr(event, name) for name in data}
        if organisations is not None:
            # Read under the event's lock: an organisation added meanwhile counts as removed here.
            removed = set(event.organisations.values_list("pk", flat=True)) - {o.pk for o in organisations}
    if not _may_remove_organisations(acting_user, removed):
        raise PermissionDenied("event.update")
    texts_before = {}
    for name in MULTILINGUAL & data.keys():
        # The organisers write the French; a bare string replaces only the French, and the other
        # languages stay (stale if the French changed: the translation queue shows them).
        texts_before[name] = old = as_texts(getattr(event, name))
        value = data[name] if isinstance(data[name], dict) else {**old, "fr": data[name] or ""}
        data = {**data, name: {k: v for k, v in as_texts(value).items() if v}}
    for name, value in data.items():
        setattr(event, name, value)
    event.save()
    for name, old in texts_before.items():
        translations.stamp("event", event.pk, name, old, data[name], by=acting_user)
    detail: dict = {"fields": sorted(name for name, value in data.items() if created or before[name] != value)}
    if organisations is not None:
        added = {organisation.pk for organisation in organisations} - (
            set() if created else set(event.organisations.values_list("pk", flat=True))
        )
        event.organisations.set(organisations)
        detail["organisations"] = {"added": sorted(map(str, added)), "removed": sorted(map(str, removed))}
    audit_entry_create(
        acting_user=acting_user, action="event.create" if created else "event.update", target=event, detail=detail
    )
    return event


@action("service.create", policy=_event_policy)
def service_create(
    *, acting_user: User | None, event: Event, kind: str, max_places_per_code: int = 1, grace_minutes: int = 15
) -> Service:
    service = Service.objects.create(
        event=event, kind=kind, max_places_per_code=max_places_per_code, grace_minutes=grace_minutes
    )
    audit_entry_create(acting_user=acting_user, action="service.create", target=service, detail={"kind": kind})
    return service


@action("session.create", policy=_service_policy)
def session_create(
    *, acting_user: User | None, service: Service, starts_at, ends_at, capacity: int, released_at
) -> Session:
    session = Session.objects.create(
        service=service, starts_at=starts_at, ends_at=ends_at, capacity=capacity, released_at=released_at
    )
    audit_entry_create(acting_user=acting_user, action="session.create", target=session, detail={"capacity": capacity})
    return session


@action("session.cancel", policy=_session_policy)
def session_cancel(*, acting_user: User | None, session: Session, now=None) -> int:
    """Cancel a time slot (weather, no staff): its bookings and waiting list are told, by e-mail
    where a person left one, and can move to another slot with the same code. Idempotent.
    Returns the number of bookings affected."""
    now = now or timezone.now()
    session = _lock_session(session.pk)
    state = session.state_at(now)
    if state == CANCELLED:
        no_change()
        return 0
    if not SESSION.can(state, "cancel"):
        raise BookingError(_("This time slot is over: it can no longer be cancelled."))
    session.cancelled_at = now
    session.save(update_fields=["cancelled_at"])
    affected = list(
        session.bookings.filter(status__in=BOOKING.actions["cancel_slot"][0]).select_related(
            "session__service__event", "reminder_key"
        )
    )
    for booking in affected:
        booking.status = BOOKING.check(booking.status, "cancel_slot")
        booking.save(update_fields=["status"])
        _notify(booking, "slot_cancelled")
    audit_entry_create(
        acting_user=acting_user, action="session.cancel", target=session, detail={"bookings": len(affected)}
    )
    return len(affected)


@action("event.cancel", policy=_event_policy)
def event_cancel(*, acting_user: User | None, event: Event, now=None) -> int:
    """Cancel every time slot of the event that is not over yet. Returns the bookings affected."""
    now = now or timezone.now()
    if not EVENT.can(event.state_at(now), "cancel"):
        no_change()  # already cancelled, or over
        return 0
    ids = list(
        Session.objects.filter(service__event=event, cancelled_at__isnull=True, ends_at__gt=now).values_list(
            "pk", flat=True
        )
    )
    affected = 0
    for session in lock_rows(Session.objects.filter(pk__in=ids)):  # all of them first, in order
        affected += session_cancel(acting_user=acting_user, session=session, now=now)
    audit_entry_create(acting_user=acting_user, action="event.cancel", target=event, detail={"bookings": affected})
    return affected


@action("session.capacity", policy=_session_policy)
def session_capacity_change(*, acting_user: User | None, session: Session, capacity: int, now=None) -> Session:
    """Change a slot's capacity: never below the places already confirmed; more room goes to the
    waiting list first, in order."""
    now = now or timezone.now()
    session = _lock_session(session.pk)
    used = _used_places(session)
    if capacity < used:
        raise BookingError(
            ngettext(
                "%(used)s place is already booked: the capacity cannot be lower.",
                "%(used)s places are already booked: the capacity cannot be lower.",
                used,
            )
            % {"used": used}
        )
    state = session.state_at(now)
    if not SESSION.can(state, "capacity"):
        if state == CANCELLED:
            raise BookingError(_("This time slot was cancelled by the organisers."))
        raise BookingError(_("This time slot is over."))
    previous = session.capacity
    session.capacity = capacity
    session.save(update_fields=["capacity"])
    promoted = _promote_waitlist(session, now)
    audit_entry_create(
        acting_user=acting_user,
        action="session.capacity",
        target=session,
        detail={"from": previous, "to": capacity, "promoted": promoted},
    )
    return session


# --- Capacity --------------------------------------------------------------------------------
def _lock_session(session_id: int) -> Session:
    """Lock one time slot's row (only that row: not its service's nor its event's) and read it."""
    lock_rows(Session.objects.filter(pk=session_id))
    return Session.objects.select_related("service__event").get(pk=session_id)


def _used_places(session: Session) -> int:
    return session.bookings.filter(status__in=ACTIVE).aggregate(total=Sum("places"))["total"] or 0


def _promote_waitlist(session: Session, now) -> int:
    """Offer freed places in order (strict FIFO): the head of the list first, while it fits."""
    free = session.capacity - _used_places(session)
    promoted = 0
    for booking in session.bookings.filter(status=Booking.Status.WAITLISTED).order_by("id"):
        if booking.places > free:
            break
        booking.status = BOOKING.check(booking.status, "promote")
        booking.save(update_fields=["status"])
        _notify(booking, "promoted")
        free -= booking.places
        promoted += 1
    return promoted


def _notify(booking: Booking, what: str) -> None:
    """Tell the person who left an e-mail what happened to their booking (after commit).

    ``what`` is ``"promoted"`` (a waiting list gave them a place: nobody re-checks a waiting list)
    or ``"slot_cancelled"``. Phone numbers wait for an SMS provider, like reminders. A message the
    mail relay does not take is tried again by the next reminder run (``_send_after_commit``).
    """
    from .reminders import change_message

    if not booking.reminder_key_id or booking.sealed_reminder is None:
        return
    fields = vault.open_fields(booking.reminder_key, booking.sealed_reminder, context=booking.reminder_context)
    contact = fields.get("contact", "")
    if "@" in contact:
        subject, body = change_message(booking, what)
        _send_after_commit(booking.pk, what, subject, body, contact)


def _send_after_commit(booking_id: int, kind: str, subject: str, body: str, contact: str, counts=None) -> None:
    """Send one message to a booking's contact once the action has committed. If the mail relay
    does not take it (``core.privacy.mail_send``: only the mail errors are caught), the failure is
    recorded by its own small action, ``booking_mail_failed``, which puts the message back for the
    next reminder run or, after the last attempt, shreds the contact; ``counts["failed"]`` counts
    it for the job's report. The log line names the kind of message and the error, never the
    address: the page or the job that caused the message carries on as if it had gone."""

    def send() -> None:
        error = mail_send(subject, body, contact)
        if error is None:
            return
        if counts is not None:
            counts["failed"] += 1
        given_up = booking_mail_failed(acting_user=None, booking_id=booking_id, kind=kind, error=error)
        logger.warning(
            "clinics: the mail relay did not take a %s message (%s); %s",
            kind,
            error,
            "no attempt is left: its contact is shredded" if given_up else "it will be tried again at the next run",
        )

    on_commit(send)


@action("booking.mail_failed")
def booking_mail_failed(*, acting_user: User | None, booking_id: int, kind: str, error: str) -> bool:
    """The mail relay did not take a message (``kind``: ``"reminder"``, ``"promoted"`` or
    ``"slot_cancelled"``) to this booking's contact. Counted on the booking; the message is put back
    in its sealed fields for ``reminders_send``, or, at the last attempt
    (``SANSPEUR_MAIL_ATTEMPTS``), the contact is shredded as it would be after the slot. True when
    it was. The audit entry holds the kind and the error's name and code, never the address."""
    if not lock_rows(Booking.objects.filter(pk=booking_id, reminder_key__isnull=False)):
        no_change()  # cancelled, moved past its slot, purged or shredded meanwhile
        return False
    booking = Booking.objects.select_related("reminder_key").get(pk=booking_id)
    booking.mail_failures += 1
    given_up = booking.mail_failures >= settings.SANSPEUR_MAIL_ATTEMPTS
    if given_up:
        _shred_reminder(booking)
    else:
        fields = vault.open_fields(booking.reminder_key, booking.sealed_reminder, context=booking.reminder_context)
        if kind == REMINDER:
            fields.pop("sent", None)
        else:
            fields["pending"] = kind
        booking.sealed_reminder = vault.seal_fields(booking.reminder_key, fields, context=booking.reminder_context)
    booking.save(update_fields=["mail_failures", "reminder_key", "sealed_reminder"])
    anonymous_entry_create(
        acting_user=acting_user,
        action="booking.mail_failed",
        object_type=BOOKING_TYPE,
        detail={"kind": kind, "error": error, "given_up": given_up},
    )
    return given_up


def _tally_add(*, event_id, service_kind: str, language: str, kind: str, count: int) -> None:
    if count <= 0:
        return
    # get_or_create survives a concurrent first insert (unique constraint); the F() update adds
    # without reading, so two check-ins at once both count.
    row, _created = Tally.objects.get_or_create(
        event_id=event_id, service_kind=service_kind, language=language, kind=kind
    )
    Tally.objects.filter(pk=row.pk).update(count=F("count") + count)


# --- Bookings (public) -----------------------------------------------------------------------
@action("booking.create")
def booking_create(
    *,
    acting_user: User | None,
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
    session = _lock_session(session_id)
    service = session.service
    if not service.event.is_published or session.starts_at <= now:
        raise BookingError(_("This time slot is over: it can no longer be booked."))
    if session.cancelled_at is not None:
        raise BookingError(_("This time slot was cancelled by the organisers."))
    if session.released_at > now:
        raise BookingError(_("Booking for this time slot has not opened yet."))
    if places < 1 or places > service.max_places_per_code:
        raise BookingError(_too_many_places(service.max_places_per_code))
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
            with transaction.atomic():  # a savepoint inside the action: a collision retries
                booking = Booking.objects.create(
                    session=session,
                    code_hash=code_hash(code),
                    places=places,
                    status=status,
                    language=language[:8],
                )
            break
        except IntegrityError:  # pragma: no cover - a 40-bit collision
            continue
    if reminder:
        key = vault.datakey_create(purpose="clinics.reminder")
        booking.reminder_key = key
        booking.sealed_reminder = vault.seal_fields(key, {"contact": reminder}, context=booking.reminder_context)
        booking.save(update_fields=["reminder_key", "sealed_reminder"])
    anonymous_entry_create(
        acting_user=acting_user,
        action="booking.create",
        object_type=BOOKING_TYPE,
        detail={"places": places, "status": status, "reminder": bool(reminder)},
    )
    return booking, code


def _booking_by_code_locked(code: str, *, event: Event | None = None) -> Booking:
    """Find by code (among ``event``'s bookings when given) and lock its time slot. Raises
    BookingError for an unknown code; a code of another event is unknown, with the same words."""
    normalised = codes.normalise(code)
    if not normalised:
        raise BookingError(_("This booking code is not valid. Check the characters and try again."))
    bookings = Booking.objects.filter(code_hash=code_hash(normalised))
    if event is not None:
        bookings = bookings.filter(session__service__event=event)
    found = bookings.values_list("session_id", flat=True).first()
    if found is None:
        raise BookingError(_("No booking has this code."))
    _lock_session(found)
    booking = bookings.select_related("session__service__event").first()
    if booking is None or booking.session_id != found:  # moved between the look-up and the lock
        raise BookingError(_("This booking changed in the meantime. Look at it again."))
    return booking


@action("booking.cancel")
def booking_cancel(*, acting_user: User | None, code: str, now=None) -> Booking:
    now = now or timezone.now()
    booking = _booking_by_code_locked(code)
    if not BOOKING.can(booking.status, "cancel"):
        raise BookingError(_("This booking can no longer be cancelled."))
    if "cancel" not in booking.offered_actions_at(now):
        raise BookingError(_("This time slot is over."))
    booking.status = BOOKING.check(booking.status, "cancel")
    _shred_reminder(booking)
    booking.save(update_fields=["status", "reminder_key", "sealed_reminder"])
    promoted = _promote_waitlist(booking.session, now)
    anonymous_entry_create(
        acting_user=acting_user, action="booking.cancel", object_type=BOOKING_TYPE, detail={"promoted": promoted}
    )
    return booking


@action("booking.move")
def booking_move(*, acting_user: User | None, code: str, session_id: int, now=None) -> Booking:
    """Move a booking to another time slot of the same kind of service, keeping its code.

    The new place is secured before the old one is released, in one transaction: a person never
    ends up with neither, and if the new slot cannot take the booking nothing changes. A move never
    jumps a waiting list: a slot with people waiting counts as full. Both slots are locked in
    primary-key order (``lock_rows``), so two moves in opposite directions never deadlock.
    """
    now = now or timezone.now()
    normalised = codes.normalise(code)
    if not normalised:
        raise BookingError(_("This booking code is not valid. Check the characters and try again."))
    current = Booking.objects.filter(code_hash=code_hash(normalised)).values_list("session_id", flat=True).first()
    if current is None:
        raise BookingError(_("No booking has this code."))
    if not Session.objects.filter(pk=session_id).exists():
        raise BookingError(_("Choose one of the time slots offered."))
    lock_rows(Session.objects.filter(pk__in={current, session_id}))
    booking = Booking.objects.select_related("session__service__event").get(code_hash=code_hash(normalised))
    old = booking.session
    if "move" not in booking.offered_actions_at(now):
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
        raise BookingError(_too_many_places(target.service.max_places_per_code))
    waiting = target.bookings.filter(status=Booking.Status.WAITLISTED).exists()
    if waiting or target.capacity - _used_places(target) < booking.places:
        raise BookingError(_("This time slot is full: your booking was not changed."))
    booking.session = target
    booking.status = BOOKING.check(booking.status, "move")
    if booking.reminder_key_id and booking.sealed_reminder is not None:
        # A reminder already sent was for the old time: the new one gets its own. A message about
        # the old slot still waiting to be sent again is moot.
        fields = vault.open_fields(booking.reminder_key, booking.sealed_reminder, context=booking.reminder_context)
        fields.pop("sent", None)
        fields.pop("pending", None)
        booking.sealed_reminder = vault.seal_fields(booking.reminder_key, fields, context=booking.reminder_context)
    booking.save(update_fields=["session", "status", "sealed_reminder"])
    promoted = _promote_waitlist(old, now) if old.cancelled_at is None else 0
    anonymous_entry_create(
        acting_user=acting_user, action="booking.move", object_type=BOOKING_TYPE, detail={"promoted": promoted}
    )
    return booking


def _shred_reminder(booking: Booking) -> None:
    if booking.reminder_key_id:
        vault.datakey_shred(booking.reminder_key)
    booking.reminder_key = None
    booking.sealed_reminder = None


# --- At the door (staff) ---------------------------------------------------------------------
CHECK_IN_REFUSALS = {
    Booking.Status.CHECKED_IN: _("This code has already been used to check in."),
    Booking.Status.CANCELLED: _("This booking was cancelled."),
    Booking.Status.WAITLISTED: _("This person is on the waiting list: no place has been offered yet."),
    Booking.Status.NO_SHOW: _("This booking's place was released (no-show). Record the person as a walk-in."),
    Booking.Status.SLOT_CANCELLED: _("This time slot was cancelled by the organisers."),
}


@action("booking.check_in", policy=_door_policy)
def booking_check_in(*, acting_user: User | None, event: Event, code: str, now=None) -> Booking:
    """Check a code in at ``event``'s door. Only this event's bookings are looked at: a code of
    another event gets the answer of a code that does not exist, so the door cannot be used to
    learn which codes exist elsewhere."""
    now = now or timezone.now()
    booking = _booking_by_code_locked(code, event=event)
    session = booking.session
    if not BOOKING.can(booking.status, "check_in"):
        raise BookingError(CHECK_IN_REFUSALS[booking.status])
    booking.status = BOOKING.check(booking.status, "check_in")
    booking.save(update_fields=["status"])
    _tally_add(
        event_id=event.pk,
        service_kind=session.service.kind,
        language=booking.language,
        kind=Tally.Kind.BOOKED,
        count=booking.places,
    )
    # The door staff member is named (they answer for the day's work); the booking is not.
    anonymous_entry_create(
        acting_user=acting_user, action="booking.check_in", object_type=BOOKING_TYPE, detail={"places": booking.places}
    )
    return booking


@action("walk_in.record", policy=_walk_in_policy)
def walk_in_record(*, acting_user: User | None, service: Service, language: str, count: int = 1) -> None:
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


# --- Jobs (the commands loop: one small transaction per time slot) -----------------------------
@action("session.release_no_shows")
def session_release_no_shows(*, acting_user: User | None, session: Session, now=None) -> int:
    """Bookings of this slot not checked in ``grace`` minutes after its start become no-shows;
    their places go to the waiting list (then to walk-ins). Idempotent. Returns how many."""
    now = now or timezone.now()
    session = _lock_session(session.pk)
    late = list(session.bookings.filter(status__in=BOOKING.actions["release"][0]))
    if not late or session.starts_at + timedelta(minutes=session.service.grace_minutes) > now:
        no_change()
        return 0
    for booking in late:
        booking.status = BOOKING.check(booking.status, "release")
        booking.save(update_fields=["status"])
        _tally_add(
            event_id=session.service.event_id,
            service_kind=session.service.kind,
            language=booking.language,
            kind=Tally.Kind.NO_SHOW,
            count=booking.places,
        )
    promoted = _promote_waitlist(session, now) if session.ends_at > now else 0
    audit_entry_create(
        acting_user=acting_user,
        action="session.release_no_shows",
        target=session,
        detail={"released": len(late), "promoted": promoted},
    )
    return len(late)


@action("event.purge_bookings")
def bookings_purge(*, acting_user: User | None, now=None, days: int | None = None) -> dict:
    """Shred every reminder contact once its time slot is over; delete the bookings of events
    that ended ``days`` days ago (default ``SANSPEUR_CLINICS_PURGE_AFTER_DAYS``, 1). The counters
    (``Tally``) stay, so reports do not change. Idempotent."""
    now = now or timezone.now()
    days = purge_after_days() if days is None else days
    result = {"reminders": 0, "bookings": 0, "events": 0}
    finished = list(
        Booking.objects.filter(session__ends_at__lte=now, reminder_key__isnull=False).values_list("pk", flat=True)
    )
    lock_rows(Booking.objects.filter(pk__in=finished))
    for booking in Booking.objects.filter(pk__in=finished, reminder_key__isnull=False).select_related("reminder_key"):
        _shred_reminder(booking)
        booking.save(update_fields=["reminder_key", "sealed_reminder"])
        result["reminders"] += 1
    if result["reminders"]:
        audit_entry_create(
            acting_user=acting_user, action="booking.shred_reminders", detail={"reminders": result["reminders"]}
        )
    cutoff = timezone.localdate(now) - timedelta(days=days)
    for event in lock_rows(Event.objects.filter(date__lte=cutoff, purged_at__isnull=True)):
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
    if not result["reminders"] and not result["events"]:
        no_change()
    return result


@action("booking.remind")
def reminders_send(*, acting_user: User | None, now=None, hours_ahead: int = 24) -> dict:
    """E-mail a reminder for confirmed bookings starting within ``hours_ahead``, each once, and
    send again the messages the mail relay did not take before (``booking_mail_failed``).

    Returns ``email`` (messages handed to the relay), ``failed`` (those it did not take: counted
    when the action has committed, before this returns; each is tried again at the next run) and
    ``sms_pending`` (phone numbers: no SMS provider yet).
    """
    from .reminders import change_message, reminder_message

    now = now or timezone.now()
    sent = {"email": 0, "failed": 0, "sms_pending": 0}
    stale = 0  # messages put back earlier that are no longer true (the booking changed since)
    live = Booking.objects.filter(reminder_key__isnull=False, session__ends_at__gt=now)
    due = Q(
        status=Booking.Status.CONFIRMED,
        session__starts_at__gt=now,
        session__starts_at__lte=now + timedelta(hours=hours_ahead),
    )
    ids = list(live.filter(due | Q(mail_failures__gt=0)).values_list("pk", flat=True))
    lock_rows(Booking.objects.filter(pk__in=ids))
    for booking in live.filter(pk__in=ids).select_related("session__service__event", "reminder_key"):
        fields = vault.open_fields(booking.reminder_key, booking.sealed_reminder, context=booking.reminder_context)
        contact, messages = fields.get("contact", ""), []
        pending = fields.pop("pending", None)
        if pending and booking.status == PENDING_STILL_TRUE.get(pending):
            messages.append((pending, *change_message(booking, pending)))
        elif pending:
            stale += 1
        reminder_due = booking.status == Booking.Status.CONFIRMED and (
            now < booking.session.starts_at <= now + timedelta(hours=hours_ahead)
        )
        if reminder_due and not fields.get("sent"):
            fields["sent"] = True
            if "@" in contact:
                messages.append((REMINDER, "Sans peur", reminder_message(booking)))
            else:
                sent["sms_pending"] += 1
        elif not pending:
            continue  # only an earlier failure, already handled: nothing to send
        for kind, subject, body in messages:
            _send_after_commit(booking.pk, kind, subject, body, contact, counts=sent)
            sent["email"] += 1
        booking.sealed_reminder = vault.seal_fields(booking.reminder_key, fields, context=booking.reminder_context)
        booking.save(update_fields=["sealed_reminder"])
    if not (sent["email"] or sent["sms_pending"] or stale):
        no_change()
        return sent
    detail = {"email": sent["email"], "sms_pending": sent["sms_pending"]}
    anonymous_entry_create(
        acting_user=acting_user,
        action="booking.remind",
        object_type=BOOKING_TYPE,
        detail={**detail, "stale": stale} if stale else detail,
    )
    return sent
