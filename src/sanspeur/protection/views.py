"""Public pages (anonymous, no cookie, nothing cached) and the unit's staff pages."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets

import nacl.secret
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from nacl.exceptions import CryptoError

from sanspeur.accounts.decorators import safe_next, staff_view
from sanspeur.accounts.policy import has_capability
from sanspeur.core import humancheck
from sanspeur.core.public_pages import public_view
from sanspeur.core.transitions import InvalidTransition
from sanspeur.core.uploads import body_limit

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


REPORT_SCOPE = "protection.report"
FOLLOWUP_SCOPE = "protection.followup"
# The question shown without JavaScript is accepted this long after the page was shown at the
# earliest (a report takes minutes to write; scripts answer at once).
QUESTION_MIN_SECONDS = 5
PASS_SALT = "sanspeur.protection.followup-pass"  # noqa: S105 - a signing salt, not a secret
PASS_MAX_AGE = 60 * 60


def _upload_limit() -> int:
    return settings.FILE_UPLOAD_MAX_MEMORY_SIZE


def _limit_mb() -> int:
    return _upload_limit() // (1024 * 1024)


def _too_large(request, limit: int):
    """Over the upload limit: refused before the body is read (core.uploads.body_limit)."""
    return render(request, "protection/refused.html", {"limit_mb": max(1, limit // (1024 * 1024))}, status=413)


def _check_context(scope: str, *, show_question: bool = False, error: str = "") -> dict:
    url = reverse("protection:challenge", kwargs={"scope": scope})
    return humancheck.human_check_context(scope=scope, show_question=show_question, error=error, url=url)


def challenge(request, scope: str):
    """The widget's challenges for this unit's forms, under /<lang>/protection/ so that the rule
    keeping this module's URLs out of access logs covers them too (docs/protection.md)."""
    if scope not in (REPORT_SCOPE, FOLLOWUP_SCOPE):
        raise Http404
    return humancheck.challenge(request, scope)


def _refused_check(request, reason: str) -> dict:
    show = reason == "missing" or not request.POST.get("altcha")
    return {"show_question": show, "error": humancheck.message(reason)}


def _pass_for(codename: str) -> str:
    """What the thread page's own forms (add, delete) carry instead of a new proof of work: good
    for this codename only, for an hour. It holds a hash of the look-up id, never the codename."""
    return signing.dumps({"l": _pass_id(codename)}, salt=PASS_SALT)


def _pass_id(codename: str) -> str:
    return hashlib.sha256(crypto.codename_lookup(codename).encode()).hexdigest()[:32]


def _pass_valid(value: str, codename: str) -> bool:
    try:
        data = signing.loads(value or "", salt=PASS_SALT, max_age=PASS_MAX_AGE)
    except signing.BadSignature:
        return False
    return isinstance(data, dict) and data.get("l") == _pass_id(codename)


# --- The page after sending: shown by GET (POST-redirect-GET), without a cookie ---------------------
# The codename is kept for a few minutes in the shared cache, encrypted under a key derived from a
# random token that exists only in the redirect's URL (?r=…): the cache alone opens nothing, and the
# URL left in the history opens nothing once the entry is gone (hidden by the person, or expired
# after SANSPEUR_PROTECTION_RECEIPT_SECONDS). docs/protection.md, "The page after sending".
RECEIPT_PREFIX = "protection.receipt:"
RECEIPT_TOKEN_BYTES = 32


def _see_other(url: str) -> HttpResponseRedirect:
    """303: the browser follows with a GET, and a reload repeats the GET, never the POST."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _receipt_id(token: str) -> str:
    return RECEIPT_PREFIX + hashlib.sha256(b"receipt-id:" + token.encode()).hexdigest()


def _receipt_box(token: str) -> nacl.secret.SecretBox:
    return nacl.secret.SecretBox(hashlib.sha256(b"receipt-key:" + token.encode()).digest())


def _receipt_store(codename: str, language: str) -> str:
    token = secrets.token_urlsafe(RECEIPT_TOKEN_BYTES)
    sealed = _receipt_box(token).encrypt(json.dumps({"c": codename, "l": language}).encode())
    cache.set(
        _receipt_id(token), base64.b64encode(bytes(sealed)).decode(), settings.SANSPEUR_PROTECTION_RECEIPT_SECONDS
    )
    return token


def _receipt_token(request) -> str:
    token = request.GET.get("r", "")
    if not 20 <= len(token) <= 64 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in token):
        return ""
    return token


def _receipt_open(token: str) -> dict | None:
    if not token:
        return None
    sealed = cache.get(_receipt_id(token))
    if not sealed:
        return None
    try:
        data = json.loads(_receipt_box(token).decrypt(base64.b64decode(sealed)))
    except (CryptoError, ValueError, TypeError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("c"), str) else None


def _received(request):
    """The page after sending (``/report/?r=<token>``): the codename, shown after the redirect from
    the report form; "hide" (a POST to the same address) forgets it at once."""
    token = _receipt_token(request)
    if request.method == "POST":
        if token:
            cache.delete(_receipt_id(token))
        return _see_other(reverse("protection:home"))
    found = _receipt_open(token)
    if found is None:
        return render(request, "protection/codename.html", {"gone": True})
    language = crypto.codename_language(found.get("l"))
    codename = found["c"]
    return render(
        request,
        "protection/codename.html",
        {
            "codename": codename,
            "codename_language": language,
            "codename_dir": "rtl" if language in crypto.RTL_LANGUAGES else "ltr",
            "codename_length": len(codename.split()),
            "token": token,
            "receipt_minutes": max(1, settings.SANSPEUR_PROTECTION_RECEIPT_SECONDS // 60),
        },
    )


@public_view
def home(request):
    return render(request, "protection/home.html")


@public_view
@body_limit(_upload_limit, refuse=_too_large)
def report(request):
    if "r" in request.GET:  # the page after sending (POST-redirect-GET), not the form
        return _received(request)
    if request.method == "POST":
        reason, _path = humancheck.human_check_verify(
            request.POST, scope=REPORT_SCOPE, min_seconds=QUESTION_MIN_SECONDS
        )
        if reason:
            # Refused before any file is looked at: what the person wrote is kept, nothing decoded.
            return render(
                request,
                "protection/report.html",
                {"form": ReportForm(request.POST), **_check_context(REPORT_SCOPE, **_refused_check(request, reason))},
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
                "contact": data["contact"] or "none",
                "contact_details": data["contact_details"],
                "contact_language": data["contact_language"],
                "form_language": translation.get_language(),
            }
            language = crypto.codename_language(data["codename_language"])
            _case, codename = services.report_submit(
                acting_user=None,
                content=content,
                category=data["category"],
                attachments=data["attachments"],
                language=language,
            )
            # POST-redirect-GET: reloading the next page never sends the report again.
            token = _receipt_store(codename, language)
            return _see_other(f"{reverse('protection:report')}?r={token}")
        return render(request, "protection/report.html", {"form": form, **_check_context(REPORT_SCOPE)}, status=400)
    return render(
        request,
        "protection/report.html",
        {
            "form": ReportForm(
                initial={
                    "contact": "none",
                    "contact_language": translation.get_language(),
                    "codename_language": crypto.codename_language(translation.get_language()),
                }
            ),
            **_check_context(REPORT_SCOPE),
        },
    )


def _followup_page(request, status: int = 200, **context):
    return render(
        request,
        "protection/followup.html",
        {"form": CodenameForm(), **_check_context(FOLLOWUP_SCOPE), **context},
        status=status,
    )


@public_view
@body_limit(_upload_limit, refuse=_too_large)
def followup(request):
    """Come back with the codename: read replies, add information, delete replies.

    The codename travels in each POST (a hidden field on a no-store page), never in a cookie.
    Opening needs a proof of work (or, without JavaScript, the question); the thread page's own
    forms carry a pass for that codename instead.
    """
    if request.method != "POST":
        return _followup_page(request)
    form = CodenameForm(request.POST)
    if not form.is_valid():
        return render(request, "protection/followup.html", {"form": form, **_check_context(FOLLOWUP_SCOPE)}, status=400)
    codename = form.cleaned_data["codename"]
    action = request.POST.get("action", "open")
    if not (action in ("add", "delete") and _pass_valid(request.POST.get("pass", ""), codename)):
        reason, _path = humancheck.human_check_verify(
            request.POST, scope=FOLLOWUP_SCOPE, min_seconds=QUESTION_MIN_SECONDS
        )
        if reason:
            return render(
                request,
                "protection/followup.html",
                {"form": CodenameForm(), **_check_context(FOLLOWUP_SCOPE, **_refused_check(request, reason))},
                status=400,
            )
    try:
        found = selectors.reporter_case_open(codename)
    except selectors.RateLimited as limited:
        response = _followup_page(request, 429, rate_limited=humancheck.wait_text(limited.wait))
        response["Retry-After"] = str(limited.wait)
        return response
    if found is None:
        return _followup_page(request, 400, not_found=True)
    case, reporter_key = found
    add_form = AddInformationForm()
    notice = ""
    if action == "add":
        add_form = AddInformationForm(request.POST, request.FILES)
        if add_form.is_valid():
            services.report_add_information(
                acting_user=None,
                case=case,
                text=add_form.cleaned_data["text"],
                attachments=add_form.cleaned_data["attachments"],
            )
            add_form, notice = AddInformationForm(), _("Thank you. Your information was added to your report.")
    elif action == "delete":
        try:
            message_id = int(request.POST.get("message", ""))
        except ValueError:
            message_id = 0
        if services.reply_delete_by_reporter(acting_user=None, case=case, message_id=message_id):
            notice = _("The reply was deleted.")
    else:
        services.reporter_seen(acting_user=None, case=case)
    thread = selectors.reporter_thread(case, reporter_key)
    return render(
        request,
        "protection/thread.html",
        {
            "report": _reporter_view(selectors.reporter_report(case, reporter_key)),
            "codename": crypto.codename_normalise(codename),
            "pass": _pass_for(codename),
            "thread": thread,
            "add_form": add_form,
            "notice": notice,
            "limit_mb": _limit_mb(),
        },
    )


def _reporter_view(report: dict) -> dict:
    """Month and year of the events in words ("March 2026"), the choices' labels in the page's
    language (the stored values are codes)."""
    content = report["content"] or {}
    month, year = content.get("when_month") or "", content.get("when_year") or ""
    when = " ".join(str(part) for part in (MONTHS.get(int(month)) if month.isdigit() else "", year) if part)
    roles = dict(ReportForm.base_fields["role"].choices)
    contacts = dict(ReportForm.base_fields["contact"].choices)
    return {
        **report,
        "when": when,
        "role": roles.get(content.get("role") or "", ""),
        "contact": contacts.get(content.get("contact") or "", ""),
    }


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
    status = 200
    if request.method == "POST" and form.is_valid():
        # Limited per account, and every try is in the audit trail (services.unit_key_unlock).
        try:
            private = services.unit_key_unlock(acting_user=request.user, passphrase=form.cleaned_data["passphrase"])
        except services.UnlockThrottled as throttled:
            private, status = None, 429
            form.add_error(
                "passphrase",
                _("Too many wrong passphrases from this account. Wait %(time)s before trying again.")
                % {"time": humancheck.wait_text(throttled.wait)},
            )
        else:
            if private is None:
                form.add_error("passphrase", _("This passphrase does not open the unit key."))
        if private is not None:
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
    return render(request, "protection/unlock.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


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
    # A reference is 16 printable characters at most; anything else (a NUL byte that PostgreSQL
    # refuses, a long string) names no case.
    if len(reference) > 16 or not reference.isprintable():
        raise Http404
    case = selectors.case_get(reference=reference)
    if case is None or case.state == Case.State.SHREDDED:
        raise Http404
    return case


@staff_view(HANDLE)
def case_detail(request, reference):
    case = _case_or_404(reference)
    detail = selectors.case_detail(acting_user=request.user, case=case, private_key=unlocked_private_key(request))
    supervisor = has_capability(request.user, SUPERVISE)
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
            "followup_form": FollowUpForm(prefix="followup"),
            "referral_form": ReferralForm(prefix="referral"),
            "closure_form": ClosureForm(),
            "retention_days": services.retention_settings()[0],
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
        "followup": lambda data: FollowUpForm(data, prefix="followup"),
        "referral": lambda data: ReferralForm(data, prefix="referral"),
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
            if not has_capability(user, SUPERVISE):
                raise PermissionDenied
            if action == "approve" and post.get("confirm") != "yes":  # irreversible: confirmed on the page
                raise ValidationError(_("Tick the box to confirm the closure: it cannot be undone."))
            # Refused (403, services.FourEyes) to the supervisor who asked for this closure.
            services.case_closure_approve(acting_user=user, case=case, approve=action == "approve")
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    except InvalidTransition:  # a stale page: the case moved on (protection/states.py)
        messages.error(request, _("This action is not possible for this case in its current state."))
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
