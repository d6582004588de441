"""Reads of the training app. Coverage is counted by the database (a handful of aggregate queries,
whatever the number of people), then added up the tree of units; individual records are read
only for those ``accounts/policy.py`` lets see them, and each reading is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from sanspeur.accounts.policy import scope_training_units, sees_training_records
from sanspeur.core import vault
from sanspeur.core.services import audit_entry_create, audit_read

from . import services, states
from .models import Completion, CourseVersion, Headcount, OutcomeFigure, Person, Requirement, Session, Unit

#: Public figures: a unit smaller than this shows no number (one person's training would show).
SMALL_UNIT = 10


def _today() -> dt.date:
    return timezone.localdate()


@dataclass
class CourseCoverage:
    course_id: int
    title: str
    target: int
    headcount: int = 0
    exempt: int = 0
    covered: int = 0
    overdue: int = 0

    @property
    def expected(self) -> int:
        return max(self.headcount - self.exempt, 0)

    @property
    def percent(self) -> int | None:
        if not self.expected:
            return None
        return min(100, round(100 * self.covered / self.expected))

    @property
    def meets_target(self) -> bool:
        return self.percent is not None and self.percent >= self.target


@dataclass
class UnitCoverage:
    unit: Unit
    headcount: int
    courses: list[CourseCoverage] = field(default_factory=list)


def _titles() -> dict[int, str]:
    titles: dict[int, str] = {}
    for version in CourseVersion.objects.order_by("course_id", "-number"):
        titles.setdefault(version.course_id, version.title)
    return titles


def coverage_tree(*, today: dt.date | None = None) -> dict[int, UnitCoverage]:
    """Coverage of every unit (its subtree) for every course required there, on ``today``.

    Three aggregate queries — latest headcount per unit, completions counted by unit, course and
    state, the requirements — then sums up the tree in Python over units, never over people.
    """
    today = today or _today()
    latest = (
        Headcount.objects.filter(unit=OuterRef("pk"), period__lte=today).order_by("-period").values("headcount")[:1]
    )
    units = list(Unit.objects.annotate(own_headcount=Subquery(latest)).order_by("path"))
    valid = Q(state__in=states.VALID, valid_until__gte=today)
    counts = (
        Completion.objects.filter(person__active=True)
        .values("person__unit_id", "course_id")
        .annotate(
            covered=Count("id", filter=valid),
            exempt=Count("id", filter=Q(state=states.EXEMPT)),
            overdue=Count("id", filter=Q(due_on__lt=today) & ~Q(state=states.EXEMPT) & ~valid),
        )
        .order_by()
    )
    requirements: dict[int, dict[int, Requirement]] = {}
    for requirement in Requirement.objects.all():
        requirements.setdefault(requirement.unit_id, {})[requirement.course_id] = requirement

    by_id = {unit.pk: unit for unit in units}
    headcount = {unit.pk: unit.own_headcount or 0 for unit in units}
    tallies: dict[int, dict[int, list[int]]] = {unit.pk: {} for unit in units}
    for row in counts:
        tally = tallies.setdefault(row["person__unit_id"], {}).setdefault(row["course_id"], [0, 0, 0])
        tally[0] += row["covered"]
        tally[1] += row["exempt"]
        tally[2] += row["overdue"]
    for unit in sorted(units, key=lambda u: -u.depth):  # children before parents
        if unit.parent_id in by_id:
            headcount[unit.parent_id] += headcount[unit.pk]
            parent = tallies[unit.parent_id]
            for course_id, (covered, exempt, overdue) in tallies[unit.pk].items():
                sums = parent.setdefault(course_id, [0, 0, 0])
                sums[0] += covered
                sums[1] += exempt
                sums[2] += overdue

    titles = _titles()
    result: dict[int, UnitCoverage] = {}
    for unit in units:
        effective: dict[int, Requirement] = {}
        for ancestor in unit.ancestor_ids():  # root first: the nearest requirement wins
            effective.update(requirements.get(ancestor, {}))
        entry = UnitCoverage(unit=unit, headcount=headcount[unit.pk])
        for course_id, requirement in sorted(effective.items()):
            covered, exempt, overdue = tallies[unit.pk].get(course_id, [0, 0, 0])
            entry.courses.append(
                CourseCoverage(
                    course_id=course_id,
                    title=titles.get(course_id, ""),
                    target=requirement.target_percent,
                    headcount=headcount[unit.pk],
                    exempt=exempt,
                    covered=covered,
                    overdue=overdue,
                )
            )
        result[unit.pk] = entry
    return result


def coverage_for(*, acting_user, today: dt.date | None = None) -> list[UnitCoverage]:
    """The coverage rows ``acting_user`` may see (accounts/policy.py), in tree order."""
    visible = set(scope_training_units(Unit.objects.all(), acting_user=acting_user).values_list("pk", flat=True))
    if not visible:
        return []
    return [entry for pk, entry in coverage_tree(today=today).items() if pk in visible]


def coverage_by_service(*, today: dt.date | None = None, depth: int = 1) -> list[dict]:
    """For public reporting: each service (a tree's root) and the units just below it, per course,
    with the headcount rounded to ten and the coverage to five per cent; a unit of fewer than
    ten people shows neither (``suppressed``). Never a person, never a unit's exact count."""
    rows = []
    for entry in coverage_tree(today=today).values():
        if entry.unit.depth > depth:
            continue
        for course in entry.courses:
            small = course.expected < SMALL_UNIT
            rows.append(
                {
                    "unit": entry.unit.name,
                    "kind": entry.unit.kind,
                    "depth": entry.unit.depth,
                    "course": course.title,
                    "target": course.target,
                    "suppressed": small,
                    "headcount": None if small else 10 * round(course.headcount / 10),
                    "percent": None if small or course.percent is None else 5 * round(course.percent / 5),
                }
            )
    return rows


def outcome_series() -> dict[int, list[OutcomeFigure]]:
    """Published outcome figures by police service (a root unit)."""
    series: dict[int, list[OutcomeFigure]] = {}
    for figure in OutcomeFigure.objects.order_by("period_start"):
        series.setdefault(figure.unit_id, []).append(figure)
    return series


# --- Individual records ---------------------------------------------------------------------------
@dataclass
class PersonLine:
    person: Person
    name: str
    unit: Unit
    completion: Completion | None
    state: str


def _name(person: Person) -> str:
    try:
        return vault.open_fields(person.data_key, person.sealed, context=services.person_context(person))["name"]
    except vault.VaultError:
        return "—"


def people_of_unit(
    *, acting_user, unit: Unit, overdue_only: bool = False, today: dt.date | None = None, limit: int = 300
):
    """The people of ``unit``'s subtree with their completions, for those who may see individual
    records (accounts/policy.py): None for anyone else. The reading is audited (one entry, a count)."""
    if not sees_training_records(acting_user, unit):
        return None
    today = today or _today()
    completions = Completion.objects.filter(person__unit__path__startswith=unit.path, person__active=True)
    if overdue_only:
        valid = Q(state__in=states.VALID, valid_until__gte=today)
        completions = completions.filter(due_on__lt=today).exclude(state=states.EXEMPT).exclude(valid)
    completions = completions.select_related("person__data_key", "person__unit", "course").order_by(
        "person__unit__path", "person_id", "course_id"
    )[:limit]
    lines = [PersonLine(c.person, _name(c.person), c.person.unit, c, c.state_on(today)) for c in completions]
    with transaction.atomic():
        audit_entry_create(
            acting_user=acting_user,
            action="training.person.view",
            target=unit,
            detail={"people": len({line.person.pk for line in lines}), "overdue_only": overdue_only},
        )
    return lines


def person_get(*, acting_user, pk) -> tuple[Person, str] | None:
    person = Person.objects.filter(pk=pk).select_related("unit", "data_key").first()
    if person is None or not sees_training_records(acting_user, person.unit):
        return None
    audit_read(acting_user=acting_user, target=person)
    return person, _name(person)


def sessions_upcoming(*, since: dt.datetime | None = None) -> list[Session]:
    since = since or timezone.now() - dt.timedelta(days=30)
    return list(
        Session.objects.filter(starts_at__gte=since)
        .select_related("version__course", "trainer")
        .annotate(present=Count("attendances"))
        .order_by("starts_at")
    )
