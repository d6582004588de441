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
from django.utils.translation import ngettext

from sanspeur.accounts.policy import has_capability, may_manage_training
from sanspeur.core import vault
from sanspeur.core.actions import action, no_change, on_commit
from sanspeur.core.locks import lock_rows
from sanspeur.core.services import audit_entry_create

from . import states, tokens
from .imports import HeadcountRow, headcount_parse
from .models import (
    Attendance,
    AttendanceSheet,
    Completion,
    Course,
    CourseVersion,
    CoverageSnapshot,
    ExemptionReason,
    Headcount,
    Mode,
    OutcomeFigure,
    Person,
    Registration,
    Reminder,
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
def person_create(
    *,
    acting_user: User | None,
    unit: Unit,
    name: str,
    employee_number: str = "",
    email: str = "",
    language: str = "fr",
) -> Person:
    """A trainee; ``email`` (a work address, optional) is sealed with the name and used only for
    the trainee's reminders."""
    index = employee_index(employee_number) if employee_number.strip() else None
    if index and Person.objects.filter(employee_index=index).exists():
        raise ValidationError(_("Someone already has this employee number."))
    today = _today()
    person = Person.objects.create(
        unit=unit,
        data_key=vault.datakey_create(purpose=PERSON_PURPOSE),
        employee_index=index,
        created_on=today,
        language=language,
    )
    sealed = {"name": name, **({"email": email} if email else {})}
    person.sealed = vault.seal_fields(person.data_key, sealed, context=person_context(person))
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


class UnknownEmployeeNumber(CheckinRefused):
    """A number that is on no trainee's record: a wrong guess, counted per session (views.checkin)."""


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
        raise UnknownEmployeeNumber(_("This employee number is not on the training list. Ask the trainer."))
    session = _locked(Session, session.pk)
    existing = Attendance.objects.filter(session=session, person=person).first()
    if existing is not None:
        no_change()
        return existing
    if session.attendances.count() >= session.capacity:
        raise CheckinRefused(_("This session is full. Ask the trainer."))
    _attend(session, person, timezone.now())
    attendance = Attendance.objects.get(session=session, person=person)
    completion = Completion.objects.get(person=person, course_id=session.version.course_id)
    audit_entry_create(
        acting_user=acting_user,
        action="training.session.checkin",
        target=session,
        detail={"attendances": session.attendances.count(), "state": completion.state},
    )
    return attendance


# --- Registrations and no-shows ----------------------------------------------------------------------
def _active_registrations(session: Session) -> int:
    return session.registrations.filter(state__in=[states.REGISTERED, states.ATTENDED]).count()


@action("training.session.register", policy=may_manage_training)
def session_register(*, acting_user: User | None, session: Session, people: list[Person]) -> int:
    """Register trainees for a session that has not started: all of them or none (a full session or
    a trainee who left refuses the whole list). Registering someone already registered changes
    nothing; a cancelled registration is made again. How many were registered."""
    session = _locked(Session, session.pk)
    if session.starts_at <= timezone.now():
        raise ValidationError(_("This session has started: nobody can be registered any more."))
    if any(not person.active for person in people):
        raise ValidationError(_("A trainee on the list has left: take them off the list."))
    existing = {r.person_id: r for r in Registration.objects.filter(session=session, person__in=people)}
    new = [p for p in dict.fromkeys(people) if p.pk not in existing or existing[p.pk].state == states.CANCELLED]
    if _active_registrations(session) + len(new) > session.capacity:
        left = max(session.capacity - _active_registrations(session), 0)
        raise ValidationError(
            ngettext(
                "This session has %(left)s place left: register fewer people or schedule another session.",
                "This session has %(left)s places left: register fewer people or schedule another session.",
                left,
            )
            % {"left": left}
        )
    today = timezone.localdate()
    for person in new:
        again = existing.get(person.pk)
        if again is not None:
            again.state = states.REGISTRATION.check(again.state, "register_again")
            again.registered_on = today
            again.save(update_fields=["state", "registered_on"])
        else:
            Registration.objects.create(session=session, person=person, registered_on=today)
    if not new:
        no_change()
        return 0
    audit_entry_create(
        acting_user=acting_user,
        action="training.session.register",
        target=session,
        detail={"registered": len(new), "active": _active_registrations(session)},
    )
    return len(new)


@action("training.registration.cancel", policy=may_manage_training)
def registration_cancel(*, acting_user: User | None, registration: Registration) -> Registration:
    registration = _locked(Registration, registration.pk)
    registration.state = states.REGISTRATION.check(registration.state, "cancel")
    registration.save(update_fields=["state"])
    audit_entry_create(
        acting_user=acting_user,
        action="training.registration.cancel",
        target=registration.session,
        detail={"registration": registration.pk},
    )
    return registration


SHEET_PURPOSE = "training.sheet"
SHEET_MAX_BYTES = 10 * 1024 * 1024
SHEET_KINDS = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png"}


def sheet_context(sheet: AttendanceSheet) -> str:
    return f"training.sheet:{sheet.pk}"


def _sheet_kind(data: bytes) -> str | None:
    return next((kind for magic, kind in SHEET_KINDS.items() if data.startswith(magic)), None)


def _attend(session: Session, person: Person, at: dt.datetime) -> None:
    """Present at the session: attendance, the registration attended, the course completed at the
    session's version (an exemption stands). Shared by the QR check-in and the signed sheet."""
    Attendance.objects.get_or_create(session=session, person=person, defaults={"checked_in_at": at})
    completion, _created = Completion.objects.get_or_create(
        person=person, course_id=session.version.course_id, defaults={"assigned_on": timezone.localdate(at)}
    )
    completion = _locked(Completion, completion.pk)
    completion.person = person
    if completion.state != states.EXEMPT:
        _complete(completion, session.version, timezone.localdate(session.starts_at), session=session)
    registration = Registration.objects.filter(session=session, person=person).first()
    if registration is not None and states.REGISTRATION.can(registration.state, "attend"):
        registration.state = states.REGISTRATION.check(registration.state, "attend")
        registration.save(update_fields=["state"])


@action("training.session.sheet", policy=may_manage_training)
def attendance_sheet_record(
    *, acting_user: User | None, session: Session, data: bytes, employee_numbers: list[str]
) -> AttendanceSheet:
    """A session held without the QR: the scan of its signed sheet, sealed, and the employee numbers
    the coordinator read on it, each checked in. All or none: an unknown number, a file that is not
    a PDF, JPEG or PNG, or a session still to come records nothing."""
    session = _locked(Session, session.pk)
    if session.starts_at > timezone.now():
        raise ValidationError(_("A signed sheet is recorded once the session has taken place."))
    kind = _sheet_kind(data)
    if kind is None:
        raise ValidationError(_("Upload the scan as a PDF, JPEG or PNG file."))
    if len(data) > SHEET_MAX_BYTES:
        raise ValidationError(_("The scan may be at most 10 MB."))
    numbers = list(dict.fromkeys(number.strip() for number in employee_numbers if number.strip()))
    if not numbers:
        raise ValidationError(_("Type the employee numbers of the people who signed, one per line."))
    people, unknown = [], 0
    for number in numbers:
        person = Person.objects.filter(employee_index=employee_index(number), active=True).first()
        if person is None:
            unknown += 1
        else:
            people.append(person)
    if unknown:
        raise ValidationError(
            ngettext(
                "%(count)s employee number is not on the training list: nothing was recorded.",
                "%(count)s employee numbers are not on the training list: nothing was recorded.",
                unknown,
            )
            % {"count": unknown}
        )
    for person in people:
        _attend(session, person, session.starts_at)
    sheet = AttendanceSheet(
        session=session,
        data_key=vault.datakey_create(purpose=SHEET_PURPOSE),
        kind=kind,
        people=len(people),
        uploaded_by=acting_user,
        uploaded_on=_today(),
    )
    sheet.save()
    sheet.sealed = vault.seal_bytes(sheet.data_key, data, context=sheet_context(sheet))
    sheet.save(update_fields=["sealed"])
    audit_entry_create(
        acting_user=acting_user,
        action="training.session.sheet",
        target=session,
        detail={"people": len(people), "kind": kind, "sheet": sheet.pk},
    )
    return sheet


@action("training.sheet.forget", policy=_job_or_coordinator)
def sheets_forget(*, acting_user: User | None, today: dt.date | None = None) -> int:
    """The daily job: destroy the scans of signed sheets older than the individual records'
    retention period (their keys shredded, the rows deleted; the attendance they recorded stays
    until each person's own record is forgotten)."""
    from django.conf import settings

    today = today or _today()
    cutoff = today - dt.timedelta(days=settings.SANSPEUR_TRAINING_RETENTION_DAYS)
    sheets = lock_rows(AttendanceSheet.objects.filter(uploaded_on__lt=cutoff).select_related("data_key"))
    if not sheets:
        no_change()
        return 0
    vault.datakeys_shred([sheet.data_key for sheet in sheets])
    AttendanceSheet.objects.filter(pk__in=[sheet.pk for sheet in sheets]).delete()
    audit_entry_create(
        acting_user=acting_user,
        action="training.sheet.forget",
        object_type="training.attendancesheet",
        detail={"sheets": len(sheets), "uploaded_before": cutoff.isoformat()},
    )
    return len(sheets)


@action("training.session.no_shows", policy=_job_or_coordinator)
def sessions_mark_no_shows(*, acting_user: User | None, today: dt.date | None = None) -> int:
    """The daily job: in sessions held before ``today``, a trainee still only registered did not
    come. A later check-in (the trainer's list typed in afterwards) turns it into attended."""
    today = today or _today()
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    late = lock_rows(
        Registration.objects.filter(state=states.REGISTERED, session__starts_at__lt=start_of_today).order_by("pk")
    )
    for registration in late:
        registration.state = states.REGISTRATION.check(registration.state, "no_show")
    Registration.objects.bulk_update(late, ["state"])
    audit_entry_create(acting_user=acting_user, action="training.session.no_shows", detail={"no_shows": len(late)})
    return len(late)


# --- Coverage over time -------------------------------------------------------------------------------
@action("training.coverage.snapshot", policy=_job_or_coordinator)
def coverage_snapshot(*, acting_user: User | None, today: dt.date | None = None) -> int:
    """The daily job: on the first run of a month, keep every unit's coverage of each required course
    as of that day (counts only). Later runs of the month change nothing. How many rows were kept."""
    from .selectors import coverage_tree

    today = today or _today()
    month = today.replace(day=1)
    if CoverageSnapshot.objects.filter(month=month).exists():
        no_change()
        return 0
    rows = [
        CoverageSnapshot(
            unit_id=unit_id,
            course_id=course.course_id,
            month=month,
            expected=course.expected,
            covered=course.covered,
            target=course.target,
        )
        for unit_id, entry in coverage_tree(today=today).items()
        for course in entry.courses
    ]
    CoverageSnapshot.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    audit_entry_create(
        acting_user=acting_user, action="training.coverage.snapshot", detail={"month": str(month), "rows": len(rows)}
    )
    return len(rows)


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


# --- Reminders (training/reminders.py) -----------------------------------------------------------------
def _person_email(person: Person) -> str:
    try:
        return vault.open_fields(person.data_key, person.sealed, context=person_context(person)).get("email") or ""
    except vault.ShreddedError:
        return ""


def _reminder_message(language: str, items: list[tuple[str, str, dt.date]]) -> tuple[str, str]:
    from django.utils import translation

    lines = {
        "assigned": _("%(course)s: this course is assigned to you."),
        "due_30": _("%(course)s: complete it by %(date)s."),
        "due_7": _("%(course)s: complete it by %(date)s (within a week)."),
        "expiry_90": _("%(course)s: your completion expires on %(date)s; plan a refresher."),
        "expiry_30": _("%(course)s: your completion expires on %(date)s (within a month)."),
    }
    with translation.override(language):
        subject = _("Training on access without fear: what is due")
        body = "\n".join(str(lines[kind]) % {"course": course, "date": day.isoformat()} for kind, course, day in items)
        body += "\n\n" + _("Ask your manager or the city's training coordinators for the next session.")
    return str(subject), body


@action("training.reminder.person", policy=_job_or_coordinator)
def reminders_person(
    *, acting_user: User | None, person: Person, items: list[tuple[Completion, str, dt.date]], today: dt.date
) -> list[Reminder]:
    """Record the reminders of one person that were not sent yet, and e-mail the new ones (not
    ``overdue``, which goes to managers) in one message after the commit."""
    from django.db import IntegrityError, transaction

    created = []
    for completion, kind, about in items:
        try:
            with transaction.atomic():
                created.append(Reminder.objects.create(completion=completion, kind=kind, about=about, sent_on=today))
        except IntegrityError:
            continue
    if not created:
        no_change()
        return []
    titles = {}
    for reminder in created:
        version = reminder.completion.course.versions.order_by("-number").first()
        with _language(person.language):
            titles[reminder.completion.course_id] = version.title if version else reminder.completion.course.code
    mine = [(r.kind, titles[r.completion.course_id], r.about) for r in created if r.kind != "overdue"]
    email = _person_email(person) if mine else ""
    if email:
        subject, body = _reminder_message(person.language, mine)
        on_commit(lambda: _mail(subject, body, email))
    audit_entry_create(
        acting_user=acting_user,
        action="training.reminder.person",
        target=person,
        detail={"kinds": sorted({r.kind for r in created}), "emailed": bool(email)},
    )
    return created


@action("training.reminder.escalate", policy=_job_or_coordinator)
def reminders_escalate(*, acting_user: User | None, unit: Unit, overdue: dict[int, int]) -> int:
    """Tell the managers of ``unit`` and of the units above it how many people are newly overdue,
    per course: counts, never names. Returns the number of messages."""
    from django.utils import translation

    from sanspeur.accounts.selectors import staff_profile_get

    managers = {m.user for m in UnitManager.objects.filter(unit_id__in=unit.ancestor_ids()).select_related("user")}
    sent = 0
    for user in managers:
        if not user.is_active:
            continue
        email = staff_profile_get(acting_user=user, user=user).get("email")
        if not email:
            continue
        with translation.override(user.preferred_language or "fr"):
            unit_name = unit.name_en if (user.preferred_language == "en" and unit.name_en) else unit.name_fr
            subject = _("Training: people overdue in %(unit)s") % {"unit": unit_name}
            lines = []
            for course_id, count in sorted(overdue.items()):
                version = CourseVersion.objects.filter(course_id=course_id).order_by("-number").first()
                lines.append(
                    _("%(course)s: %(count)s newly overdue")
                    % {"course": version.title if version else "", "count": count}
                )
            body = (
                "\n".join(lines)
                + "\n\n"
                + _("The unit's page lists them: %(path)s")
                % {"path": f"/{user.preferred_language or 'fr'}/training/units/{unit.pk}/"}
            )
        on_commit(lambda s=str(subject), b=body, e=email: _mail(s, b, e))
        sent += 1
    audit_entry_create(
        acting_user=acting_user,
        action="training.reminder.escalate",
        target=unit,
        detail={"overdue": sum(overdue.values()), "messages": sent},
    )
    return sent


def _language(language: str):
    from django.utils import translation

    return translation.override(language)


def _mail(subject: str, body: str, email: str) -> None:
    import logging

    from sanspeur.core.privacy import mail_send

    problem = mail_send(subject, body, email)
    if problem:
        logging.getLogger(__name__).warning("training reminder not sent: %s", problem)


def reminders_run(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily run: every active person's due reminders, then the managers' counts."""
    from collections import defaultdict

    from django.db.models import Q

    from .reminders import due_reminders

    today = today or _today()
    horizon = today + dt.timedelta(days=states.EXPIRING_DAYS)
    candidates = (
        Completion.objects.filter(person__active=True)
        .exclude(state=states.EXEMPT)
        .filter(Q(state=states.ASSIGNED) | Q(valid_until__lte=horizon) | Q(state=states.EXPIRED, due_on__lt=today))
        .select_related("person__data_key", "person__unit", "course")
        .order_by("person_id", "id")
    )
    by_person: dict[int, list] = defaultdict(list)
    people: dict[int, Person] = {}
    for completion in candidates.iterator(chunk_size=2000):
        for kind, about in due_reminders(
            state=completion.state_on(today),
            assigned_on=completion.assigned_on,
            due_on=completion.due_on,
            valid_until=completion.valid_until,
            today=today,
        ):
            by_person[completion.person_id].append((completion, kind, about))
            people[completion.person_id] = completion.person
    outcomes = {"people": 0, "reminders": 0, "escalations": 0}
    overdue: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    units: dict[int, Unit] = {}
    for person_id, items in by_person.items():
        created = reminders_person(acting_user=None, person=people[person_id], items=items, today=today)
        if created:
            outcomes["people"] += 1
            outcomes["reminders"] += len(created)
        for reminder in created:
            if reminder.kind == "overdue":
                unit = people[person_id].unit
                units[unit.pk] = unit
                overdue[unit.pk][reminder.completion.course_id] += 1
    for unit_id, counts in overdue.items():
        outcomes["escalations"] += reminders_escalate(acting_user=None, unit=units[unit_id], overdue=dict(counts))
    return outcomes


# --- Leaving, and the retention limit of individual records ---------------------------------------------
@action("training.person.leave", policy=may_manage_training)
def person_leave(*, acting_user: User | None, person: Person) -> Person:
    """The person left: no more reminders, out of the headcount's records; the individual record
    is kept SANSPEUR_TRAINING_RETENTION_DAYS, then forgotten by the daily job."""
    person = _locked(Person, person.pk)
    if not person.active:
        no_change()
        return person
    person.active = False
    person.left_on = _today()
    person.save(update_fields=["active", "left_on"])
    audit_entry_create(acting_user=acting_user, action="training.person.leave", target=person, detail={})
    return person


@action("training.person.forget", policy=_job_or_coordinator)
def people_forget(*, acting_user: User | None, today: dt.date | None = None) -> int:
    """Forget the individual records of people who left more than the retention period ago: their
    data keys are destroyed (name, e-mail) and their completions, attendance and reminders deleted.
    Coverage and its history count people, so nothing published changes."""
    from django.conf import settings

    today = today or _today()
    cutoff = today - dt.timedelta(days=settings.SANSPEUR_TRAINING_RETENTION_DAYS)
    people = lock_rows(Person.objects.filter(active=False, left_on__lt=cutoff))
    if not people:
        no_change()
        return 0
    vault.datakeys_shred([person.data_key for person in people])
    Person.objects.filter(pk__in=[person.pk for person in people]).delete()
    audit_entry_create(
        acting_user=acting_user,
        action="training.person.forget",
        object_type="training.person",
        detail={"people": len(people), "left_before": cutoff.isoformat()},
    )
    return len(people)
