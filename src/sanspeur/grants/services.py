"""Writes of the funding program, each one an action of the kernel (core/actions.py): one durable
transaction, the policy (accounts/policy.py, section 6c) asked first, an audit entry with ids,
states and amounts only. Refusals the person can act on are ``ValidationError`` with a translated
message; a stale page (a state that moved) is ``InvalidTransition``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sanspeur.accounts import policy
from sanspeur.accounts.models import Organisation, User
from sanspeur.accounts.services import organisation_create, staff_user_create
from sanspeur.core import vault
from sanspeur.core.actions import action, no_change, on_commit
from sanspeur.core.locks import lock_rows
from sanspeur.core.services import audit_entry_create

from . import states
from .models import (
    CENT,
    MAX_MONEY,
    ZERO,
    Amendment,
    AmendmentKind,
    ApplicantProfile,
    Application,
    Assignment,
    Attachment,
    BudgetCategory,
    BudgetLine,
    Call,
    CommitteeMeeting,
    Criterion,
    Indicator,
    Partner,
    Question,
    Report,
    ReportReminder,
    Score,
    ServiceType,
    SignedAgreement,
    Spending,
    Tranche,
)
from .uploads import MAX_FILES

APPLICANT_ROLE = "grant_applicant"
SECTIONS = ("project_title", "summary", "need", "activities", "outcomes", "borough")
REQUIRED_SECTIONS = ("project_title", "summary", "need", "activities", "outcomes")


class EnvelopeExceeded(ValidationError):
    """Approving this amount would commit more than the call's envelope."""


# --- Policies ------------------------------------------------------------------------------------------
def _manages(acting_user, **_kwargs) -> bool:
    return acting_user is None or policy.manages_grants(acting_user)


def _applies(acting_user, *, application: Application | None = None, **_kwargs) -> bool:
    if acting_user is None:
        return True
    if application is None:
        return policy.applies_for_grants(acting_user)
    return policy.may_edit_application(acting_user, application.organisation_id)


def _signs_up(acting_user, **_kwargs) -> bool:
    return acting_user is None or not getattr(acting_user, "is_authenticated", False)


def _own_assignment(acting_user, *, assignment: Assignment, **_kwargs) -> bool:
    return acting_user is not None and policy.reviews_grants(acting_user) and assignment.reviewer_id == acting_user.pk


def _locked_call(call_id) -> Call:
    return lock_rows(Call.objects.filter(pk=call_id))[0]


def _locked_application(application_id) -> Application:
    return lock_rows(Application.objects.select_related("call").filter(pk=application_id))[0]


def _texts(fr: str, en: str) -> dict:
    return {"fr": fr.strip(), "en": en.strip()}


# --- Calls -----------------------------------------------------------------------------------------------
def _check_call(call: Call) -> None:
    call.full_clean(exclude=["state"])
    if call.closes_on < call.opens_on or call.decision_on < call.closes_on:
        raise ValidationError(_("The dates must follow each other: opening, closing, decision."))
    if not call.title.get("fr") or not call.title.get("en"):
        raise ValidationError(_("Give the title in French and in English."))


@action("grants.call.create", policy=_manages)
def call_create(
    *,
    acting_user: User | None,
    code: str,
    title_fr: str,
    title_en: str,
    summary_fr: str = "",
    summary_en: str = "",
    body_fr: str = "",
    body_en: str = "",
    envelope: Decimal,
    max_per_project: Decimal,
    first_year: int,
    last_year: int,
    opens_on: dt.date,
    closes_on: dt.date,
    decision_on: dt.date,
    eligibility: list[dict] | None = None,
    blind_review: bool = False,
) -> Call:
    call = Call(
        code=code,
        title=_texts(title_fr, title_en),
        summary=_texts(summary_fr, summary_en),
        body=_texts(body_fr, body_en),
        envelope=envelope,
        max_per_project=max_per_project,
        first_year=first_year,
        last_year=last_year,
        opens_on=opens_on,
        closes_on=closes_on,
        decision_on=decision_on,
        eligibility=list(eligibility or []),
        blind_review=blind_review,
    )
    if call.max_per_project > call.envelope:
        raise ValidationError(_("The maximum per project cannot be more than the envelope."))
    _check_call(call)
    call.save()
    audit_entry_create(
        acting_user=acting_user,
        action="grants.call.create",
        target=call,
        detail={"envelope": str(call.envelope), "max": str(call.max_per_project)},
    )
    return call


@action("grants.call.update", policy=_manages)
def call_update(*, acting_user: User | None, call: Call, **fields) -> Call:
    """Texts, amounts and dates of a draft call (a published call is a promise: it is not edited)."""
    current = _locked_call(call.pk)
    if current.state != states.DRAFT:
        raise ValidationError(_("Only a draft call can be changed."))
    for name in ("title", "summary", "body"):
        if f"{name}_fr" in fields:
            setattr(current, name, _texts(fields.pop(f"{name}_fr"), fields.pop(f"{name}_en", "")))
    for name, value in fields.items():
        if name not in (
            "envelope",
            "max_per_project",
            "first_year",
            "last_year",
            "opens_on",
            "closes_on",
            "decision_on",
            "eligibility",
            "blind_review",
        ):
            raise TypeError(name)
        setattr(current, name, value)
    if current.max_per_project > current.envelope:
        raise ValidationError(_("The maximum per project cannot be more than the envelope."))
    _check_call(current)
    current.save()
    audit_entry_create(acting_user=acting_user, action="grants.call.update", target=current)
    return current


@action("grants.call.transition", policy=_manages)
def call_transition(*, acting_user: User | None, call: Call, move: str) -> Call:
    current = _locked_call(call.pk)
    target = states.CALL.check(current.state, move)
    if move == "publish":
        if not current.criteria.exists():
            raise ValidationError(_("Add the criteria of the rubric before publishing."))
        if sum(current.criteria.values_list("weight", flat=True)) != 100:
            raise ValidationError(_("The weights of the criteria must add up to 100."))
    old, current.state = current.state, target
    current.save(update_fields=["state"])
    audit_entry_create(
        acting_user=acting_user, action="grants.call.transition", target=current, detail={"old": old, "new": target}
    )
    return current


@action("grants.call.criterion_add", policy=_manages)
def criterion_add(
    *,
    acting_user: User | None,
    call: Call,
    title_fr: str,
    title_en: str,
    weight: int,
    anchors: dict[str, dict[str, str]],
) -> Criterion:
    current = _locked_call(call.pk)
    if current.state != states.DRAFT:
        raise ValidationError(_("Only a draft call can be changed."))
    used = sum(current.criteria.values_list("weight", flat=True))
    if used + weight > 100:
        raise ValidationError(_("The weights of the criteria must add up to 100."))
    criterion = Criterion.objects.create(
        call=current,
        position=current.criteria.count() + 1,
        title=_texts(title_fr, title_en),
        weight=weight,
        anchors={key: {"fr": value.get("fr", ""), "en": value.get("en", "")} for key, value in anchors.items()},
    )
    criterion.full_clean()
    audit_entry_create(
        acting_user=acting_user,
        action="grants.call.criterion_add",
        target=current,
        detail={"criterion": criterion.pk, "weight": weight},
    )
    return criterion


@action("grants.call.question_publish", policy=_manages)
def question_publish(
    *, acting_user: User | None, call: Call, question_fr: str, question_en: str, answer_fr: str, answer_en: str
) -> Question:
    if call.state == states.DRAFT:
        raise ValidationError(_("Publish the call before its questions and answers."))
    question = Question.objects.create(
        call=call,
        question=_texts(question_fr, question_en),
        answer=_texts(answer_fr, answer_en),
        published_on=timezone.localdate(),
    )
    audit_entry_create(
        acting_user=acting_user, action="grants.call.question_publish", target=call, detail={"question": question.pk}
    )
    return question


@action("grants.call.minutes", policy=_manages)
def committee_minutes_record(
    *, acting_user: User | None, call: Call, held_on: dt.date, members: str, minutes: str
) -> CommitteeMeeting:
    """The minutes of a committee meeting, once the review has started (they record decisions);
    never dated in the future. Kept as written: a correction is a new meeting's minutes."""
    call = _locked_call(call.pk)
    if call.state not in (states.REVIEWING, states.DECIDED, states.ARCHIVED):
        raise ValidationError(_("Minutes are recorded once the review has started."))
    if held_on > timezone.localdate():
        raise ValidationError(_("A meeting's date cannot be in the future."))
    meeting = CommitteeMeeting.objects.create(
        call=call,
        held_on=held_on,
        members=members.strip(),
        minutes=minutes.strip(),
        recorded_by=acting_user,
        recorded_on=timezone.localdate(),
    )
    audit_entry_create(
        acting_user=acting_user, action="grants.call.minutes", target=call, detail={"meeting": meeting.pk}
    )
    return meeting


# --- Applicant organisations -------------------------------------------------------------------------------
@action("grants.applicant.signup", policy=_signs_up)
def applicant_signup(
    *,
    acting_user: User | None,
    organisation_name: str,
    borough: str,
    registration_number: str,
    mission: str,
    language: str,
    username: str,
    password: str,
    contact_name: str,
    email: str,
) -> User:
    """A new applicant organisation and its first account, which holds the applicant role only (the
    holding rules of policy.ROLE_TABLE refuse any other role to an applicant organisation's account).
    The account signs in with its password, then enrols its authenticator (accounts' TOTP)."""
    if Organisation.objects.filter(name__iexact=organisation_name).exists():
        raise ValidationError({"organisation_name": _("An organisation with this name has already signed up.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken. Choose another one.")})
    organisation = organisation_create(
        acting_user=None, name=organisation_name, kind=Organisation.Kind.APPLICANT, borough=borough
    )
    ApplicantProfile.objects.create(
        organisation=organisation, registration_number=registration_number, mission=mission, language=language
    )
    user = staff_user_create(
        acting_user=None,
        username=username,
        password=password,
        organisation=organisation,
        roles=[APPLICANT_ROLE],
        full_name=contact_name,
        email=email,
        temporary_password=False,
    )
    type(user).objects.filter(pk=user.pk).update(preferred_language=language)
    audit_entry_create(
        acting_user=None, action="grants.applicant.signup", target=organisation, detail={"account": user.pk}
    )
    return user


# --- Applications ----------------------------------------------------------------------------------------
def _editable(application: Application) -> Application:
    current = _locked_application(application.pk)
    if current.state not in states.EDITABLE:
        raise ValidationError(_("This application can no longer be changed."))
    return current


@action("grants.application.create", policy=_applies)
def application_create(
    *, acting_user: User | None, call: Call, organisation: Organisation, language: str = "fr"
) -> Application:
    if organisation is None or organisation.kind != Organisation.Kind.APPLICANT:
        raise ValidationError(_("Only an applicant organisation can apply."))
    if acting_user is not None and acting_user.organisation_id != organisation.pk:
        raise PermissionDenied("another organisation")
    current = _locked_call(call.pk)
    # The server's command line (acting_user None) enters a paper application, or the demo's, on
    # any day the call is published; an applicant applies between the opening and closing dates.
    in_window = current.opens_on <= timezone.localdate() <= current.closes_on
    if current.state != states.PUBLISHED or (acting_user is not None and not in_window):
        raise ValidationError(_("This call is not open for applications."))
    existing = Application.objects.filter(call=current, organisation=organisation).exclude(state=states.WITHDRAWN)
    if existing.exists():
        no_change()
        return existing.first()
    profile = ApplicantProfile.objects.filter(organisation=organisation).first()
    application = Application.objects.create(
        call=current,
        organisation=organisation,
        language=language if language in ("fr", "en") else "fr",
        borough=organisation.borough,
        data_key=vault.datakey_create(purpose="grants.application"),
    )
    audit_entry_create(
        acting_user=acting_user,
        action="grants.application.create",
        target=application,
        detail={"call": current.pk, "profile": profile.pk if profile else None},
    )
    return application


@action("grants.application.save", policy=_applies)
def application_save(
    *, acting_user: User | None, application: Application, sections: dict[str, str], eligibility: list[str]
) -> Application:
    """Save a draft: any section may be empty until submission (the form's "save draft")."""
    current = _editable(application)
    codes = {item["code"] for item in current.call.eligibility}
    for name, value in sections.items():
        if name not in SECTIONS:
            raise TypeError(name)
        setattr(current, name, value)
    current.eligibility = sorted(set(eligibility) & codes)
    current.full_clean(exclude=["data_key", "call", "organisation"])
    current.save()
    audit_entry_create(acting_user=acting_user, action="grants.application.save", target=current)
    return current


@action("grants.application.partner", policy=_applies)
def partner_set(
    *,
    acting_user: User | None,
    application: Application,
    name: str = "",
    contribution: str = "",
    remove: int | None = None,
) -> None:
    current = _editable(application)
    if remove is not None:
        deleted, _rows = Partner.objects.filter(application=current, pk=remove).delete()
        if not deleted:
            no_change()
            return
    else:
        if current.partners.count() >= 20:
            raise ValidationError(_("A coalition may list at most 20 partners."))
        Partner.objects.create(application=current, name=name, contribution=contribution)
    audit_entry_create(
        acting_user=acting_user,
        action="grants.application.partner",
        target=current,
        detail={"removed": remove is not None, "partners": current.partners.count()},
    )


@action("grants.application.budget", policy=_applies)
def budget_line_set(
    *, acting_user: User | None, application: Application, category: str, year: int, amount: Decimal
) -> None:
    """Set one cell of the budget (category × year); an amount of zero removes it."""
    current = _editable(application)
    if category not in BudgetCategory.values:
        raise ValidationError(_("Choose a category of the list."))
    if year not in current.call.years:
        raise ValidationError(_("Choose a year of the project."))
    if amount < ZERO:
        raise ValidationError(_("Enter an amount of zero or more."))
    if amount == ZERO:
        BudgetLine.objects.filter(application=current, category=category, year=year).delete()
    else:
        BudgetLine.objects.update_or_create(
            application=current, category=category, year=year, defaults={"amount": amount}
        )
    audit_entry_create(
        acting_user=acting_user,
        action="grants.application.budget",
        target=current,
        detail={"category": category, "year": year, "amount": str(amount)},
    )


def attachment_context(attachment: Attachment, part: str) -> str:
    return f"grants.attachment:{attachment.application_id}:{attachment.pk}:{part}"


@action("grants.application.attach", policy=_applies)
def attachment_add(
    *, acting_user: User | None, application: Application, name: str, kind: str, data: bytes
) -> Attachment:
    current = _editable(application)
    if current.attachments.count() >= MAX_FILES:
        raise ValidationError(_("An application may have at most %(n)s files.") % {"n": MAX_FILES})
    attachment = Attachment.objects.create(application=current, kind=kind, size=len(data))
    attachment.sealed = vault.seal_bytes(current.data_key, data, context=attachment_context(attachment, "content"))
    attachment.sealed_name = vault.seal_bytes(
        current.data_key, (name or "")[:200].encode(), context=attachment_context(attachment, "name")
    )
    attachment.save(update_fields=["sealed", "sealed_name"])
    audit_entry_create(
        acting_user=acting_user,
        action="grants.application.attach",
        target=current,
        detail={"attachment": attachment.pk, "kind": kind, "size": len(data)},
    )
    return attachment


def requested_total(application: Application) -> Decimal:
    return application.budget_lines.aggregate(total=Sum("amount"))["total"] or ZERO


def submission_problems(application: Application) -> list[str]:
    """What still stops a submission, in the applicant's words (empty: ready)."""
    problems = []
    labels = {
        "project_title": _("Give the project a title."),
        "summary": _("Write the summary."),
        "need": _("Describe the need."),
        "activities": _("Describe the activities."),
        "outcomes": _("Describe the expected results."),
    }
    problems += [labels[name] for name in REQUIRED_SECTIONS if not getattr(application, name).strip()]
    codes = {item["code"] for item in application.call.eligibility}
    if codes - set(application.eligibility):
        problems.append(_("Confirm every eligibility condition."))
    total = requested_total(application)
    if total <= ZERO:
        problems.append(_("Enter the budget."))
    elif total > application.call.max_per_project:
        problems.append(_("The budget asks for more than the maximum per project."))
    return problems


@action("grants.application.submit", policy=_applies)
def application_submit(*, acting_user: User | None, application: Application) -> Application:
    current = _locked_application(application.pk)
    states.APPLICATION.check(current.state, "submit")
    if current.call.state != states.PUBLISHED and current.state == states.DRAFT:
        raise ValidationError(_("This call is not open for applications."))
    problems = submission_problems(current)
    if problems:
        raise ValidationError(problems)
    current.state, current.submitted_on = states.SUBMITTED, timezone.localdate()
    current.save(update_fields=["state", "submitted_on", "updated_at"])
    audit_entry_create(
        acting_user=acting_user,
        action="grants.application.submit",
        target=current,
        detail={"requested": str(requested_total(current))},
    )
    return current


@action("grants.application.withdraw", policy=_applies)
def application_withdraw(*, acting_user: User | None, application: Application) -> Application:
    current = _locked_application(application.pk)
    old, current.state = current.state, states.APPLICATION.check(current.state, "withdraw")
    current.save(update_fields=["state", "updated_at"])
    audit_entry_create(
        acting_user=acting_user, action="grants.application.withdraw", target=current, detail={"old": old}
    )
    return current


# --- Screening and review ---------------------------------------------------------------------------------
@action("grants.application.screen", policy=_manages)
def application_screen(*, acting_user: User | None, application: Application, move: str) -> Application:
    """``screen`` (take a submitted application), then ``eligible``, ``ineligible`` or ``ask_information``."""
    if move not in ("screen", "eligible", "ineligible", "ask_information"):
        raise ValueError(move)
    current = _locked_application(application.pk)
    old, current.state = current.state, states.APPLICATION.check(current.state, move)
    current.save(update_fields=["state", "updated_at"])
    audit_entry_create(
        acting_user=acting_user,
        action="grants.application.screen",
        target=current,
        detail={"old": old, "new": current.state},
    )
    return current


@action("grants.review.assign", policy=_manages)
def reviewer_assign(*, acting_user: User | None, application: Application, reviewer: User) -> Assignment:
    current = _locked_application(application.pk)
    if current.state not in states.IN_REVIEW:
        raise ValidationError(_("Reviewers are assigned once the application is eligible."))
    if not policy.reviews_grants(reviewer):
        raise ValidationError(_("This person is not a reviewer."))
    assignment, created = Assignment.objects.get_or_create(application=current, reviewer=reviewer)
    if not created:
        no_change()
        return assignment
    audit_entry_create(
        acting_user=acting_user,
        action="grants.review.assign",
        target=current,
        detail={"assignment": assignment.pk, "reviewer": reviewer.pk},
    )
    return assignment


@action("grants.review.declare", policy=_own_assignment)
def conflict_declare(*, acting_user: User | None, assignment: Assignment, conflict: bool) -> Assignment:
    """Declared once, before any content: a conflict recuses the reviewer for good; none opens the
    application. A declaration is never changed afterwards (a reviewer who saw the content cannot
    recuse after the fact without the officer knowing: the officer reassigns)."""
    current = lock_rows(Assignment.objects.filter(pk=assignment.pk))[0]
    if current.conflict is not None:
        no_change()
        return current
    current.conflict, current.declared_on = bool(conflict), timezone.localdate()
    current.save(update_fields=["conflict", "declared_on"])
    audit_entry_create(
        acting_user=acting_user,
        action="grants.review.declare",
        target=current.application,
        detail={"assignment": current.pk, "conflict": current.conflict},
    )
    return current


@action("grants.review.submit", policy=_own_assignment)
def review_submit(
    *, acting_user: User | None, assignment: Assignment, scores: dict[int, int], comment: str = ""
) -> Assignment:
    current = lock_rows(Assignment.objects.select_related("application__call").filter(pk=assignment.pk))[0]
    if current.conflict is not False:
        raise PermissionDenied("declare no conflict first")
    if current.application.state not in states.IN_REVIEW:
        raise ValidationError(_("This application is no longer under review."))
    if current.submitted_on is not None:
        raise ValidationError(_("Your review is already submitted."))
    criteria = list(current.application.call.criteria.all())
    if {c.pk for c in criteria} != set(scores) or any(not 0 <= int(v) <= 5 for v in scores.values()):
        raise ValidationError(_("Give every criterion a score from 0 to 5."))
    for criterion in criteria:
        Score.objects.create(assignment=current, criterion=criterion, score=int(scores[criterion.pk]))
    current.comment, current.submitted_on = comment, timezone.localdate()
    current.save(update_fields=["comment", "submitted_on"])
    audit_entry_create(
        acting_user=acting_user,
        action="grants.review.submit",
        target=current.application,
        detail={"assignment": current.pk},
    )
    return current


# --- Decisions within the envelope ---------------------------------------------------------------------
def committed(call: Call) -> Decimal:
    return (
        Application.objects.filter(call=call, state=states.APPROVED).aggregate(total=Sum("awarded_amount"))["total"]
        or ZERO
    )


@action("grants.decision.record", policy=_manages)
def application_decide(
    *,
    acting_user: User | None,
    application: Application,
    move: str,
    amount: Decimal | None = None,
    resolution_number: str = "",
    rationale: str = "",
) -> Application:
    """Approve (with an amount), decline or waitlist. An approval takes the call's row lock first
    (every approval of a call waits for the one before), then checks the envelope against what is
    committed *now*: two officers approving at once can never commit more than the envelope."""
    if move not in ("approve", "decline", "waitlist"):
        raise ValueError(move)
    call = _locked_call(application.call_id)  # always the call before the application: one order
    current = _locked_application(application.pk)
    if call.state != states.REVIEWING:
        raise ValidationError(_("Decisions are recorded while the call is under review."))
    target = states.APPLICATION.check(current.state, move)
    if move == "approve":
        if amount is None or amount <= ZERO:
            raise ValidationError(_("Enter the amount awarded."))
        if amount > call.max_per_project:
            raise ValidationError(_("The amount is more than the maximum per project."))
        if committed(call) + amount > call.envelope:
            raise EnvelopeExceeded(_("This amount would exceed the envelope of the call."))
        if not resolution_number.strip():
            raise ValidationError(_("Enter the number of the council resolution."))
        current.awarded_amount = amount
    else:
        current.awarded_amount = None
    old, current.state = current.state, target
    current.resolution_number, current.rationale = resolution_number.strip(), rationale
    current.decided_on = timezone.localdate()
    current.save(
        update_fields=["state", "awarded_amount", "resolution_number", "rationale", "decided_on", "updated_at"]
    )
    audit_entry_create(
        acting_user=acting_user,
        action="grants.decision.record",
        target=current,
        detail={"old": old, "new": target, "amount": str(amount) if move == "approve" else None},
    )
    return current


# --- Agreements: reports and tranches --------------------------------------------------------------------
SMALL_COUNT = 10  # a count below this is suppressed at entry
ROUND_TO = 5


def aggregate(count: int) -> int | None:
    """A count of people as it may be kept: rounded to the nearest 5; None (suppressed) below 10."""
    if count < 0:
        raise ValidationError(_("Enter a number of people, zero or more."))
    if count < SMALL_COUNT:
        return None
    return int(ROUND_TO * round(count / ROUND_TO))


@action("grants.agreement.schedule", policy=_manages)
def agreement_schedule(*, acting_user: User | None, application: Application) -> list[Tranche]:
    """One tranche per project year and one report at the end of each year: the first tranche waits
    for the signed agreement (no report gate); each later one for the acceptance of the report before it."""
    current = _locked_application(application.pk)
    if current.state != states.APPROVED or current.awarded_amount is None:
        raise ValidationError(_("Only a funded project has an agreement."))
    if current.tranches.exists():
        no_change()
        return list(current.tranches.all())
    years = current.call.years
    share = (current.awarded_amount / len(years)).quantize(Decimal("0.01"))
    reports, tranches = [], []
    for index, year in enumerate(years, start=1):
        reports.append(Report.objects.create(application=current, number=index, due_on=dt.date(year, 12, 31)))
    left = current.awarded_amount
    for index, year in enumerate(years, start=1):
        amount = left if index == len(years) else share
        left -= amount
        gate = reports[index - 2] if index > 1 else None
        tranches.append(
            Tranche.objects.create(
                application=current,
                number=index,
                amount=amount,
                due_on=dt.date(year, 1, 15) if index == 1 else dt.date(year, 2, 15),
                gate=gate,
                state=states.SCHEDULED,  # the first waits for the signed agreement, the others for a report
            )
        )
    audit_entry_create(
        acting_user=acting_user,
        action="grants.agreement.schedule",
        target=current,
        detail={"reports": len(reports), "tranches": len(tranches)},
    )
    return tranches


def signed_context(application_id: int) -> str:
    return f"grants.signed_agreement:{application_id}:content"


@action("grants.agreement.signed", policy=_manages)
def agreement_signed_record(
    *, acting_user: User | None, application: Application, kind: str, data: bytes
) -> SignedAgreement:
    """The signed copy, received by the program officer (checked by ``uploads.clean_attachment``):
    sealed, dated to the day, and the first payment's condition met. A later copy replaces it."""
    current = _locked_application(application.pk)
    if current.state != states.APPROVED or not current.tranches.exists():
        raise ValidationError(_("Schedule the agreement before recording its signed copy."))
    sealed = vault.seal_bytes(current.data_key, data, context=signed_context(current.pk))
    signed, created = SignedAgreement.objects.update_or_create(
        application=current,
        defaults={"kind": kind, "size": len(data), "sealed": sealed, "received_on": timezone.localdate()},
    )
    opened = 0
    for tranche in lock_rows(Tranche.objects.filter(application=current, gate__isnull=True, state=states.SCHEDULED)):
        tranche.state = states.TRANCHE.check(tranche.state, "meet_conditions")
        tranche.save(update_fields=["state"])
        opened += 1
    audit_entry_create(
        acting_user=acting_user,
        action="grants.agreement.signed",
        target=current,
        detail={"kind": kind, "size": len(data), "replaced": not created, "tranches_opened": opened},
    )
    return signed


MAX_REPORTS = 24


@action("grants.report.milestone", policy=_manages)
def milestone_report_add(
    *, acting_user: User | None, application: Application, due_on: dt.date, milestone: str
) -> Report:
    """A report due at a milestone's date (an opening, a first cohort...), besides the yearly ones:
    reminded like them, listed in the agreement; it releases no payment (the yearly reports do)."""
    current = _locked_application(application.pk)
    if current.state != states.APPROVED or not current.tranches.exists():
        raise ValidationError(_("Schedule the agreement before adding a milestone report."))
    milestone = (milestone or "").strip()[:200]
    if not milestone:
        raise ValidationError(_("Name the milestone."))
    years = current.call.years
    if not isinstance(due_on, dt.date) or not dt.date(years[0], 1, 1) <= due_on <= dt.date(years[-1] + 1, 12, 31):
        raise ValidationError(_("A milestone report falls within the project's years, or the year after."))
    if current.reports.count() >= MAX_REPORTS:
        raise ValidationError(_("This agreement has as many reports as it can have."))
    number = (current.reports.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    report = Report.objects.create(application=current, number=number, due_on=due_on, milestone=milestone)
    audit_entry_create(
        acting_user=acting_user,
        action="grants.report.milestone",
        target=current,
        detail={"report": report.pk, "due_on": due_on.isoformat()},
    )
    return report


def _report_policy(acting_user, *, report: Report, **_kwargs) -> bool:
    return acting_user is None or policy.may_edit_application(acting_user, report.application.organisation_id)


@action("grants.report.submit", policy=_report_policy)
def report_submit(
    *,
    acting_user: User | None,
    report: Report,
    narrative: str,
    spending: dict[str, Decimal],
    people: dict[str, int],
) -> Report:
    """The narrative, what was spent in each budget category, and people reached by type of
    service — counts only, each rounded to 5 or suppressed under 10 here, before anything is stored.
    The report's total is the sum of its categories."""
    current = lock_rows(Report.objects.filter(pk=report.pk))[0]
    target = states.REPORT.check(current.state, "submit")
    if set(people) - set(ServiceType.values):
        raise ValidationError(_("Choose a type of service of the list."))
    if any(not isinstance(count, int) or isinstance(count, bool) for count in people.values()):
        raise ValidationError(_("Enter a number of people, zero or more."))
    if set(spending) - set(BudgetCategory.values):
        raise ValidationError(_("Choose a budget category of the list."))
    if any(not isinstance(amount, Decimal) or not amount.is_finite() or amount < ZERO for amount in spending.values()):
        raise ValidationError(_("Enter an amount of zero or more."))
    amounts = {category: amount.quantize(CENT) for category, amount in spending.items() if amount > ZERO}
    if any(amount > MAX_MONEY for amount in amounts.values()):
        raise ValidationError(_("Enter an amount of zero or more."))
    current.indicators.all().delete()
    for service, count in people.items():
        kept = aggregate(count)
        if count == 0:
            continue
        Indicator.objects.create(report=current, service=service, people=kept, suppressed=kept is None)
    current.spending.all().delete()
    Spending.objects.bulk_create(
        Spending(report=current, category=category, amount=amount) for category, amount in sorted(amounts.items())
    )
    current.narrative, current.spent = narrative, sum(amounts.values(), ZERO)
    current.state, current.submitted_on = target, timezone.localdate()
    current.save(update_fields=["narrative", "spent", "state", "submitted_on"])
    audit_entry_create(
        acting_user=acting_user,
        action="grants.report.submit",
        target=current.application,
        detail={"report": current.pk, "spent": str(current.spent)},
    )
    return current


@action("grants.report.review", policy=_manages)
def report_review(*, acting_user: User | None, report: Report, move: str, note: str = "") -> Report:
    """Accept (the tranches this report gates have their conditions met) or ask for changes."""
    if move not in ("accept", "request_changes"):
        raise ValueError(move)
    current = lock_rows(Report.objects.filter(pk=report.pk))[0]
    current.state = states.REPORT.check(current.state, move)
    current.review_note = note
    current.save(update_fields=["state", "review_note"])
    opened = 0
    if move == "accept":
        for tranche in lock_rows(Tranche.objects.filter(gate=current, state=states.SCHEDULED)):
            tranche.state = states.TRANCHE.check(tranche.state, "meet_conditions")
            tranche.save(update_fields=["state"])
            opened += 1
    audit_entry_create(
        acting_user=acting_user,
        action="grants.report.review",
        target=current.application,
        detail={"report": current.pk, "move": move, "tranches_opened": opened},
    )
    return current


@action("grants.tranche.move", policy=_manages)
def tranche_move(*, acting_user: User | None, tranche: Tranche, move: str) -> Tranche:
    """approve, pay, hold, release. Approval needs the conditions met — the gating report accepted,
    or for the first payment the signed agreement received — checked again here under the lock,
    whatever state the row says."""
    if move not in ("approve", "pay", "hold", "release"):
        raise ValueError(move)
    # The report before the tranche, as report_review locks them (one order: no deadlock); no join,
    # which FOR UPDATE refuses on a nullable foreign key. A tranche's gate never changes.
    gate_id = Tranche.objects.filter(pk=tranche.pk).values_list("gate_id", flat=True).first()
    gate = lock_rows(Report.objects.filter(pk=gate_id))[0] if gate_id else None
    current = lock_rows(Tranche.objects.filter(pk=tranche.pk))[0]
    target = states.TRANCHE.check(current.state, move)
    signed = gate_id is None and SignedAgreement.objects.filter(application_id=current.application_id).exists()
    if move == "approve" and gate is not None and gate.state != states.ACCEPTED:
        raise ValidationError(_("The report this payment depends on is not accepted yet."))
    if move == "approve" and gate is None and not signed:
        raise ValidationError(_("The signed agreement has not been received yet."))
    if move == "release" and (signed or (gate is not None and gate.state == states.ACCEPTED)):
        target = states.CONDITIONS_MET
    old, current.state = current.state, target
    if move == "pay":
        current.paid_on = timezone.localdate()
    current.save(update_fields=["state", "paid_on"])
    audit_entry_create(
        acting_user=acting_user,
        action="grants.tranche.move",
        target=current.application,
        detail={"tranche": current.pk, "old": old, "new": target, "amount": str(current.amount)},
    )
    return current


# --- Amendments ------------------------------------------------------------------------------------------------
MAX_OPEN_AMENDMENTS = 5


def _amendment_budget(application: Application, budget: dict[tuple[str, int], Decimal]) -> dict[str, str]:
    """New amounts for some budget lines, checked: known categories and years of the project, amounts of
    zero or more, and a total that does not grow (an amendment moves money; it never adds any)."""
    if not budget:
        raise ValidationError(_("Give the new amount of at least one budget line."))
    years = set(application.call.years)
    current = {(line.category, line.year): line.amount for line in application.budget_lines.all()}
    for (category, year), amount in budget.items():
        if category not in BudgetCategory.values or year not in years:
            raise ValidationError(_("Choose a budget category and a year of the project."))
        if not isinstance(amount, Decimal) or not amount.is_finite() or not ZERO <= amount <= MAX_MONEY:
            raise ValidationError(_("Enter an amount of zero or more."))
    after = {**current, **{key: amount.quantize(CENT) for key, amount in budget.items()}}
    if sum(after.values(), ZERO) > sum(current.values(), ZERO):
        raise ValidationError(_("An amendment moves money between budget lines: the total cannot grow."))
    changed = {key: amount for key, amount in after.items() if current.get(key, ZERO) != amount}
    if not changed:
        raise ValidationError(_("These are the amounts of the budget already."))
    return {f"{category}:{year}": str(amount) for (category, year), amount in sorted(changed.items())}


@action("grants.amendment.request", policy=_applies)
def amendment_request(
    *,
    acting_user: User | None,
    application: Application,
    kind: str,
    description: str,
    report: Report | None = None,
    new_due_on: dt.date | None = None,
    budget: dict[tuple[str, int], Decimal] | None = None,
) -> Amendment:
    """The organisation asks to change its agreement; nothing changes before an officer approves."""
    current = _locked_application(application.pk)
    if current.state != states.APPROVED or not current.tranches.exists():
        raise ValidationError(_("Only the agreement of a funded project can be amended."))
    if kind not in AmendmentKind.values:
        raise ValidationError(_("Choose what the amendment changes."))
    description = (description or "").strip()
    if not description:
        raise ValidationError(_("Say what changes and why."))
    fields: dict = {}
    if kind == AmendmentKind.TIME:
        if report is None or report.application_id != current.pk or report.state == states.ACCEPTED:
            raise ValidationError(_("Choose a report not yet accepted."))
        if new_due_on is None or new_due_on <= report.due_on:
            raise ValidationError(_("The new date must come after the report's present due date."))
        if new_due_on > report.due_on + dt.timedelta(days=366):
            raise ValidationError(_("A report can be moved by one year at most."))
        fields = {"report": report, "new_due_on": new_due_on}
    elif kind == AmendmentKind.BUDGET:
        fields = {"budget": _amendment_budget(current, budget or {})}
    if current.amendments.filter(state=states.REQUESTED).count() >= MAX_OPEN_AMENDMENTS:
        raise ValidationError(_("Wait for the decision on the amendments already asked."))
    number = (current.amendments.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    amendment = Amendment.objects.create(
        application=current,
        number=number,
        kind=kind,
        description=description[:2000],
        requested_on=timezone.localdate(),
        **fields,
    )
    audit_entry_create(
        acting_user=acting_user,
        action="grants.amendment.request",
        target=current,
        detail={"amendment": amendment.pk, "kind": kind},
    )
    return amendment


@action("grants.amendment.decide", policy=_manages)
def amendment_decide(*, acting_user: User | None, amendment: Amendment, move: str, note: str = "") -> Amendment:
    """Approve (the change is applied now: the budget lines take their new amounts, the report its
    new due date and its reminders start again) or refuse (nothing changes). Checked again here: the
    budget's total still cannot grow, and an accepted report is not moved."""
    if move not in ("approve", "refuse"):
        raise ValueError(move)
    application = _locked_application(amendment.application_id)
    current = lock_rows(Amendment.objects.filter(pk=amendment.pk))[0]
    target = states.AMENDMENT.check(current.state, move)
    if move == "approve" and current.kind == AmendmentKind.BUDGET:
        new = {}
        for key, amount in current.budget.items():
            category, _sep, year = key.partition(":")
            new[(category, int(year))] = Decimal(amount)
        lines = {(line.category, line.year): line for line in lock_rows(application.budget_lines.all())}
        total = sum((line.amount for line in lines.values()), ZERO)
        after = total + sum(
            (amount - (lines[key].amount if key in lines else ZERO) for key, amount in new.items()), ZERO
        )
        if after > total:
            raise ValidationError(_("An amendment moves money between budget lines: the total cannot grow."))
        for (category, year), amount in new.items():
            line = lines.get((category, year))
            if line is None and amount > ZERO:
                BudgetLine.objects.create(application=application, category=category, year=year, amount=amount)
            elif line is not None and amount == ZERO:
                line.delete()
            elif line is not None:
                line.amount = amount
                line.save(update_fields=["amount"])
    if move == "approve" and current.kind == AmendmentKind.TIME:
        report = lock_rows(Report.objects.filter(pk=current.report_id))[0]
        if report.state == states.ACCEPTED:
            raise ValidationError(_("This report is accepted already: its date no longer moves."))
        report.due_on = current.new_due_on
        report.save(update_fields=["due_on"])
        report.reminders.all().delete()  # reminded again before and after the new date
    current.state, current.decided_on, current.decision_note = target, timezone.localdate(), (note or "")[:2000]
    current.save(update_fields=["state", "decided_on", "decision_note"])
    audit_entry_create(
        acting_user=acting_user,
        action="grants.amendment.decide",
        target=application,
        detail={"amendment": current.pk, "kind": current.kind, "move": move},
    )
    return current


# --- Reminders (the daily job grants_send_reminders) ----------------------------------------------------------
REMIND_BEFORE_DAYS = 7


def reminder_kind(report: Report, today: dt.date) -> str | None:
    """ "before" in the week before the due date, "after" once it has passed; None otherwise or
    when the report is in (submitted or accepted)."""
    if report.state not in (states.DUE, states.CHANGES_REQUESTED):
        return None
    if report.due_on < today:
        return "after"
    if report.due_on - dt.timedelta(days=REMIND_BEFORE_DAYS) <= today:
        return "before"
    return None


def _recipients(organisation) -> list[tuple[str, str]]:
    """(e-mail, language) of each active account of the organisation (their sealed profile)."""
    profile = ApplicantProfile.objects.filter(organisation=organisation).first()
    language = profile.language if profile else "fr"
    found = []
    for user in User.objects.filter(organisation=organisation, is_active=True, sealed_profile__isnull=False):
        try:
            email = vault.open_fields(user.data_key, user.sealed_profile, context=user.profile_context).get("email")
        except vault.ShreddedError:
            continue
        if email:
            found.append((email, language))
    return found


def _send_reminder(report: Report, kind: str, recipients: list[tuple[str, str]]) -> None:
    from django.core.mail import send_mail
    from django.utils import translation

    for email, language in recipients:
        with translation.override(language):
            subject = (
                _("Sans peur funding: report %(number)s is due on %(date)s")
                if kind == "before"
                else _("Sans peur funding: report %(number)s is late")
            ) % {"number": report.number, "date": report.due_on.isoformat()}
            body = _(
                "The progress report %(number)s of project %(reference)s is due on %(date)s. Submit it "
                "from your organisation's space; the next payment is released once it is accepted.\n\n"
                "People are reported as numbers only: never a name, never anyone's status."
            ) % {"number": report.number, "reference": report.application.reference, "date": report.due_on.isoformat()}
        send_mail(subject, body, None, [email])


def _daily_job(acting_user, **_kwargs) -> bool:
    return policy.is_command_line(acting_user)


@action("grants.report.remind", policy=_daily_job)
def report_remind(*, acting_user: User | None, report: Report, kind: str, today: dt.date) -> int | None:
    """Send one reminder of ``kind`` about ``report``, unless it was sent already (None then). The
    row is written before the e-mail goes (on commit): a second run, or two at once, find it."""
    current = lock_rows(Report.objects.select_related("application__call").filter(pk=report.pk))[0]
    if reminder_kind(current, today) != kind or ReportReminder.objects.filter(report=current, kind=kind).exists():
        no_change()
        return None
    ReportReminder.objects.create(report=current, kind=kind, sent_on=today)
    recipients = _recipients(current.application.organisation)
    audit_entry_create(
        acting_user=None,
        action="grants.report.remind",
        target=current.application,
        detail={"report": current.pk, "kind": kind, "messages": len(recipients)},
    )
    on_commit(lambda: _send_reminder(current, kind, recipients))
    return len(recipients)
