"""Reads for the public directory.

Confidentiality lives here and only here: every public surface (pages, API, exports, map data,
search results) receives locations through ``public_location``, which for a confidential site
keeps only its front gate (intake phone, intake text, borough) and drops address and coordinates.
"""

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import i18n
from .models import Borough, Closure, Location, Schedule, Service, ServiceAtLocation, TaxonomyTerm
from .reference import fsa_centroids

MONTREAL = ZoneInfo("America/Montreal")
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
PER_PAGE = 20


def directory_now() -> dt.datetime:
    """The clock. Tests and the live server fix it with setting SANSPEUR_DIRECTORY_FIXED_NOW."""
    fixed = settings.SANSPEUR_DIRECTORY_FIXED_NOW
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
                "es": f"Lugar confidencial – {location.borough.name}",
                "ar": f"موقع سري – {location.borough.name}",
                "ht": f"Kote konfidansyèl – {location.borough.name}",
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


def public_location_name(location_id, language: str | None = None) -> str:
    """The public name of a directory site for another app (a clinic held there), in
    ``language`` with the French fallback; "" when no site has this id or the site is
    confidential (its name would say where a shelter is)."""
    location = Location.objects.filter(pk=location_id, is_confidential=False).only("name").first()
    return i18n.pick(location.name, language).value if location else ""


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


def _with_trust(queryset):
    """The trust marks in the same query: an unresolved refusal, the charter (outside_requests)."""
    from sanspeur.outside_requests.selectors import card_badge_withdrawn, charter_signed

    return queryset.annotate(card_withdrawn=card_badge_withdrawn(), charter_signature=charter_signed())


def page_queryset():
    """What a result list shows: sites (through the gate) and, for distance, service areas.
    Lighter than ``services_queryset`` (no needs, phones, schedules or closures)."""
    return (
        _with_trust(Service.objects.filter(status="active"))
        .annotate(
            has_hours=Exists(Schedule.objects.filter(service_id=OuterRef("pk"))), round_the_clock=_round_the_clock_sql()
        )
        .prefetch_related(
            "service_areas",
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


KM_PER_DEGREE = 111.195
WITHIN_CHOICES_KM = (1, 2, 5, 10)


def within_km(text: str) -> int | None:
    """A radius offered on the page (km), or None: any other value means no radius."""
    return int(text) if text in {str(km) for km in WITHIN_CHOICES_KM} else None


# Greater Montréal with a margin: a point outside is ignored rather than sorted against.
POINT_BOUNDS = ((45.30, 45.80), (-74.10, -73.35))


def parse_point(text: str) -> tuple[float, float] | None:
    """A point chosen on the map, ``"lat,lon"``, kept to 3 decimals (about 100 m): the page needs
    no more, and the URL then carries no more."""
    try:
        lat_text, lon_text = (text or "").split(",")
        lat, lon = round(float(lat_text), 3), round(float(lon_text), 3)
    except ValueError:
        return None
    (lat_min, lat_max), (lon_min, lon_max) = POINT_BOUNDS
    if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):  # also rejects nan and inf
        return None
    return lat, lon


def origin_point(*, fsa: str = "", borough: str = "", point: str = "") -> tuple[float, float] | None:
    """The point the person chose: a point on the map, an FSA (first three characters of a postal
    code) or a borough, in that order. Never the device's location."""
    chosen = parse_point(point)
    if chosen:
        return chosen
    code = (fsa or "").replace(" ", "").upper()[:3]
    if code and code in fsa_centroids():
        return fsa_centroids()[code]
    if borough:
        b = Borough.objects.filter(code=borough).first()
        if b:
            return b.latitude, b.longitude
    return None


class StoredVectorMatch(Func):
    """PostgreSQL: ``<table>.search_vector @@ (french query || english query)``.

    ``search_vector`` is a generated column Django does not know about (migration 0004). It is
    reached through the alias Django gives ``search_text`` in the current query, so the match
    works inside subqueries and joins too, and the planner can combine its GIN index with the
    trigram index of ``search_text`` (BitmapOr)."""

    output_field = BooleanField()

    def __init__(self, query: str):
        super().__init__(F("search_text"))
        self.query = query

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        vector = column.removesuffix('"search_text"') + '"search_vector"'
        sql = f"{vector} @@ (to_tsquery('french'::regconfig, %s) || to_tsquery('english'::regconfig, %s))"
        return sql, (*params, self.query, self.query)


def keyword_filter(qs, q: str):
    """Every word must be a substring of the folded text; on PostgreSQL a full-text match
    (stored tsvector, French + English stemming, word prefixes, GIN index) also counts."""
    words = i18n.plain(q).split()
    if not words:
        return qs
    portable = Q()
    for word in words:
        portable &= Q(search_text__contains=word)
    if connection.vendor == "postgresql":
        tokens = re.findall(r"[a-z0-9]+", " ".join(words))
        if tokens:
            return qs.filter(Q(StoredVectorMatch(" & ".join(f"{t}:*" for t in tokens))) | portable)
    return qs.filter(portable)


def _local(now: dt.datetime) -> tuple[dt.date, dt.time, str]:
    local = now.astimezone(MONTREAL)
    return local.date(), local.time().replace(microsecond=0), DAYS[local.weekday()]


def open_condition(now: dt.datetime) -> Q:
    """SQL form of ``is_open`` (without city-wide closures, checked once per request)."""
    day, time, code = _local(now)
    schedules = Schedule.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        Q(opens_at__lte=time, closes_at__gt=time)
        | (Q(closes_at__lte=F("opens_at")) & (Q(opens_at__lte=time) | Q(closes_at__gt=time))),
        service_id=OuterRef("pk"),
        byday__contains=code,
    )
    closures = Closure.objects.filter(service_id=OuterRef("pk"), date_start__lte=day, date_end__gte=day)
    return Q(Exists(schedules)) & ~Q(Exists(closures))


def _squared_distance(origin: tuple[float, float], prefix: str, *, borough_only: bool = False):
    """Equirectangular squared distance (degrees²) from origin, in SQL: monotonic with the true
    distance at city scale, so it orders rows; the page then gets exact haversine figures.
    Confidential sites and sites without coordinates count from their borough centroid."""
    lat0, lon0 = origin
    k = math.cos(math.radians(lat0))
    if borough_only:
        lat, lon = F(f"{prefix}latitude"), F(f"{prefix}longitude")
    else:
        use_borough = (
            Q(**{f"{prefix}is_confidential": True})
            | Q(**{f"{prefix}latitude__isnull": True})
            | Q(**{f"{prefix}longitude__isnull": True})
        )
        lat = Case(When(use_borough, then=F(f"{prefix}borough__latitude")), default=F(f"{prefix}latitude"))
        lon = Case(When(use_borough, then=F(f"{prefix}borough__longitude")), default=F(f"{prefix}longitude"))
    dlat = ExpressionWrapper(lat - Value(lat0), output_field=FloatField())
    dlon = ExpressionWrapper((lon - Value(lon0)) * Value(k), output_field=FloatField())
    return ExpressionWrapper(dlat * dlat + dlon * dlon, output_field=FloatField())


def distance_order(origin: tuple[float, float]):
    """Per service, the nearest of its sites, or of its service areas when it has no site: one
    join and GROUP BY (MIN), so the planner hashes once instead of running a subquery per row."""
    return Coalesce(
        Min(_squared_distance(origin, "service_at_locations__location__")),
        Min(_squared_distance(origin, "service_areas__", borough_only=True)),
    )


@dataclass
class Result:
    service: Service
    locations: list[PublicLocation]
    open_now: bool
    distance_km: float | None

    @property
    def hours_known(self) -> bool:
        """The service has opening hours: without any, the page says nothing rather than "closed".
        A result list has it from its own query (``page_queryset``), a detail page from its rules."""
        known = getattr(self.service, "has_hours", None)
        return bool(self.service.schedules.all()) if known is None else known

    @property
    def always_open(self) -> bool:
        """A line or a service open around the clock every day (a 24-hour helpline): "open 24 hours",
        never "closed now" — unless a closure applies today."""
        flag = getattr(self.service, "round_the_clock", None)
        if flag is None:
            flag = any(_round_the_clock(rule) for rule in self.service.schedules.all())
        return self.open_now and flag


def _round_the_clock_sql():
    """``_round_the_clock`` as an EXISTS in the result list's own query (no query per row)."""
    every_day = Q()
    for day in DAYS:
        every_day &= Q(byday__contains=day)
    whole_day = Q(opens_at=F("closes_at")) | Q(opens_at=dt.time(0), closes_at__gte=dt.time(23, 59))
    return Exists(Schedule.objects.filter(every_day, whole_day, service_id=OuterRef("pk"), valid_to__isnull=True))


def _round_the_clock(rule: Schedule) -> bool:
    every_day = set(DAYS) <= {day.strip() for day in rule.byday.split(",")}
    whole_day = rule.opens_at == rule.closes_at or (rule.opens_at == dt.time(0) and rule.closes_at >= dt.time(23, 59))
    return every_day and whole_day and rule.valid_to is None


@dataclass
class SearchPlan:
    """A filtered, ordered queryset of services (nothing loaded yet) and what the page needs."""

    queryset: object
    filtered: object  # the same filters, unordered and without annotations (COUNT, map)
    now: dt.datetime
    closed_citywide: bool
    origin: tuple[float, float] | None


def search_plan(
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
    near: str = "",
    within: str = "",
    now: dt.datetime | None = None,
    queryset=None,
    lang: str | None = None,
) -> SearchPlan:
    """Every filter, and the ordering, in SQL. No join multiplies rows, so no DISTINCT."""
    qs = queryset if queryset is not None else services_queryset()
    qs = keyword_filter(qs, q)
    if need:
        qs = qs.filter(Exists(Service.needs.through.objects.filter(service_id=OuterRef("pk"), taxonomyterm__code=need)))
    if borough:
        qs = qs.filter(
            Exists(Service.service_areas.through.objects.filter(service_id=OuterRef("pk"), borough__code=borough))
            | Exists(ServiceAtLocation.objects.filter(service_id=OuterRef("pk"), location__borough__code=borough))
        )
    if language:
        qs = qs.filter(languages_key__contains=f",{language},")
    if free:
        qs = qs.filter(is_free=True)
    if card:
        from sanspeur.outside_requests.selectors import card_badge_withdrawn

        qs = qs.filter(accepts_card=True).exclude(card_badge_withdrawn())
    now = now or directory_now()
    closed = city_closures(now.astimezone(MONTREAL).date())
    if open_now:
        qs = qs.none() if closed else qs.filter(open_condition(now))
    filtered = qs
    lang = (lang or get_language() or i18n.FALLBACK).split("-")[0]
    name_key = KeyTextTransform(lang if lang in dict(settings.LANGUAGES) else i18n.FALLBACK, "sort_names")
    origin = origin_point(fsa=near_fsa, borough=near_borough, point=near)
    if origin:
        qs = qs.annotate(_d2=distance_order(origin))
        radius = within_km(within)
        if radius:
            # The same flat-earth distance that orders the list, in degrees² (1° ≈ 111.2 km).
            qs = qs.filter(_d2__lte=(radius / KM_PER_DEGREE) ** 2)
            filtered = qs.order_by()
        qs = qs.order_by(F("_d2").asc(nulls_last=True), name_key, "id")
    else:
        qs = qs.order_by(name_key, "id")
    return SearchPlan(qs, filtered, now, closed, origin)


def results_for(services, plan: SearchPlan) -> list[Result]:
    """Results for a bounded list of services (a page): one query for "open now", exact distances."""
    services = list(services)
    open_ids = set()
    if services and not plan.closed_citywide:
        open_ids = set(
            Service.objects.filter(open_condition(plan.now), pk__in=[s.pk for s in services]).values_list(
                "pk", flat=True
            )
        )
    results = []
    for s in services:
        locations = [public_location(sal.location) for sal in s.service_at_locations.all()]
        distance = None
        if plan.origin:
            points = [loc.distance_point for loc in locations] or [
                (b.latitude, b.longitude) for b in s.service_areas.all()
            ]
            distance = min((haversine_km(plan.origin, p) for p in points), default=None)
        results.append(Result(s, locations, s.pk in open_ids, distance))
    _mark_trust([r.service for r in results])
    return results


def _mark_trust(services) -> None:
    """``card_badge`` (accepts the card and no unresolved report of a refusal stands against it)
    and ``charter_signed`` (its organisation signed the sans peur charter) on each service: from
    the page query's annotations (``_with_trust``), else in two queries for the list."""
    from sanspeur.outside_requests.selectors import trust_marks

    missing = [s for s in services if not hasattr(s, "card_withdrawn")]
    withdrawn, signed = trust_marks(s.pk for s in missing) if missing else (set(), set())
    for service in services:
        if hasattr(service, "card_withdrawn"):
            service.card_badge = service.accepts_card and not service.card_withdrawn
            service.charter_signed = bool(service.charter_signature)
        else:
            service.card_badge = service.accepts_card and service.pk not in withdrawn
            service.charter_signed = service.pk in signed


def search_page(*, page=1, per_page: int = PER_PAGE, **filters):
    """One page of results: a COUNT, the page's rows and a fixed number of prefetches."""
    plan = search_plan(**filters)
    # Sort and cut narrow rows (ids only), then load the page's services with their prefetches.
    paginator = Paginator(plan.queryset.values_list("pk", flat=True), per_page)
    paginator.count = plan.filtered.order_by().count()  # no distance GROUP BY in the COUNT
    result_page = paginator.get_page(page)
    ids = list(result_page.object_list)
    rows = page_queryset().in_bulk(ids) if ids else {}
    result_page.object_list = results_for([rows[i] for i in ids if i in rows], plan)
    return result_page


def search(*, limit: int | None = 500, **filters) -> list[Result]:
    """Results as a list, at most ``limit`` (tests, small callers); pages use ``search_page``."""
    plan = search_plan(**filters)
    return results_for(plan.queryset[:limit] if limit else plan.queryset, plan)


MAP_POINTS_MAX = 500


def service_detail(service_id) -> Result | None:
    s = _with_trust(services_queryset()).filter(id=service_id).first()
    if not s:
        return None
    _mark_trust([s])
    return Result(
        s, [public_location(sal.location) for sal in s.service_at_locations.all()], is_open(s, directory_now()), None
    )


def map_points(filters: dict, language: str, *, limit: int = MAP_POINTS_MAX) -> list[dict]:
    """Markers for the map, in one bounded query: public sites with coordinates of the services
    found (never a confidential site; its coordinates are not even selected)."""
    plan = search_plan(**filters, lang=language)
    ids = plan.filtered.order_by().values("pk")
    rows = (
        ServiceAtLocation.objects.filter(
            service__in=ids,
            location__is_confidential=False,
            location__latitude__isnull=False,
            location__longitude__isnull=False,
        )
        .order_by("service_id", "id")
        .values_list("service_id", "service__name", "location__latitude", "location__longitude")[:limit]
    )
    return [
        {"id": str(sid), "name": i18n.pick(name, language).value, "lat": lat, "lon": lon}
        for sid, name, lat, lon in rows
    ]


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


def _display(field: str, value) -> str:
    from .forms import FLAG_LABELS, closure_lines, phone_lines, schedule_lines
    from .services import CLOSURES, PHONES, SCHEDULES

    if field == SCHEDULES:
        return schedule_lines(value) or "—"
    if field == CLOSURES:
        return closure_lines(value) or "—"
    if field == PHONES:
        return phone_lines(value) or "—"
    if field in FLAG_LABELS:
        return _("Yes") if value else _("No")
    return " · ".join(f"{lang}: {text}" for lang, text in (value or {}).items() if text) or "—"


def proposal_diff(proposal) -> list[tuple[str, str, str]]:
    """(label, current value, proposed value) for each field the proposal would change."""
    from .forms import FLAG_LABELS, LABELS
    from .services import CLOSURES, PHONES, SCHEDULES, clean_changes, current_value

    labels = {
        **LABELS,
        **FLAG_LABELS,
        SCHEDULES: _("Opening hours"),
        PHONES: _("Phone numbers"),
        CLOSURES: _("Closures (holidays, exceptions)"),
    }
    rows = []
    for name, new in clean_changes(proposal.changes).items():
        old = current_value(proposal.service, name)
        if isinstance(new, dict):
            old = old or {}
        if old != new:
            rows.append((str(labels.get(name, name)), _display(name, old), _display(name, new)))
    return rows
