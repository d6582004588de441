"""Search at city scale: filtering, ordering and paging happen in SQL, with a bounded query count."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanspeur.directory import selectors
from sanspeur.directory.models import (
    Borough,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from sanspeur.directory.reference import ensure_reference_data
from sanspeur.directory.services import service_reindex

pytestmark = pytest.mark.django_db
MTL = ZoneInfo("America/Montreal")


def make_services(count: int, *, prefix: str = "Service") -> list[Service]:
    ensure_reference_data()
    boroughs = list(Borough.objects.order_by("code"))
    food = TaxonomyTerm.objects.get(code="food")
    org = Organization.objects.create(name={"fr": f"Organisme {prefix}"})
    made = []
    for n in range(count):
        service = Service.objects.create(
            organization=org,
            name={"fr": f"{prefix} {n:03d} fictif", "en": f"{prefix} {n:03d} fictional"},
            description={"fr": "Aide alimentaire"},
            languages=["fr", "es"] if n % 2 else ["fr"],
        )
        service.needs.add(food)
        borough = boroughs[n % len(boroughs)]
        service.service_areas.add(borough)
        loc = Location.objects.create(
            organization=org,
            name={"fr": "Site"},
            borough=borough,
            latitude=borough.latitude + 0.001 * n,
            longitude=borough.longitude,
            is_confidential=n % 7 == 0,
        )
        loc.addresses.create(address_1=f"{n} rue Fictive", postal_code="H2X 1A1")
        loc.phones.create(number="514-555-0000")
        ServiceAtLocation.objects.create(service=service, location=loc)
        Schedule.objects.create(
            service=service, byday="MO,TU,WE,TH,FR", opens_at=dt.time(9 + n % 3), closes_at=dt.time(17)
        )
        service_reindex(acting_user=None, service=service)
        made.append(service)
    return made


def test_pages_are_cut_in_sql_and_linked_without_javascript(client):
    make_services(45)
    html = client.get("/fr/directory/?need=food").content.decode()
    assert "45 services" in html
    names = re.findall(r"Service (\d{3}) fictif", html)
    assert names == [f"{n:03d}" for n in range(20)]
    assert 'href="?need=food&amp;page=2" rel="next"' in html
    assert "Page 1 sur 3" in html
    html = client.get("/fr/directory/?need=food&page=3").content.decode()
    assert re.findall(r"Service (\d{3}) fictif", html) == [f"{n:03d}" for n in range(40, 45)]
    assert 'rel="prev"' in html and 'rel="next"' not in html
    # a page number out of range shows the last page, garbage shows the first
    assert "Service 044 fictif" in client.get("/fr/directory/?need=food&page=99").content.decode()
    assert "Service 000 fictif" in client.get("/fr/directory/?need=food&page=x").content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_results(client, django_assert_max_num_queries, settings):
    settings.SANSPEUR_DIRECTORY_FIXED_NOW = "2026-11-24T11:00:00"
    make_services(6)
    first = Borough.objects.order_by("code").first().code
    urls = [
        "/fr/directory/",
        "/fr/directory/?q=service+fictif&need=food&language=es&open_now=1&near_fsa=H3T",
        f"/en/directory/?borough={first}&near_borough={first}&free=1",
        "/fr/directory/map.json?need=food",
    ]
    small = {url: _queries(client, url) for url in urls}
    make_services(80)
    assert len(selectors.search(q="service fictif", need="food", language="es", open_now=True)) > 20
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            client.get(url)
    # a full page of 20 results: closures, count, page of ids, page rows + 4 prefetches, open-now, 2 form lists
    with django_assert_max_num_queries(12):
        client.get(urls[1])


def test_search_page_sql_matches_python_rules(settings):
    services = make_services(30)
    now = dt.datetime(2026, 11, 24, 9, 30, tzinfo=MTL)  # Tuesday: n % 3 == 0 open at 9:00
    page = selectors.search_page(per_page=10, now=now)
    assert page.paginator.count == 30
    for r in page.object_list:
        assert r.open_now == selectors.is_open(r.service, now)
    expected_open = {s.id for s in services if selectors.is_open(s, now)}
    assert {r.service.id for r in selectors.search(open_now=True, now=now)} == expected_open
    assert 0 < len(expected_open) < 30
    # distance order in SQL = exact haversine order; confidential sites count from their borough
    origin = selectors.origin_point(fsa="H3T")
    results = selectors.search(near_fsa="H3T")
    distances = [r.distance_km for r in results]
    assert distances == sorted(distances)
    assert results[0].distance_km == min(
        selectors.haversine_km(origin, loc.distance_point) for r in results for loc in r.locations
    )
    assert len(selectors.search(language="es")) == 15
    assert len(selectors.search(limit=5)) == 5


def test_map_points_are_bounded_and_never_confidential(client):
    make_services(21)
    points = client.get("/fr/directory/map.json").json()["points"]
    confidential = {str(s.id) for s in Service.objects.filter(service_at_locations__location__is_confidential=True)}
    assert len(points) == 21 - len(confidential) and not confidential & {p["id"] for p in points}
    assert len(selectors.map_points({}, "fr", limit=4)) == 4


def test_postgres_full_text_uses_stemming():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search")
    make_services(1, prefix="Clinique")
    # "nurse" is not a substring of "nursing", but both stem to "nurs"
    Service.objects.update(description={"en": "Nursing care"})
    service_reindex(acting_user=None, service=Service.objects.get())
    assert len(selectors.search(q="nurse")) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'directory_service_search_vector_gin'")
        assert "gin (search_vector)" in cursor.fetchone()[0]
