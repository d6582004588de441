"""iCalendar files (RFC 5545): escaping, UTC times, all-day dates, and the envelope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from datetime import UTC

from django.utils import timezone


def escape(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def utc(value: dt.datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def day(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def calendar(events: Iterable[list[str]], *, product: str, name: str = "") -> str:
    """A VCALENDAR of ``events``, each the lines between BEGIN:VEVENT and END:VEVENT."""
    stamp = utc(timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//Sans peur//{product}//EN", "CALSCALE:GREGORIAN"]
    lines += ["METHOD:PUBLISH"] + ([f"X-WR-CALNAME:{escape(name)}"] if name else [])
    for event in events:
        lines += ["BEGIN:VEVENT", f"DTSTAMP:{stamp}", *event, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
