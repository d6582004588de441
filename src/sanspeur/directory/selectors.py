"""Reads for the public directory.

Confidentiality lives here and only here: every public surface (pages, API, exports, map data,
search results) receives locations through ``public_location``, which for a confidential site
keeps only its front gate (intake phone, intake text, borough) and drops address and coordinates.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import i18n
from .models import Borough, Closure, Location, Service, ServiceAtLocation, TaxonomyTerm
from .reference import fsa_centroids

MONTREAL = ZoneInfo("America/Montreal")
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
PER_PAGE = 20


def directory_now() -> dt.datetime:
    """The clock. Tests and the live server fix it with setting SANSPEUR_DIRECTORY_FIXED_NOW."""
    fixed = getattr(settings, "SANSPEUR_DIRECTORY_FIXED_NOW", None)
    if fixed:
        value = fixed if isinstance(fixed, dt.datetime) else parse_datetime(str(fixed))
        if timezone.is_naive(value):
            value = value.replace(tzinfo=MONTREAL)
        return value
    return timezone.now()


# --- confidentiality gate -------------------------------------------------------------------


@dataclass
class PublicAddress:
    id: str
    address_1: str
    address_2: str
    city: str
    state_province: str
    postal_code: str
    country: str
    address_type: str


@dataclass
class PublicLocation:
    id: str
    organization_id: str
    name: dict
    description: dict
    borough: Borough
    confidential: bool
    latitude: float | None = None
    longitude: float | None = None
    transportation: dict = field(default_factory=dict)
    accessibility: dict = field(default_factory=dict)
    addresses: list = field(default_factory=list)
    phones: list = field(default_factory=list)
    intake_phone: str = ""
    intake_description: dict = field(default_factory=dict)

    @property
    def distance_point(self) -> tuple[float, float]:
        """Where distance is measured from: the site, or for a confidential site its borough."""
        if self.latitude is not None and self.longitude is not None:
            return self.latitude, self.longitude
        return self.borough.latitude, self.borough.longitude


def public_location(location: Location) -> PublicLocation:
    if location.is_confidential:
        return PublicLocation(
            id=str(location.id),
            organization_id=str(location.organization_id),
            name={
                "fr": f"Lieu confidentiel – {location.borough.name}",
                "en": f"Confidential site – {location.borough.name}",
            },
            description=location.intake_description or {},
            borough=location.borough,
            confidential=True,
            intake_phone=location.intake_phone,
            intake_description=location.intake_description or {},
        )
    return PublicLocation(
        id=str(location.id),
        organization_id=str(location.organization_id),
        name=location.name,
        description=location.description,
        borough=location.borough,
        confidential=False,
        latitude=location.latitude,
        longitude=location.longitude,
        transportation=location.transportation,
        accessibility=location.accessibility,
        addresses=[
            PublicAddress(
                str(a.id), a.address_1, a.address_2, a.city, a.state_province, a.postal_code, a.country, a.address_type
            )
            for a in location.addresses.all()
        ],
        phones=list(location.phones.all()),
    )


# --- querysets ------------------------------------------------------------------------------


def services_queryset():
    return (
        Service.objects.filter(status="active")
        .select_related("organization")
        .prefetch_related(
            "needs",
            "service_areas",
            "phones",
            "schedules",
            "closures",
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location__borough").prefetch_related(
                    "location__addresses", "location__phones"
                ),
            ),
        )
    )


def needs_terms():
    return TaxonomyTerm.objects.filter(taxonomy__code="needs")


def city_closures(on: dt.date) -> bool:
    return Closure.objects.filter(service__isnull=True, date_start__lte=on, date_end__gte=on).exists()


# --- opening hours --------------------------------------------------------------------------


def is_open(service: Service, at: dt.datetime, *, citywide_closed: bool | None = None) -> bool:
    local = at.astimezone(MONTREAL)
    day, time = local.date(), local.time()
    if citywide_closed is None:
        citywide_closed = city_closures(day)
    if citywide_closed:
        return False
    if any(c.date_start <= day <= c.date_end for c in service.closures.all()):
        return False
    code = DAYS[local.weekday()]
    for s in service.schedules.all():
        if s.valid_from and day < s.valid_from or s.valid_to and day > s.valid_to:
            continue
        if code not in [d.strip() for d in s.byday.split(",")]:
            continue
        if s.opens_at <= time < s.closes_at or (
            s.closes_at <= s.opens_at and (time >= s.opens_at or time < s.closes_at)
        ):
            return True
    return False


# --- search ---------------------------------------------------------------------------------


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def origin_point(*, fsa: str = "", borough: str = "") -> tuple[float, float] | None:
    """The point the person chose: an FSA (first three characters of a postal code) or a borough."""
    code = (fsa or "").replace(" ", "").upper()[:3]
    if code and code in fsa_centroids():
        return fsa_centroids()[code]
    if borough:
        b = Borough.objects.filter(code=borough).first()
        if b:
            return b.latitude, b.longitude
    return None


def keyword_filter(qs, q: str):
    words = i18n.plain(q).split()
    if not words:
        return qs
    portable = Q()
    for word in words:
        portable &= Q(search_text__contains=word)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        plain = " ".join(words)
        vector = SearchVector("search_text", config="french") + SearchVector("search_text", config="english")
        query = SearchQuery(plain, config="french") | SearchQuery(plain, config="english")
        return qs.annotate(_fts=vector).filter(Q(_fts=query) | portable)
    return qs.filter(portable)


@dataclass
class Result:
    service: Service
    locations: list[PublicLocation]
    open_now: bool
    distance_km: float | None


def search(
    *,
    q: str = "",
    need: str = "",
    borough: str = "",
    language: str = "",
    open_now: bool = False,
    free: bool = False,
    card: bool = False,
    near_fsa: str = "",
    near_borough: str = "",
    now: dt.datetime | None = None,
    queryset=None,
) -> list[Result]:
    qs = queryset if queryset is not None else services_queryset()
    qs = keyword_filter(qs, q)
    if need:
        qs = qs.filter(needs__code=need)
    if borough:
        qs = qs.filter(Q(service_areas__code=borough) | Q(service_at_locations__location__borough__code=borough))
    if free:
        qs = qs.filter(is_free=True)
    if card:
        qs = qs.filter(accepts_card=True)
    services = list(qs.distinct())
    if language:
        services = [s for s in services if language in (s.languages or [])]
    now = now or directory_now()
    closed_today = city_closures(now.astimezone(MONTREAL).date())
    origin = origin_point(fsa=near_fsa, borough=near_borough)
    results = []
    for s in services:
        is_open_now = is_open(s, now, citywide_closed=closed_today)
        if open_now and not is_open_now:
            continue
        locations = [public_location(sal.location) for sal in s.service_at_locations.all()]
        distance = None
        if origin:
            points = [loc.distance_point for loc in locations] or [
                (b.latitude, b.longitude) for b in s.service_areas.all()
            ]
            distance = min((haversine_km(origin, p) for p in points), default=None)
        results.append(Result(s, locations, is_open_now, distance))
    if origin:
        results.sort(key=lambda r: (r.distance_km is None, r.distance_km or 0, i18n.pick(r.service.name).value))
    else:
        results.sort(key=lambda r: i18n.plain(i18n.pick(r.service.name).value))
    return results


def service_detail(service_id) -> Result | None:
    s = services_queryset().filter(id=service_id).first()
    if not s:
        return None
    return Result(
        s, [public_location(sal.location) for sal in s.service_at_locations.all()], is_open(s, directory_now()), None
    )


def map_points(results: list[Result], language: str) -> list[dict]:
    """Markers for the map: only public locations with coordinates (never a confidential site)."""
    points = []
    for r in results:
        for loc in r.locations:
            if loc.confidential or loc.latitude is None:
                continue
            points.append(
                {
                    "id": str(r.service.id),
                    "name": i18n.pick(r.service.name, language).value,
                    "lat": loc.latitude,
                    "lon": loc.longitude,
                }
            )
    return points


# --- staff ----------------------------------------------------------------------------------


def missing_translations(*, acting_user) -> list[dict]:
    """Per service, which languages lack a name or description (translator view)."""
    rows = []
    for s in Service.objects.select_related("organization").order_by("id"):
        missing = [
            lang for lang in (*i18n.REQUIRED, *i18n.OPTIONAL) if not (s.name.get(lang) and s.description.get(lang))
        ]
        if missing:
            rows.append(
                {"service": s, "missing": missing, "missing_required": [m for m in missing if m in i18n.REQUIRED]}
            )
    return rows


def stale_entries(*, acting_user, today: dt.date | None = None):
    today = today or directory_now().astimezone(MONTREAL).date()
    limit = today - dt.timedelta(days=183)
    return Service.objects.filter(Q(last_verified__isnull=True) | Q(last_verified__lt=limit)).order_by("last_verified")
