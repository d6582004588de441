"""Staff pages of the register and of the refusal reports (city only), and the public pages: the
resident's report and the transparency counts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sanspeur.accounts.decorators import staff_view
from sanspeur.accounts.policy import has_capability, works_for_the_city
from sanspeur.core import antiabuse, humancheck
from sanspeur.core.params import bounded_int
from sanspeur.core.public_pages import public_view
from sanspeur.core.transitions import InvalidTransition
from sanspeur.core.uploads import body_limit

from . import holdings, selectors, services
from .forms import ChecklistForm, DeferForm, DocumentForm, RefusalFollowForm, RefusalReportForm, RequestForm, TriageForm
from .models import CHECKLIST, OutsideRequest, RefusalReport

HANDLE = "accounts.handle_outside_requests"
FOLLOW_UP = "accounts.follow_up_refusal_reports"
UPLOAD_LIMIT = 11 * 1024 * 1024
REPORT_LIMIT = 16 * 1024  # the resident's form: a few short fields and the proof of work
REPORT_SCOPE = "outside_requests.report"
QUESTION_MIN_SECONDS = 5


def _too_large(request, limit: int):
    return render(request, "outside_requests/too_large.html", {"limit_mb": max(1, limit // (1024 * 1024))}, status=413)


# --- Public: a resident reports a service point ---------------------------------------------------------
def _check_context(**kwargs) -> dict:
    from django.urls import reverse

    return humancheck.human_check_context(scope=REPORT_SCOPE, url=reverse("outside_requests:challenge"), **kwargs)


@public_view
@require_GET
def challenge(request):
    """The widget's challenge for this form: no cookie, never cached, nothing recorded."""
    return JsonResponse(antiabuse.challenge_create(scope=REPORT_SCOPE))


@public_view
@body_limit(REPORT_LIMIT, refuse=_too_large)
def report(request):
    initial = {}
    if request.method != "POST":
        wanted = request.GET.get("service", "")
        if wanted:
            initial["service"] = wanted[:64]
        form = RefusalReportForm(initial=initial)
        return render(request, "outside_requests/report.html", {"form": form, **_check_context()})
    reason, _path = humancheck.human_check_verify(request.POST, scope=REPORT_SCOPE, min_seconds=QUESTION_MIN_SECONDS)
    form = RefusalReportForm(request.POST)
    if reason:
        show = reason == "missing" or not request.POST.get("altcha")
        form.is_valid()  # the person's choices are shown again, with their errors if any
        return render(
            request,
            "outside_requests/report.html",
            {"form": form, **_check_context(show_question=show, error=humancheck.message(reason))},
            status=400,
        )
    if not form.is_valid():
        return render(request, "outside_requests/report.html", {"form": form, **_check_context()}, status=400)
    data = form.cleaned_data
    try:
        report = services.refusal_submit(
            acting_user=None,
            service=data["service"],
            what=data["what"],
            happened_on=data["happened_on"],
            codename_language=request.LANGUAGE_CODE if data.get("follow_up") else None,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "outside_requests/report.html", {"form": form, **_check_context()}, status=400)
    from sanspeur.protection import crypto

    language = crypto.codename_language(request.LANGUAGE_CODE)
    context = {"codename": report.codename, "codename_language": language}
    context["codename_dir"] = "rtl" if language in crypto.RTL_LANGUAGES else "ltr"
    return render(request, "outside_requests/report_sent.html", context)


@public_view
@body_limit(REPORT_LIMIT, refuse=_too_large)
def report_follow(request):
    """Follow a report with its codename: the state of the follow-up and its days, nothing else.
    The codename travels in a POST, never in an address."""
    from sanspeur.protection.selectors import RateLimited

    if request.method != "POST":
        return render(request, "outside_requests/report_follow.html", {"form": RefusalFollowForm()})
    form = RefusalFollowForm(request.POST)
    if not form.is_valid():
        return render(request, "outside_requests/report_follow.html", {"form": form}, status=400)
    try:
        report = selectors.refusal_follow(form.cleaned_data["codename"])
    except RateLimited as limited:
        response = render(
            request,
            "outside_requests/report_follow.html",
            {"form": RefusalFollowForm(), "rate_limited": humancheck.wait_text(limited.wait)},
            status=429,
        )
        response["Retry-After"] = str(limited.wait)
        return response
    if report is None:
        return render(
            request, "outside_requests/report_follow.html", {"form": RefusalFollowForm(), "not_found": True}, status=400
        )
    return render(request, "outside_requests/report_follow.html", {"report": report, "found": True})


@public_view
@require_GET
def transparency(request):
    year = bounded_int(request.GET.get("year"), default=0, minimum=0, maximum=9999) or None
    return render(
        request,
        "outside_requests/transparency.html",
        {
            "report": selectors.transparency(year=year),
            "year": year,
            "editions": selectors.edition_list(),
            "refusals": selectors.refusal_counts_by_service_type(),
        },
    )


# --- Staff: the register --------------------------------------------------------------------------------
def _city_staff(user) -> bool:
    return works_for_the_city(user)


def _request_or_404(reference) -> OutsideRequest:
    request = selectors.request_get(reference)
    if request is None:
        raise Http404
    return request


@staff_view(HANDLE, policy=_city_staff)
@require_GET
def request_list(request):
    state = request.GET.get("state", "")
    if state not in OutsideRequest.State.values:
        state = ""
    return render(
        request,
        "outside_requests/request_list.html",
        {
            "requests": selectors.request_list(state=state),
            "alerts": selectors.dashboard_alerts(),
            "state": state,
            "states": OutsideRequest.State.choices,
            "today": timezone.localdate(),
        },
    )


def _uploaded(form) -> list[tuple[str, bytes]]:
    upload = form.cleaned_data.get("document")
    return [(upload.name, upload.read())] if upload else []


@staff_view(HANDLE, policy=_city_staff)
@body_limit(UPLOAD_LIMIT, refuse=_too_large)
def request_new(request):
    form = RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_register(
                acting_user=request.user,
                channel=data["channel"],
                requester_type=data["requester_type"],
                instrument=data["instrument"],
                received_on=data["received_on"],
                categories=data["categories"],
                requester=data["requester"],
                subject=data["subject"],
                notes=data["notes"],
                due_on=data["due_on"],
                non_disclosure_order=data["non_disclosure_order"],
                ndo_expires_on=data["ndo_expires_on"],
                persons_affected=data["persons_affected"],
                documents=_uploaded(form),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The request was entered in the register."))
            return redirect("outside_requests:request_detail", reference=created.reference)
    return render(request, "outside_requests/request_new.html", {"form": form}, status=400 if form.errors else 200)


@staff_view(HANDLE, policy=_city_staff)
@require_GET
def request_detail(request, reference):
    outside = _request_or_404(reference)
    detail = selectors.request_detail(acting_user=request.user, request=outside)
    user = request.user
    return render(
        request,
        "outside_requests/request_detail.html",
        {
            "outside": outside,
            "detail": detail,
            "offered": outside.offered_actions,
            "is_legal": has_capability(user, services.LEGAL),
            "is_privacy": has_capability(user, services.PRIVACY),
            "checklist": [(name, label, outside.checklist.get(name) is True) for name, label in CHECKLIST],
            "holdings": holdings.what_we_hold(),
            "ndo_running": services.ndo_running(outside),
            "triage_form": TriageForm(
                initial={
                    "categories": outside.categories,
                    "persons_affected": outside.persons_affected,
                    "due_on": outside.due_on,
                }
            ),
            "checklist_form": ChecklistForm(initial=outside.checklist),
            "defer_form": DeferForm(initial={"until": outside.ndo_expires_on}),
            "document_form": DocumentForm(),
        },
    )


@staff_view(HANDLE, policy=_city_staff)
@require_GET
def document(request, reference, document_id):
    outside = _request_or_404(reference)
    if document_id > 2**62:
        raise Http404
    found = selectors.document_open(acting_user=request.user, request=outside, document_id=document_id)
    if found is None:
        raise Http404
    row, data = found
    content_type = selectors.CONTENT_TYPES.get(row.kind, "application/octet-stream")
    response = HttpResponse(data, content_type=content_type)
    suffix = {"pdf": "pdf", "jpeg": "jpg", "png": "png", "text": "txt"}.get(row.kind, "bin")
    response["Content-Disposition"] = f'attachment; filename="{outside.reference}-{row.pk}.{suffix}"'
    return response


# One endpoint per button of the request page; each calls one service.
_SIMPLE = {
    "start_review": services.request_start_review,
    "sign_off_legal": services.request_sign_off_legal,
    "sign_off_privacy": services.request_sign_off_privacy,
    "narrow": services.request_narrow,
    "refuse": services.request_refuse,
    "no_records": services.request_no_records,
    "challenge": services.request_challenge,
    "respond": services.request_respond,
    "notify": services.request_notify,
    "prohibit_notice": services.request_prohibit_notice,
    "close": services.request_close,
    "publish": services.request_publish,
    "shred": services.request_shred,
}


@staff_view(HANDLE, policy=_city_staff)
@require_POST
@body_limit(UPLOAD_LIMIT, refuse=_too_large)
def request_action(request, reference, action):
    outside = _request_or_404(reference)
    user, post = request.user, request.POST
    back = redirect("outside_requests:request_detail", reference=outside.reference)
    try:
        if action in _SIMPLE:
            _SIMPLE[action](acting_user=user, request=outside)
        elif action in ("disclose", "disclose_partially"):
            services.request_disclose(acting_user=user, request=outside, partial=action == "disclose_partially")
        elif action == "triage":
            form = TriageForm(post)
            if not form.is_valid():
                messages.error(request, _("Please correct the form: %(errors)s") % {"errors": form.errors.as_text()})
                return back
            data = form.cleaned_data
            services.request_triage(
                acting_user=user,
                request=outside,
                categories=data["categories"],
                persons_affected=data["persons_affected"],
                due_on=data["due_on"],
            )
        elif action == "checklist":
            form = ChecklistForm(post)
            form.is_valid()
            services.request_checklist(acting_user=user, request=outside, items=form.cleaned_data)
        elif action == "defer_notice":
            form = DeferForm(post)
            if not form.is_valid():
                messages.error(request, _("Please correct the form: %(errors)s") % {"errors": form.errors.as_text()})
                return back
            services.request_defer_notice(acting_user=user, request=outside, until=form.cleaned_data["until"])
        elif action == "add_document":
            form = DocumentForm(post, request.FILES)
            if not form.is_valid():
                messages.error(request, _("Please correct the form: %(errors)s") % {"errors": form.errors.as_text()})
                return back
            upload = form.cleaned_data["document"]
            services.request_add_document(acting_user=user, request=outside, name=upload.name, data=upload.read())
        else:
            raise Http404
    except PermissionDenied:
        messages.error(request, _("Your role does not allow this action."))
        return back
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    except InvalidTransition:
        messages.error(request, _("This action is not possible for this request in its current state."))
        return back
    messages.success(request, _("Saved."))
    return back


# --- Staff: refusal reports -------------------------------------------------------------------------------
@staff_view(FOLLOW_UP, policy=_city_staff)
@require_GET
def refusal_list(request):
    state = request.GET.get("state", "")
    if state not in RefusalReport.State.values:
        state = ""
    return render(
        request,
        "outside_requests/refusal_list.html",
        {
            "reports": selectors.refusal_list(state=state),
            "counts": selectors.refusal_counts(),
            "state": state,
            "states": RefusalReport.State.choices,
        },
    )


_REFUSAL_ACTIONS = {
    "contact_service": services.refusal_contact_service,
    "resolve": services.refusal_resolve,
    "mark_unresolved": services.refusal_mark_unresolved,
    "reopen": services.refusal_reopen,
}


@staff_view(FOLLOW_UP, policy=_city_staff)
@require_POST
def refusal_action(request, pk, action):
    report = RefusalReport.objects.filter(pk=bounded_int(pk, default=0, minimum=0, maximum=2**62)).first()
    if report is None or action not in _REFUSAL_ACTIONS:
        raise Http404
    try:
        _REFUSAL_ACTIONS[action](acting_user=request.user, report=report)
    except InvalidTransition:
        messages.error(request, _("This action is not possible for this report in its current state."))
    else:
        messages.success(request, _("Saved."))
    return redirect("outside_requests:refusal_list")


# --- The half-yearly editions: public pages, signed files, the canary --------------------------------------
@public_view
@require_GET
def edition(request, period):
    edition = selectors.edition_get(period)
    if edition is None:
        raise Http404
    return render(
        request,
        "outside_requests/edition.html",
        {"edition": edition, "data": selectors.edition_view(edition), "files": selectors.edition_files(edition)},
    )


def _public_file(content: bytes, content_type: str, *, name: str = "") -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site or notebook may read it
    if name:
        response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_GET
def edition_file(request, name):
    """A published file, or its signature (the same name followed by .jws)."""
    signature = isinstance(name, str) and name.endswith(".jws")
    found = selectors.edition_file_get(name[:-4] if signature else name)
    if found is None:
        raise Http404
    if signature:
        return _public_file(found.signature.encode("ascii"), "application/jose", name=name)
    return _public_file(bytes(found.content), found.content_type, name=found.name)


@require_GET
def edition_schema(request, name):
    from . import editions

    schemas = {"edition.schema.json": editions.edition_schema, "table-schema.json": editions.table_schema}
    if name not in schemas:
        raise Http404
    return _public_file(editions.dumps(schemas[name]()), "application/json")


@require_GET
def canary(request, signature=False):
    statement = selectors.canary_current()
    if statement is None:
        raise Http404
    if signature:
        return _public_file(statement.signature.encode("ascii"), "application/jose")
    return _public_file(statement.text.encode("utf-8"), "text/plain; charset=utf-8")


def _privacy_officer(user) -> bool:
    return works_for_the_city(user) and has_capability(user, "review_outside_requests_privacy")


@staff_view("accounts.review_outside_requests_privacy", policy=_city_staff)
def editions(request):
    """The privacy officer's page: publish a half-year's report, sign the month's statement."""
    if request.method == "POST":
        try:
            if request.POST.get("what") == "canary":
                services.canary_renew(acting_user=request.user)
            else:
                period = request.POST.get("period", "")
                services.edition_publish(acting_user=request.user, period=period if isinstance(period, str) else "")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect("outside_requests:editions")
    return render(request, "outside_requests/editions.html", selectors.editions_dashboard())


@staff_view(HANDLE, policy=_city_staff)
@require_GET
def alerts_ics(request):
    """The register's dates as a calendar file to import (references and kinds only, no names)."""
    import datetime as dt

    from sanspeur.core import ics

    summaries = {
        "due": _("Answer due: outside request %(reference)s"),
        "ndo": _("Non-disclosure order expires: outside request %(reference)s"),
        "notice": _("Deferred notice due: outside request %(reference)s"),
    }
    events = [
        [
            f"UID:{reference}-{kind}@sanspeur.outside-requests",
            f"DTSTART;VALUE=DATE:{ics.day(on)}",
            f"DTEND;VALUE=DATE:{ics.day(on + dt.timedelta(days=1))}",
            f"SUMMARY:{ics.escape(summaries[kind] % {'reference': reference})}",
        ]
        for reference, kind, on in selectors.calendar_events()
    ]
    response = HttpResponse(
        ics.calendar(events, product="outside-requests", name=_("Outside requests")),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="outside-requests.ics"'
    return response


# --- The "sans peur" charter -------------------------------------------------------------------------------
@public_view
@require_GET
def charter_rules(request):
    from . import charter

    return render(
        request,
        "outside_requests/charter_rules.html",
        {"rules": charter.rules(), "version": charter.CURRENT_VERSION, "signatories": selectors.charter_signatories()},
    )


@staff_view("accounts.manage_staff")
def charter(request):
    """An organisation's administrator signs the charter for their own organisation."""
    from sanspeur.accounts.policy import may_sign_charter

    from . import charter as charter_text

    organisation = request.user.organisation
    if request.method == "POST":
        try:
            if request.POST.get("what") == "withdraw":
                services.charter_withdraw(acting_user=request.user, organisation=organisation)
            else:
                services.charter_sign(acting_user=request.user, organisation=organisation)
        except PermissionDenied:
            messages.error(request, _("Your role does not allow this action."))
        else:
            messages.success(request, _("Saved."))
        return redirect("outside_requests:charter")
    return render(
        request,
        "outside_requests/charter.html",
        {
            "organisation": organisation,
            "rules": charter_text.rules(),
            "version": charter_text.CURRENT_VERSION,
            "signature": selectors.charter_signature(organisation),
            "may_sign": may_sign_charter(request.user, organisation),
        },
    )
