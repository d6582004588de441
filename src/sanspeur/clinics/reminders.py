"""Reminders: one message per booking, about that booking only, to the contact sealed in the vault.

The message holds the person's own time slot, service and place (and, on the booking page only,
the code they already hold: the server never stores codes, so reminders cannot include them).
``services.reminders_send`` sends e-mails through Django's mail backend; SMS needs a provider the
city has not chosen yet, so phone reminders are counted and not sent (see docs/clinics.md).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import codes, selectors
from .models import Booking


def _context(booking: Booking, code: str | None = None) -> dict:
    event = booking.session.service.event
    return {
        "booking": booking,
        "session": booking.session,
        "service": booking.session.service,
        "event": event,
        "location": selectors.location_label(event),
        "code": codes.display(code) if code else "",
        "lookup_url": _absolute(reverse("clinics:booking_lookup")),
    }


def _absolute(path: str) -> str:
    public_url = settings.SANSPEUR_PUBLIC_URL.rstrip("/")
    return f"{public_url}{path}" if public_url else ""


def reminder_message(booking: Booking, *, code: str | None = None) -> str:
    with translation.override(booking.language):
        return render_to_string("clinics/reminder.txt", _context(booking, code)).strip()


def change_message(booking: Booking, what: str) -> tuple[str, str]:
    """Subject and body telling a person what changed in their own booking: ``"promoted"`` (a
    place was freed for them) or ``"slot_cancelled"`` (the organisers cancelled the time slot)."""
    with translation.override(booking.language):
        if what == "promoted":
            subject, template = _("A place is free for you"), "clinics/promoted.txt"
        else:
            subject, template = _("Your time slot was cancelled"), "clinics/slot_cancelled.txt"
        return str(subject), render_to_string(template, _context(booking)).strip() + "\n"


def promotion_message(booking: Booking) -> tuple[str, str]:
    return change_message(booking, "promoted")
