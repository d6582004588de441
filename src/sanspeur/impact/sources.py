"""The built-in indicators and the read-only queries behind them.

Each count reads another app's tables without changing them. Where that app has a selector with
the figure for a period it is used (training's ``coverage_by_service``); the others had none that
takes a period, so the query is written here, read-only, and named in the method page:

- cards issued: distinct holders given a card in the period (a renewal or a replacement in the
  same period counts the person once, so one person moves the count by at most one);
- clinics held and people served: the clinics' events and their anonymous tallies;
- protection cases: only cases whose reporter consented to be counted (as protection's own
  ``statistics``), never a shredded one;
- directory services: active services with a public location in each borough;
- outside requests: only requests already in the published register (a request still under a
  non-disclosure order must not show, even as a count: outside_requests.selectors.transparency).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from sanspeur.core.boroughs import BOROUGHS

from . import catalogue
from .catalogue import BOROUGH, EXACT, NOISY, REPORTED, YEAR, Indicator


def _by_borough(found: dict[str, int]) -> dict[str, int | None]:
    return {name: int(found.get(name, 0)) for name in BOROUGHS}


def cards_issued(start: dt.date, end: dt.date) -> dict[str, int | None]:
    from sanspeur.cards.models import Card

    holders = Card.objects.filter(issued_at__date__gte=start, issued_at__date__lte=end).values("holder").distinct()
    return {"": holders.count()}


def clinics_held(start: dt.date, end: dt.date) -> dict[str, int | None]:
    from sanspeur.clinics.models import Event

    rows = (
        Event.objects.filter(date__gte=start, date__lte=end, is_published=True)
        .values("borough")
        .annotate(n=Count("id"))
    )
    return _by_borough({row["borough"]: row["n"] for row in rows})


def people_served(start: dt.date, end: dt.date) -> dict[str, int | None]:
    from sanspeur.clinics.models import Tally

    rows = (
        Tally.objects.filter(event__date__gte=start, event__date__lte=end, kind__in=("booked", "walk_in"))
        .values("event__borough")
        .annotate(n=Sum("count"))
    )
    return _by_borough({row["event__borough"]: row["n"] or 0 for row in rows})


def protection_cases(start: dt.date, end: dt.date) -> dict[str, int | None]:
    from sanspeur.protection.models import Case

    counted = Case.objects.filter(stats_consent=True, received_on__gte=start, received_on__lte=end).exclude(
        state=Case.State.SHREDDED
    )
    return {"": counted.count()}


def directory_services(start: dt.date, end: dt.date) -> dict[str, int | None]:
    from sanspeur.directory.models import ServiceAtLocation

    rows = (
        ServiceAtLocation.objects.filter(service__status="active", location__is_confidential=False)
        .values("location__borough__name")
        .annotate(n=Count("service", distinct=True))
    )
    return _by_borough({row["location__borough__name"]: row["n"] for row in rows})


def training_coverage(start: dt.date, end: dt.date) -> dict[str, int | None]:
    """Per service (a root of the tree) and course: the share of staff trained, already rounded
    to 5 % and withheld for small units by training's own selector."""
    from django.utils import translation

    from sanspeur.training.selectors import coverage_by_service

    cells: dict[str, int | None] = {}
    with translation.override("fr"):  # the names of units and courses, as entered, in French (frozen)
        for row in coverage_by_service(today=end, depth=0):
            cells[f"{row['unit']} · {row['course']}"] = None if row["suppressed"] else row["percent"]
    return cells


def outside_requests_received(start: dt.date, end: dt.date) -> dict[str, int | None]:
    from sanspeur.outside_requests.models import OutsideRequest

    published = OutsideRequest.objects.filter(
        state=OutsideRequest.State.PUBLISHED, received_on__gte=start, received_on__lte=end
    )
    return {"": published.count()}


def register_builtin() -> None:
    register = catalogue.register
    register(
        Indicator(
            code="cards_issued",
            title=_("People who received a city card"),
            definition=_(
                "People given a city card during the period; a renewal or a replacement in the same period counts once."
            ),
            unit=_("people"),
            source="cards.Card.issued_at → holder",
            count=cards_issued,
            privacy_unit="person",
            method=NOISY,
            upper=200_000,
        )
    )
    register(
        Indicator(
            code="clinics_held",
            title=_("Clinics held"),
            definition=_("Published clinic days held during the period, by borough."),
            unit=_("clinics"),
            source="clinics.Event.date, clinics.Event.borough",
            count=clinics_held,
            privacy_unit="record",
            method=EXACT,
            periods=(YEAR,),
            geography=BOROUGH,
            base=1,
        )
    )
    register(
        Indicator(
            code="people_served",
            title=_("Visits to clinics"),
            definition=_("People served at a clinic, with a booking or walking in, by borough of the clinic."),
            unit=_("visits"),
            source="clinics.Tally (booked, walk_in)",
            count=people_served,
            privacy_unit="visit",
            method=NOISY,
            periods=(YEAR,),
            geography=BOROUGH,
            sensitivity=4,  # one booking code holds at most a few places
            upper=100_000,
            epsilon={YEAR: 1.0},
        )
    )
    register(
        Indicator(
            code="protection_cases",
            title=_("Protection cases"),
            definition=_("Reports to the protection unit whose reporter agreed to be counted."),
            unit=_("cases"),
            source="protection.Case.received_on, protection.Case.stats_consent",
            count=protection_cases,
            privacy_unit="person",
            method=NOISY,
            periods=(YEAR,),
            upper=10_000,
        )
    )
    register(
        Indicator(
            code="directory_services",
            title=_("Services in the directory"),
            definition=_("Active services with a public address, by borough, on the day the figure was prepared."),
            unit=_("services"),
            source="directory.ServiceAtLocation → Location.borough",
            count=directory_services,
            privacy_unit="record",
            method=EXACT,
            periods=(YEAR,),
            geography=BOROUGH,
            base=1,
        )
    )
    register(
        Indicator(
            code="training_coverage",
            title=_("Staff trained on access without fear"),
            definition=_(
                "Share of each service's staff whose training is up to date at the end of the period, per course."
            ),
            unit=_("per cent"),
            source="training.selectors.coverage_by_service",
            count=training_coverage,
            privacy_unit="staff",
            method=REPORTED,
            periods=(YEAR,),
            threshold=0,
            additive=False,
            area_language="fr",
        )
    )
    register(
        Indicator(
            code="outside_requests",
            title=_("Requests for data received"),
            definition=_(
                "Requests for residents' data from police, agencies or courts, received during the period "
                "(once in the published register)."
            ),
            unit=_("requests"),
            source="outside_requests.OutsideRequest.received_on (published)",
            count=outside_requests_received,
            privacy_unit="record",
            method=EXACT,
            base=1,
        )
    )
