"""Bookings are anonymous: their audit entries are dated to the day and point at nothing (issue 14).

The entries still count (how many bookings, cancellations, check-ins a day), but after the purge
nothing in the audit trail links back to a booking, nor one entry to another: no booking id, no
time slot id, no time of day.
"""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from sanspeur.clinics import services
from sanspeur.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ANONYMOUS_ACTIONS = {"booking.create", "booking.cancel", "booking.move", "booking.check_in", "booking.remind"}


def _midnight(day):
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def test_booking_entries_are_dated_to_the_day_and_link_to_nothing_after_the_purge(
    make_clinic, make_staff, organisation, django_capture_on_commit_callbacks
):
    door = make_staff("door.trail", ["clinic_door_staff"], organisation)
    event, _service, session = make_clinic(capacity=3, days=0)
    _e2, _s2, other = make_clinic(capacity=3, days=0)
    event.organisations.add(organisation)
    _kept, kept_code = services.booking_create(acting_user=None, session_id=session.pk, reminder="a@example.org")
    _moved, moved_code = services.booking_create(acting_user=None, session_id=session.pk)
    _gone, gone_code = services.booking_create(acting_user=None, session_id=session.pk)
    services.booking_cancel(acting_user=None, code=gone_code)
    services.booking_move(acting_user=None, code=moved_code, session_id=other.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(acting_user=None)
    services.booking_check_in(acting_user=door, event=event, code=kept_code)
    services.bookings_purge(acting_user=None, now=timezone.now() + timedelta(days=2), days=1)

    entries = list(AuditEntry.objects.filter(action__in=ANONYMOUS_ACTIONS))
    assert sorted(entry.action for entry in entries) == sorted(
        ["booking.create"] * 3 + ["booking.cancel", "booking.move", "booking.remind", "booking.check_in"]
    )
    today = _midnight(timezone.localdate())
    for entry in entries:
        assert entry.at == today, entry.action
        assert entry.object_id == "", entry.action
        assert not {"session", "from", "to", "booking"} & set(entry.detail), (entry.action, entry.detail)
    # They still count: three bookings made today, one checked in by the door staff.
    assert AuditEntry.objects.filter(action="booking.create", object_type="clinics.booking").count() == 3
    assert AuditEntry.objects.get(action="booking.check_in").actor == door
