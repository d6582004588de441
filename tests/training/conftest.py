import datetime as dt

import pytest

from sanspeur.training import services

MONDAY = dt.date(2025, 3, 3)


@pytest.fixture
def coordinator(make_staff, city_organisation):
    return make_staff("tao.training", ["training_coordinator"], city_organisation)


@pytest.fixture
def manager(make_staff, city_organisation):
    return make_staff("mireille.pdq38", ["training_unit_manager"], city_organisation)


@pytest.fixture
def other_manager(make_staff, organisation):
    return make_staff("olivier.pdq15", ["training_unit_manager"], organisation)


@pytest.fixture
def tree(coordinator):
    """Police → region → two stations; city services → a library."""

    def unit(code, kind, parent=None):
        return services.unit_create(
            acting_user=coordinator,
            code=code,
            name_fr=f"Unité {code}",
            name_en=f"Unit {code}",
            kind=kind,
            parent=parent,
        )

    police = unit("SPVM", "police")
    north = unit("SPVM-NORD", "police", police)
    pdq38 = unit("SPVM-PDQ38", "police", north)
    pdq15 = unit("SPVM-PDQ15", "police", north)
    city = unit("VILLE", "city_service")
    library = unit("VILLE-BIB", "city_service", city)
    return {"police": police, "north": north, "pdq38": pdq38, "pdq15": pdq15, "city": city, "library": library}


@pytest.fixture
def course(coordinator):
    return services.course_create(
        acting_user=coordinator,
        code="acces-sans-peur",
        title_fr="Accès sans peur",
        title_en="Access without fear",
        modes=["in_person"],
        pass_mark=80,
    )


@pytest.fixture
def required(coordinator, tree, course):
    services.requirement_set(
        acting_user=coordinator, unit=tree["police"], course=course, refresh_months=24, grace_days=30, target_percent=95
    )
    services.requirement_set(
        acting_user=coordinator, unit=tree["city"], course=course, refresh_months=12, grace_days=60, target_percent=90
    )
    return course


def person(coordinator, unit, name="Zéphyrine Quasimodo", number=""):
    return services.person_create(acting_user=coordinator, unit=unit, name=name, employee_number=number)
