"""Staff pages for enrollment and cards, and the public well-known documents for verifiers."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanspeur.accounts.decorators import staff_view
from sanspeur.accounts.policy import OWN, can_change_city_rules, in_scope
from sanspeur.core.params import clean_text

from . import keys, selectors, services
from .forms import (
    CardRulesForm,
    DocumentTypeForm,
    EnrollForm,
    ForgetForm,
    IssuePhotoForm,
    ReplaceForm,
    RevokeForm,
    SearchForm,
)
from .models import CardRules, DocumentType, Holder, StatusList
from .pdf import card_pdf
from .photos import jpeg_data_url

ENROLL = "accounts.enroll_residents"
MANAGE = "accounts.manage_cards"
RULES = "accounts.manage_card_rules"


def _upload_dropped(request) -> bool:
    """Files over FILE_UPLOAD_MAX_MEMORY_SIZE are dropped by the memory-only upload handler."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE and "photo_upload" not in request.FILES


def _organisation_required(request):
    if not in_scope(request.user, request.user.organisation_id, reach=OWN):  # enrolls for one's own
        raise Http404


def _already_submitted(request, holder):
    if not in_scope(request.user, holder.organisation_id, reach=OWN):
        raise Http404
    messages.info(request, _("This form was already submitted: here is the record it created."))
    return redirect("cards:holder_detail", pk=holder.pk)


# --- enrollment ------------------------------------------------------------------------------
@staff_view(ENROLL)
def enroll(request):
    _organisation_required(request)
    duplicate = None
    if request.method == "POST":
        show_confirm = bool(request.POST.get("duplicate_seen"))
        form = EnrollForm(request.POST, request.FILES, show_confirm=show_confirm)
        form.upload_dropped = _upload_dropped(request)
        token = clean_text(request.POST.get("submission_token"), max_length=64) or None
        already = Holder.objects.filter(submission_token=token).first() if token else None
        if already is not None:
            return _already_submitted(request, already)
        if form.is_valid():
            data = form.cleaned_data
            # Audited; a match in another organisation's records shows only "a card exists".
            duplicate = services.holder_duplicate_check(
                acting_user=request.user,
                given_names=data["given_names"],
                family_names=data["family_names"],
                date_of_birth=data["date_of_birth"],
            )
            if (duplicate.holders or duplicate.elsewhere) and not data.get("confirm_duplicate"):
                # Keep the photo in the page so the agent does not have to take it again.
                kept = request.POST.copy()  # a QueryDict: every ticked document stays ticked
                kept["photo_data"] = jpeg_data_url(data["photo"])
                form = EnrollForm(kept, show_confirm=True)
                form.is_valid()
                return render(request, "cards/enroll.html", {"form": form, "duplicate": duplicate}, status=200)
            try:
                holder, card = services.holder_enroll(
                    acting_user=request.user,
                    organisation=request.user.organisation,
                    profile=data,
                    photo_jpeg=data["photo"],
                    document_types=data["document_types"],
                    submission_token=data["submission_token"],
                )
            except services.DuplicateSubmission as error:
                return _already_submitted(request, error.holder)
            messages.success(request, _("Card issued."))
            return redirect("cards:holder_detail", pk=holder.pk)
        if form.cleaned_data.get("photo"):
            # Keep a good photo (camera or upload) while the agent fixes the other fields.
            form.data = form.data.copy()
            form.data["photo_data"] = jpeg_data_url(form.cleaned_data["photo"])
    else:
        form = EnrollForm()
    return render(request, "cards/enroll.html", {"form": form, "duplicate": duplicate})


# --- holders ---------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@staff_view(ENROLL)
def holder_list(request):
    """The organisation's latest records (no names), and the two searches. A search is POSTed:
    names, a birth date or a card number must not sit in a URL, the browser's history or a proxy's
    log. Each search is audited (``services.holder_search``)."""
    search, number, lookup = SearchForm(), "", None
    if request.method == "POST":
        if request.POST.get("search") == "number":
            number = clean_text(request.POST.get("number"), max_length=32)
            if number:
                lookup = services.holder_search(acting_user=request.user, number=number)
        else:
            search = SearchForm(request.POST)
            if search.is_valid():
                lookup = services.holder_search(acting_user=request.user, **search.cleaned_data)
    if lookup is None:
        holders = selectors.holders_for(request.user).prefetch_related("cards")[: services.LOOKUP_LIMIT]
    else:
        holders = lookup.holders
    context = {
        "holders": holders,
        "search": search,
        "searched": lookup is not None,
        "elsewhere": lookup.elsewhere if lookup else 0,
        "number": number,
    }
    return render(request, "cards/holder_list.html", context)


@staff_view(ENROLL)
def holder_detail(request, pk):
    holder = selectors.holder_get(acting_user=request.user, pk=pk)
    profile = selectors.holder_profile(acting_user=request.user, holder=holder)
    photo_url = jpeg_data_url(profile["photo"]) if profile and profile.get("photo") else None
    checks = holder.document_checks.select_related("checked_by")
    latest = holder.current_card()
    reissue_card = latest if latest is not None and services.reissue_refusal(latest) is None else None
    return render(
        request,
        "cards/holder_detail.html",
        {
            "holder": holder,
            "profile": profile,
            "photo_url": photo_url,
            "cards": holder.cards.all(),
            "checks": checks,
            "reissue_card": reissue_card,
            "issue_form": IssuePhotoForm() if holder.needs_new_card and not holder.is_shredded else None,
        },
    )


@staff_view(ENROLL)
def card_pdf_view(request, pk):
    card = selectors.card_get(acting_user=request.user, pk=pk)
    if card.holder.is_shredded or card.sealed_code is None or "print" not in card.offered_actions:
        raise Http404  # a suspended, expired or revoked card is not printed again (cards/states.py)
    code = services.card_pdf_download(acting_user=request.user, card=card)
    profile = selectors.holder_profile(acting_user=request.user, holder=card.holder, purpose="print")
    pdf = card_pdf(
        code=code, profile=profile, photo_jpeg=profile["photo"], number=card.display_number, expires_at=card.expires_at
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="carte-{card.number}.pdf"'
    return response


def _card_action(request, pk, action):
    card = selectors.card_get(acting_user=request.user, pk=pk)
    try:
        result = action(card)
    except services.ActiveCardExists as refused:
        messages.error(request, refused.message)
        return redirect("cards:holder_detail", pk=card.holder_id)
    except ValueError:
        messages.error(request, _("This action is not possible for this card in its current state."))
        return redirect("cards:holder_detail", pk=card.holder_id)
    if result is not None:
        return result
    return redirect("cards:holder_detail", pk=card.holder_id)


@require_POST
@staff_view(MANAGE)
def card_renew(request, pk):
    def action(card):
        services.card_renew(acting_user=request.user, card=card)
        messages.success(request, _("Card renewed. Print the new card."))

    return _card_action(request, pk, action)


# Irreversible or disruptive actions open a confirmation page first (GET): it names the card and
# what will happen; only its form (POST) acts. A reason is never chosen for the agent.
def _confirm_page(request, card, action, form=None, status=200):
    return render(
        request,
        "cards/card_confirm.html",
        {"card": card, "holder": card.holder, "action": action, "form": form, "reissue_days": services.REISSUE_DAYS},
        status=status,
    )


def _confirmed_card_action(request, pk, name, form_class, perform):
    """GET: the confirmation page. POST: the action, once its form (a reason) is valid."""
    card = selectors.card_get(acting_user=request.user, pk=pk)
    if card.holder.is_shredded or name not in card.offered_actions:
        messages.error(request, _("This action is not possible for this card in its current state."))
        return redirect("cards:holder_detail", pk=card.holder_id)
    form = form_class(request.POST if request.method == "POST" else None) if form_class else None
    if request.method != "POST" or (form is not None and not form.is_valid()):
        return _confirm_page(request, card, name, form, status=400 if form is not None and form.errors else 200)
    return _card_action(request, pk, lambda card: perform(card, form.cleaned_data if form else {}))


@require_http_methods(["GET", "POST"])
@staff_view(MANAGE)
def card_replace(request, pk):
    def perform(card, data):
        services.card_replace(acting_user=request.user, card=card, reason=data["reason"])
        messages.success(request, _("The old card is revoked and a new card was issued. Print the new card."))

    return _confirmed_card_action(request, pk, "replace", ReplaceForm, perform)


@require_http_methods(["GET", "POST"])
@staff_view(MANAGE)
def card_revoke(request, pk):
    def perform(card, data):
        services.card_revoke(acting_user=request.user, card=card, reason=data["reason"])
        messages.success(request, _("Card revoked."))

    return _confirmed_card_action(request, pk, "revoke", RevokeForm, perform)


@require_http_methods(["GET", "POST"])
@staff_view(MANAGE)
def card_suspend(request, pk):
    def perform(card, _data):
        services.card_suspend(acting_user=request.user, card=card)
        messages.success(request, _("Card suspended."))

    return _confirmed_card_action(request, pk, "suspend", None, perform)


@require_POST
@staff_view(MANAGE)
def card_reinstate(request, pk):
    def action(card):
        services.card_reinstate(acting_user=request.user, card=card)
        messages.success(request, _("Card reinstated."))

    return _card_action(request, pk, action)


def _revoked_by_mistake(request, holder):
    """The confirmation page and the action of a new card after a revoke made by mistake
    (services.card_reissue): the revoked card stays revoked."""
    card = holder.current_card()
    refusal = services.reissue_refusal(card) if card is not None else None
    if card is None or refusal is not None:
        messages.error(request, refusal or _("This action is not possible for this card in its current state."))
        return redirect("cards:holder_detail", pk=holder.pk)
    if request.method != "POST":
        return _confirm_page(request, card, "reissue")
    try:
        services.card_reissue(acting_user=request.user, card=card)
    except services.ReissueRefused as refused:
        messages.error(request, refused.message)
    except services.ActiveCardExists as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("A new card was issued on this record. The revoked card stays revoked. Print the new card.")
        )
    return redirect("cards:holder_detail", pk=holder.pk)


@require_http_methods(["GET", "POST"])
@staff_view(MANAGE)
def holder_issue(request, pk):
    holder = selectors.holder_get(acting_user=request.user, pk=pk)
    if request.method == "GET" or request.POST.get("action") == "reissue":
        return _revoked_by_mistake(request, holder)
    form = IssuePhotoForm(request.POST, request.FILES)
    form.upload_dropped = _upload_dropped(request)
    if not form.is_valid() or holder.is_shredded:
        for error in form.errors.get("photo_upload", []):
            messages.error(request, error)
        return redirect("cards:holder_detail", pk=holder.pk)
    try:
        services.card_issue(acting_user=request.user, holder=holder, photo_jpeg=form.cleaned_data["photo"])
    except services.ActiveCardExists as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Card issued."))
    return redirect("cards:holder_detail", pk=holder.pk)


@require_http_methods(["GET", "POST"])
@staff_view(MANAGE)
def holder_forget(request, pk):
    holder = selectors.holder_get(acting_user=request.user, pk=pk)
    if holder.is_shredded:
        messages.error(request, _("This record was already destroyed."))
        return redirect("cards:holder_detail", pk=holder.pk)
    form = ForgetForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        cards = holder.cards.all()
        return render(
            request,
            "cards/holder_forget.html",
            {"holder": holder, "form": form, "cards": cards},
            status=400 if form.errors else 200,
        )
    services.holder_forget(acting_user=request.user, holder=holder)
    messages.success(request, _("The record was destroyed and its cards revoked."))
    return redirect("cards:holder_list")


# --- rules -----------------------------------------------------------------------------------------
@staff_view(RULES, policy=can_change_city_rules)
def rules(request):
    current = CardRules.current()
    form = CardRulesForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.card_rules_update(acting_user=request.user, rules=current, changes=changes)
        messages.success(request, _("Rules saved."))
        return redirect("cards:rules")
    return render(request, "cards/rules.html", {"form": form, "document_types": DocumentType.objects.all()})


@staff_view(RULES, policy=can_change_city_rules)
def document_type_edit(request, pk=None):
    instance = get_object_or_404(DocumentType, pk=pk) if pk else DocumentType()
    form = DocumentTypeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_type_save(acting_user=request.user, document_type=form.save(commit=False))
        except ValidationError as error:  # pragma: no cover - model validation already ran
            form.add_error(None, error)
        else:
            messages.success(request, _("Document type saved."))
            return redirect("cards:rules")
    return render(request, "cards/document_type_form.html", {"form": form, "instance": instance})


# --- public documents for verifiers ---------------------------------------------------------
def _cached(request, body: bytes, etag: str, content_type: str, max_age: int):
    quoted = f'"{etag}"'
    if quoted in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = quoted
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def status_list(request, list_id):
    if not StatusList.objects.filter(pk=list_id).exists():
        raise Http404
    with transaction.atomic():
        current = keys.status_list_current(list_id)
    return _cached(request, bytes(current.token), current.etag, "application/statuslist+cwt", 60)


@require_GET
def trust_list(request):
    with transaction.atomic():
        document = keys.trust_list_current()
    return _cached(request, bytes(document.content), document.etag, "application/jose", 60)


@require_GET
def trust_root(request):
    pem = keys.trust_root_pem()
    import hashlib

    return _cached(request, pem, hashlib.sha256(pem).hexdigest()[:32], "application/x-pem-file", 3600)
