"""Reminders: what each day calls for (pure), each sent once, trainees told in their language,
managers told counts without names."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from sanspeur.training import services, states
from sanspeur.training.models import Completion, Reminder
from sanspeur.training.reminders import due_reminders

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def _kinds(**kwargs):
    values = {"state": "assigned", "assigned_on": MONDAY, "due_on": None, "valid_until": None, "today": MONDAY}
    values.update(kwargs)
    return [kind for kind, _about in due_reminders(**values)]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"due_on": MONDAY + dt.timedelta(days=60)}, ["assigned"]),
        ({"due_on": MONDAY + dt.timedelta(days=30)}, ["assigned", "due_30"]),
        ({"due_on": MONDAY + dt.timedelta(days=8)}, ["assigned", "due_30"]),
        ({"due_on": MONDAY + dt.timedelta(days=7)}, ["assigned", "due_7"]),
        ({"due_on": MONDAY}, ["assigned", "due_7"]),
        ({"due_on": MONDAY - dt.timedelta(days=1)}, ["overdue"]),
        ({"state": "completed", "valid_until": MONDAY + dt.timedelta(days=91)}, []),
        ({"state": "expiring", "valid_until": MONDAY + dt.timedelta(days=90)}, ["expiry_90"]),
        ({"state": "expiring", "valid_until": MONDAY + dt.timedelta(days=30)}, ["expiry_30"]),
        (
            {"state": "expired", "valid_until": MONDAY - dt.timedelta(days=2), "due_on": MONDAY + dt.timedelta(days=5)},
            [],
        ),
        (
            {
                "state": "expired",
                "valid_until": MONDAY - dt.timedelta(days=40),
                "due_on": MONDAY - dt.timedelta(days=10),
            },
            ["overdue"],
        ),
        ({"state": "exempt", "due_on": MONDAY - dt.timedelta(days=10)}, []),
    ],
)
def test_what_a_day_calls_for(kwargs, expected):
    assert _kinds(**kwargs) == expected


@pytest.fixture
def trainee(coordinator, tree, required):
    return services.person_create(
        acting_user=coordinator,
        unit=tree["pdq38"],
        name="Zéphyrine Quasimodo",
        email="zephyrine@police.example",
        language="es",
    )


def test_a_trainee_gets_one_message_in_their_language_and_never_twice(
    trainee, mailoutbox, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.reminders_run(today=today)
    assert first["people"] == 1 and first["reminders"] == 2  # assigned, due within 30 days
    assert [m.to for m in mailoutbox] == [["zephyrine@police.example"]]
    assert "Access without fear" in mailoutbox[0].body or "Accès sans peur" in mailoutbox[0].body
    assert "Zéphyrine" not in mailoutbox[0].body  # the message is for the person; it need not name her
    with django_capture_on_commit_callbacks(execute=True):
        second = services.reminders_run(today=today)
    assert second == {"people": 0, "reminders": 0, "escalations": 0}
    assert len(mailoutbox) == 1


def test_the_spanish_reminder_is_in_spanish(trainee, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_run(today=timezone.localdate())
    assert mailoutbox[0].subject.startswith("Formación")


def test_overdue_people_are_counted_to_the_managers_above_never_named(
    coordinator, manager, tree, trainee, mailoutbox, django_capture_on_commit_callbacks
):
    services.unit_manager_add(acting_user=coordinator, unit=tree["north"], user=manager)
    Completion.objects.filter(person=trainee).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.reminders_run(today=timezone.localdate())
    assert outcome["escalations"] == 1
    to_manager = [m for m in mailoutbox if m.to == [f"{manager.username}@example.org"]]
    assert len(to_manager) == 1
    assert "1" in to_manager[0].body and "Zéphyrine" not in to_manager[0].body + to_manager[0].subject
    assert not [m for m in mailoutbox if m.to == ["zephyrine@police.example"]]  # overdue: the manager acts
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_run(today=timezone.localdate())
    assert len([m for m in mailoutbox if m.to == [f"{manager.username}@example.org"]]) == 1


def test_a_renewed_completion_is_reminded_again_before_its_new_expiry(coordinator, trainee, required):
    completion = Completion.objects.get(person=trainee)
    today = timezone.localdate()
    Completion.objects.filter(pk=completion.pk).update(
        state=states.EXPIRING, valid_until=today + dt.timedelta(days=20), due_on=today + dt.timedelta(days=50)
    )
    services.reminders_run(today=today)
    assert set(Reminder.objects.values_list("kind", flat=True)) >= {"expiry_30"}
    Completion.objects.filter(pk=completion.pk).update(valid_until=today + dt.timedelta(days=25))
    services.reminders_run(today=today)
    assert Reminder.objects.filter(kind="expiry_30").count() == 2  # a new date: a new reminder


def test_without_an_e_mail_the_reminders_are_recorded_and_nothing_is_sent(
    coordinator, tree, required, mailoutbox, django_capture_on_commit_callbacks
):
    services.person_create(acting_user=coordinator, unit=tree["library"], name="Sans Courriel")
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_run(today=timezone.localdate())
    assert Reminder.objects.exists() and not mailoutbox


def test_an_exempt_trainee_gets_nothing(coordinator, trainee, mailoutbox, django_capture_on_commit_callbacks):
    services.completion_exempt(
        acting_user=coordinator, completion=Completion.objects.get(person=trainee), reason="long_leave"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_run(today=timezone.localdate())
    assert not mailoutbox and not Reminder.objects.exists()


def test_the_daily_job_ages_then_reminds_under_its_lock(trainee, capsys):
    call_command("training_daily")
    out = capsys.readouterr().out
    assert "reminders=2" in out and "expired=" in out


# --- Leaving and the retention limit ---------------------------------------------------------------------
def test_a_person_who_left_gets_no_reminder_and_is_forgotten_after_the_retention_period(
    coordinator, trainee, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from sanspeur.core.models import DataKey
    from sanspeur.training.models import Person

    services.person_leave(acting_user=coordinator, person=trainee)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_run(today=timezone.localdate())["reminders"] == 0
    assert not mailoutbox
    settings.SANSPEUR_TRAINING_RETENTION_DAYS = 30
    today = timezone.localdate()
    assert services.people_forget(acting_user=None, today=today + dt.timedelta(days=30)) == 0  # not yet
    key_id = trainee.data_key_id
    assert services.people_forget(acting_user=None, today=today + dt.timedelta(days=31)) == 1
    assert not Person.objects.filter(pk=trainee.pk).exists()
    assert not Completion.objects.filter(person_id=trainee.pk).exists()
    assert DataKey.objects.get(pk=key_id).shredded_on is not None


def test_only_a_coordinator_records_a_departure(manager, trainee):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.person_leave(acting_user=manager, person=trainee)
    trainee.refresh_from_db()
    assert trainee.active
