import io

import pytest

from sanspeur.directory import demo
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def loaded(settings):
    demo.load(stdout=io.StringIO())
    settings.SANSPEUR_DIRECTORY_FIXED_NOW = "2026-11-24T10:30:00"  # a Tuesday morning in Montréal


def test_search_french_filters_open_now_and_axe(page, axe_check, loaded):
    page.goto(page.base_url + "/fr/directory/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("#id_need").is_hidden()  # the filters are folded until asked for
    page.get_by_text("Filtres et distance").click()
    page.get_by_label("Besoin").select_option("food")
    page.get_by_label("Arrondissement", exact=True).select_option("ahuntsic-cartierville")
    page.get_by_role("button", name="Rechercher").click()
    assert "need=food" in page.url
    items = page.locator(".dir-item")
    assert items.count() == 1
    assert "Dépannage alimentaire" in items.first.inner_text()
    page.goto(page.base_url + "/fr/directory/?open_now=1")
    assert page.locator(".dir-item").count() > 0
    assert page.locator(".dir-item .badge", has_text="Fermé en ce moment").count() == 0
    page.goto(page.base_url + "/fr/directory/?q=alimentaire")
    axe_check(page, "directory search fr")
    screenshot(page, "directory-search-fr")
    page.locator(".dir-item h3 a").first.click()
    assert page.locator("h1").count() == 1
    axe_check(page, "directory detail fr")
    screenshot(page, "directory-detail-fr")
    page.goto(page.base_url + "/fr/directory/?q=refuge+nuit")
    page.locator(".dir-item h3 a").first.click()
    assert "Ligne d'accueil" in page.content()
    axe_check(page, "directory confidential detail fr")
    screenshot(page, "directory-detail-confidential-fr")


def test_search_arabic_is_rtl(page, axe_check, loaded):
    page.goto(page.base_url + "/ar/directory/?q=refuge")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator(".dir-item").count() >= 1
    # The demo is translated into every language: Arabic names, no French fallback.
    assert page.locator(".dir-item", has_text="ملجأ «L'Étoile» الليلي").count() == 1
    assert page.locator(".dir-fallback").count() == 0
    axe_check(page, "directory search ar")
    screenshot(page, "directory-search-ar")


def test_results_without_javascript(browser, live_server, loaded):
    context = browser.new_context(java_script_enabled=False, locale="fr-CA")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/fr/directory/")
        page.fill("#id_q", "Sante")
        page.get_by_role("button", name="Rechercher").click()
        assert page.locator(".dir-item").count() >= 1
        assert page.locator("#dir-map").is_hidden()
    finally:
        context.close()


def test_choose_a_point_on_the_map_to_sort_by_distance(page, axe_check, loaded, settings):
    settings.SANSPEUR_MAP_TILE_URL = "/static/no-tiles/{z}/{x}/{y}.png"  # a city's own tiles, same origin
    page.goto(page.base_url + "/fr/directory/?need=food")
    area = page.locator("#dir-map")
    area.wait_for(state="visible")
    assert page.locator(".dir-map-hint").is_visible()
    box = area.bounding_box()
    area.click(position={"x": box["width"] * 0.45, "y": box["height"] * 0.9})  # south of the markers
    page.get_by_role("button", name="Trier par distance de ce point").click()
    page.wait_for_url("**near=*")
    assert "need=food" in page.url
    assert page.locator("#near-point").is_visible()
    badges = page.locator(".dir-item .badge", has_text="environ")
    assert badges.count() == page.locator(".dir-item").count() > 0
    area.wait_for(state="visible")
    axe_check(page, "directory sorted from a map point")
    screenshot(page, "directory-map-point-fr")
    everything = page.locator(".dir-item").count()
    assert page.locator(".dir-more").get_attribute("open") is not None  # a point is a filter: unfolded
    page.get_by_label("Dans un rayon de").select_option("1")
    page.get_by_role("button", name="Rechercher").click()
    assert "within=1" in page.url and "near=" in page.url
    assert page.locator(".dir-item").count() <= everything
    page.get_by_role("link", name="Retirer ce point").click()
    assert "near=" not in page.url and page.locator(".dir-item .badge", has_text="environ").count() == 0


def test_no_tile_server_no_map(page, loaded, settings):
    settings.SANSPEUR_MAP_TILE_URL = ""
    page.goto(page.base_url + "/fr/directory/?need=food")
    assert page.locator(".dir-item").count() > 0
    assert page.locator("#dir-map").count() == 0
    assert page.locator(".dir-map-hint").count() == 0
    assert page.locator("script[src*='leaflet']").count() == 0


def test_back_to_the_search_keeps_the_search(page, axe_check, loaded):
    page.goto(page.base_url + "/fr/directory/?q=alimentaire&free=1")
    assert page.locator(".dir-more").get_attribute("open") is not None  # a filter is used: unfolded
    page.locator(".dir-item h3 a").first.click()
    page.get_by_role("link", name="Retour à la recherche").click()
    assert "q=alimentaire" in page.url and "free=1" in page.url
    assert page.locator("#id_q").input_value() == "alimentaire"
    assert page.locator("#id_free").is_checked()
    axe_check(page, "directory search after back")
