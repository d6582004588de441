"""Reads of the clinics app."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from sanspeur.directory.selectors import public_location_name

from . import codes
from .constants import SPOKEN_LANGUAGE_NAMES, ServiceKind
from .models import Booking, Event, Session, Tally
from .services import ACTIVE, code_hash


def public_events(*, borough: str = "", service: str = "", language: str = ""):
    events = Event.objects.filter(is_published=True, date__gte=timezone.localdate()).prefetch_related(
        "services", "organisations"
    )
    if borough:
        events = events.filter(borough=borough)
    if service:
        events = events.filter(services__kind=service)
    if language:
        events = events.filter(languages__contains=f",{language},")
    return events.distinct()


def location_label(event: Event) -> str:
    """The directory site's public name when the event names one, then the ad-hoc address."""
    name = public_location_name(event.directory_location_id) if event.directory_location_id else ""
    if name:
        return f"{name}, {event.address}" if event.address else name
    return event.address


def used_places(session: Session) -> int:
    return session.bookings.filter(status__in=ACTIVE).aggregate(total=Sum("places"))["total"] or 0


def sessions_with_availability(event: Event, now=None):
    """Per service, its sessions annotated with ``free``, ``is_open``, ``is_over``, ``waitlist``."""
    now = now or timezone.now()
    result = []
    for service in event.services.all():
        sessions = []
        for session in service.sessions.all():
            session.free = max(session.capacity - used_places(session), 0)
            session.waitlist = session.bookings.filter(status=Booking.Status.WAITLISTED).count()
            session.is_over = session.starts_at <= now
            session.is_cancelled = session.cancelled_at is not None
            session.is_open = not session.is_over and not session.is_cancelled and session.released_at <= now
            sessions.append(session)
        result.append((service, sessions))
    return result


def move_options(booking: Booking, now=None, limit: int = 40) -> list[Session]:
    """Time slots this booking can move to: same kind of service, open, upcoming, with room and
    nobody waiting (a move never jumps a waiting list). Each is annotated with ``free``."""
    now = now or timezone.now()
    candidates = (
        Session.objects.filter(
            service__kind=booking.session.service.kind,
            service__event__is_published=True,
            service__max_places_per_code__gte=booking.places,
            starts_at__gt=now,
            released_at__lte=now,
            cancelled_at__isnull=True,
        )
        .exclude(pk=booking.session_id)
        .exclude(bookings__status=Booking.Status.WAITLISTED)
        .annotate(
            used=Coalesce(Sum("bookings__places", filter=Q(bookings__status__in=ACTIVE)), 0),
        )
        .filter(capacity__gte=F("used") + booking.places)
        .select_related("service__event")
        .order_by("starts_at", "pk")[:limit]
    )
    options = list(candidates)
    for session in options:
        session.free = session.capacity - session.used
    return options


def booking_by_code(raw_code: str) -> Booking | None:
    code = codes.normalise(raw_code)
    if not code:
        return None
    return Booking.objects.select_related("session__service__event").filter(code_hash=code_hash(code)).first()


def waitlist_position(booking: Booking) -> int | None:
    if booking.status != Booking.Status.WAITLISTED:
        return None
    # Booking order is waiting-list order: a booking joins a list only when it is made.
    ahead = booking.session.bookings.filter(status=Booking.Status.WAITLISTED, id__lt=booking.id)
    return ahead.count() + 1


def events_for_staff(user):
    """City staff see every event; partners see theirs; nobody else any (accounts.policy.scope)."""
    from sanspeur.accounts.policy import scope

    return (
        scope(Event.objects.all(), acting_user=user, field="organisations").distinct().prefetch_related("organisations")
    )


# --- Reports (aggregates only) ---------------------------------------------------------------
def report(events) -> dict:
    """People served per service and language, booked vs walk-in, no-shows — from the counters."""
    rows = (
        Tally.objects.filter(event__in=events).values("service_kind", "language", "kind").annotate(total=Sum("count"))
    )
    by_service: dict = defaultdict(lambda: {"booked": 0, "walk_in": 0, "no_show": 0})
    by_language: dict = defaultdict(lambda: {"booked": 0, "walk_in": 0, "no_show": 0})
    totals = {"booked": 0, "walk_in": 0, "no_show": 0}
    for row in rows:
        by_service[row["service_kind"]][row["kind"]] += row["total"]
        by_language[row["language"]][row["kind"]] += row["total"]
        totals[row["kind"]] += row["total"]
    labels = dict(ServiceKind.choices)
    return {
        "services": [
            {
                "kind": kind,
                "label": str(labels.get(kind, kind)),
                **values,
                "served": values["booked"] + values["walk_in"],
            }
            for kind, values in sorted(by_service.items())
        ],
        "languages": [
            {
                "code": code,
                "label": SPOKEN_LANGUAGE_NAMES.get(code, code),
                **values,
                "served": values["booked"] + values["walk_in"],
            }
            for code, values in sorted(by_language.items())
        ],
        "totals": {**totals, "served": totals["booked"] + totals["walk_in"]},
    }


def report_rows(events) -> list[list]:
    """Flat rows for the CSV export: one row per event, service, language and kind."""
    rows = (
        Tally.objects.filter(event__in=events)
        .select_related("event")
        .order_by("event__date", "event__id", "service_kind", "language", "kind")
    )
    return [
        [
            row.event.date.isoformat(),
            row.event.title_fr,
            row.event.borough,
            row.service_kind,
            row.language,
            row.kind,
            row.count,
        ]
        for row in rows
    ]
