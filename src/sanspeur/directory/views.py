"""Public directory pages (anonymous, GET only, no cookie) and the staff translator view."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sanspeur.accounts.decorators import staff_view
from sanspeur.core.params import object_or_404

from . import selectors, services
from .forms import ProposalForm
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
    g = request.GET
    return {
        "q": g.get("q", "").strip()[:200],
        "need": g.get("need", ""),
        "borough": g.get("borough", ""),
        "language": g.get("language", ""),
        "open_now": g.get("open_now") == "1",
        "free": g.get("free") == "1",
        "card": g.get("card") == "1",
        "near_fsa": g.get("near_fsa", "").strip()[:7],
        "near_borough": g.get("near_borough", ""),
        "near": g.get("near", "").strip()[:40],
        "within": g.get("within", ""),
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
            "tile_url": settings.SANSPEUR_MAP_TILE_URL,
        },
    )


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
        },
    )


@staff_view()
def staff_list(request):
    user = request.user
    if not (user.has_perm("accounts.publish_directory") or user.has_perm("accounts.edit_directory")):
        raise PermissionDenied
    return render(
        request,
        "directory/staff_list.html",
        {
            "missing": selectors.missing_translations(acting_user=user),
            "stale": selectors.stale_entries(acting_user=user),
            "editable": _editable_services(user) if user.has_perm("accounts.edit_directory") else [],
        },
    )


def _editable_services(user):
    qs = Service.objects.select_related("organization").order_by("id")
    if user.has_perm("accounts.publish_directory"):
        return qs
    return qs.filter(organization__partner_id=user.organisation_id, organization__partner__isnull=False)


@staff_view("accounts.edit_directory")
def propose(request, pk):
    service = get_object_or_404(_editable_services(request.user), pk=pk)
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
        if request.POST.get("action") == "publish":
            services.proposal_publish(acting_user=request.user, proposal=proposal)
            messages.success(request, _("Published."))
        else:
            services.proposal_reject(acting_user=request.user, proposal=proposal)
            messages.success(request, _("Rejected."))
        return redirect("directory:review_list")
    pending = (
        ChangeProposal.objects.filter(status=ChangeProposal.PENDING)
        .select_related("service", "proposed_by")
        .prefetch_related("service__schedules")
    )
    rows = [{"proposal": p, "diff": selectors.proposal_diff(p)} for p in pending]
    versions = ServiceVersion.objects.select_related("service", "author", "published_by")[:20]
    return render(request, "directory/review_list.html", {"rows": rows, "versions": versions})
