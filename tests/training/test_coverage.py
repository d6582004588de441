"""Coverage from fixtures: headcounts from HR, valid completions counted in SQL up the tree, exempt
people out of the denominator, overdue counts; the public aggregate rounded with small units
suppressed; the CSV export."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanspeur.training import selectors, services
from sanspeur.training.models import Completion, Headcount

from .conftest import person

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 2, 2)


@pytest.fixture
def world(coordinator, tree, required):
    period = dt.date(2026, 1, 1)
    for key, count in (("pdq38", 20), ("pdq15", 30), ("library", 8)):
        Headcount.objects.create(unit=tree[key], period=period, headcount=count)
    Headcount.objects.create(unit=tree["pdq38"], period=dt.date(2025, 1, 1), headcount=999)  # older: ignored
    Headcount.objects.create(unit=tree["pdq38"], period=dt.date(2026, 6, 1), headcount=999)  # future: ignored

    def trained(unit, n, on):
        for _ in range(n):
            completion = person(coordinator, tree[unit]).completions.get()
            services.completion_record(
                acting_user=coordinator, completion=completion, version=required.current, completed_on=on, score=None
            )

    trained("pdq38", 15, dt.date(2025, 6, 1))  # valid until 2027
    trained("pdq38", 2, dt.date(2023, 6, 1))  # expired in 2025
    trained("pdq15", 9, dt.date(2025, 6, 1))
    exempt = person(coordinator, tree["pdq15"]).completions.get()
    services.completion_exempt(acting_user=coordinator, completion=exempt, reason="long_leave")
    trained("library", 4, dt.date(2025, 6, 1))
    Completion.objects.filter(state="assigned").update(due_on=dt.date(2026, 1, 1))
    return tree


def test_coverage_per_unit_and_up_the_tree(world):
    coverage = selectors.coverage_tree(today=TODAY)
    pdq38 = coverage[world["pdq38"].pk].courses[0]
    assert (pdq38.headcount, pdq38.covered, pdq38.percent, pdq38.target, pdq38.meets_target) == (20, 15, 75, 95, False)
    assert pdq38.overdue == 2  # the two expired past their grace period
    pdq15 = coverage[world["pdq15"].pk].courses[0]
    assert (pdq15.expected, pdq15.covered, pdq15.percent) == (29, 9, 31)  # the exempt person is out
    police = coverage[world["police"].pk].courses[0]
    assert (police.headcount, police.exempt, police.covered, police.percent) == (50, 1, 24, 49)
    library = coverage[world["library"].pk].courses[0]
    assert (library.headcount, library.covered, library.percent, library.target) == (8, 4, 50, 90)


def test_the_coverage_query_count_does_not_grow_with_people(world, coordinator, required):
    with CaptureQueriesContext(connection) as first:
        selectors.coverage_tree(today=TODAY)
    for _ in range(10):
        person(coordinator, world["library"])
    with CaptureQueriesContext(connection) as second:
        selectors.coverage_tree(today=TODAY)
    assert 0 < len(first) == len(second) <= 5


def test_public_aggregate_rounds_and_suppresses_small_units(world):
    rows = {row["unit"]: row for row in selectors.coverage_by_service(today=TODAY)}
    assert set(rows) == {"Unité SPVM", "Unité SPVM-NORD", "Unité VILLE", "Unité VILLE-BIB"}  # one level below
    assert rows["Unité SPVM"]["headcount"] == 50 and rows["Unité SPVM"]["percent"] == 50  # 49 → 50
    assert rows["Unité VILLE"]["suppressed"] is True  # 8 people
    assert rows["Unité VILLE"]["headcount"] is None and rows["Unité VILLE"]["percent"] is None
    assert all("name" not in row for row in rows.values())


def test_csv_export(world, coordinator, mfa_client):
    response = mfa_client(coordinator).get("/en/training/coverage.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("unit_code,unit,depth,course,headcount")
    assert any(line.startswith("SPVM-PDQ38,Unit SPVM-PDQ38,2,") for line in lines)


def test_outcome_figures_are_for_a_whole_police_service(world, coordinator, mfa_client):
    from django.core.exceptions import ValidationError

    services.outcome_record(
        acting_user=coordinator,
        unit=world["police"],
        period_label="2023",
        period_start=dt.date(2023, 1, 1),
        count=1061,
        source="SPVM, published figures",
    )
    with pytest.raises(ValidationError):
        services.outcome_record(
            acting_user=coordinator,
            unit=world["pdq38"],
            period_label="2023",
            period_start=dt.date(2023, 1, 1),
            count=3,
            source="x",
        )
    page = mfa_client(coordinator).get("/en/training/").content.decode()
    assert "1061" in page and "SPVM, published figures" in page
