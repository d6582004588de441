"""Writes of the training app: one action per change (core/actions.py), authorised by
``accounts/policy.py``, checked against ``states.py``, audited with codes and counts only.

Bulk moves (a refresher required by a new version, the calendar's expiries) are single SQL
updates restricted to the states the declared machine allows them from.
"""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from sanspeur.accounts.policy import has_capability, may_manage_training
from sanspeur.core import vault
from sanspeur.core.actions import action, no_change
from sanspeur.core.locks import lock_rows
from sanspeur.core.services import audit_entry_create

from . import states, tokens
from .imports import HeadcountRow, headcount_parse
from .models import (
    Attendance,
    Completion,
    Course,
    CourseVersion,
    ExemptionReason,
    Headcount,
    Mode,
    OutcomeFigure,
    Person,
    Requirement,
    Session,
    Unit,
    UnitManager,
)

if TYPE_CHECKING:
    from sanspeur.accounts.models import User

PERSON_PURPOSE = "training.person"
EMPLOYEE_INDEX = "training.employee"
DEFAULT_REFRESH_MONTHS = 24
DEFAULT_GRACE_DAYS = 30


def _today() -> dt.date:
    return timezone.localdate()


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def person_context(person: Person) -> str:
    return f"training.person:{person.pk}"


def employee_index(number: str) -> str:
    return vault.blind_index(EMPLOYEE_INDEX, number.strip().upper())


def requirement_for(unit: Unit, course: Course) -> Requirement | None:
    """The requirement that applies in ``unit``: its own, or the nearest unit above it."""
    return (
        Requirement.objects.filter(unit_id__in=unit.ancestor_ids(), course=course)
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )


def _terms(unit: Unit, course: Course) -> tuple[int, int]:
    requirement = requirement_for(unit, course)
    if requirement is None:
        return DEFAULT_REFRESH_MONTHS, DEFAULT_GRACE_DAYS
    return requirement.refresh_months, requirement.grace_days


def _locked(model, pk):
    rows = lock_rows(model.objects.filter(pk=pk))
    if not rows:
        raise model.DoesNotExist(pk)
    return rows[0]


# --- Units, managers, headcounts ---------------------------------------------------------------------
@action("training.unit.create", policy=may_manage_training)
def unit_create(
    *, acting_user: User | None, code: str, name_fr: str, name_en: str = "", kind: str, parent: Unit | None
) -> Unit:
    code = code.strip().upper()
    if not code or Unit.objects.filter(code=code).exists():
        raise ValidationError(_("Another unit already has this code."))
    if kind not in Unit.Kind.values:
        raise ValidationError(_("Choose the kind of unit."))
    if parent is not None and parent.depth >= 6:
        raise ValidationError(_("The tree of units is at most seven levels deep."))
    unit = Unit.objects.create(code=code, name_fr=name_fr, name_en=name_en, kind=kind, parent=parent)
    unit.path = (parent.path if parent else "") + f"{unit.pk:06d}/"
    unit.depth = parent.depth + 1 if parent else 0
    unit.save(update_fields=["path", "depth"])
    audit_entry_create(
        acting_user=acting_user, action="training.unit.create", target=unit, detail={"kind": kind, "depth": unit.depth}
    )
    return unit


@action("training.unit.add_manager", policy=may_manage_training)
def unit_manager_add(*, acting_user: User | None, unit: Unit, user: User) -> UnitManager:
    if not has_capability(user, "follow_unit_training"):
        raise ValidationError(_("This account does not hold the role of unit manager."))
    manager, created = UnitManager.objects.get_or_create(unit=unit, user=user)
    if not created:
        no_change()
        return manager
    audit_entry_create(
        acting_user=acting_user, action="training.unit.add_manager", target=unit, detail={"user": user.pk}
    )
    return manager


@action("training.unit.remove_manager", policy=may_manage_training)
def unit_manager_remove(*, acting_user: User | None, unit: Unit, user: User) -> None:
    deleted, _rows = UnitManager.objects.filter(unit=unit, user=user).delete()
    if not deleted:
        no_change()
        return
    audit_entry_create(
        acting_user=acting_user, action="training.unit.remove_manager", target=unit, detail={"user": user.pk}
    )


@action("training.headcount.import", policy=may_manage_training)
def headcount_import(*, acting_user: User | None, text: str) -> list[HeadcountRow]:
    """Import an HR file (``imports.headcount_parse``): every row or none. A file with any bad row
    raises ValidationError with the list of bad rows, and nothing is written."""
    rows, errors = headcount_parse(text)
    if errors:
        raise ValidationError([error.message for error in errors])
    for row in rows:
        Headcount.objects.update_or_create(
            unit_id=row.unit_id, period=row.period, defaults={"headcount": row.headcount}
        )
    audit_entry_create(
        acting_user=acting_user,
        action="training.headcount.import",
        object_type="training.headcount",
        detail={"rows": len(rows), "units": len({row.unit_id for row in rows})},
    )
    return rows


# --- Courses and requirements ------------------------------------------------------------------------
def _version_checks(modes, pass_mark: int, elearning_url: str) -> list[str]:
    chosen = [mode for mode in Mode.values if mode in set(modes or ())]
    if not chosen or set(modes) - set(Mode.values):
        raise ValidationError(_("Choose at least one way of taking the course."))
    if not 0 < pass_mark <= 100:
        raise ValidationError(_("The pass mark is a percentage between 1 and 100."))
    if Mode.ELEARNING in chosen and not elearning_url:
        raise ValidationError(_("Give the link to the e-learning module."))
    return chosen


@action("training.course.create", policy=may_manage_training)
def course_create(*, acting_user: User | None, code: str, **version) -> Course:
    if Course.objects.filter(code=code).exists():
        raise ValidationError(_("Another course already has this code."))
    course = Course.objects.create(code=code)
    audit_entry_create(acting_user=acting_user, action="training.course.create", target=course)
    version_publish(acting_user=acting_user, course=course, requires_refresher=False, **version)
    return course


@action("training.version.publish", policy=may_manage_training)
def version_publish(
    *,
    acting_user: User | None,
    course: Course,
    title_fr: str,
    title_en: str,
    description_fr: str = "",
    description_en: str = "",
    modes: list[str],
    pass_mark: int,
    elearning_url: str = "",
    requires_refresher: bool = False,
    refresher_within_days: int = 180,
    published_on: dt.date | None = None,
) -> CourseVersion:
    """A new version of ``course``. With ``requires_refresher``, every valid completion of an older
    version expires now (one SQL update, from the states the machine allows) and is due within
    ``refresher_within_days``."""
    chosen = _version_checks(modes, pass_mark, elearning_url)
    course = _locked(Course, course.pk)
    published_on = published_on or _today()
    last = course.versions.order_by("-number").first()
    version = CourseVersion.objects.create(
        course=course,
        number=(last.number + 1) if last else 1,
        title_fr=title_fr,
        title_en=title_en,
        description_fr=description_fr,
        description_en=description_en,
        modes=chosen,
        elearning_url=elearning_url,
        pass_mark=pass_mark,
        requires_refresher=requires_refresher and last is not None,
        refresher_within_days=refresher_within_days,
        published_on=published_on,
    )
    expired = 0
    if version.requires_refresher:
        expired = (
            Completion.objects.filter(course=course, state__in=states.sources("require_refresher"))
            .exclude(version=version)
            .update(
                state=states.COMPLETION.check(states.COMPLETED, "require_refresher"),
                due_on=published_on + dt.timedelta(days=refresher_within_days),
            )
        )
    audit_entry_create(
        acting_user=acting_user,
        action="training.version.publish",
        target=version,
        detail={"number": version.number, "refresher": version.requires_refresher, "expired": expired},
    )
    return version


def _assign_missing(unit: Unit, course: Course, today: dt.date, grace_days: int) -> int:
    """Assign ``course`` to every active person of ``unit``'s subtree who has no completion of it."""
    people = (
        Person.objects.filter(unit__path__startswith=unit.path, active=True)
        .exclude(completions__course=course)
        .values_list("pk", flat=True)
    )
    due_on = today + dt.timedelta(days=grace_days)
    created = Completion.objects.bulk_create(
        [Completion(person_id=pk, course=course, assigned_on=today, due_on=due_on) for pk in people],
        batch_size=1000,
    )
    return len(created)


@action("training.requirement.set", policy=may_manage_training)
def requirement_set(
    *,
    acting_user: User | None,
    unit: Unit,
    course: Course,
    refresh_months: int,
    grace_days: int,
    target_percent: int,
) -> Requirement:
    if not (1 <= refresh_months <= 120 and 0 <= grace_days <= 730 and 1 <= target_percent <= 100):
        raise ValidationError(
            _(
                "Enter a refresh interval of 1 to 120 months, a grace period of 0 to 730 days"
                " and a target of 1 to 100 %."
            )
        )
    requirement, created = Requirement.objects.update_or_create(
        unit=unit,
        course=course,
        defaults={"refresh_months": refresh_months, "grace_days": grace_days, "target_percent": target_percent},
    )
    assigned = _assign_missing(unit, course, _today(), grace_days)
    audit_entry_create(
        acting_user=acting_user,
        action="training.requirement.set",
        target=requirement,
        detail={
            "created": created,
            "refresh_months": refresh_months,
            "grace_days": grace_days,
            "target": target_percent,
            "assigned": assigned,
        },
    )
    return requirement


# --- Trainees and completions ------------------------------------------------------------------------
@action("training.person.create", policy=may_manage_training)
def person_create(*, acting_user: User | None, unit: Unit, name: str, employee_number: str = "") -> Person:
    index = employee_index(employee_number) if employee_number.strip() else None
    if index and Person.objects.filter(employee_index=index).exists():
        raise ValidationError(_("Someone already has this employee number."))
    today = _today()
    person = Person.objects.create(
        unit=unit, data_key=vault.datakey_create(purpose=PERSON_PURPOSE), employee_index=index, created_on=today
    )
    person.sealed = vault.seal_fields(person.data_key, {"name": name}, context=person_context(person))
    person.save(update_fields=["sealed"])
    assigned = 0
    requirements = Requirement.objects.filter(unit_id__in=unit.ancestor_ids()).select_related("course")
    for course_id in {requirement.course_id for requirement in requirements}:
        _refresh, grace = _terms(unit, Course(pk=course_id))
        Completion.objects.create(
            person=person, course_id=course_id, assigned_on=today, due_on=today + dt.timedelta(days=grace)
        )
        assigned += 1
    audit_entry_create(
        acting_user=acting_user,
        action="training.person.create",
        target=person,
        detail={"unit": unit.pk, "assigned": assigned, "employee_number": bool(index)},
    )
    return person


def _complete(completion: Completion, version: CourseVersion, completed_on: dt.date, *, score=None, session=None):
    completion.state = states.COMPLETION.check(completion.state, "complete")
    refresh, grace = _terms(completion.person.unit, completion.course)
    completion.version = version
    completion.completed_on = completed_on
    completion.valid_until = add_months(completed_on, refresh)
    completion.due_on = completion.valid_until + dt.timedelta(days=grace)
    completion.score = score
    completion.session = session
    completion.exemption_reason = ""
    completion.save()


@action("training.completion.complete", policy=may_manage_training)
def completion_record(
    *,
    acting_user: User | None,
    completion: Completion,
    version: CourseVersion,
    completed_on: dt.date,
    score: int | None,
) -> Completion:
    """A completion recorded by a coordinator (an e-learning result, a roll-call briefing): the
    assessment's score must reach the version's pass mark."""
    completion = _locked(Completion, completion.pk)
    if version.course_id != completion.course_id:
        raise ValidationError(_("This version belongs to another course."))
    if completed_on > _today():
        raise ValidationError(_("The date of completion cannot be in the future."))
    if score is not None and score < version.pass_mark:
        raise ValidationError(_("The score is below the pass mark: the course is not completed."))
    previous = completion.state
    _complete(completion, version, completed_on, score=score)
    audit_entry_create(
        acting_user=acting_user,
        action="training.completion.complete",
        target=completion,
        detail={"from": previous, "to": completion.state, "version": version.number},
    )
    return completion


@action("training.completion.exempt", policy=may_manage_training)
def completion_exempt(*, acting_user: User | None, completion: Completion, reason: str) -> Completion:
    if reason not in ExemptionReason.values:
        raise ValidationError(_("Choose the reason for the exemption."))
    completion = _locked(Completion, completion.pk)
    previous = completion.state
    completion.state = states.COMPLETION.check(completion.state, "exempt")
    completion.exemption_reason = reason
    completion.save(update_fields=["state", "exemption_reason"])
    audit_entry_create(
        acting_user=acting_user,
        action="training.completion.exempt",
        target=completion,
        detail={"from": previous, "reason": reason},
    )
    return completion


@action("training.completion.lift_exemption", policy=may_manage_training)
def completion_lift_exemption(*, acting_user: User | None, completion: Completion) -> Completion:
    completion = _locked(Completion, completion.pk)
    completion.state = states.COMPLETION.check(completion.state, "lift_exemption")
    _refresh, grace = _terms(completion.person.unit, completion.course)
    completion.exemption_reason = ""
    completion.assigned_on = _today()
    completion.completed_on = completion.valid_until = None
    completion.due_on = completion.assigned_on + dt.timedelta(days=grace)
    completion.save()
    audit_entry_create(acting_user=acting_user, action="training.completion.lift_exemption", target=completion)
    return completion


def _job_or_coordinator(acting_user, **kwargs) -> bool:
    return acting_user is None or may_manage_training(acting_user, **kwargs)


@action("training.completion.age", policy=_job_or_coordinator)
def completion_age(*, acting_user: User | None, today: dt.date | None = None) -> dict[str, int]:
    """The calendar's moves, in SQL: expired past ``valid_until``, expiring within 90 days."""
    today = today or _today()
    expired = Completion.objects.filter(state__in=states.sources("expire"), valid_until__lt=today).update(
        state=states.EXPIRED
    )
    expiring = Completion.objects.filter(
        state__in=states.sources("near_expiry"),
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=states.EXPIRING_DAYS),
    ).update(state=states.EXPIRING)
    counts = {"expired": expired, "expiring": expiring}
    if not expired and not expiring:
        no_change()
        return counts
    audit_entry_create(
        acting_user=acting_user, action="training.completion.age", object_type="training.completion", detail=counts
    )
    return counts


# --- Sessions and check-in ---------------------------------------------------------------------------
@action("training.session.create", policy=may_manage_training)
def session_create(
    *,
    acting_user: User | None,
    version: CourseVersion,
    starts_at: dt.datetime,
    place: str,
    trainer: User | None,
    capacity: int,
    language: str,
) -> Session:
    if not 1 <= capacity <= 500:
        raise ValidationError(_("A session holds 1 to 500 people."))
    session = Session.objects.create(
        version=version,
        starts_at=starts_at,
        place=place,
        trainer=trainer,
        capacity=capacity,
        language=language,
        token_nonce=secrets.token_urlsafe(16),
    )
    audit_entry_create(
        acting_user=acting_user,
        action="training.session.create",
        target=session,
        detail={"version": version.pk, "capacity": capacity, "language": language},
    )
    return session


class CheckinRefused(ValidationError):
    """A check-in code that is forged, expired or for a full session; the message is translated."""


@action("training.session.checkin")
def attendance_checkin(*, acting_user: User | None, token: str, employee_number: str) -> Attendance:
    """A trainee at the session checks in with the code the trainer shows (a QR) and their employee
    number: attendance, and the course completed at the session's version. Refused: a code that
    is not genuine or has expired, an unknown number, a full session. Checking in twice is
    harmless (the same attendance)."""
    session = tokens.session_for(token)
    if session is None:
        raise CheckinRefused(_("This check-in code is not valid or has expired. Scan the code the trainer shows now."))
    number = (employee_number or "").strip()
    person = (
        Person.objects.filter(employee_index=employee_index(number), active=True).select_related("unit").first()
        if number
        else None
    )
    if person is None:
        raise CheckinRefused(_("This employee number is not on the training list. Ask the trainer."))
    session = _locked(Session, session.pk)
    existing = Attendance.objects.filter(session=session, person=person).first()
    if existing is not None:
        no_change()
        return existing
    if session.attendances.count() >= session.capacity:
        raise CheckinRefused(_("This session is full. Ask the trainer."))
    now = timezone.now()
    attendance = Attendance.objects.create(session=session, person=person, checked_in_at=now)
    completion, _created = Completion.objects.get_or_create(
        person=person,
        course_id=session.version.course_id,
        defaults={"assigned_on": timezone.localdate(now)},
    )
    completion = _locked(Completion, completion.pk)
    completion.person = person
    if completion.state != states.EXEMPT:  # attending is welcome; an exemption stands
        _complete(completion, session.version, timezone.localdate(session.starts_at), session=session)
    audit_entry_create(
        acting_user=acting_user,
        action="training.session.checkin",
        target=session,
        detail={"attendances": session.attendances.count(), "state": completion.state},
    )
    return attendance


# --- The outcome series ------------------------------------------------------------------------------
@action("training.outcome.record", policy=may_manage_training)
def outcome_record(
    *,
    acting_user: User | None,
    unit: Unit,
    period_label: str,
    period_start: dt.date,
    count: int,
    source: str,
    source_url: str = "",
) -> OutcomeFigure:
    if unit.kind != Unit.Kind.POLICE or unit.parent_id is not None:
        raise ValidationError(_("Outcome figures are entered for a police service as a whole, never below it."))
    if not source.strip():
        raise ValidationError(_("Give the source of the published figure."))
    figure, created = OutcomeFigure.objects.update_or_create(
        unit=unit,
        period_start=period_start,
        defaults={"period_label": period_label, "count": count, "source": source, "source_url": source_url},
    )
    audit_entry_create(
        acting_user=acting_user,
        action="training.outcome.record",
        target=figure,
        detail={"created": created, "count": count},
    )
    return figure
