"""The life of a trainee's completion of a course, declared once (core/transitions.py).

A course is *assigned*; a completion makes it *completed* until a date (the requirement's refresh
interval); within 90 days of that date it is *expiring*, after it *expired*; a new version of the
course that requires a refresher expires the completions of older versions at once. A coordinator
may *exempt* a trainee with a reason code, and lift the exemption. Completing again (a refresher)
is allowed from every state but exempt.

The two moves driven by the calendar (``near_expiry``, ``expire``) are made by the daily job;
pages and coverage never depend on it having run: they compare ``valid_until`` with the day.
"""

from __future__ import annotations

import datetime as dt

from sanspeur.core.transitions import StateMachine

ASSIGNED, COMPLETED, EXPIRING, EXPIRED, EXEMPT = "assigned", "completed", "expiring", "expired", "exempt"

#: A completion counts for coverage in these states, while ``valid_until`` is not past.
VALID = frozenset({COMPLETED, EXPIRING})
EXPIRING_DAYS = 90

COMPLETION = StateMachine(
    "training completion",
    {
        "complete": ({ASSIGNED, COMPLETED, EXPIRING, EXPIRED}, COMPLETED),
        "near_expiry": ({COMPLETED}, EXPIRING),
        "expire": ({COMPLETED, EXPIRING}, EXPIRED),
        "require_refresher": ({COMPLETED, EXPIRING}, EXPIRED),
        "exempt": ({ASSIGNED, COMPLETED, EXPIRING, EXPIRED}, EXEMPT),
        "lift_exemption": ({EXEMPT}, ASSIGNED),
    },
)


def sources(action: str) -> frozenset[str]:
    """The states ``action`` may start from (for the bulk moves made in SQL)."""
    return COMPLETION.actions[action][0]


def calendar_action(state: str, valid_until: dt.date | None, today: dt.date) -> str | None:
    """The move the calendar asks for on ``today``: ``expire``, ``near_expiry`` or None."""
    if valid_until is None:
        return None
    if COMPLETION.can(state, "expire") and valid_until < today:
        return "expire"
    if COMPLETION.can(state, "near_expiry") and valid_until <= today + dt.timedelta(days=EXPIRING_DAYS):
        return "near_expiry"
    return None


def state_on(state: str, valid_until: dt.date | None, today: dt.date) -> str:
    """The state a completion is in on ``today``, whether or not the daily job has run yet."""
    move = calendar_action(state, valid_until, today)
    return COMPLETION.check(state, move) if move else state


# --- Registrations for a session ----------------------------------------------------------------------
REGISTERED, ATTENDED, NO_SHOW, CANCELLED = "registered", "attended", "no_show", "cancelled"

REGISTRATION = StateMachine(
    "training registration",
    {
        "attend": ({REGISTERED, NO_SHOW}, ATTENDED),  # a late check-in corrects a no-show
        "no_show": ({REGISTERED}, NO_SHOW),
        "cancel": ({REGISTERED}, CANCELLED),
        "register_again": ({CANCELLED}, REGISTERED),
    },
)
