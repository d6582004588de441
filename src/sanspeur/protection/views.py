"""Public pages (anonymous, no cookie, nothing cached) and the unit's staff pages."""

from __future__ import annotations

import base64
import secrets

import nacl.secret
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from nacl.exceptions import CryptoError

from sanspeur.accounts.decorators import safe_next, staff_view
from sanspeur.core.decorators import public_view

from . import crypto, selectors, services
from .forms import (
    AddInformationForm,
    AssignForm,
    ClosureForm,
    CodenameForm,
    ContactCaseForm,
    FollowUpForm,
    ReferralForm,
    ReportForm,
    TextForm,
    TriageForm,
    UnlockForm,
)
from .models import Case

HANDLE = "accounts.handle_protection_cases"
SUPERVISE = "accounts.supervise_protection_cases"


# --- Public -------------------------------------------------------------------------------------


def _too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE


@public_view
def home(request):
    return render(request, "protection/home.html")


@public_view
def report(request):
    if request.method == "POST":
        if _too_large(request):
            form = ReportForm()
            return render(
                request,
                "protection/report.html",
                {"form": form, "too_large": True, "limit_mb": settings.FILE_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)},
                status=400,
            )
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            content = {
                "category": data["category"],
                "role": data["role"],
                "when_month": data["when_month"],
                "when_year": data["when_year"],
                "borough": data["borough"],
                "text": data["text"],
                "contact": data["contact"],
                "contact_details": data["contact_details"],
                "contact_language": data["contact_language"],
                "form_language": translation.get_language(),
            }
            case, codename = services.report_submit(
                content=content,
                category=data["category"],
                attachments=data["attachments"],
                language=translation.get_language(),
            )
            return render(request, "protection/codename.html", {"codename": codename})
        return render(request, "protection/report.html", {"form": form}, status=400)
    return render(
        request,
        "protection/report.html",
        {"form": ReportForm(initial={"contact": "none", "contact_language": translation.get_language()})},
    )


@public_view
def followup(request):
    """Come back with the codename: read replies, add information, delete replies.

    The codename travels in each POST (a hidden field on a no-store page), never in a cookie.
    """
    if request.method != "POST":
        return render(request, "protection/followup.html", {"form": CodenameForm()})
    form = CodenameForm(request.POST)
    if not form.is_valid():
        return render(request, "protection/followup.html", {"form": form}, status=400)
    codename = form.cleaned_data["codename"]
    try:
        found = selectors.reporter_case_open(codename)
    except selectors.RateLimited:
        return render(request, "protection/followup.html", {"form": CodenameForm(), "rate_limited": True}, status=429)
    if found is None:
        return render(request, "protection/followup.html", {"form": CodenameForm(), "not_found": True}, status=400)
    case, reporter_key = found
    action = request.POST.get("action", "open")
    add_form = AddInformationForm()
    notice = ""
    too_large = False
    if action == "add" and _too_large(request):
        too_large = True  # the files were not read (over the upload limit): nothing is saved
    elif action == "add":
        add_form = AddInformationForm(request.POST, request.FILES)
        if add_form.is_valid():
            services.report_add_information(
                case=case, text=add_form.cleaned_data["text"], attachments=add_form.cleaned_data["attachments"]
            )
            add_form, notice = AddInformationForm(), _("Thank you. Your information was added to your report.")
    elif action == "delete":
        try:
            message_id = int(request.POST.get("message", ""))
        except ValueError:
            message_id = 0
        if services.reply_delete_by_reporter(case=case, message_id=message_id):
            notice = _("The reply was deleted.")
    else:
        services.reporter_seen(case=case)
    thread = selectors.reporter_thread(case, reporter_key)
    return render(
        request,
        "protection/thread.html",
        {
            "codename": crypto.codename_normalise(codename),
            "thread": thread,
            "add_form": add_form,
            "notice": notice,
            "too_large": too_large,
            "limit_mb": settings.FILE_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024),
        },
        status=400 if too_large else 200,
    )


# --- Unit key in the staff session ---------------------------------------------------------------
SESSION_KEY = "protection_unit_key"
COOKIE = "sp_unit"


def _cookie_age() -> int:
    return settings.SANSPEUR_PROTECTION_UNLOCK_SECONDS


def unlocked_private_key(request) -> bytes | None:
    """The unit's private key: encrypted in the server session under a key held only in a cookie."""
    sealed, cookie = request.session.get(SESSION_KEY), request.COOKIES.get(COOKIE)
    if not sealed or not cookie:
        return None
    try:
        return nacl.secret.SecretBox(base64.urlsafe_b64decode(cookie)).decrypt(base64.b64decode(sealed))
    except (CryptoError, ValueError, TypeError):
        return None


@staff_view(HANDLE)
def unlock(request):
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            private = crypto.unit_private_key_open(services.active_unit_key(), form.cleaned_data["passphrase"])
        except crypto.WrongPassphrase:
            form.add_error("passphrase", _("This passphrase does not open the unit key."))
        else:
            wrapping = secrets.token_bytes(32)
            request.session[SESSION_KEY] = base64.b64encode(
                bytes(nacl.secret.SecretBox(wrapping).encrypt(private))
            ).decode()
            response = redirect(safe_next(request, reverse("protection:case_list")))
            response.set_cookie(
                COOKIE,
                base64.urlsafe_b64encode(wrapping).decode(),
                max_age=_cookie_age(),
                httponly=True,
                samesite="Strict",
                secure=request.is_secure(),
            )
            return response
    return render(request, "protection/unlock.html", {"form": form, "next": request.GET.get("next", "")})


@staff_view(HANDLE)
@require_POST
def lock(request):
    request.session.pop(SESSION_KEY, None)
    response = redirect("protection:case_list")
    response.delete_cookie(COOKIE, samesite="Strict")
    return response


# --- Staff pages --------------------------------------------------------------------------------
@staff_view(HANDLE)
def case_list(request):
    state = request.GET.get("state", "")
    if state not in Case.State.values:
        state = ""
    cases = selectors.case_list(acting_user=request.user, state=state, mine=request.GET.get("mine") == "1")
    return render(
        request,
        "protection/case_list.html",
        {
            "cases": cases,
            "state": state,
            "states": Case.State.choices,
            "unlocked": unlocked_private_key(request) is not None,
        },
    )


@staff_view(HANDLE)
def case_new(request):
    form = ContactCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = services.case_open_from_contact(
            acting_user=request.user,
            source=data["source"],
            category=data["category"],
            content={"category": data["category"], "text": data["text"]},
            stats_consent=data["stats_consent"],
        )
        return redirect("protection:case_detail", reference=case.reference)
    return render(request, "protection/case_new.html", {"form": form})


def _case_or_404(reference) -> Case:
    case = selectors.case_get(reference=reference)
    if case is None or case.state == Case.State.SHREDDED:
        raise Http404
    return case


@staff_view(HANDLE)
def case_detail(request, reference):
    case = _case_or_404(reference)
    detail = selectors.case_detail(acting_user=request.user, case=case, private_key=unlocked_private_key(request))
    supervisor = request.user.has_perm(SUPERVISE)
    return render(
        request,
        "protection/case_detail.html",
        {
            "case": case,
            "detail": detail,
            "supervisor": supervisor,
            "access_log": selectors.case_access_log(case=case) if supervisor else None,
            "triage_form": TriageForm(initial={"priority": case.priority or "normal", "risk": case.risk or "medium"}),
            "assign_form": AssignForm(initial={"assignee": case.assigned_to_id}),
            "note_form": TextForm(prefix="note"),
            "plan_form": TextForm(prefix="plan", initial={"text": (detail["safety_plan"] or {}).get("text", "")}),
            "reply_form": TextForm(prefix="reply"),
            "followup_form": FollowUpForm(),
            "referral_form": ReferralForm(),
            "closure_form": ClosureForm(),
        },
    )


@staff_view(HANDLE)
@require_POST
def case_action(request, reference, action):
    """One endpoint per form on the case page; each calls one service."""
    case = _case_or_404(reference)
    user, post = request.user, request.POST
    back = redirect("protection:case_detail", reference=case.reference)
    forms = {
        "triage": TriageForm,
        "assign": AssignForm,
        "note": lambda data: TextForm(data, prefix="note"),
        "plan": lambda data: TextForm(data, prefix="plan"),
        "reply": lambda data: TextForm(data, prefix="reply"),
        "followup": FollowUpForm,
        "referral": ReferralForm,
        "close": ClosureForm,
    }
    try:
        if action in forms:
            form = forms[action](post)
            if not form.is_valid():
                messages.error(request, _("Please correct the form: %(errors)s") % {"errors": form.errors.as_text()})
                return back
            data = form.cleaned_data
            if action == "triage":
                services.case_triage(acting_user=user, case=case, priority=data["priority"], risk=data["risk"])
            elif action == "assign":
                services.case_assign(acting_user=user, case=case, assignee=data["assignee"])
            elif action == "note":
                services.note_create(acting_user=user, case=case, text=data["text"])
            elif action == "plan":
                services.safety_plan_update(acting_user=user, case=case, text=data["text"])
            elif action == "reply":
                services.reply_create(acting_user=user, case=case, text=data["text"])
            elif action == "followup":
                services.followup_create(acting_user=user, case=case, due_on=data["due_on"], text=data["text"])
            elif action == "referral":
                services.referral_create(
                    acting_user=user,
                    case=case,
                    partner=data["partner"],
                    consent_given=data["consent"],
                    note=data["text"],
                )
            elif action == "close":
                services.case_closure_request(acting_user=user, case=case, outcome=data["outcome"])
        elif action == "followup_done":
            followup_id = post.get("followup", "")
            if not followup_id.isdigit():
                raise Http404
            services.followup_complete(acting_user=user, case=case, followup_id=int(followup_id))
        elif action == "stats":
            services.case_stats_consent_set(acting_user=user, case=case, consent=post.get("stats_consent") == "on")
        elif action in ("approve", "reject"):
            if not user.has_perm(SUPERVISE):
                raise PermissionDenied
            services.case_closure_approve(acting_user=user, case=case, approve=action == "approve")
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    messages.success(request, _("Saved."))
    return back


@staff_view(HANDLE)
def attachment(request, reference, attachment_id):
    case = _case_or_404(reference)
    key = unlocked_private_key(request)
    if key is None:
        return redirect(f"{reverse('protection:unlock')}?next={request.path}")
    found = selectors.attachment_open(acting_user=request.user, case=case, attachment_id=attachment_id, private_key=key)
    if found is None:
        raise Http404
    kind, data = found
    content_type = {"jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}[kind]
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-{attachment_id}.{kind}"'
    return response


@staff_view(HANDLE)
def stats(request):
    return render(request, "protection/stats.html", {"stats": selectors.statistics()})
