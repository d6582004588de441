"""The public pages: only published releases, fixed cuts, five languages, charts with a table."""

import json
import re

import pytest
from django.urls import reverse

from sanspeur.impact import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(figures, publish):
    figures["people"][""] = 800
    for quarter in range(1, 5):
        publish("test_people", f"2025-Q{quarter}")
    publish("test_people", "2025")
    figures["boroughs"].update({"Verdun": 120, "Anjou": 0, "Lachine": 64, "Outremont": 45, "Saint-Laurent": 210})
    return publish("test_boroughs", "2025")


@pytest.mark.parametrize("language", ["fr", "en", "es", "ar", "ht"])
def test_the_dashboard_shows_charts_tables_and_uncertainty(client, published, language):
    response = client.get(f"/{language}/impact/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 2 and "<title id=" in html and "<desc id=" in html
    assert html.count("<table") >= 2
    assert "95" in html and "±" in html
    assert "<script" not in html.split("</head>")[1] or "impact" not in html.split("<script")[1][:200]
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_the_arabic_dashboard_isolates_numbers(client, published):
    html = client.get("/ar/impact/").content.decode()
    assert 'dir="rtl"' in html
    assert re.search(r'<bdi dir="ltr">\d+</bdi>', html)


def test_a_draft_is_never_shown(client, figures, statistician):
    figures["people"][""] = 400
    draft = services.release_prepare(acting_user=statistician, indicator="test_people", period="2025")
    assert client.get(reverse("impact:release", kwargs={"slug": draft.slug})).status_code == 404
    assert client.get(reverse("impact_data:csv", kwargs={"slug": draft.slug})).status_code == 404
    assert draft.slug not in client.get("/fr/impact/data/").content.decode()


def test_the_dashboard_takes_no_filter(client, published):
    """Only published cuts: a query string changes nothing (no free filtering to difference)."""

    def main(url):
        return client.get(url).content.decode().split("<main")[1].split("</main>")[0]

    assert main("/fr/impact/") == main(
        "/fr/impact/?borough=Verdun&indicator=test_boroughs&period=2025-Q1&exclude=Anjou"
    )


def test_open_data_csv_json_and_table_schema(client, published):
    slug = published.slug
    csv_text = client.get(f"/open-data/impact/{slug}.csv").content.decode()
    header, *rows = csv_text.strip().split("\n")
    assert header == "indicator,period,area,value,status,interval_95,version"
    assert len(rows) == 20 and rows[-1].split(",")[2] == "TOTAL"
    anjou = next(row for row in rows if ",Anjou," in row)
    assert anjou.split(",")[3] == "" and anjou.split(",")[4] == "primary"
    data = json.loads(client.get(f"/open-data/impact/{slug}.json").content)
    assert data["id"] == slug and data["epsilon"] == 0.5 and data["mechanism"].startswith("discrete Laplace")
    package = json.loads(client.get(f"/open-data/impact/{slug}.schema.json").content)
    assert package["profile"] == "tabular-data-package"
    fields = [field["name"] for field in package["resources"][0]["schema"]["fields"]]
    assert fields == header.split(",")
    catalog = json.loads(client.get("/open-data/impact/catalog.json").content)
    assert {entry["id"] for entry in catalog["releases"]} >= {slug, "test-people-2025-q1-v1"}


def test_method_and_errata_pages(client, published):
    for language in ("fr", "ar"):
        assert client.get(f"/{language}/impact/method/").status_code == 200
        assert client.get(f"/{language}/impact/errata/").status_code == 200
    page = client.get("/en/impact/method/").content.decode()
    assert "OpenDP" in page and "Visits to clinics" in page


def _signed_in(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totp_device.persistent_id
    session.save()
    return client


def test_staff_pages_prepare_then_a_second_person_approves(figures, statistician, approver):
    figures["people"][""] = 300
    preparer = _signed_in(statistician)
    assert preparer.get("/fr/impact/staff/").status_code == 200
    response = preparer.post("/fr/impact/staff/prepare/", {"indicator": "test_people", "period": "2025-q2"})
    assert response.status_code == 302
    slug = "test-people-2025-q2-v1"
    page = preparer.get(f"/fr/impact/staff/{slug}/").content.decode()
    assert "approve" not in page.split("<main")[1].split("discard")[0].lower() or "Approuver" not in page
    preparer.post(f"/fr/impact/staff/{slug}/approve/")
    assert _signed_in(approver).get(f"/en/impact/releases/{slug}/").status_code == 404  # still a draft
    checker = _signed_in(approver)
    assert checker.post(f"/fr/impact/staff/{slug}/approve/").status_code == 302
    assert checker.get(f"/en/impact/releases/{slug}/").status_code == 200


def test_a_bad_period_is_refused_with_a_translated_message(figures, statistician):
    preparer = _signed_in(statistician)
    response = preparer.post("/fr/impact/staff/prepare/", {"indicator": "test_people", "period": "2025-Q9"})
    assert response.status_code == 400
    assert "Indiquez une période" in response.content.decode()


def test_public_and_staff_pages_refuse_the_wrong_people(client, figures, statistician, make_staff, city_organisation):
    assert client.get("/fr/impact/staff/").status_code == 302  # sign in first
    other = _signed_in(make_staff("clerk", ["auditor"], city_organisation))
    assert other.get("/fr/impact/staff/").status_code == 403
    assert _signed_in(statistician).get("/fr/impact/staff/prepare/").status_code == 200


def test_areas_named_in_another_language_are_marked(client, publish, statistician):
    """Training's rows are named by units and courses as entered (French): marked lang="fr"."""
    from sanspeur.impact import catalogue
    from sanspeur.impact.catalogue import REPORTED, YEAR, Indicator

    catalogue.register(
        Indicator(
            code="test_named",
            title="named",
            definition="named",
            unit="per cent",
            source="test",
            count=lambda start, end: {
                "Services de la Ville · Accès sans peur": 80,
                "Organismes partenaires · Accès": None,
            },
            privacy_unit="staff",
            method=REPORTED,
            periods=(YEAR,),
            threshold=0,
            additive=False,
            area_language="fr",
        )
    )
    try:
        publish("test_named", "2025")
        html = client.get("/es/impact/").content.decode()
        assert '<bdi lang="fr">Services de la Ville · Accès sans peur</bdi>' in html
        assert 'lang="fr" font-size="13" fill="#1a1a1a">Services de la Ville' in html
        desc = html.split("<desc")[1].split("</desc>")[0]
        assert "Services de la Ville" not in desc
        assert 'lang="fr"' not in client.get("/fr/impact/").content.decode().split("<main")[1]
    finally:
        catalogue.unregister("test_named")
