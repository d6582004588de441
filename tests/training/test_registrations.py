"""Registration for a session and no-shows (issue 20, item 3): a coordinator registers trainees (all
or none: capacity, people who left), a check-in makes a registration attended, the daily job marks
those who did not come, a late check-in corrects it; nobody else may register or see the list."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from sanspeur.core.models import AuditEntry
from sanspeur.training import selectors, services, states, tokens
from sanspeur.training.models import Registration

from .conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(coordinator, required):
    return services.session_create(
        acting_user=coordinator,
        version=required.current,
        starts_at=timezone.now() + dt.timedelta(days=2),
        place="PDQ 38",
        trainer=coordinator,
        capacity=2,
        language="fr",
    )


@pytest.fixture
def trainees(coordinator, tree, required):
    return [person(coordinator, tree["pdq38"], name=f"Personne {n}", number=f"R-{n}") for n in range(3)]


def test_registering_respects_capacity_all_or_none(coordinator, session, trainees):
    with pytest.raises(ValidationError):
        services.session_register(acting_user=coordinator, session=session, people=trainees)
    assert not Registration.objects.exists()
    assert services.session_register(acting_user=coordinator, session=session, people=trainees[:2]) == 2
    assert services.session_register(acting_user=coordinator, session=session, people=trainees[:2]) == 0  # again
    with pytest.raises(ValidationError):
        services.session_register(acting_user=coordinator, session=session, people=trainees[2:])
    registration = Registration.objects.get(person=trainees[0])
    services.registration_cancel(acting_user=coordinator, registration=registration)
    assert services.session_register(acting_user=coordinator, session=session, people=trainees[2:]) == 1
    assert selectors.registration_counts(session) == {"registered": 2, "attended": 0, "no_show": 0, "cancelled": 1}


def test_only_coordinators_register(manager, session, trainees):
    with pytest.raises(PermissionDenied):
        services.session_register(acting_user=manager, session=session, people=trainees[:1])
    assert not Registration.objects.exists()


def test_nobody_is_registered_for_a_session_that_started_or_who_left(coordinator, session, trainees):
    services.person_leave(acting_user=coordinator, person=trainees[0])
    trainees[0].refresh_from_db()
    with pytest.raises(ValidationError):
        services.session_register(acting_user=coordinator, session=session, people=trainees[:2])
    session.starts_at = timezone.now() - dt.timedelta(minutes=5)
    session.save()
    with pytest.raises(ValidationError):
        services.session_register(acting_user=coordinator, session=session, people=trainees[1:2])
    assert not Registration.objects.exists()


def test_check_in_attends_the_job_marks_no_shows_and_a_late_check_in_corrects_it(coordinator, session, trainees):
    services.session_register(acting_user=coordinator, session=session, people=trainees[:2])
    session.starts_at = timezone.now() - dt.timedelta(hours=1)
    session.save()
    services.attendance_checkin(acting_user=None, token=tokens.issue(session), employee_number="R-0")
    assert Registration.objects.get(person=trainees[0]).state == states.ATTENDED
    # the same day: nobody is a no-show yet
    assert services.sessions_mark_no_shows(acting_user=None) == 0
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert services.sessions_mark_no_shows(acting_user=None, today=tomorrow) == 1
    assert Registration.objects.get(person=trainees[1]).state == states.NO_SHOW
    assert services.sessions_mark_no_shows(acting_user=None, today=tomorrow) == 0  # idempotent
    services.attendance_checkin(acting_user=None, token=tokens.issue(session), employee_number="R-1")
    assert Registration.objects.get(person=trainees[1]).state == states.ATTENDED


def test_the_no_show_job_is_not_a_page_s(manager):
    with pytest.raises(PermissionDenied):
        services.sessions_mark_no_shows(acting_user=manager)


def test_people_to_register_are_those_whose_training_is_missing_or_ending(coordinator, tree, required, session):
    missing = person(coordinator, tree["pdq38"], name="A", number="N-1")
    trained = person(coordinator, tree["pdq15"], name="B", number="N-2")
    completion = trained.completions.get()
    services.completion_record(
        acting_user=coordinator,
        completion=completion,
        version=required.current,
        completed_on=timezone.localdate(),
        score=None,
    )
    people, unknown = selectors.people_to_register(unit=tree["north"], numbers=["N-2", "nope"], course_id=required.pk)
    assert missing in people and trained in people and unknown == ["nope"]  # N-2 typed: registered anyway
    people, _ = selectors.people_to_register(unit=tree["north"], numbers=[], course_id=required.pk)
    assert missing in people and trained not in people


def test_the_session_page_registers_and_lists_names_audited(client, mfa_client, coordinator, session, trainees):
    client = mfa_client(coordinator)
    with translation.override("fr"):
        url = reverse("training:session_register", args=[session.pk])
        page_url = reverse("training:session_detail", args=[session.pk])
    bad = client.post(url, {"register-numbers": "R-0\nUNKNOWN"})
    assert bad.status_code == 400 and not Registration.objects.exists()
    empty = client.post(url, {})
    assert empty.status_code == 400
    assert client.post(url, {"register-numbers": "R-0\nR-1"}).status_code == 302
    page = client.get(page_url).content.decode()
    assert "Personne 0" in page and "Personne 1" in page
    entry = AuditEntry.objects.filter(action="training.person.view").latest("id")
    assert entry.detail == {"people": 2, "registrations": True}


def test_a_manager_sees_no_registration_list(manager, session, trainees, coordinator):
    services.session_register(acting_user=coordinator, session=session, people=trainees[:1])
    assert selectors.session_registrations(acting_user=manager, session=session) is None
