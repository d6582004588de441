"""Pages of the funding program: thin views over selectors (reads) and services (writes); who may
do what is asked of accounts/policy.py (section 6c). Public: the calls and the sign-up (five
languages). Applicants and the city's staff: French and English."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanspeur.accounts import policy
from sanspeur.accounts.decorators import staff_view
from sanspeur.accounts.models import User
from sanspeur.core import antiabuse
from sanspeur.core.params import object_or_404
from sanspeur.core.transitions import InvalidTransition
from sanspeur.core.uploads import body_limit
from sanspeur.directory.i18n import pick

from . import register, selectors, services, states, uploads
from .forms import (
    AmendmentForm,
    ApplicationForm,
    AssignForm,
    AttachmentForm,
    BudgetLineForm,
    CallForm,
    ConflictForm,
    CriterionForm,
    DecisionForm,
    MilestoneForm,
    MinutesForm,
    PartnerForm,
    QuestionForm,
    ReportForm,
    ReviewForm,
    ReviewNoteForm,
    SignedAgreementForm,
    SignupForm,
)
from .models import Call, SignedAgreement

APPLY = "accounts.apply_for_grants"
MANAGE = "accounts.manage_grants"
REVIEW = "accounts.review_grants"
FORM_LIMIT = 64 * 1024
UPLOAD_LIMIT = uploads.MAX_BYTES + 64 * 1024
SIGNUP_BUDGET = ("grants.signup", 30, 3600)  # at most 30 sign-ups an hour for the whole site


def _too_large(request, limit: int):
    return render(request, "grants/too_large.html", {"limit_mb": max(1, limit // (1024 * 1024))}, status=413)


def _errors(error: ValidationError) -> list[str]:
    return list(error.messages)


def _written(request, form, write, message: str, to: str, **to_kwargs):
    """Run ``write`` (a call to an action): a ValidationError goes onto ``form`` and None comes back
    (the page is shown again with it); otherwise the success message and the redirect to ``to``."""
    try:
        write()
    except ValidationError as error:
        _form_errors(form, error)
        return None
    messages.success(request, message)
    return redirect(to, **to_kwargs)


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- Public: the calls ------------------------------------------------------------------------------------
@require_GET
def call_list(request):
    return render(request, "grants/call_list.html", {"calls": selectors.public_calls()})


@require_GET
def call_detail(request, code):
    call = selectors.public_call(code)
    if call is None:
        raise Http404
    return render(
        request,
        "grants/call_detail.html",
        {
            "call": call,
            "criteria": call.criteria.all(),
            "questions": selectors.published_questions(call),
            "anchor_keys": ("0", "3", "5"),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@body_limit(FORM_LIMIT, refuse=_too_large)
def signup(request):
    """An organisation signs up; its account then enrols an authenticator (accounts' second factor)
    before any page of the applicant's space opens."""
    form = SignupForm(request.POST or None, initial={"language": "en" if get_language() == "en" else "fr"})
    if request.method == "POST" and form.is_valid():
        key, limit, window = SIGNUP_BUDGET
        if antiabuse.budget_take(key, 1, limit=limit, window=window) < 0:
            form.add_error(None, _("Too many sign-ups at the moment. Please try again in an hour."))
        else:
            data = form.cleaned_data
            try:
                user = services.applicant_signup(
                    acting_user=None,
                    organisation_name=data["organisation_name"],
                    borough=data["borough"],
                    registration_number=data["registration_number"],
                    mission=data["mission"],
                    language=data["language"],
                    username=data["username"],
                    password=data["password1"],
                    contact_name=data["contact_name"],
                    email=data["email"],
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                request.session.cycle_key()
                with translation.override(data["language"]):
                    return redirect(f"{reverse('accounts:mfa')}?next={reverse('grants:applicant_home')}")
    return render(request, "grants/signup.html", {"form": form}, status=400 if form.errors else 200)


# --- Applicants -------------------------------------------------------------------------------------------
def _own_application(request, pk) -> object:
    application = selectors.application_of(acting_user=request.user, pk=pk)
    if application is None:
        raise Http404
    return application


def _open_calls():
    from django.utils import timezone

    today = timezone.localdate()
    return Call.objects.filter(state=states.PUBLISHED, opens_on__lte=today, closes_on__gte=today)


@staff_view(APPLY)
@require_GET
def applicant_home(request):
    return render(
        request,
        "grants/applicant_home.html",
        {"applications": selectors.applications_of(acting_user=request.user), "open_calls": _open_calls()},
    )


@staff_view(APPLY)
@require_http_methods(["GET", "POST"])
def application_start(request, code):
    call = _open_calls().filter(code=code[:40]).first()
    if call is None:
        raise Http404
    if request.method == "POST":
        try:
            application = services.application_create(
                acting_user=request.user,
                call=call,
                organisation=request.user.organisation,
                language=get_language()[:2],
            )
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
            return redirect("grants:applicant_home")
        return redirect("grants:application_edit", pk=application.pk)
    return render(request, "grants/application_start.html", {"call": call})


def _application_context(application, **extra) -> dict:
    return {
        "application": application,
        "call": application.call,
        "budget": selectors.budget_table(application),
        "partners": application.partners.all(),
        "attachments": selectors.attachments_of(application),
        "problems": services.submission_problems(application) if application.is_editable else [],
        "offered": states.APPLICATION.offered(application.state) & {"submit", "withdraw"},
        **extra,
    }


def _checklist(call) -> list[tuple[str, str]]:
    return [(item["code"], pick(item).value) for item in call.eligibility]


@staff_view(APPLY)
@require_http_methods(["GET", "POST"])
@body_limit(FORM_LIMIT, refuse=_too_large)
def application_edit(request, pk):
    """The sections of the form; "Save draft" keeps everything typed so far (without JavaScript)."""
    application = _own_application(request, pk)
    initial = {name: getattr(application, name) for name in services.SECTIONS} | {
        "eligibility": application.eligibility
    }
    form = ApplicationForm(request.POST or None, initial=initial, checklist=_checklist(application.call))
    if request.method == "POST":
        if not application.is_editable:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            done = _written(
                request,
                form,
                lambda: services.application_save(
                    acting_user=request.user,
                    application=application,
                    sections={name: data[name] for name in services.SECTIONS},
                    eligibility=data["eligibility"],
                ),
                _("Draft saved."),
                "grants:application_edit",
                pk=application.pk,
            )
            if done:
                return done
    return render(
        request,
        "grants/application_edit.html",
        _application_context(application, form=form),
        status=400 if form.errors else 200,
    )


@staff_view(APPLY)
@require_http_methods(["GET", "POST"])
@body_limit(FORM_LIMIT, refuse=_too_large)
def application_partners(request, pk):
    application = _own_application(request, pk)
    form = PartnerForm(request.POST or None) if "remove" not in request.POST else PartnerForm()
    if request.method == "POST" and application.is_editable:
        try:
            if "remove" in request.POST:
                remove = int(request.POST["remove"][:12]) if request.POST["remove"][:12].isdigit() else -1
                services.partner_set(acting_user=request.user, application=application, remove=remove)
                return redirect("grants:application_partners", pk=application.pk)
            if form.is_valid():
                services.partner_set(
                    acting_user=request.user,
                    application=application,
                    name=form.cleaned_data["name"],
                    contribution=form.cleaned_data["contribution"],
                )
                messages.success(request, _("Partner added."))
                return redirect("grants:application_partners", pk=application.pk)
        except ValidationError as error:
            _form_errors(form, error)
    return render(
        request,
        "grants/application_partners.html",
        _application_context(application, form=form),
        status=400 if form.errors else 200,
    )


@staff_view(APPLY)
@require_http_methods(["GET", "POST"])
@body_limit(FORM_LIMIT, refuse=_too_large)
def application_budget(request, pk):
    application = _own_application(request, pk)
    form = BudgetLineForm(request.POST or None, years=application.call.years)
    if request.method == "POST" and application.is_editable and form.is_valid():
        data = form.cleaned_data
        done = _written(
            request,
            form,
            lambda: services.budget_line_set(
                acting_user=request.user,
                application=application,
                category=data["category"],
                year=data["year"],
                amount=data["amount"],
            ),
            _("Budget saved."),
            "grants:application_budget",
            pk=application.pk,
        )
        if done:
            return done
    return render(
        request,
        "grants/application_budget.html",
        _application_context(application, form=form),
        status=400 if form.errors else 200,
    )


@staff_view(APPLY)
@require_http_methods(["GET", "POST"])
@body_limit(UPLOAD_LIMIT, refuse=_too_large)
def application_attachments(request, pk):
    application = _own_application(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and application.is_editable and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            kind, data = uploads.clean_attachment(upload)
            services.attachment_add(
                acting_user=request.user, application=application, name=upload.name, kind=kind, data=data
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("File attached."))
            return redirect("grants:application_attachments", pk=application.pk)
    return render(
        request,
        "grants/application_attachments.html",
        _application_context(application, form=form),
        status=400 if form.errors else 200,
    )


def _file_response(application, found) -> HttpResponse:
    attachment, data = found
    response = HttpResponse(data, content_type=uploads.CONTENT_TYPES.get(attachment.kind, "application/octet-stream"))
    suffix = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}.get(attachment.kind, "bin")
    response["Content-Disposition"] = f'attachment; filename="{application.reference}-{attachment.pk}.{suffix}"'
    return response


@staff_view(APPLY)
@require_GET
def application_attachment(request, pk, attachment_id):
    application = _own_application(request, pk)
    found = selectors.attachment_open(acting_user=request.user, application=application, attachment_id=attachment_id)
    if found is None:
        raise Http404
    return _file_response(application, found)


@staff_view(APPLY)
@require_POST
def application_action(request, pk, action):
    application = _own_application(request, pk)
    service = {"submit": services.application_submit, "withdraw": services.application_withdraw}.get(action)
    if service is None:
        raise Http404
    try:
        service(acting_user=request.user, application=application)
    except InvalidTransition:
        messages.error(request, _("This application has moved on since the page was shown."))
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Application submitted.") if action == "submit" else _("Application withdrawn."))
    return redirect("grants:application_edit", pk=application.pk)


# --- Staff: calls --------------------------------------------------------------------------------------------
@staff_view(MANAGE, policy=policy.manages_grants)
@require_GET
def staff_home(request):
    return render(request, "grants/staff_home.html", {"calls": selectors.calls_for_staff()})


def _call_kwargs(data) -> dict:
    return {name: data[name] for name in CallForm.base_fields}


@staff_view(MANAGE, policy=policy.manages_grants)
@require_http_methods(["GET", "POST"])
@body_limit(FORM_LIMIT, refuse=_too_large)
def call_create(request):
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(acting_user=request.user, **_call_kwargs(form.cleaned_data))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return redirect("grants:call_manage", pk=call.pk)
    return render(
        request,
        "grants/staff_form.html",
        {"form": form, "title": _("New call for projects"), "button": _("Create the call")},
        status=400 if form.errors else 200,
    )


def _call_or_404(pk) -> Call:
    if pk > 2**62:
        raise Http404
    return object_or_404(Call, pk=pk)


@staff_view(MANAGE, policy=policy.manages_grants)
@require_http_methods(["GET", "POST"])
@body_limit(FORM_LIMIT, refuse=_too_large)
def call_edit(request, pk):
    call = _call_or_404(pk)
    initial = {
        **{
            f"{name}_{lang}": getattr(call, name).get(lang, "")
            for name in ("title", "summary", "body")
            for lang in ("fr", "en")
        },
        **{
            name: getattr(call, name)
            for name in (
                "code",
                "envelope",
                "max_per_project",
                "first_year",
                "last_year",
                "opens_on",
                "closes_on",
                "decision_on",
                "blind_review",
            )
        },
        "eligibility": "\n".join(f"{i['code']} | {i['fr']} | {i['en']}" for i in call.eligibility),
    }
    form = CallForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _call_kwargs(form.cleaned_data)
        fields.pop("code")
        try:
            services.call_update(acting_user=request.user, call=call, **fields)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return redirect("grants:call_manage", pk=call.pk)
    return render(
        request,
        "grants/staff_form.html",
        {"form": form, "title": _("Change the call"), "button": _("Save")},
        status=400 if form.errors else 200,
    )


@staff_view(MANAGE, policy=policy.manages_grants)
@require_http_methods(["GET", "POST"])
@body_limit(FORM_LIMIT, refuse=_too_large)
def call_manage(request, pk):
    """The call's page: its rubric (criteria are added while it is a draft), its questions and
    answers, its applications, and the buttons of its next states."""
    call = _call_or_404(pk)
    criterion_form = CriterionForm(request.POST if request.POST.get("form") == "criterion" else None, prefix="c")
    question_form = QuestionForm(request.POST if request.POST.get("form") == "question" else None, prefix="q")
    minutes_form = MinutesForm(request.POST if request.POST.get("form") == "minutes" else None, prefix="m")
    if request.method == "POST":
        try:
            if request.POST.get("form") == "criterion" and criterion_form.is_valid():
                data = criterion_form.cleaned_data
                services.criterion_add(
                    acting_user=request.user,
                    call=call,
                    title_fr=data["title_fr"],
                    title_en=data["title_en"],
                    weight=data["weight"],
                    anchors=criterion_form.anchors(),
                )
                return redirect("grants:call_manage", pk=call.pk)
            if request.POST.get("form") == "question" and question_form.is_valid():
                services.question_publish(acting_user=request.user, call=call, **question_form.cleaned_data)
                return redirect("grants:call_manage", pk=call.pk)
            if request.POST.get("form") == "minutes" and minutes_form.is_valid():
                services.committee_minutes_record(acting_user=request.user, call=call, **minutes_form.cleaned_data)
                messages.success(request, _("The minutes are recorded."))
                return redirect("grants:call_manage", pk=call.pk)
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
            return redirect("grants:call_manage", pk=call.pk)
    applications = call.applications.exclude(state=states.DRAFT).select_related("organisation")
    return render(
        request,
        "grants/call_manage.html",
        {
            "call": call,
            "criteria": call.criteria.all(),
            "questions": call.questions.all(),
            "applications": applications,
            "criterion_form": criterion_form,
            "question_form": question_form,
            "minutes_form": minutes_form,
            "meetings": call.meetings.select_related("recorded_by"),
            "offered": sorted(states.CALL.offered(call.state)),
            "committed": services.committed(call),
            "anchor_keys": ("0", "3", "5"),
        },
        status=400 if criterion_form.errors or question_form.errors or minutes_form.errors else 200,
    )


CALL_MOVES = {
    "publish": _("Publish"),
    "close": _("Close applications"),
    "start_review": _("Start the review"),
    "decide": _("Close the decisions"),
    "archive": _("Archive"),
}


@staff_view(MANAGE, policy=policy.manages_grants)
@require_POST
def call_action(request, pk, action):
    call = _call_or_404(pk)
    if action not in states.CALL.actions:
        raise Http404
    try:
        services.call_transition(acting_user=request.user, call=call, move=action)
    except InvalidTransition:
        messages.error(request, _("This call has moved on since the page was shown."))
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    return redirect("grants:call_manage", pk=call.pk)


@staff_view(MANAGE, policy=policy.manages_grants)
@require_GET
def call_ranking(request, pk):
    call = _call_or_404(pk)
    rows, committed = selectors.ranking(call, acting_user=request.user)
    return render(
        request,
        "grants/call_ranking.html",
        {"call": call, "rows": rows, "committed": committed, "remaining": call.envelope - committed},
    )


@staff_view(MANAGE, policy=policy.manages_grants)
@require_GET
def call_calibration(request, pk):
    """The reviewers side by side: who scores higher or lower than the others on the same
    applications, and the applications on which reviewers disagree (for the committee)."""
    call = _call_or_404(pk)
    found = selectors.calibration(call, acting_user=request.user)
    if found is None:
        raise PermissionDenied
    reviewers, disagreements = found
    return render(
        request,
        "grants/call_calibration.html",
        {"call": call, "reviewers": reviewers, "disagreements": disagreements, "threshold": selectors.DISAGREEMENT},
    )


# --- Staff: an application (screening, reviewers, decision) -------------------------------------------------
def _reviewers():
    return [
        user
        for user in User.objects.filter(is_active=True, groups__name="reviewer").distinct().order_by("username")
        if policy.reviews_grants(user)
    ]


@staff_view(MANAGE, policy=policy.manages_grants)
@require_GET
def staff_application(request, pk):
    application = selectors.application_for_staff(acting_user=request.user, pk=pk)
    if application is None:
        raise Http404
    return render(
        request,
        "grants/staff_application.html",
        _application_context(
            application,
            summary=selectors.review_summary(application, acting_user=request.user),
            assignments=application.assignments.select_related("reviewer"),
            assign_form=AssignForm(reviewers=_reviewers()),
            decision_form=DecisionForm(),
            offered=states.APPLICATION.offered(application.state),
            identity=True,
            flags=selectors.flags_for(application),
        ),
    )


SCREEN_MOVES = ("screen", "eligible", "ineligible", "ask_information")
DECISION_MOVES = ("approve", "decline", "waitlist")


@staff_view(MANAGE, policy=policy.manages_grants)
@require_POST
@body_limit(FORM_LIMIT, refuse=_too_large)
def staff_application_action(request, pk, action):
    application = selectors.application_for_staff(acting_user=request.user, pk=pk)
    if application is None or action not in (*SCREEN_MOVES, *DECISION_MOVES, "assign"):
        raise Http404
    try:
        if action in SCREEN_MOVES:
            services.application_screen(acting_user=request.user, application=application, move=action)
        elif action == "assign":
            form = AssignForm(request.POST, reviewers=_reviewers())
            if not form.is_valid():
                raise ValidationError(_("Choose a reviewer of the list."))
            reviewer = User.objects.get(pk=form.cleaned_data["reviewer"])
            services.reviewer_assign(acting_user=request.user, application=application, reviewer=reviewer)
        else:
            form = DecisionForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.application_decide(
                acting_user=request.user,
                application=application,
                move=action,
                amount=form.cleaned_data["amount"],
                resolution_number=form.cleaned_data["resolution_number"],
                rationale=form.cleaned_data["rationale"],
            )
    except InvalidTransition:
        messages.error(request, _("This application has moved on since the page was shown."))
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    if action in DECISION_MOVES and request.POST.get("back") == "ranking":
        return redirect("grants:call_ranking", pk=application.call_id)
    return redirect("grants:staff_application", pk=application.pk)


# --- Reviewers ----------------------------------------------------------------------------------------------
@staff_view(REVIEW, policy=policy.reviews_grants)
@require_GET
def review_list(request):
    return render(
        request, "grants/review_list.html", {"assignments": selectors.assignments_of(acting_user=request.user)}
    )


@staff_view(REVIEW, policy=policy.reviews_grants)
@require_http_methods(["GET", "POST"])
@body_limit(FORM_LIMIT, refuse=_too_large)
def review(request, pk):
    """First the conflict-of-interest declaration, with nothing of the application shown but its
    reference (and, unless the review is blind, the applicant's name, which the reviewer needs to
    know whether they have a conflict); then, without a conflict, the application and the rubric."""
    assignment = selectors.assignment_for(acting_user=request.user, application_pk=pk)
    if assignment is None:
        return render(request, "grants/review_not_assigned.html")
    call = assignment.application.call
    if assignment.conflict is None:
        form = ConflictForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.conflict_declare(
                acting_user=request.user, assignment=assignment, conflict=form.cleaned_data["conflict"]
            )
            return redirect("grants:review", pk=pk)
        return render(
            request,
            "grants/review_declare.html",
            {
                "assignment": assignment,
                "call": call,
                "form": form,
                "identity": policy.sees_applicant_identity(request.user, call),
                "partner_names": [p.name for p in assignment.application.partners.all()],
            },
            status=400 if form.errors else 200,
        )
    application = selectors.application_for_reviewer(acting_user=request.user, assignment=assignment)
    if application is None:  # recused
        return render(request, "grants/review_recused.html", {"assignment": assignment})
    criteria = list(call.criteria.all())
    form = ReviewForm(
        request.POST or None, criteria=criteria, labels={c.pk: f"{pick(c.title).value} ({c.weight})" for c in criteria}
    )
    if request.method == "POST" and assignment.submitted_on is None and form.is_valid():
        done = _written(
            request,
            form,
            lambda: services.review_submit(
                acting_user=request.user,
                assignment=assignment,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            ),
            _("Your review is submitted. Thank you."),
            "grants:review_list",
        )
        if done:
            return done
    own_scores = {s.criterion_id: s.score for s in assignment.scores.all()}
    return render(
        request,
        "grants/review.html",
        _application_context(
            application,
            assignment=assignment,
            form=form,
            criteria=criteria,
            own_scores=own_scores,
            identity=policy.sees_applicant_identity(request.user, call),
            anchor_keys=("0", "3", "5"),
            attachments=[],
        ),
        status=400 if form.errors else 200,
    )


# --- Public: the register of awards (360Giving) -------------------------------------------------------------
@require_GET
def register_page(request):
    awards = list(register.awards())
    total = sum((award.awarded_amount for award in awards), Decimal(0))
    return render(request, "grants/register.html", {"awards": awards, "total": total})


@require_GET
def register_json(request):
    response = JsonResponse(register.package(), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def register_csv(request):
    response = HttpResponse(register.as_csv(register.package()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sanspeur-grants-360giving.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- Agreements: reports and tranches -------------------------------------------------------------------------
def _open_report(application):
    """The report to write now: the first one not accepted yet, while it is due or sent back."""
    report = application.reports.exclude(state=states.ACCEPTED).order_by("due_on", "number").first()
    return report if report is not None and report.state in (states.DUE, states.CHANGES_REQUESTED) else None


@staff_view(APPLY)
@require_http_methods(["GET", "POST"])
@body_limit(FORM_LIMIT, refuse=_too_large)
def application_reports(request, pk):
    """The funded organisation's reports (counts of people only) and the payments they release."""
    application = _own_application(request, pk)
    report = _open_report(application)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and report is not None and form.is_valid():
        done = _written(
            request,
            form,
            lambda: services.report_submit(
                acting_user=request.user,
                report=report,
                narrative=form.cleaned_data["narrative"],
                spending=form.spending(),
                people=form.people(),
            ),
            _("Report submitted."),
            "grants:application_reports",
            pk=application.pk,
        )
        if done:
            return done
    return render(
        request,
        "grants/application_reports.html",
        {
            "application": application,
            "call": application.call,
            "reports": application.reports.prefetch_related("indicators"),
            "tranches": application.tranches.all(),
            "spending": selectors.budget_vs_actual(application),
            "signed": SignedAgreement.objects.filter(application=application).first(),
            "report": report,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@staff_view(APPLY)
@require_http_methods(["GET", "POST"])
@body_limit(FORM_LIMIT, refuse=_too_large)
def application_amendments(request, pk):
    """The organisation asks to change its agreement (budget lines, a report's date, the scope) and
    follows what the program officer decided."""
    application = _own_application(request, pk)
    reports = application.reports.exclude(state=states.ACCEPTED)
    form = AmendmentForm(request.POST or None, reports=reports, years=application.call.years)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _written(
            request,
            form,
            lambda: services.amendment_request(
                acting_user=request.user,
                application=application,
                kind=data["kind"],
                description=data["description"],
                report=reports.filter(pk=data["report"]).first() if data["report"] else None,
                new_due_on=data["new_due_on"],
                budget=form.budget(),
            ),
            _("Your request is sent to the program officer."),
            "grants:application_amendments",
            pk=application.pk,
        )
        if done:
            return done
    return render(
        request,
        "grants/application_amendments.html",
        {
            "application": application,
            "call": application.call,
            "amendments": application.amendments.select_related("report"),
            "funded": application.state == states.APPROVED and application.tranches.exists(),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@staff_view(MANAGE, policy=policy.manages_grants)
@require_GET
def staff_agreement(request, pk):
    application = selectors.application_for_staff(acting_user=request.user, pk=pk)
    if application is None:
        raise Http404
    return _agreement_page(request, application)


def _agreement_page(request, application, signed_form=None, milestone_form=None):
    return render(
        request,
        "grants/staff_agreement.html",
        {
            "application": application,
            "call": application.call,
            "reports": application.reports.prefetch_related("indicators"),
            "tranches": application.tranches.select_related("gate"),
            "tranche_moves": ("approve", "pay", "hold", "release"),
            "spending": selectors.budget_vs_actual(application),
            "signed": SignedAgreement.objects.filter(application=application).first(),
            "signed_form": signed_form or SignedAgreementForm(),
            "amendments": application.amendments.select_related("report"),
            "milestone_form": milestone_form or MilestoneForm(),
        },
        status=400 if any(form is not None and form.errors for form in (signed_form, milestone_form)) else 200,
    )


@staff_view(MANAGE, policy=policy.manages_grants)
@require_http_methods(["GET", "POST"])
@body_limit(UPLOAD_LIMIT, refuse=_too_large)
def staff_signed_agreement(request, pk):
    """GET: the signed copy (opening audited). POST: record a signed copy received from the
    organisation, which releases the first payment."""
    application = selectors.application_for_staff(acting_user=request.user, pk=pk)
    if application is None:
        raise Http404
    if request.method == "GET":
        return _signed_response(request, application)
    form = SignedAgreementForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            kind, data = uploads.clean_attachment(form.cleaned_data["file"])
            services.agreement_signed_record(acting_user=request.user, application=application, kind=kind, data=data)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The signed agreement is recorded: the first payment can be approved."))
            return redirect("grants:staff_agreement", pk=application.pk)
    return _agreement_page(request, application, signed_form=form)


def _signed_response(request, application) -> HttpResponse:
    found = selectors.signed_agreement_open(acting_user=request.user, application=application)
    if found is None:
        raise Http404
    signed, data = found
    response = HttpResponse(data, content_type=uploads.CONTENT_TYPES.get(signed.kind, "application/octet-stream"))
    suffix = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}.get(signed.kind, "bin")
    response["Content-Disposition"] = f'attachment; filename="{application.reference}-signed.{suffix}"'
    return response


@staff_view(APPLY)
@require_GET
def application_signed_agreement(request, pk):
    """The organisation's own signed copy, as the city received it."""
    return _signed_response(request, _own_application(request, pk))


@staff_view(MANAGE, policy=policy.manages_grants)
@require_POST
@body_limit(FORM_LIMIT, refuse=_too_large)
def staff_agreement_action(request, pk, action):
    application = selectors.application_for_staff(acting_user=request.user, pk=pk)
    if application is None:
        raise Http404
    target = request.POST.get("id", "")[:12]
    target_id = int(target) if target.isdigit() else 0
    try:
        if action == "schedule":
            services.agreement_schedule(acting_user=request.user, application=application)
        elif action in ("accept", "request_changes"):
            report = application.reports.filter(pk=target_id).first()
            if report is None:
                raise Http404
            form = ReviewNoteForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            services.report_review(acting_user=request.user, report=report, move=action, note=note)
        elif action == "milestone":
            form = MilestoneForm(request.POST)
            if not form.is_valid():
                return _agreement_page(request, application, milestone_form=form)
            services.milestone_report_add(
                acting_user=request.user,
                application=application,
                due_on=form.cleaned_data["due_on"],
                milestone=form.cleaned_data["milestone"],
            )
        elif action in ("amendment_approve", "amendment_refuse"):
            amendment = application.amendments.filter(pk=target_id).first()
            if amendment is None:
                raise Http404
            form = ReviewNoteForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            move = action.removeprefix("amendment_")
            services.amendment_decide(acting_user=request.user, amendment=amendment, move=move, note=note)
        elif action in ("approve", "pay", "hold", "release"):
            tranche = application.tranches.filter(pk=target_id).first()
            if tranche is None:
                raise Http404
            services.tranche_move(acting_user=request.user, tranche=tranche, move=action)
        else:
            raise Http404
    except InvalidTransition:
        messages.error(request, _("This application has moved on since the page was shown."))
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    return redirect("grants:staff_agreement", pk=application.pk)


@staff_view(MANAGE, policy=policy.manages_grants)
@require_GET
def staff_reports(request):
    """What is due, overdue and received, across every funded project; and the portfolio."""
    from django.utils import timezone

    return render(
        request,
        "grants/staff_reports.html",
        {
            "table": selectors.reports_table(today=timezone.localdate()),
            "portfolio": selectors.portfolio(),
            "alerts": selectors.spending_alerts(),
        },
    )


def _city_name(application) -> str:
    from django.conf import settings as django_settings

    city = django_settings.SANSPEUR_CITY_NAME
    return f"Ville de {city}" if application.language == "fr" else f"City of {city}"


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _agreement_response(request, application) -> HttpResponse:
    from .agreement_pdf import agreement_pdf

    if not application.tranches.exists():
        raise Http404
    pdf = agreement_pdf(application, city_name=_city_name(application))
    return _pdf_response(pdf, f"{application.reference}-agreement.pdf")


def _letter_response(request, application) -> HttpResponse:
    from .agreement_pdf import decision_letter_pdf

    if application.state not in (states.APPROVED, states.DECLINED, states.WAITLISTED):
        raise Http404
    pdf = decision_letter_pdf(application, city_name=_city_name(application))
    return _pdf_response(pdf, f"{application.reference}-decision.pdf")


@staff_view(MANAGE, policy=policy.manages_grants)
@require_GET
def staff_decision_letter(request, pk):
    application = selectors.application_for_staff(acting_user=request.user, pk=pk)
    if application is None:
        raise Http404
    return _letter_response(request, application)


@staff_view(APPLY)
@require_GET
def application_decision_letter(request, pk):
    return _letter_response(request, _own_application(request, pk))


@staff_view(MANAGE, policy=policy.manages_grants)
@require_GET
def staff_agreement_pdf(request, pk):
    application = selectors.application_for_staff(acting_user=request.user, pk=pk)
    if application is None:
        raise Http404
    return _agreement_response(request, application)


@staff_view(APPLY)
@require_GET
def application_agreement_pdf(request, pk):
    return _agreement_response(request, _own_application(request, pk))


@staff_view(MANAGE, policy=policy.manages_grants)
@require_GET
def finance_csv(request):
    """One row per payment, for the city's finance system."""
    import csv

    from .models import Tranche

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sanspeur-grants-payments.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "application",
            "recipient",
            "enterprise_number",
            "resolution",
            "payment",
            "amount_cad",
            "planned_on",
            "state",
            "paid_on",
        ]
    )
    tranches = Tranche.objects.select_related("application__call", "application__organisation__grant_profile")
    for tranche in tranches.order_by("application_id", "number"):
        application = tranche.application
        profile = getattr(application.organisation, "grant_profile", None)
        row = [
            application.reference,
            application.organisation.name,
            profile.registration_number if profile else "",
            application.resolution_number,
            tranche.number,
            f"{tranche.amount:.2f}",
            tranche.due_on.isoformat(),
            tranche.state,
            tranche.paid_on.isoformat() if tranche.paid_on else "",
        ]
        writer.writerow([register._csv_safe(value) for value in row])
    return response


@staff_view(MANAGE, policy=policy.manages_grants)
@require_GET
def staff_attachment(request, pk, attachment_id):
    """A file of an application, opened by a program officer (audited, like the applicant's)."""
    application = selectors.application_for_staff(acting_user=request.user, pk=pk)
    if application is None:
        raise Http404
    found = selectors.attachment_open(acting_user=request.user, application=application, attachment_id=attachment_id)
    if found is None:
        raise Http404
    return _file_response(application, found)
