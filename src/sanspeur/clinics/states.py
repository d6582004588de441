"""The lives of a booking, a time slot and an event, declared once (core/transitions.py): each
service checks its action against them, and the pages offer exactly the actions they allow
(``Booking.offered_actions``, ``Session.offered_actions``, ``Event.offered_actions``)."""

from sanspeur.core.transitions import StateMachine

# A booking's states are Booking.Status's values.
CONFIRMED, WAITLISTED, CHECKED_IN = "confirmed", "waitlisted", "checked_in"
CANCELLED, NO_SHOW, SLOT_CANCELLED = "cancelled", "no_show", "slot_cancelled"

BOOKING = StateMachine(
    "booking",
    {
        # The person, with the code (until the time slot is over).
        "cancel": ({CONFIRMED, WAITLISTED}, CANCELLED),
        # Same code, another time slot; the only way on from a slot the organisers cancelled.
        "move": ({CONFIRMED, WAITLISTED, SLOT_CANCELLED}, CONFIRMED),
        # A place was freed (cancellation, no-show, more capacity): the head of the list first.
        "promote": ({WAITLISTED}, CONFIRMED),
        "check_in": ({CONFIRMED}, CHECKED_IN),
        # Not checked in within the service's grace period: the place goes to the waiting list.
        "release": ({CONFIRMED}, NO_SHOW),
        # The organisers cancelled the time slot (or the whole event).
        "cancel_slot": ({CONFIRMED, WAITLISTED}, SLOT_CANCELLED),
    },
)

# A time slot's state is read from its dates (Session.state): open until it ends, then over,
# unless the organisers cancelled it. "end" is the clock, not an action anyone takes.
OPEN, OVER = "open", "over"

SESSION = StateMachine(
    "time slot",
    {
        "capacity": ({OPEN}, OPEN),
        "cancel": ({OPEN}, CANCELLED),
        "end": ({OPEN}, OVER),
    },
)

# An event is scheduled while one of its time slots is open (or before it has any), cancelled
# once the organisers cancelled every slot that was not over, and over when the rest is past.
SCHEDULED = "scheduled"

EVENT = StateMachine(
    "event",
    {
        "cancel": ({SCHEDULED}, CANCELLED),
        "end": ({SCHEDULED}, OVER),
    },
)
