"""Scheduled jobs run once at a time: a second run while the first holds the lock does nothing."""

import io
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from sanspeur.cards import services as card_services
from sanspeur.cards.faces import face_jpeg
from sanspeur.cards.models import Card
from sanspeur.core.jobs import JobBusy, job_lock
from sanspeur.core.models import AuditEntry
from tests.cards.conftest import PROFILE, agent, documents  # noqa: F401 - fixtures


def due_holders(agent, documents, count):  # noqa: F811
    cards = []
    for number in range(count):
        _holder, card = card_services.holder_enroll(
            acting_user=agent,
            organisation=agent.organisation,
            profile={**PROFILE, "given_names": f"Personne {number}", "email": f"p{number}@example.org"},
            photo_jpeg=face_jpeg(number % 3 + 1),
            document_types=documents,
            submission_token=f"jobs-{number}",
        )
        Card.objects.filter(pk=card.pk).update(expires_at=timezone.now() + timedelta(days=10))
        cards.append(card)
    return cards


@pytest.mark.django_db
def test_a_held_lock_is_refused_then_released():
    with job_lock("demo_job"):
        with pytest.raises(JobBusy):
            with job_lock("demo_job"):
                pass
        with job_lock("another_job"):  # one lock per job, not one for all
            pass
    with job_lock("demo_job"):
        pass


@pytest.mark.django_db
def test_a_run_that_finds_the_lock_taken_sends_nothing(agent, documents, django_capture_on_commit_callbacks):  # noqa: F811
    due_holders(agent, documents, 2)
    err = io.StringIO()
    with job_lock("cards_send_reminders"), django_capture_on_commit_callbacks(execute=True):
        call_command("cards_send_reminders", stdout=io.StringIO(), stderr=err)
    assert "did nothing" in err.getvalue()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("cards_send_reminders", stdout=io.StringIO(), stderr=io.StringIO())
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_once(agent, documents):  # noqa: F811
    cards = due_holders(agent, documents, 6)
    start = threading.Barrier(2)
    errors = []

    def run():
        try:
            start.wait(timeout=30)
            call_command("cards_send_reminders", stdout=io.StringIO(), stderr=io.StringIO())
        except Exception as error:  # noqa: BLE001 - reported to the test thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert sorted(message.to[0] for message in mail.outbox) == sorted(f"p{n}@example.org" for n in range(6))
    assert AuditEntry.objects.filter(action="cards.card.remind").count() == len(cards)
