"""The audit actions of this app: the only names its audit entries may carry (core/actions.py)."""

ACTIONS = {
    "event.create": "a clinic event was created",
    "event.update": "a clinic event was edited (fields changed, organisations added or removed)",
    "event.cancel": "a clinic event was cancelled",
    "event.purge_bookings": "a finished event's individual bookings were purged",
    "service.create": "a service was added to a clinic event",
    "session.create": "a time slot was added",
    "session.cancel": "a time slot was cancelled",
    "session.capacity": "a time slot's capacity changed",
    "session.release_no_shows": "places of no-shows were released",
    # The bookings' entries are anonymous (core.audit.anonymous_entry_create): dated to the day,
    # with no booking id, so that after the purge nothing leads back to a booking.
    "booking.create": "an anonymous booking was made",
    "booking.cancel": "a booking was cancelled",
    "booking.move": "a booking was moved to another time slot",
    "booking.check_in": "a booking was checked in at the door",
    "booking.remind": "a booking reminder was handled",
    "booking.mail_failed": (
        "the mail relay did not take a message to a booking's contact (its kind and the error, never the address)"
    ),
    "booking.shred_reminders": "the reminder contacts of finished time slots were shredded (a count)",
    "walk_in.record": "walk-ins were counted at the door",
}
