"""Individual records: the training coordinators and the managers of the person's unit (or of a
unit above it) see them; a manager of another unit sees no individual, whatever the page."""

import pytest

from sanspeur.accounts import policy
from sanspeur.training import selectors, services

from .conftest import person

pytestmark = pytest.mark.django_db

NAME = "Zéphyrine Quasimodo"


@pytest.fixture
def people(coordinator, tree, required, manager, other_manager):
    services.unit_manager_add(acting_user=coordinator, unit=tree["pdq38"], user=manager)
    services.unit_manager_add(acting_user=coordinator, unit=tree["pdq15"], user=other_manager)
    return person(coordinator, tree["pdq38"], name=NAME)  # assigned, never trained: overdue soon


def test_the_rule(people, tree, coordinator, manager, other_manager, make_staff, city_organisation):
    assert policy.sees_training_records(coordinator, tree["pdq38"])
    assert policy.sees_training_records(manager, tree["pdq38"])
    assert not policy.sees_training_records(other_manager, tree["pdq38"])
    assert not policy.sees_training_records(manager, tree["north"])  # above their unit: no
    assert not policy.sees_training_records(manager, tree["library"])
    auditor = make_staff("awa.audit", ["auditor"], city_organisation)
    assert not policy.sees_training_records(auditor, tree["pdq38"])
    assert selectors.people_of_unit(acting_user=other_manager, unit=tree["pdq38"]) is None
    lines = selectors.people_of_unit(acting_user=manager, unit=tree["pdq38"])
    assert [line.name for line in lines] == [NAME]


def test_a_manager_of_another_unit_sees_no_individual(people, tree, other_manager, mfa_client, settings):
    client = mfa_client(other_manager)
    for path in (f"/fr/training/units/{tree['pdq38'].pk}/", f"/fr/training/units/{tree['north'].pk}/", "/fr/training/"):
        response = client.get(path)
        assert response.status_code == 200
        assert NAME not in response.content.decode()
    assert client.get(f"/fr/training/units/{tree['pdq38'].pk}/").content.decode().count('id="not-yours"') == 1
    csv_text = client.get("/fr/training/coverage.csv").content.decode()
    assert "SPVM-PDQ38" not in csv_text and "SPVM-PDQ15" in csv_text
    assert client.get(f"/fr/training/people/{people.pk}/").status_code == 403


def test_the_units_manager_sees_the_overdue_list(people, tree, manager, mfa_client):
    from sanspeur.training.models import Completion

    Completion.objects.update(due_on="2020-01-01")
    response = mfa_client(manager).get(f"/fr/training/units/{tree['pdq38'].pk}/")
    assert response.status_code == 200 and NAME in response.content.decode()
    # the manager sees their unit's coverage, not the rest of the tree
    home = mfa_client(manager).get("/fr/training/").content.decode()
    assert f"unit-{tree['pdq38'].pk}-course" in home and f"unit-{tree['pdq15'].pk}-course" not in home
