"""The booking engine: capacity, announced release, waiting list, per-code limit, no-shows, purge."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sanspeur.clinics import selectors, services
from sanspeur.clinics.management.commands.clinics_release_no_shows import run_release_no_shows
from sanspeur.clinics.models import Booking, Tally
from sanspeur.core import vault
from sanspeur.core.models import AuditEntry, DataKey

pytestmark = pytest.mark.django_db


def statuses(session):
    return sorted(session.bookings.values_list("status", flat=True))


def test_booking_confirms_until_full_then_waitlists_in_order(make_clinic):
    _event, _service, session = make_clinic(capacity=2)
    first, _ = services.booking_create(acting_user=None, session_id=session.pk)
    second, _ = services.booking_create(acting_user=None, session_id=session.pk)
    third, code3 = services.booking_create(acting_user=None, session_id=session.pk)
    fourth, code4 = services.booking_create(acting_user=None, session_id=session.pk)
    assert [first.status, second.status] == ["confirmed", "confirmed"]
    assert [third.status, fourth.status] == ["waitlisted", "waitlisted"]
    assert selectors.waitlist_position(third) == 1 and selectors.waitlist_position(fourth) == 2
    assert AuditEntry.objects.filter(action="booking.create").count() == 4


def test_cancellation_promotes_the_head_of_the_waiting_list(make_clinic):
    _event, _service, session = make_clinic(capacity=1)
    _first, code1 = services.booking_create(acting_user=None, session_id=session.pk)
    second, code2 = services.booking_create(acting_user=None, session_id=session.pk)
    third, _code3 = services.booking_create(acting_user=None, session_id=session.pk)
    services.booking_cancel(acting_user=None, code=code1)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == "confirmed" and third.status == "waitlisted"
    assert selectors.waitlist_position(third) == 1
    entry = AuditEntry.objects.get(action="booking.cancel")
    assert entry.detail == {"promoted": 1}


def test_promotion_e_mails_the_promoted_person_only_in_their_language(
    make_clinic, mailoutbox, django_capture_on_commit_callbacks
):
    _event, _service, session = make_clinic(capacity=1)
    _first, code1 = services.booking_create(acting_user=None, session_id=session.pk, reminder="first@example.org")
    second, code2 = services.booking_create(
        acting_user=None, session_id=session.pk, reminder="second@example.org", language="ht"
    )
    _third, code3 = services.booking_create(acting_user=None, session_id=session.pk, reminder="third@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(acting_user=None, code=code1)
    assert [message.to for message in mailoutbox] == [["second@example.org"]]
    message = mailoutbox[0]
    assert "libere" in message.subject and "konfime" in message.body  # Haitian Creole
    when = timezone.localtime(second.session.starts_at)
    assert f"{when:%H:%M}" in message.body
    for other in ("first@example.org", "third@example.org", code1, code2, code3):
        assert other not in message.body
    # A promotion without an e-mail (phone or nothing) sends nothing.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(acting_user=None, code=code2)
    assert [message.to for message in mailoutbox] == [["third@example.org"]]


def test_move_never_jumps_a_waiting_list_and_is_audited(make_clinic):
    _event, _service, session = make_clinic(capacity=2)
    _e, _s, target = make_clinic(capacity=1, days=3)
    mine, code = services.booking_create(acting_user=None, session_id=session.pk)
    services.booking_create(acting_user=None, session_id=target.pk)
    services.booking_create(acting_user=None, session_id=target.pk)  # waits for the target slot
    with pytest.raises(services.BookingError, match="full"):
        services.booking_move(acting_user=None, code=code, session_id=target.pk)
    assert selectors.move_options(mine) == []
    _e3, _s3, open_slot = make_clinic(capacity=1, days=4)
    assert [option.pk for option in selectors.move_options(mine)] == [open_slot.pk]
    moved = services.booking_move(acting_user=None, code=code, session_id=open_slot.pk)
    assert moved.pk == mine.pk and moved.session_id == open_slot.pk and moved.code_hash == mine.code_hash
    # No slot ids: after the purge, nothing links the move to the booking or its other entries.
    assert AuditEntry.objects.get(action="booking.move").detail == {"promoted": 0}
    with pytest.raises(services.BookingError, match="already"):
        services.booking_move(acting_user=None, code=code, session_id=open_slot.pk)


def test_move_resets_the_reminder_for_the_new_time(make_clinic, mailoutbox, django_capture_on_commit_callbacks):
    _event, _service, session = make_clinic(capacity=2, days=0)
    _e, _s, later = make_clinic(capacity=2, days=0)
    booking, code = services.booking_create(acting_user=None, session_id=session.pk, reminder="moi@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(acting_user=None)["email"] == 1
    services.booking_move(acting_user=None, code=code, session_id=later.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(acting_user=None)["email"] == 1
    assert len(mailoutbox) == 2


def test_new_bookings_do_not_jump_the_queue(make_clinic):
    _event, _service, session = make_clinic(capacity=3, max_places=3)
    services.booking_create(acting_user=None, session_id=session.pk, places=2)
    waiting, _ = services.booking_create(acting_user=None, session_id=session.pk, places=2)  # does not fit: waits
    assert waiting.status == "waitlisted"
    late, _ = services.booking_create(acting_user=None, session_id=session.pk, places=1)  # would fit, but someone waits
    assert late.status == "waitlisted"


def test_limit_per_code_and_capacity(make_clinic):
    _event, _service, session = make_clinic(capacity=4, max_places=2)
    with pytest.raises(services.BookingError, match="at most 2"):
        services.booking_create(acting_user=None, session_id=session.pk, places=3)
    with pytest.raises(services.BookingError):
        services.booking_create(acting_user=None, session_id=session.pk, places=0)
    booking, _ = services.booking_create(acting_user=None, session_id=session.pk, places=2)
    assert booking.places == 2
    assert Booking.objects.count() == 1


def test_full_without_waitlist_is_refused(make_clinic):
    _event, _service, session = make_clinic(capacity=1)
    services.booking_create(acting_user=None, session_id=session.pk, allow_waitlist=False)
    with pytest.raises(services.BookingError, match="full"):
        services.booking_create(acting_user=None, session_id=session.pk, allow_waitlist=False)
    assert Booking.objects.count() == 1


def test_slots_open_on_the_announced_schedule_and_close_at_the_start(make_clinic):
    _event, _service, session = make_clinic(released=False)
    with pytest.raises(services.BookingError, match="not opened"):
        services.booking_create(acting_user=None, session_id=session.pk)
    later = session.released_at + timedelta(minutes=1)
    booking, _ = services.booking_create(acting_user=None, session_id=session.pk, now=later)
    assert booking.status == "confirmed"
    with pytest.raises(services.BookingError, match="over"):
        services.booking_create(acting_user=None, session_id=session.pk, now=session.starts_at)


def test_code_is_never_stored_in_clear(make_clinic):
    _event, _service, session = make_clinic()
    booking, code = services.booking_create(acting_user=None, session_id=session.pk)
    assert code not in booking.code_hash
    assert selectors.booking_by_code(code).pk == booking.pk
    assert selectors.booking_by_code(code.lower()).pk == booking.pk


def test_reminder_contact_is_sealed_and_shredded_on_cancel(make_clinic):
    _event, _service, session = make_clinic()
    booking, code = services.booking_create(acting_user=None, session_id=session.pk, reminder="5145550199")
    assert b"5145550199" not in bytes(booking.sealed_reminder)
    opened = vault.open_fields(booking.reminder_key, booking.sealed_reminder, context=booking.reminder_context)
    assert opened == {"contact": "5145550199"}
    key_id = booking.reminder_key_id
    services.booking_cancel(acting_user=None, code=code)
    booking.refresh_from_db()
    assert booking.sealed_reminder is None and booking.reminder_key is None
    assert DataKey.objects.get(pk=key_id).wrapped is None


def test_cancel_twice_and_unknown_codes_change_nothing(make_clinic):
    _event, _service, session = make_clinic()
    _booking, code = services.booking_create(acting_user=None, session_id=session.pk)
    services.booking_cancel(acting_user=None, code=code)
    before = AuditEntry.objects.count()
    with pytest.raises(services.BookingError, match="no longer"):
        services.booking_cancel(acting_user=None, code=code)
    with pytest.raises(services.BookingError, match="No booking"):
        services.booking_cancel(acting_user=None, code="0000-0000-0")
    with pytest.raises(services.BookingError, match="not valid"):
        services.booking_cancel(acting_user=None, code="nonsense")
    assert AuditEntry.objects.count() == before


def test_no_show_release_after_grace_offers_places_to_the_waiting_list(make_clinic):
    event, service, session = make_clinic(capacity=1)
    _b1, _code1 = services.booking_create(acting_user=None, session_id=session.pk, language="es")
    waiting, _ = services.booking_create(acting_user=None, session_id=session.pk)
    assert run_release_no_shows(now=session.starts_at + timedelta(minutes=5)) == 0  # in grace
    after = session.starts_at + timedelta(minutes=service.grace_minutes + 1)
    assert run_release_no_shows(now=after) == 1
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert Tally.objects.get(event=event, kind="no_show").count == 1
    # Idempotent except that the promoted booking is now the late one, after its own grace.
    assert statuses(session) == ["confirmed", "no_show"]


def test_check_in_refuses_replays_cancelled_waitlisted_and_other_events(make_clinic, make_staff, organisation):
    staff = make_staff("door", ["clinic_door_staff"], organisation)
    event, _service, session = make_clinic(capacity=1)
    other_event, _s, other_session = make_clinic(title="Autre")
    event.organisations.add(organisation)
    other_event.organisations.add(organisation)
    _b, code = services.booking_create(acting_user=None, session_id=session.pk, places=1)
    _w, waiting_code = services.booking_create(acting_user=None, session_id=session.pk)
    _o, other_code = services.booking_create(acting_user=None, session_id=other_session.pk)
    checked = services.booking_check_in(acting_user=staff, event=event, code=code)
    assert checked.status == "checked_in"
    for bad, message in [
        (code, "already been used"),
        (waiting_code, "waiting list"),
        (other_code, "No booking has this code"),  # the same answer as a code that does not exist
        ("AAAA-AAAA-A", "not valid"),
    ]:
        with pytest.raises(services.BookingError, match=message):
            services.booking_check_in(acting_user=staff, event=event, code=bad)
    services.booking_cancel(acting_user=None, code=other_code)
    with pytest.raises(services.BookingError, match="cancelled"):
        services.booking_check_in(acting_user=staff, event=other_event, code=other_code)
    assert Tally.objects.get(event=event, kind="booked").count == 1
    assert AuditEntry.objects.filter(action="booking.check_in").count() == 1


def test_purge_removes_every_booking_and_contact_and_keeps_the_report(make_clinic, make_staff, organisation):
    staff = make_staff("door2", ["clinic_coordinator"], organisation)
    event, service, session = make_clinic(capacity=3, max_places=2, days=0)
    event.organisations.add(organisation)
    _a, code_a = services.booking_create(
        acting_user=None, session_id=session.pk, places=2, language="es", reminder="a@example.org"
    )
    _b, _code_b = services.booking_create(acting_user=None, session_id=session.pk, reminder="5145550100")
    services.booking_check_in(acting_user=staff, event=event, code=code_a)
    services.walk_in_record(acting_user=staff, service=service, language="ar", count=3)
    run_release_no_shows(now=session.starts_at + timedelta(hours=2))
    report_before = selectors.report([event])
    assert report_before["totals"] == {"booked": 2, "walk_in": 3, "no_show": 1, "served": 5}
    key_ids = list(Booking.objects.values_list("reminder_key_id", flat=True))

    # The day of the event: contacts are shredded once the slot is over, bookings stay a day.
    result = services.bookings_purge(acting_user=None, now=session.ends_at + timedelta(minutes=1), days=1)
    assert result["reminders"] == 2 and result["bookings"] == 0
    assert not Booking.objects.filter(sealed_reminder__isnull=False).exists()
    assert all(key.wrapped is None for key in DataKey.objects.filter(pk__in=key_ids))

    later = timezone.now() + timedelta(days=2)
    result = services.bookings_purge(acting_user=None, now=later, days=1)
    assert result["bookings"] == 2 and result["events"] == 1
    assert not Booking.objects.filter(session__service__event=event).exists()
    assert selectors.report([event]) == report_before
    assert services.bookings_purge(acting_user=None, now=later, days=1) == {"reminders": 0, "bookings": 0, "events": 0}
    assert selectors.booking_by_code(code_a) is None


def test_reminders_are_sent_once_and_hold_only_that_booking(
    make_clinic, mailoutbox, django_capture_on_commit_callbacks
):
    _event, _service, session = make_clinic(days=0, capacity=3)
    mine, my_code = services.booking_create(
        acting_user=None, session_id=session.pk, reminder="moi@example.org", language="es"
    )
    _other, other_code = services.booking_create(acting_user=None, session_id=session.pk, reminder="5145550123")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.reminders_send(acting_user=None)
    assert result == {"email": 1, "failed": 0, "sms_pending": 1}
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["moi@example.org"]
    body = mailoutbox[0].body
    assert "Vacunación" in body and "5145550123" not in body
    assert other_code not in body and my_code not in body  # codes are never stored, so never sent
    assert services.reminders_send(acting_user=None) == {"email": 0, "failed": 0, "sms_pending": 0}
    assert len(mailoutbox) == 1
    assert AuditEntry.objects.get(action="booking.remind").detail == {"email": 1, "sms_pending": 1}
