"""One booking's calendar file: its own time slot, service and place, nothing else."""

from datetime import UTC

from django.utils import timezone


def _escape(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _utc(value) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def booking_calendar(booking, location: str) -> str:
    session = booking.session
    service = session.service
    event = service.event
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sans peur//clinics//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:booking-{booking.pk}@sanspeur.clinics",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(session.starts_at)}",
        f"DTEND:{_utc(session.ends_at)}",
        f"SUMMARY:{_escape(f'{service.get_kind_display()} — {event.title}')}",
        f"LOCATION:{_escape(f'{location}, {event.borough}')}",
        # A calendar that imports the file again updates (same UID) or strikes out the event.
        "STATUS:CANCELLED" if booking.status in ("cancelled", "slot_cancelled") else "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
