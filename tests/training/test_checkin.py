"""Check-in with the code the trainer shows: a genuine code works once per person; a forged, altered
or expired code, or one voided by a new nonce, is refused and records nothing."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sanspeur.training import services, states, tokens
from sanspeur.training.models import Attendance, Session

from .conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(coordinator, required):
    return services.session_create(
        acting_user=coordinator,
        version=required.current,
        starts_at=timezone.now(),
        place="PDQ 38",
        trainer=coordinator,
        capacity=2,
        language="fr",
    )


@pytest.fixture
def trainee(coordinator, tree, required):
    return person(coordinator, tree["pdq38"], number="e-1234")


def test_a_genuine_code_checks_the_trainee_in_and_completes_the_course(session, trainee, client):
    token = tokens.issue(session)
    response = client.get(f"/fr/training/checkin/{token}/")
    assert response.status_code == 200 and not response.cookies
    response = client.post(f"/fr/training/checkin/{token}/", {"employee_number": " E-1234 "})
    assert response.status_code == 200 and 'id="checked-in"' in response.content.decode()
    completion = trainee.completions.get()
    assert completion.state == states.COMPLETED and completion.session == session
    assert completion.valid_until == services.add_months(timezone.localdate(session.starts_at), 24)
    # again: harmless
    services.attendance_checkin(acting_user=None, token=token, employee_number="E-1234")
    assert Attendance.objects.filter(session=session).count() == 1


def _forged(session):
    sid, expires, mac = tokens.issue(session).split(".")
    return [
        f"{sid}.{expires}.{'A' * len(mac)}",  # a made-up signature
        f"{sid}.{int(expires) + 3600}.{mac}",  # a later expiry, same signature
        f"{session.pk + 1}.{expires}.{mac}",  # another session
        f"{sid}.{expires}",
        "x" * 500,
    ]


def test_a_forged_or_altered_code_is_refused(session, trainee, client, coordinator):
    other = services.session_create(
        acting_user=coordinator,
        version=session.version,
        starts_at=timezone.now(),
        place="Ailleurs",
        trainer=None,
        capacity=5,
        language="en",
    )
    assert other.pk == session.pk + 1
    for token in _forged(session):
        assert tokens.session_for(token) is None, token
        with pytest.raises(ValidationError):
            services.attendance_checkin(acting_user=None, token=token, employee_number="E-1234")
        response = client.post(f"/fr/training/checkin/{token}/", {"employee_number": "E-1234"})
        assert response.status_code in (400, 404)
    assert not Attendance.objects.exists()
    assert trainee.completions.get().state == states.ASSIGNED


def test_an_expired_code_is_refused(session, trainee, client):
    token = tokens.issue(session, now=time.time() - tokens.LIFETIME_SECONDS - 1)
    assert tokens.session_for(token) is None
    response = client.post(f"/fr/training/checkin/{token}/", {"employee_number": "E-1234"})
    assert response.status_code == 400 and 'id="checkin-refused"' in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_new_nonce_voids_the_codes_already_shown(session, trainee):
    token = tokens.issue(session)
    Session.objects.filter(pk=session.pk).update(token_nonce="changed")
    with pytest.raises(ValidationError):
        services.attendance_checkin(acting_user=None, token=token, employee_number="E-1234")


def test_an_unknown_number_and_a_full_session_are_refused(session, coordinator, tree, trainee):
    token = tokens.issue(session)
    with pytest.raises(ValidationError):
        services.attendance_checkin(acting_user=None, token=token, employee_number="E-9999")
    person(coordinator, tree["pdq15"], number="E-2")
    person(coordinator, tree["pdq15"], number="E-3")
    services.attendance_checkin(acting_user=None, token=token, employee_number="E-1234")
    services.attendance_checkin(acting_user=None, token=token, employee_number="E-2")
    with pytest.raises(ValidationError):
        services.attendance_checkin(acting_user=None, token=token, employee_number="E-3")
    assert Attendance.objects.count() == 2


def test_guessing_employee_numbers_with_a_code_is_slowed_per_session(session, trainee, client, settings):
    """Someone holding the code cannot try numbers until one matches (and check a colleague in)."""
    from django.core.cache import cache

    cache.clear()
    settings.SANSPEUR_GUESS_FREE_MISSES = 3
    token = tokens.issue(session)
    url = f"/fr/training/checkin/{token}/"
    statuses = [client.post(url, {"employee_number": f"E-{n:04d}"}).status_code for n in range(5)]
    assert statuses[:3] == [400, 400, 400]
    assert statuses[3] == 429 or statuses[4] == 429
    limited = client.post(url, {"employee_number": "E-1234"})  # even the right number waits its turn
    assert limited.status_code == 429 and limited["Retry-After"]
    assert not Attendance.objects.exists()
    cache.clear()
