"""Open data API following HSDS 3.0 (read-only, anonymous, no cookie)."""

import json
import math
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from sanspeur.core.params import bounded_int, clean_text, uuid_or_none

from . import hsds, selectors
from .models import Organization, ServiceAtLocation, Taxonomy, TaxonomyTerm

MAX_PER_PAGE = 100


def _lang(request) -> str:
    lang = request.GET.get("lang", "fr")
    return lang if lang in dict(settings.LANGUAGES) else "fr"


def paginate(request, items, render) -> JsonResponse:
    per_page = bounded_int(request.GET.get("per_page"), default=50, maximum=MAX_PER_PAGE)
    page = bounded_int(request.GET.get("page"), default=1)
    total = len(items) if isinstance(items, list) else items.count()
    pages = max(1, math.ceil(total / per_page))
    chunk = list(items[(page - 1) * per_page : page * per_page])
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": page,
            "size": len(chunk),
            "first_page": page == 1,
            "last_page": page >= pages,
            "empty": not chunk,
            "contents": [render(x) for x in chunk],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _one(data) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _not_found() -> JsonResponse:
    return JsonResponse({"error": "not found"}, status=404)


def not_found(request, *args, **kwargs):
    """Any other address under /api/hsds/ (an id that is not a UUID, a typo): JSON, not a page."""
    return _not_found()


def _search(request) -> str:
    return clean_text(request.GET.get("search"), max_length=200)


@require_GET
def index(request):
    return _one(
        {
            "version": "3.0",
            "profile": "https://openreferral.org/",
            "openapi_url": request.build_absolute_uri("openapi.json"),
            "publisher": "Ville de Montréal — Sans peur",
            "note": "Confidential sites are published through their front gate only.",
        }
    )


def _taxonomy_condition(key: str, prefix: str = "") -> dict:
    """A taxonomy given as its UUID or its code (``needs``, ``sanspeur``)."""
    taxonomy_id = uuid_or_none(key)
    return {f"{prefix}taxonomy_id": taxonomy_id} if taxonomy_id else {f"{prefix}taxonomy__code": key}


def _service_results(request):
    params = request.GET
    qs = selectors.services_queryset()
    if params.get("taxonomy_term_id"):
        term_id = uuid_or_none(params["taxonomy_term_id"])
        qs = qs.filter(needs__id=term_id) if term_id else qs.none()
    taxonomy = clean_text(params.get("taxonomy_id"), max_length=64)
    if taxonomy:
        qs = qs.filter(needs__in=TaxonomyTerm.objects.filter(**_taxonomy_condition(taxonomy)))
    search = _search(request)
    if search:
        qs = selectors.keyword_filter(qs, search)
    return qs.distinct().order_by("id")


def _filters_services(request) -> bool:
    return any(request.GET.get(name) for name in ("search", "taxonomy_term_id", "taxonomy_id"))


@require_GET
def services(request):
    lang, terms = _lang(request), hsds._terms_by_code()
    items = _service_results(request)
    return paginate(request, items, lambda s: hsds.service(s, lang, full=False, terms=terms))


@require_GET
def service(request, pk):
    s = selectors.services_queryset().filter(id=pk).first()
    if not s:
        return _not_found()
    return _one(hsds.service(s, _lang(request)))


@require_GET
def organizations(request):
    lang = _lang(request)
    qs = Organization.objects.prefetch_related(
        "locations__borough", "locations__addresses", "locations__phones"
    ).order_by("id")
    search = _search(request)
    if search:
        ids = selectors.keyword_filter(selectors.services_queryset(), search).values("organization_id")
        qs = qs.filter(id__in=ids)
    return paginate(request, qs, lambda o: hsds.organization(o, lang))


@require_GET
def organization(request, pk):
    lang, terms = _lang(request), hsds._terms_by_code()
    org = Organization.objects.filter(id=pk).first()
    if not org:
        return _not_found()
    services = [
        hsds.service(s, lang, full=False, terms=terms) for s in selectors.services_queryset().filter(organization=org)
    ]
    return _one(hsds.organization(org, lang, services=services))


def _sal_queryset():
    return (
        ServiceAtLocation.objects.filter(service__status="active")
        .select_related("service__organization", "location__borough")
        .prefetch_related("location__addresses", "location__phones", "service__schedules")
        .order_by("id")
    )


@require_GET
def service_at_locations(request):
    lang, terms = _lang(request), hsds._terms_by_code()
    qs = _sal_queryset()
    if _filters_services(request):
        qs = qs.filter(service__in=_service_results(request).values("id"))
    return paginate(request, qs, lambda x: hsds.service_at_location(x, lang, full=False, terms=terms))


@require_GET
def service_at_location(request, pk):
    sal = _sal_queryset().filter(id=pk).first()
    if not sal:
        return _not_found()
    return _one(hsds.service_at_location(sal, _lang(request)))


@require_GET
def taxonomies(request):
    return paginate(request, Taxonomy.objects.order_by("id"), hsds.taxonomy)


@require_GET
def taxonomy_terms(request):
    lang = _lang(request)
    qs = TaxonomyTerm.objects.select_related("taxonomy").order_by("code")
    taxonomy = clean_text(request.GET.get("taxonomy_id"), max_length=64)
    if taxonomy:
        qs = qs.filter(**_taxonomy_condition(taxonomy))
    return paginate(request, qs, lambda t: hsds.taxonomy_term(t, lang))


@cache
def _openapi() -> dict:
    doc = json.loads((Path(__file__).parent / "data" / "openapi.json").read_text())
    return doc


@require_GET
def openapi(request):
    return _one(_openapi())


@require_GET
def taxonomy_detail(request, pk):
    t = Taxonomy.objects.filter(id=pk).first()
    if not t:
        return _not_found()
    return _one(hsds.taxonomy(t))


@require_GET
def taxonomy_term_detail(request, pk):
    t = TaxonomyTerm.objects.select_related("taxonomy").filter(id=pk).first()
    if not t:
        return _not_found()
    return _one(hsds.taxonomy_term(t, _lang(request)))
