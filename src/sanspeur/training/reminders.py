"""Which reminders a completion calls for on a day (pure), and the daily run that sends them.

- to the trainee (if a work e-mail was given): when a course is assigned; 30 and 7 days before it is
  due; 90 and 30 days before a completion expires — one message a day listing what is new;
- to the unit's managers (and those of the units above): the number of people newly overdue in the
  unit, per course — a count, never a name.

Each reminder is recorded (``Reminder``: completion × kind × the date it is about) before it is
sent, in the same transaction: a second run, or a run after a crash, sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

from . import states

KIND_ORDER = ("assigned", "due_30", "due_7", "expiry_90", "expiry_30", "overdue")


def due_reminders(
    *,
    state: str,
    assigned_on: dt.date,
    due_on: dt.date | None,
    valid_until: dt.date | None,
    today: dt.date,
) -> list[tuple[str, dt.date]]:
    """(kind, the date it is about) that apply on ``today``; ``state`` is the state on that day."""
    found: list[tuple[str, dt.date]] = []
    overdue = due_on is not None and due_on < today and state in (states.ASSIGNED, states.EXPIRED)
    if state == states.ASSIGNED and not overdue:
        found.append(("assigned", assigned_on))
        if due_on is not None:
            left = (due_on - today).days
            if 0 <= left <= 7:
                found.append(("due_7", due_on))
            elif left <= 30:
                found.append(("due_30", due_on))
    if state in states.VALID and valid_until is not None:
        left = (valid_until - today).days
        if 0 <= left <= 30:
            found.append(("expiry_30", valid_until))
        elif 30 < left <= states.EXPIRING_DAYS:
            found.append(("expiry_90", valid_until))
    if overdue:
        found.append(("overdue", due_on))
    return found
