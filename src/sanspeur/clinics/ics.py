"""One booking's calendar file: its own time slot, service and place, nothing else."""

from sanspeur.core import ics
from sanspeur.directory.i18n import pick


def booking_calendar(booking, location: str) -> str:
    session = booking.session
    service = session.service
    event = service.event
    event_lines = [
        f"UID:booking-{booking.pk}@sanspeur.clinics",
        f"DTSTART:{ics.utc(session.starts_at)}",
        f"DTEND:{ics.utc(session.ends_at)}",
        f"SUMMARY:{ics.escape(f'{service.get_kind_display()} — {pick(event.title).value}')}",
        f"LOCATION:{ics.escape(f'{location}, {event.borough}')}",
        # A calendar that imports the file again updates (same UID) or strikes out the event.
        "STATUS:CANCELLED" if booking.status in ("cancelled", "slot_cancelled") else "STATUS:CONFIRMED",
    ]
    return ics.calendar([event_lines], product="clinics")
