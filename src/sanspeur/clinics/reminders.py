"""Reminders: one message per booking, about that booking only, to the contact sealed in the vault.

The message holds the person's own time slot, service and place (and, on the booking page only,
the code they already hold: the server never stores codes, so reminders cannot include them).
``services.reminders_send`` sends e-mails through Django's mail backend; SMS needs a provider the
city has not chosen yet, so phone reminders are counted and not sent (see docs/clinics.md).
"""

from django.template.loader import render_to_string
from django.utils import translation

from . import codes, selectors
from .models import Booking


def reminder_message(booking: Booking, *, code: str | None = None) -> str:
    event = booking.session.service.event
    with translation.override(booking.language):
        return render_to_string(
            "clinics/reminder.txt",
            {
                "booking": booking,
                "session": booking.session,
                "service": booking.session.service,
                "event": event,
                "location": selectors.location_label(event),
                "code": codes.display(code) if code else "",
            },
        ).strip()
