"""``load_demo`` publishes a year of releases (and a correction), and a second run adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from sanspeur.impact import catalogue, selectors, services
from sanspeur.impact.models import Release

pytestmark = pytest.mark.django_db


def test_load_demo_publishes_a_year_of_releases_within_the_budget():
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    last_year = timezone.localdate().year - 1
    published = set(selectors.published().values_list("indicator", "period"))
    for indicator in catalogue.indicators():
        for kind in indicator.periods:
            for period in catalogue.periods_of(last_year, kind):
                assert (indicator.code, period) in published
    assert len(selectors.errata()) == 1
    for unit in catalogue.PRIVACY_UNITS:
        assert services.spent(unit, last_year) <= catalogue.PRIVACY_UNITS[unit][1] or unit == "record"
    count = Release.objects.count()
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    assert Release.objects.count() == count
