import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest

from sanspeur.directory import demo, selectors
from sanspeur.directory.i18n import pick, plain
from sanspeur.directory.models import (
    Borough,
    Closure,
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


@pytest.fixture
def clinic(db):
    ensure_reference_data()
    borough = Borough.objects.get(code="cote-des-neiges-notre-dame-de-grace")
    org = Organization.objects.create(name={"fr": "Clinique fictive"}, description={"fr": "Test"})
    service = Service.objects.create(
        organization=org,
        name={"fr": "Clinique de santé Éléonore", "en": "Eleonore health clinic"},
        description={"fr": "Soins infirmiers", "en": "Nursing care"},
        languages=["fr", "es"],
        accepts_card=True,
    )
    service.needs.add(TaxonomyTerm.objects.get(code="health"))
    loc = Location.objects.create(
        organization=org, name={"fr": "Site"}, borough=borough, latitude=45.50, longitude=-73.615
    )
    ServiceAtLocation.objects.create(service=service, location=loc)
    Schedule.objects.create(service=service, byday="MO,TU,WE,TH,FR", opens_at=dt.time(9), closes_at=dt.time(17))
    service_reindex(acting_user=None, service=service)
    return service


def at(*args):
    return dt.datetime(*args, tzinfo=MTL)


def test_open_now_honours_schedules_and_closures(clinic):
    ids = lambda now: {r.service.id for r in selectors.search(open_now=True, now=now)}  # noqa: E731
    assert clinic.id in ids(at(2026, 11, 24, 10, 0))  # Tuesday 10:00
    assert clinic.id not in ids(at(2026, 11, 24, 17, 0))  # closes at 17:00
    assert clinic.id not in ids(at(2026, 11, 28, 11, 0))  # Saturday
    # 10:00 in Montréal is 15:00 UTC: the clock's time zone does not matter.
    assert clinic.id in ids(at(2026, 11, 24, 10, 0).astimezone(dt.UTC))
    Closure.objects.create(service=clinic, date_start=dt.date(2026, 11, 24), date_end=dt.date(2026, 11, 24))
    assert clinic.id not in ids(at(2026, 11, 24, 10, 0))
    assert clinic.id in ids(at(2026, 11, 25, 10, 0))
    Closure.objects.create(date_start=dt.date(2026, 11, 25), date_end=dt.date(2026, 11, 25))  # city holiday
    assert clinic.id not in ids(at(2026, 11, 25, 10, 0))


def test_fixed_clock_setting_drives_the_page(client, clinic, settings):
    settings.SANSPEUR_DIRECTORY_FIXED_NOW = "2026-11-24T10:00:00"
    assert "Clinique de santé" in client.get("/fr/directory/?open_now=1").content.decode()
    settings.SANSPEUR_DIRECTORY_FIXED_NOW = "2026-11-24T20:00:00"
    assert "Clinique de santé" not in client.get("/fr/directory/?open_now=1").content.decode()


@pytest.mark.parametrize("q", ["eleonore", "ÉLÉONORE", "Eléonore santé", "nursing", "SOINS"])
def test_keyword_is_accent_and_case_insensitive(clinic, q):
    assert [r.service.id for r in selectors.search(q=q)] == [clinic.id]


def test_filters(clinic):
    assert selectors.search(need="health")[0].service == clinic
    assert not selectors.search(need="food")
    assert selectors.search(borough="cote-des-neiges-notre-dame-de-grace")
    assert not selectors.search(borough="verdun")
    assert selectors.search(language="es") and not selectors.search(language="ar")
    assert selectors.search(card=True, free=True)
    clinic.is_free = False
    clinic.save()
    assert not selectors.search(free=True)


def test_distance_from_fsa_or_borough(demo_data):
    results = selectors.search(near_fsa="h3t 1a1")
    distances = [r.distance_km for r in results]
    assert distances == sorted(distances) and distances[0] < 2
    assert "cote-des-neiges" in results[0].locations[0].borough.code
    far = selectors.search(near_borough="l-ile-bizard-sainte-genevieve")
    assert far[0].locations[0].borough.code == "l-ile-bizard-sainte-genevieve"
    assert all(r.distance_km is None for r in selectors.search(near_fsa="ZZZ"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45.50123,-73.56789", (45.501, -73.568)),
        (" 45.5 , -73.6 ", (45.5, -73.6)),
        ("45.5", None),
        ("abc,def", None),
        ("nan,nan", None),
        ("inf,-73.5", None),
        ("48.85,2.35", None),  # Paris: outside Montréal
        ("", None),
    ],
)
def test_a_point_on_the_map_is_validated_and_rounded(text, expected):
    assert selectors.parse_point(text) == expected


def test_distance_from_a_point_on_the_map(demo_data):
    from sanspeur.directory.models import Borough

    verdun = Borough.objects.get(code="verdun")
    point = f"{verdun.latitude},{verdun.longitude}"
    results = selectors.search(near=point)
    distances = [r.distance_km for r in results]
    # SQL orders by a flat-earth distance, the page shows great-circle figures: equal to metres.
    assert all(a <= b + 0.05 for a, b in zip(distances, distances[1:], strict=False)) and distances[0] < 3
    # The map point wins over a postal code given at the same time (one origin at a time).
    assert [r.service.pk for r in selectors.search(near=point, near_fsa="H1G")] == [r.service.pk for r in results]
    assert all(r.distance_km is None for r in selectors.search(near="48.85,2.35"))


def test_within_a_radius_keeps_only_the_services_that_close(demo_data):
    from sanspeur.directory.models import Borough

    verdun = Borough.objects.get(code="verdun")
    point = f"{verdun.latitude},{verdun.longitude}"
    everything = selectors.search(near=point)
    near = selectors.search(near=point, within="2")
    assert 0 < len(near) < len(everything)
    assert all(r.distance_km <= 2.05 for r in near)
    assert {r.service.pk for r in everything if r.distance_km < 1.95} <= {r.service.pk for r in near}
    # Only the offered radii; without a point, a radius changes nothing.
    assert len(selectors.search(near=point, within="3")) == len(everything)
    assert len(selectors.search(within="2")) == len(selectors.search())
    # The count and the map follow the radius.
    page = selectors.search_page(near=point, within="2")
    assert page.paginator.count == len(near)
    markers = selectors.map_points({"near": point, "within": "2"}, "fr")
    assert {m["id"] for m in markers} <= {str(r.service.pk) for r in near}


def test_within_without_a_point_says_what_is_missing(client, demo_data):
    page = client.get("/fr/directory/?within=2").content.decode()
    assert "Pour limiter la distance" in page
    assert '<option value="2" selected>2 km</option>' in page
    assert "Pour limiter la distance" not in client.get("/fr/directory/?within=2&near_fsa=H4G").content.decode()


def test_point_search_page_explains_and_can_be_removed(client, demo_data):
    page = client.get("/fr/directory/?need=food&near=45.5003,-73.5701").content.decode()
    assert 'name="near" id="id_near" value="45.500,-73.570"' in page
    assert "Triés par distance du point que vous avez choisi sur la carte." in page
    assert 'href="?need=food">Retirer ce point' in page
    assert "environ" in page  # distance badges
    outside = client.get("/es/directory/?near=10,10").content.decode()
    assert "fuera de Montreal" in outside and 'value=""' in outside


def _without_english_name() -> Service:
    """The demo is translated into every language: a service whose English name is not written yet."""
    service = Service.objects.order_by("id").first()
    service.name = {k: v for k, v in service.name.items() if k != "en"}
    service.save(update_fields=["name"])
    return service


def test_fallback_to_french_is_visible(client, demo_data):
    missing = _without_english_name()
    assert pick(missing.name, "en").fallback
    html = client.get(f"/en/directory/services/{missing.id}/").content.decode()
    assert (
        f'<span lang="fr" dir="ltr">{missing.name["fr"]}</span> <small class="dir-fallback">(in French)</small>'
        in html.replace("&#x27;", "'")
    )
    html = client.get(f"/fr/directory/services/{missing.id}/").content.decode()
    assert "dir-fallback" not in html


def test_public_search_sets_no_cookie_and_works_with_get(client, demo_data):
    response = client.get("/fr/directory/?q=banque&need=food&open_now=1&free=1&card=1&language=fr&near_fsa=H1G")
    assert response.status_code == 200
    assert not response.cookies
    assert 'method="get"' in response.content.decode()


def test_plain_text():
    assert plain("  Côte-des-NEIGES  Élève ") == "cote-des-neiges eleve"


def test_demo_is_idempotent(demo_data):
    counts = (Service.objects.count(), Location.objects.count(), Schedule.objects.count(), Closure.objects.count())
    stamps = list(Service.objects.order_by("id").values_list("last_modified", flat=True))
    demo.load(stdout=io.StringIO())
    assert counts == (
        Service.objects.count(),
        Location.objects.count(),
        Schedule.objects.count(),
        Closure.objects.count(),
    )
    assert stamps == list(Service.objects.order_by("id").values_list("last_modified", flat=True))
    assert counts[0] == 60
    needs = set(Service.objects.values_list("needs__code", flat=True))
    assert len(needs) == 12
    assert Borough.objects.filter(locations__isnull=False).distinct().count() == 19


def test_translator_view(make_staff, mfa_client, client, demo_data, organisation, city_organisation):
    missing = _without_english_name()
    editor = make_staff("editor.t", ["directory_editor"], city_organisation)
    html = mfa_client(editor).get("/fr/directory/staff/").content.decode()
    assert missing.name["fr"].replace("'", "&#x27;") in html
    assert "dir-required" in html
    caseworker = make_staff("case.t", ["protection_caseworker"], city_organisation)
    assert mfa_client(caseworker).get("/fr/directory/staff/").status_code == 403


def test_control_characters_in_the_search_page_parameters_are_not_server_errors(client, demo_data):
    hostile = {name: "a\x00b" for name in ("q", "need", "borough", "language", "near_fsa", "near_borough", "near")}
    page = client.get("/fr/directory/", {**hostile, "within": "\x00", "page": "99999999999999999999"})
    assert page.status_code == 200
    assert client.get("/fr/directory/map.json", hostile).status_code == 200
