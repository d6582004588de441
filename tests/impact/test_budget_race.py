"""The budget check is transactional: two statisticians preparing at the same moment, with room in
the year's budget for only one release, get one release and one refusal (PostgreSQL row lock).

To make the race real, each preparation pauses right after reading what is spent, until the other
has read it too (or a second has passed): without the budget row's lock both would read "nothing
spent" and both pass; with it, the second one reads only once the first has committed."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from sanspeur.impact import services
from sanspeur.impact.models import Release

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_preparations_at_once_never_spend_past_the_budget(
    figures, statistician, approver, make_staff, city_organisation, monkeypatch
):
    other = make_staff("stats.two", ["statistician"], city_organisation)
    services.budget_set(acting_user=approver, privacy_unit="person", year=2025, epsilon=Decimal("0.3"))
    figures["people"][""] = 500
    barrier = threading.Barrier(2)
    real_spent = services.spent

    def slow_spent(unit, year):
        value = real_spent(unit, year)
        try:
            barrier.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass
        return value

    monkeypatch.setattr(services, "spent", slow_spent)
    outcomes: list[str] = []
    lock = threading.Lock()

    def prepare(user, period):
        try:
            services.release_prepare(acting_user=user, indicator="test_people", period=period)
            result = "prepared"
        except ValidationError:
            result = "refused"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [
        threading.Thread(target=prepare, args=(statistician, "2025-Q1")),
        threading.Thread(target=prepare, args=(other, "2025-Q2")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["prepared", "refused"]
    assert Release.objects.count() == 1
    assert real_spent("person", 2025) == Decimal("0.25")
