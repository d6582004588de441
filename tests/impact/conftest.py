import pytest

YEAR = 2025


@pytest.fixture
def statistician(make_staff, city_organisation):
    return make_staff("stella.stats", ["statistician"], city_organisation)


@pytest.fixture
def approver(make_staff, city_organisation):
    return make_staff("arnaud.approves", ["statistics_approver"], city_organisation)


@pytest.fixture
def figures():
    """Throw-away indicators whose counts the test sets: figures["people"][area] = n.

    ``test_people`` (person-derived, city, quarters and years), ``test_boroughs`` (person-derived,
    boroughs, years), ``test_grantee`` (reported aggregate, boroughs, years)."""
    from sanspeur.impact import catalogue
    from sanspeur.impact.catalogue import BOROUGH, NOISY, QUARTER, REPORTED, YEAR, Indicator

    data: dict[str, dict[str, int | None]] = {"people": {"": 0}, "boroughs": {}, "grantee": {}}

    def counter(key):
        return lambda start, end: dict(data[key])

    made = [
        Indicator(
            code="test_people",
            title="people",
            definition="people",
            unit="people",
            source="test",
            count=counter("people"),
            privacy_unit="person",
            method=NOISY,
            periods=(QUARTER, YEAR),
        ),
        Indicator(
            code="test_boroughs",
            title="boroughs",
            definition="boroughs",
            unit="people",
            source="test",
            count=counter("boroughs"),
            privacy_unit="person",
            method=NOISY,
            periods=(YEAR,),
            geography=BOROUGH,
            epsilon={YEAR: 0.5},
        ),
        Indicator(
            code="test_grantee",
            title="grantee",
            definition="grantee",
            unit="people",
            source="test",
            count=counter("grantee"),
            privacy_unit="organisation",
            method=REPORTED,
            periods=(YEAR,),
            geography=BOROUGH,
        ),
    ]
    for indicator in made:
        catalogue.register(indicator)
    yield data
    for indicator in made:
        catalogue.unregister(indicator.code)


@pytest.fixture
def publish(statistician, approver):
    """publish("cards_issued", "2025-Q1") -> the published release."""
    from sanspeur.impact import services

    def run(indicator: str, period: str, **kwargs):
        release = services.release_prepare(acting_user=statistician, indicator=indicator, period=period, **kwargs)
        return services.release_approve(acting_user=approver, release=release)

    return run
