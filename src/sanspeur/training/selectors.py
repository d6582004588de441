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
from .models import (
    Completion,
    CourseVersion,
    CoverageSnapshot,
    Headcount,
    OutcomeFigure,
    Person,
    Registration,
    Requirement,
    Session,
    Unit,
)

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


def course_titles() -> dict[int, str]:
    """Each course's title (its latest version's, in the page's language)."""
    return _titles()


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


# --- Work queue (the dashboard's tile, accounts/dashboard.py) -------------------------------------
def units_below_target_count(*, acting_user, today: dt.date | None = None) -> int:
    """The units ``acting_user`` sees where at least one required course is under its target."""
    return sum(
        1
        for entry in coverage_for(acting_user=acting_user, today=today)
        if any(course.expected and not course.meets_target for course in entry.courses)
    )


def sessions_ahead_count(*, now: dt.datetime | None = None) -> int:
    """The sessions still to be held (a coordinator's follow-up: trainer, room, check-in)."""
    return Session.objects.filter(starts_at__gte=now or timezone.now()).count()


# --- Registrations ----------------------------------------------------------------------------------------
@dataclass
class RegistrationLine:
    registration: Registration
    name: str
    unit: Unit


def session_registrations(*, acting_user, session: Session) -> list[RegistrationLine] | None:
    """The trainees registered for ``session`` with their names, for the training coordinators
    (accounts/policy.py: they see every record); None for anyone else. Audited (a count)."""
    from sanspeur.accounts.policy import is_training_coordinator

    if not is_training_coordinator(acting_user):
        return None
    rows = session.registrations.select_related("person__data_key", "person__unit").order_by("person__unit__path", "pk")
    lines = [RegistrationLine(r, _name(r.person), r.person.unit) for r in rows[:1000]]
    if lines:
        with transaction.atomic():
            audit_entry_create(
                acting_user=acting_user,
                action="training.person.view",
                target=session,
                detail={"people": len(lines), "registrations": True},
            )
    return lines


def registration_counts(session: Session) -> dict[str, int]:
    counts = {state: 0 for state in (states.REGISTERED, states.ATTENDED, states.NO_SHOW, states.CANCELLED)}
    for row in session.registrations.values("state").annotate(n=Count("id")).order_by():
        counts[row["state"]] = row["n"]
    return counts


def people_to_register(*, unit: Unit | None, numbers: list[str], course_id: int, today: dt.date | None = None):
    """(people, unknown numbers): the active people of ``unit``'s subtree whose training in the course
    is missing, expiring or expired, and the people with the given employee numbers."""
    today = today or _today()
    found: dict[int, Person] = {}
    if unit is not None:
        valid = Q(
            completions__course_id=course_id,
            completions__state__in=[states.COMPLETED],
            completions__valid_until__gt=today + dt.timedelta(days=states.EXPIRING_DAYS),
        )
        exempt = Q(completions__course_id=course_id, completions__state=states.EXEMPT)
        for person in (
            Person.objects.filter(unit__path__startswith=unit.path, active=True).exclude(valid).exclude(exempt)
        ).order_by("pk")[:1000]:
            found[person.pk] = person
    unknown = []
    for number in numbers:
        person = Person.objects.filter(employee_index=services.employee_index(number), active=True).first()
        if person is None:
            unknown.append(number)
        else:
            found[person.pk] = person
    return list(found.values()), unknown


# --- Coverage over time ------------------------------------------------------------------------------------
def coverage_trend(unit: Unit, *, months: int = 12, today: dt.date | None = None) -> list[dict]:
    """Per course required in ``unit``: its monthly snapshots of the last ``months`` months (oldest
    first), as {"title", "points": [(month, percent, target)]}. Counts of the unit's subtree only."""
    today = today or _today()
    first = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    titles = _titles()
    series: dict[int, dict] = {}
    for snapshot in CoverageSnapshot.objects.filter(unit=unit, month__gte=first).order_by("course_id", "month"):
        entry = series.setdefault(snapshot.course_id, {"title": titles.get(snapshot.course_id, ""), "points": []})
        entry["points"].append((snapshot.month, snapshot.percent, snapshot.target))
    return list(series.values())
