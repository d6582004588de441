"""A mail relay that refuses an address (issue 14): nothing crashes, nothing logs the address.

A delivery failure is caught (only the mail errors), counted in the audit trail, logged without
the address, and tried again by the next reminder run; after ``SANSPEUR_MAIL_ATTEMPTS`` failures
the contact is shredded, as it would be after the time slot. Cancelling a time slot never answers
with a server error, whatever the relay says.
"""

import io
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

from sanspeur.clinics import services
from sanspeur.clinics.models import Booking
from sanspeur.core.models import AuditEntry, DataKey

ADDRESS = "personne.secrete@example.org"
BACKEND = "tests.clinics.test_mail_failures."


class RefusingBackend(BaseEmailBackend):
    """A relay that refuses every recipient, like Postfix for an unknown mailbox."""

    def send_messages(self, messages):
        refused = {to: (550, b"5.1.1 unknown user " + to.encode()) for message in messages for to in message.to}
        raise smtplib.SMTPRecipientsRefused(refused)


class UnreachableBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError(111, f"Connection refused while sending to {messages[0].to[0]}")


def _door_log_is_clean(text: str) -> None:
    assert ADDRESS not in text and "personne.secrete" not in text, text


@pytest.fixture
def coordinator(make_staff, city_organisation):
    return make_staff("coord.mail", ["clinic_coordinator"], city_organisation)


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_slot_when_the_relay_refuses_answers_logs_no_address_and_retries_later(
    coordinator, mfa_client, make_clinic, settings, console_log
):
    event, _service, session = make_clinic()
    booking, _code = services.booking_create(acting_user=None, session_id=session.pk, reminder=ADDRESS, language="en")
    settings.EMAIL_BACKEND = BACKEND + "RefusingBackend"
    client = mfa_client(coordinator)
    client.raise_request_exception = False
    response = client.post(f"/en/clinics/staff/e/{event.pk}/", {"action": "cancel_session", "session": session.pk})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "slot_cancelled"
    log = console_log.getvalue()
    _door_log_is_clean(log)
    assert "SMTPRecipientsRefused" in log  # the operator still learns that something failed
    failed = AuditEntry.objects.get(action="booking.mail_failed")
    assert failed.object_id == "" and failed.detail == {
        "kind": "slot_cancelled",
        "error": "SMTPRecipientsRefused 550",
        "given_up": False,
    }
    assert ADDRESS not in str(failed.detail)

    # The next run of the reminder job, with the relay back, sends the notice that failed.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    out = io.StringIO()
    call_command("clinics_send_reminders", stdout=out, stderr=io.StringIO())
    assert [message.to for message in mail.outbox] == [[ADDRESS]]
    assert "cancelled" in mail.outbox[0].subject
    call_command("clinics_send_reminders", stdout=io.StringIO(), stderr=io.StringIO())
    assert len(mail.outbox) == 1  # once


@pytest.mark.django_db
def test_a_refused_promotion_notice_never_breaks_the_cancellation(
    make_clinic, settings, console_log, django_capture_on_commit_callbacks
):
    """Run the side effects as the test does (not robust): any exception would reach the caller."""
    _event, _service, session = make_clinic(capacity=1)
    _first, first_code = services.booking_create(acting_user=None, session_id=session.pk)
    waiting, _code = services.booking_create(acting_user=None, session_id=session.pk, reminder=ADDRESS)
    settings.EMAIL_BACKEND = BACKEND + "UnreachableBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(acting_user=None, code=first_code)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed" and waiting.mail_failures == 1
    _door_log_is_clean(console_log.getvalue())
    assert AuditEntry.objects.get(action="booking.mail_failed").detail["kind"] == "promoted"


@pytest.mark.django_db
def test_a_refused_reminder_is_counted_retried_then_its_contact_is_shredded(
    make_clinic, settings, console_log, django_capture_on_commit_callbacks
):
    settings.SANSPEUR_MAIL_ATTEMPTS = 2
    _event, _service, session = make_clinic(days=0)
    booking, _code = services.booking_create(acting_user=None, session_id=session.pk, reminder=ADDRESS)
    key_id = booking.reminder_key_id
    settings.EMAIL_BACKEND = BACKEND + "RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        first = services.reminders_send(acting_user=None)
    assert first == {"email": 1, "failed": 1, "sms_pending": 0}
    booking.refresh_from_db()
    assert booking.reminder_key_id == key_id  # kept for the next attempt, not marked as sent
    with django_capture_on_commit_callbacks(execute=True):
        second = services.reminders_send(acting_user=None)
    assert second == {"email": 1, "failed": 1, "sms_pending": 0}
    booking.refresh_from_db()
    assert booking.reminder_key_id is None and booking.sealed_reminder is None
    assert DataKey.objects.get(pk=key_id).wrapped is None  # the attempts are over: shredded
    assert services.reminders_send(acting_user=None) == {"email": 0, "failed": 0, "sms_pending": 0}
    failures = AuditEntry.objects.filter(action="booking.mail_failed")
    assert sorted(entry.detail["given_up"] for entry in failures) == [False, True]
    log = console_log.getvalue()
    _door_log_is_clean(log)
    assert log.count("SMTPRecipientsRefused") == 2


@pytest.mark.django_db
def test_a_reminder_refused_once_is_delivered_at_the_next_run(
    make_clinic, settings, mailoutbox, django_capture_on_commit_callbacks
):
    _event, _service, session = make_clinic(days=0)
    services.booking_create(acting_user=None, session_id=session.pk, reminder=ADDRESS)
    settings.EMAIL_BACKEND = BACKEND + "UnreachableBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(acting_user=None)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        result = services.reminders_send(acting_user=None)
    assert result == {"email": 1, "failed": 0, "sms_pending": 0}
    assert [message.to for message in mail.outbox] == [[ADDRESS]]
    assert Booking.objects.get().mail_failures == 1


@pytest.mark.django_db(transaction=True)
def test_the_reminder_job_does_not_crash_and_prints_no_address(make_clinic, settings, console_log):
    _event, _service, session = make_clinic(days=0)
    services.booking_create(acting_user=None, session_id=session.pk, reminder=ADDRESS)
    settings.EMAIL_BACKEND = BACKEND + "RefusingBackend"
    out, err = io.StringIO(), io.StringIO()
    call_command("clinics_send_reminders", stdout=out, stderr=err)
    assert "not delivered: 1" in out.getvalue()
    for text in (out.getvalue(), err.getvalue(), console_log.getvalue()):
        _door_log_is_clean(text)


@pytest.mark.django_db
def test_a_message_put_back_is_dropped_once_it_is_no_longer_true(
    make_clinic, make_staff, organisation, settings, mailoutbox, django_capture_on_commit_callbacks
):
    event, _service, session = make_clinic(capacity=1)
    event.organisations.add(organisation)
    _first, first_code = services.booking_create(acting_user=None, session_id=session.pk)
    _waiting, waiting_code = services.booking_create(acting_user=None, session_id=session.pk, reminder=ADDRESS)
    settings.EMAIL_BACKEND = BACKEND + "RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(acting_user=None, code=first_code)  # "a place is free for you" refused
    # The person came anyway: checked in, the place is no longer news.
    door = make_staff("door.stale", ["clinic_door_staff"], organisation)
    services.booking_check_in(acting_user=door, event=event, code=waiting_code)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        result = services.reminders_send(acting_user=None)
    assert result == {"email": 0, "failed": 0, "sms_pending": 0} and mail.outbox == []
    assert AuditEntry.objects.get(action="booking.remind").detail == {"email": 0, "sms_pending": 0, "stale": 1}
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(acting_user=None)
    assert AuditEntry.objects.filter(action="booking.remind").count() == 1  # dropped once, for good
