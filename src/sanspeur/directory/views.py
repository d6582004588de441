"""Public directory pages (anonymous, GET only, no cookie) and the staff translator view."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sanspeur.accounts.decorators import staff_view
from sanspeur.accounts.policy import (
    can_propose_directory_change,
    can_translate_content,
    has_capability,
    scope,
    works_on_the_directory,
    works_on_translations,
)
from sanspeur.core.params import clean_text, object_or_404
from sanspeur.core.transitions import InvalidTransition

from . import i18n, selectors, services, translations
from .forms import LANGS, LANGS_IN_TEXT, ProposalForm, TranslationForm
from .models import Borough, ChangeProposal, Service, ServiceVersion
from .reference import fsa_centroids

# Endonyms: each language named in itself.
LANGUAGE_NAMES = {
    "fr": "Français",
    "en": "English",
    "es": "Español",
    "ar": "العربية",
    "ht": "Kreyòl ayisyen",
    "zh": "中文",
    "pt": "Português",
    "vi": "Tiếng Việt",
    "ru": "Русский",
    "tl": "Tagalog",
}


def _params(request) -> dict:
    """The search filters, as text the database accepts (no NUL, bounded length)."""
    g = request.GET
    return {
        "q": clean_text(g.get("q"), max_length=200),
        "need": clean_text(g.get("need"), max_length=50),
        "borough": clean_text(g.get("borough"), max_length=50),
        "language": clean_text(g.get("language"), max_length=10),
        "open_now": g.get("open_now") == "1",
        "free": g.get("free") == "1",
        "card": g.get("card") == "1",
        "near_fsa": clean_text(g.get("near_fsa"), max_length=7),
        "near_borough": clean_text(g.get("near_borough"), max_length=50),
        "near": clean_text(g.get("near"), max_length=40),
        "within": clean_text(g.get("within"), max_length=4),
    }


@require_GET
def search(request):
    params = _params(request)
    page = selectors.search_page(page=request.GET.get("page"), **params)
    query = request.GET.copy()
    query.pop("page", None)
    fsa = params["near_fsa"].replace(" ", "").upper()[:3]
    point = selectors.parse_point(params["near"])
    without_point = request.GET.copy()
    without_point.pop("near", None)
    without_point.pop("page", None)
    return render(
        request,
        "directory/search.html",
        {
            "params": params,
            "page": page,
            "total": page.paginator.count,
            "needs": selectors.needs_terms(),
            "boroughs": Borough.objects.all(),
            "languages": LANGUAGE_NAMES.items(),
            "query_string": query.urlencode(),
            "unknown_fsa": bool(fsa) and fsa not in fsa_centroids() and not point,
            "point": f"{point[0]:.3f},{point[1]:.3f}" if point else "",
            "within_choices": selectors.WITHIN_CHOICES_KM,
            "within": selectors.within_km(params["within"]),
            "within_without_origin": bool(selectors.within_km(params["within"]))
            and selectors.origin_point(fsa=params["near_fsa"], borough=params["near_borough"], point=params["near"])
            is None,
            "bad_point": bool(params["near"]) and not point,
            "without_point": without_point.urlencode(),
            # No tile server: no map at all (markers on a blank box helped nobody).
            "tile_url": settings.SANSPEUR_MAP_TILE_URL,
            "search_query": _search_query(request),
            "filtered": any(params[name] for name in FILTERS),
        },
    )


# The search's filters and distance fields, folded away until one of them is used.
FILTERS = ("need", "borough", "language", "open_now", "free", "card", "near_fsa", "near_borough", "near", "within")


def _search_query(request) -> str:
    """The search as a query string (its cleaned fields and page), carried to a service's page so
    that "Back to the search" returns to the same results; nothing else of the request goes along."""
    query = QueryDict(mutable=True)
    for name, value in _params(request).items():
        if value:
            query[name] = "1" if value is True else value
    page = request.GET.get("page", "")
    if page.isdigit() and len(page) <= 6:
        query["page"] = page
    return query.urlencode()


@require_GET
def map_data(request):
    return JsonResponse({"points": selectors.map_points(_params(request), get_language())})


@require_GET
def detail(request, pk):
    result = selectors.service_detail(pk)
    if not result:
        raise Http404
    return render(
        request,
        "directory/detail.html",
        {
            "r": result,
            "service": result.service,
            "languages": [(c, LANGUAGE_NAMES.get(c, c)) for c in result.service.languages or []],
            "search_query": _search_query(request),
        },
    )


@staff_view(policy=works_on_the_directory)
def staff_list(request):
    user = request.user
    return render(
        request,
        "directory/staff_list.html",
        {
            "missing": selectors.missing_translations(acting_user=user),
            "stale": selectors.stale_entries(acting_user=user),
            "editable": _editable_services(user) if has_capability(user, "edit_directory") else [],
        },
    )


def _editable_services(user):
    """The city's editors reach every service; a partner's contributors their organisation's."""
    qs = Service.objects.select_related("organization").order_by("id")
    return scope(qs, acting_user=user, field="organization__partner")


@staff_view("accounts.edit_directory")
def propose(request, pk):
    service = object_or_404(_editable_services(request.user), pk=pk)
    form = ProposalForm(request.POST or None, service=service)
    if request.method == "POST" and form.is_valid():
        services.proposal_create(acting_user=request.user, service=service, changes=form.changes(service))
        messages.success(request, _("Your proposal was sent for review."))
        return redirect("directory:staff_list")
    return render(request, "directory/propose.html", {"form": form, "service": service})


@staff_view("accounts.publish_directory")
def review_list(request):
    if request.method == "POST":
        proposal = object_or_404(ChangeProposal, pk=request.POST.get("proposal"), status=ChangeProposal.PENDING)
        step = request.POST.get("action")
        if step not in proposal.offered_actions:  # directory/states.py: publish or reject
            raise BadRequest
        try:
            if step == "publish":
                services.proposal_publish(acting_user=request.user, proposal=proposal)
                messages.success(request, _("Published."))
            else:
                services.proposal_reject(acting_user=request.user, proposal=proposal)
                messages.success(request, _("Rejected."))
        except InvalidTransition:  # another editor reviewed it meanwhile
            messages.info(request, _("This proposal was already reviewed."))
        return redirect("directory:review_list")
    pending = (
        ChangeProposal.objects.filter(status=ChangeProposal.PENDING)
        .select_related("service", "proposed_by")
        .prefetch_related("service__schedules")
    )
    rows = [{"proposal": p, "diff": selectors.proposal_diff(p)} for p in pending]
    versions = ServiceVersion.objects.select_related("service", "author", "published_by")[:20]
    return render(request, "directory/review_list.html", {"rows": rows, "versions": versions})


# --- Translations: the queue per language, translate, save, next ------------------------------
def _language(request) -> str:
    language = request.GET.get("lang", "")
    return language if language in i18n.TARGETS else ""


@staff_view(policy=works_on_translations)
def translations_home(request):
    """Counts per language of the texts missing or stale (translations.py)."""
    rows = [{**row, "label": LANGS[row["language"]]} for row in translations.counts(request.user)]
    return render(
        request,
        "directory/translations.html",
        {"rows": rows, "translator": can_translate_content(request.user)},
    )


@staff_view(policy=works_on_translations)
def translation_queue(request):
    language = _language(request)
    if not language:
        return redirect("directory:translations")
    return render(
        request,
        "directory/translation_queue.html",
        {
            "language": language,
            "language_label": LANGS_IN_TEXT[language],
            "items": translations.queue(request.user, language),
            "page_size": translations.QUEUE_PAGE,
            "counts": next(r for r in translations.counts(request.user) if r["language"] == language),
        },
    )


def _queue_url(language: str) -> str:
    from django.urls import reverse

    return f"{reverse('directory:translation_queue')}?lang={language}"


def _translate_url(language: str, key: str) -> str:
    from django.urls import reverse
    from django.utils.http import urlencode

    return f"{reverse('directory:translate')}?{urlencode({'lang': language, 'item': key})}"


def _next(request, language: str, after: str):
    key = translations.next_key(request.user, language, after=after)
    if not key:
        messages.success(request, _("Nothing is left to translate in this language."))
        return redirect(_queue_url(language))
    return redirect(_translate_url(language, key))


@staff_view(policy=works_on_translations)
def translate(request):
    """One text: the French source (and, when stale, the French the translation was made from),
    the translation; save publishes it (a translator) or proposes it (a partner's contributor),
    then the next text of the queue."""
    language = _language(request)
    if not language:
        return redirect("directory:translations")
    key = clean_text(request.GET.get("item"), max_length=200)
    if not key or request.GET.get("skip") == "1":
        return _next(request, language, key)
    item = translations.find(request.user, language, key)
    if item is None:
        raise Http404
    form = TranslationForm(request.POST or None, language=language, initial={"text": item.current})
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            if can_translate_content(request.user):
                services.translation_save(acting_user=request.user, key=key, language=language, text=text)
                messages.success(request, _("Translation published."))
            else:
                _propose_translation(request.user, item, text)
                messages.success(request, _("Your translation was sent for review."))
        except services.TranslationRefused:
            messages.error(request, _("This text can no longer be translated (its French was removed)."))
        return _next(request, language, key)
    public_url = ""
    if item.kind.public_url:
        from django.utils.translation import override

        record = item.kind.model_class.objects.filter(pk=item.object_id).first()
        if record is not None:
            with override(language):
                public_url = item.kind.public_url(record)
    return render(
        request,
        "directory/translate.html",
        {
            "item": item,
            "form": form,
            "language": language,
            "language_label": LANGS_IN_TEXT[language],
            "translator": can_translate_content(request.user),
            "skip_url": _translate_url(language, key) + "&skip=1",
            "queue_url": _queue_url(language),
            "public_url": public_url,
        },
    )


def _propose_translation(user, item, text: str) -> None:
    """A partner's contributor: the translation becomes a change proposal of their own entry."""
    service = object_or_404(_editable_services(user), pk=item.object_id)
    if not can_propose_directory_change(user, service.organization.partner_id):
        raise Http404
    texts = {**i18n.as_texts(getattr(service, item.field)), item.language: text}
    services.proposal_create(acting_user=user, service=service, changes={item.field: texts})
