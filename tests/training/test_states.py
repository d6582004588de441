"""The completion's life with a fixed clock: expiry (expiring ≤ 90 days, then expired), a new
version that requires a refresher, exemption; every state of the declared machine walked."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sanspeur.core.transitions import InvalidTransition
from sanspeur.training import selectors, services, states
from sanspeur.training.models import Completion

from .conftest import person

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 1, 10)


def completed(coordinator, unit, course, on=DAY, **kwargs):
    someone = person(coordinator, unit, **kwargs)
    completion = someone.completions.get(course=course)
    return services.completion_record(
        acting_user=coordinator, completion=completion, version=course.current, completed_on=on, score=90
    )


def test_a_completion_is_valid_for_the_refresh_interval_then_expiring_then_expired(coordinator, tree, required):
    completion = completed(coordinator, tree["pdq38"], required)
    assert completion.state == states.COMPLETED
    assert completion.valid_until == dt.date(2026, 1, 10)  # the police's 24 months
    assert completion.due_on == dt.date(2026, 2, 9)  # + 30 days of grace
    assert completion.state_on(dt.date(2025, 10, 11)) == states.COMPLETED  # 91 days before
    assert completion.state_on(dt.date(2025, 10, 12)) == states.EXPIRING  # 90 days before
    assert completion.state_on(dt.date(2026, 1, 10)) == states.EXPIRING  # the last valid day
    assert completion.state_on(dt.date(2026, 1, 11)) == states.EXPIRED
    # coverage compares the dates: right whether or not the daily job has run
    police = tree["police"].pk
    assert selectors.coverage_tree(today=dt.date(2026, 1, 10))[police].courses[0].covered == 1
    assert selectors.coverage_tree(today=dt.date(2026, 1, 11))[police].courses[0].covered == 0

    assert services.completion_age(acting_user=None, today=dt.date(2025, 10, 12)) == {"expired": 0, "expiring": 1}
    completion.refresh_from_db()
    assert completion.state == states.EXPIRING
    assert services.completion_age(acting_user=None, today=dt.date(2026, 1, 11)) == {"expired": 1, "expiring": 0}
    completion.refresh_from_db()
    assert completion.state == states.EXPIRED
    # a second run the same day finds nothing to do
    assert services.completion_age(acting_user=None, today=dt.date(2026, 1, 11)) == {"expired": 0, "expiring": 0}


def test_the_library_renews_every_twelve_months(coordinator, tree, required):
    completion = completed(coordinator, tree["library"], required)
    assert completion.valid_until == dt.date(2025, 1, 10)
    assert completion.due_on == dt.date(2025, 3, 11)  # 60 days of grace


def test_a_new_version_that_requires_a_refresher_expires_older_completions(coordinator, tree, required):
    old = completed(coordinator, tree["pdq38"], required, number="E1")
    untouched = person(coordinator, tree["pdq15"], number="E2").completions.get()
    version = services.version_publish(
        acting_user=coordinator,
        course=required,
        title_fr="Accès sans peur (2)",
        title_en="Access without fear (2)",
        modes=["in_person", "roll_call"],
        pass_mark=85,
        requires_refresher=True,
        refresher_within_days=120,
        published_on=dt.date(2024, 6, 1),
    )
    assert version.number == 2 and version.requires_refresher
    old.refresh_from_db()
    untouched.refresh_from_db()
    assert (old.state, old.due_on) == (states.EXPIRED, dt.date(2024, 9, 29))
    assert untouched.state == states.ASSIGNED  # not trained yet: nothing to expire
    # a refresher at the new version makes it valid again
    refreshed = services.completion_record(
        acting_user=coordinator, completion=old, version=version, completed_on=dt.date(2024, 7, 1), score=85
    )
    assert (refreshed.state, refreshed.version.number) == (states.COMPLETED, 2)
    # a version without refresher leaves completions alone
    services.version_publish(
        acting_user=coordinator, course=required, title_fr="3", title_en="3", modes=["virtual"], pass_mark=85
    )
    refreshed.refresh_from_db()
    assert refreshed.state == states.COMPLETED


def test_a_score_below_the_pass_mark_completes_nothing(coordinator, tree, required):
    completion = person(coordinator, tree["pdq38"]).completions.get()
    with pytest.raises(ValidationError):
        services.completion_record(
            acting_user=coordinator, completion=completion, version=required.current, completed_on=DAY, score=79
        )
    completion.refresh_from_db()
    assert completion.state == states.ASSIGNED and completion.valid_until is None


def test_an_exemption_has_a_reason_stops_completion_and_can_be_lifted(coordinator, tree, required):
    completion = person(coordinator, tree["pdq38"]).completions.get()
    with pytest.raises(ValidationError):
        services.completion_exempt(acting_user=coordinator, completion=completion, reason="because")
    exempt = services.completion_exempt(acting_user=coordinator, completion=completion, reason="long_leave")
    assert (exempt.state, exempt.exemption_reason) == (states.EXEMPT, "long_leave")
    with pytest.raises(InvalidTransition):
        services.completion_record(
            acting_user=coordinator, completion=exempt, version=required.current, completed_on=DAY, score=None
        )
    with pytest.raises(InvalidTransition):
        services.completion_exempt(acting_user=coordinator, completion=exempt, reason="leaving")
    tally = selectors.coverage_tree(today=DAY)[tree["pdq38"].pk].courses[0]
    assert (tally.exempt, tally.covered) == (1, 0)
    lifted = services.completion_lift_exemption(acting_user=coordinator, completion=exempt)
    assert (lifted.state, lifted.exemption_reason) == (states.ASSIGNED, "")
    with pytest.raises(InvalidTransition):
        services.completion_lift_exemption(acting_user=coordinator, completion=lifted)


def test_only_a_coordinator_writes(manager, coordinator, tree, required):
    completion = person(coordinator, tree["pdq38"]).completions.get()
    with pytest.raises(PermissionDenied):
        services.person_create(acting_user=manager, unit=tree["pdq38"], name="X", employee_number="")
    with pytest.raises(PermissionDenied):
        services.completion_exempt(acting_user=manager, completion=completion, reason="long_leave")
    with pytest.raises(PermissionDenied):
        services.completion_age(acting_user=manager)
    assert Completion.objects.get(pk=completion.pk).state == states.ASSIGNED


def test_every_state_of_the_machine_is_reached_and_left_as_declared():
    machine = states.COMPLETION
    assert machine.states == {states.ASSIGNED, states.COMPLETED, states.EXPIRING, states.EXPIRED, states.EXEMPT}
    assert machine.offered(states.ASSIGNED) == {"complete", "exempt"}
    assert machine.offered(states.COMPLETED) == {"complete", "near_expiry", "expire", "require_refresher", "exempt"}
    assert machine.offered(states.EXPIRING) == {"complete", "expire", "require_refresher", "exempt"}
    assert machine.offered(states.EXPIRED) == {"complete", "exempt"}
    assert machine.offered(states.EXEMPT) == {"lift_exemption"}
