"""Reminders: one message per booking, about that booking only, to the contact sealed in the vault.

The message holds the person's own time slot, service and place (and, on the booking page only,
the code they already hold: the server never stores codes, so reminders cannot include them).
``services.reminders_send`` sends e-mails through Django's mail backend; SMS needs a provider the
city has not chosen yet, so phone reminders are counted and not sent (see docs/clinics.md).
"""

from django.template.loader import render_to_string
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
    }


def reminder_message(booking: Booking, *, code: str | None = None) -> str:
    with translation.override(booking.language):
        return render_to_string("clinics/reminder.txt", _context(booking, code)).strip()


def promotion_message(booking: Booking) -> tuple[str, str]:
    """Subject and body telling a waiting person that a place was freed for them."""
    with translation.override(booking.language):
        subject = str(_("A place is free for you"))
        return subject, render_to_string("clinics/promoted.txt", _context(booking)).strip() + "\n"
