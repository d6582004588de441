"""Renewal reminders: once per expiry, in the holder's language, naming no one, only to a contact given."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from sanspeur.cards import services
from sanspeur.cards.faces import face_jpeg
from sanspeur.cards.management.commands.cards_send_reminders import run_reminders
from sanspeur.cards.models import Card
from sanspeur.core.models import AuditEntry

from .conftest import PROFILE

pytestmark = pytest.mark.django_db


def expiring_in(card, days):
    Card.objects.filter(pk=card.pk).update(expires_at=timezone.now() + timedelta(days=days))
    card.refresh_from_db()
    return card


def enroll(agent, documents, token, **profile):
    return services.holder_enroll(
        acting_user=agent,
        organisation=agent.organisation,
        profile={**PROFILE, **profile},
        photo_jpeg=face_jpeg(2),
        document_types=documents,
        submission_token=token,
    )


def test_reminder_is_sent_once_in_the_holders_language_and_names_no_one(
    enrolled, agent, documents, settings, django_capture_on_commit_callbacks
):
    settings.SANSPEUR_PUBLIC_URL = "https://sanspeur.example.org"
    _holder, card = enroll(agent, documents, "es-holder", preferred_language="es", email="persona@example.org")
    expiring_in(card, 20)
    _other_holder, later = enrolled  # expires in two years: not due
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = run_reminders()
    assert outcomes["email"] == 1 and outcomes["skipped"] == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["persona@example.org"]
    expiry = timezone.localtime(card.expires_at).date()
    assert "caduca" in message.subject.lower()
    assert str(expiry.year) in message.body and str(expiry.day) in message.body
    assert "https://sanspeur.example.org/es/clinics/" in message.body
    # Minimal disclosure: no name, no card number, no date of birth.
    for secret in (PROFILE["given_names"], PROFILE["family_names"], card.number, card.display_number, "1987"):
        assert secret not in message.body and secret not in message.subject
    assert AuditEntry.objects.filter(action="cards.card.remind", object_id=str(card.pk)).count() == 1

    # Again: nothing more (once per expiry).
    with django_capture_on_commit_callbacks(execute=True):
        assert run_reminders() == {"email": 0, "sms_pending": 0, "no_contact": 0, "skipped": 0}
    assert len(mail.outbox) == 1
    later.refresh_from_db()
    assert later.renewal_reminded_at is None


def test_renewal_clears_the_reminder_so_the_next_expiry_gets_one(agent, documents, django_capture_on_commit_callbacks):
    _holder, card = enroll(agent, documents, "renew", preferred_language="en")
    expiring_in(card, 5)
    with django_capture_on_commit_callbacks(execute=True):
        run_reminders()
    assert len(mail.outbox) == 1 and "expires" in mail.outbox[0].subject
    card.refresh_from_db()
    assert card.renewal_reminded_at is not None
    renewed = services.card_renew(acting_user=agent, card=card)
    assert renewed.renewal_reminded_at is None
    expiring_in(renewed, 10)
    with django_capture_on_commit_callbacks(execute=True):
        run_reminders()
    assert len(mail.outbox) == 2


def test_phone_only_and_no_contact_send_nothing(agent, documents, django_capture_on_commit_callbacks):
    _a, phone_card = enroll(agent, documents, "phone", email="", phone="514-555-0100")
    _b, silent_card = enroll(agent, documents, "none", email="", phone="", given_names="Autre")
    expiring_in(phone_card, 3)
    expiring_in(silent_card, 3)
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = run_reminders()
    assert outcomes == {"email": 0, "sms_pending": 1, "no_contact": 1, "skipped": 0}
    assert mail.outbox == []


def test_no_reminder_for_revoked_expired_or_forgotten(agent, documents, django_capture_on_commit_callbacks):
    _a, revoked = enroll(agent, documents, "revoked", given_names="Un")
    _b, past = enroll(agent, documents, "past", given_names="Deux")
    holder_c, forgotten = enroll(agent, documents, "forgotten", given_names="Trois")
    expiring_in(revoked, 3)
    services.card_revoke(acting_user=agent, card=revoked, reason=Card.Reason.LOST)
    expiring_in(past, -1)
    expiring_in(forgotten, 3)
    services.holder_forget(acting_user=agent, holder=holder_c)
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = run_reminders()
    assert outcomes["email"] == 0 and mail.outbox == []


def test_a_failed_send_does_not_mark_the_card_when_the_transaction_rolls_back(agent, documents, monkeypatch):
    """The mark and the audit entry commit together; an error before commit leaves the card due."""
    _holder, card = enroll(agent, documents, "rollback")
    expiring_in(card, 3)

    def broken_audit(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "audit_entry_create", broken_audit)
    with pytest.raises(RuntimeError):
        services.card_renewal_remind(acting_user=None, card=card)
    card.refresh_from_db()
    assert card.renewal_reminded_at is None and mail.outbox == []


def test_command_prints_counts(agent, documents, capsys):
    _holder, card = enroll(agent, documents, "cmd")
    expiring_in(card, 3)
    call_command("cards_send_reminders")
    assert "email=1" in capsys.readouterr().out


def test_a_relay_that_refuses_the_address_crashes_nothing_logs_no_address_and_is_tried_again(
    agent, documents, settings, django_capture_on_commit_callbacks
):
    """Issue 14: the reminder job used to crash with the address on stderr."""
    import io
    import logging

    settings.EMAIL_BACKEND = "tests.clinics.test_mail_failures.RefusingBackend"
    _holder, card = enroll(agent, documents, "refused", preferred_language="fr", email="refusee.secrete@example.org")
    expiring_in(card, 10)
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            outcomes = run_reminders()
    finally:
        handler.setStream(previous)
    assert outcomes["email"] == 1
    log = buffer.getvalue()
    assert "renewal reminder (SMTPRecipientsRefused 550)" in log
    assert "refusee.secrete" not in log
    card.refresh_from_db()
    assert card.renewal_reminded_at is None  # the next daily run tries again
    failed = AuditEntry.objects.get(action="cards.card.remind_failed", object_id=str(card.pk))
    assert failed.detail == {"problem": "SMTPRecipientsRefused 550"}

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert run_reminders()["email"] == 1
    assert [message.to for message in mail.outbox] == [["refusee.secrete@example.org"]]
