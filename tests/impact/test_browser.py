"""In Chromium: the dashboard in Arabic (right to left) shows its charts, each with its table and
the uncertainty, numbers isolated left to right; the method page; no script error, no axe
violation. Screenshots in French and Arabic."""

import re

import pytest

from sanspeur.core.boroughs import BOROUGHS
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def releases(figures, publish):
    figures["people"][""] = 1840
    for quarter in range(1, 5):
        publish("test_people", f"2025-Q{quarter}")
    figures["boroughs"].update({name: 30 + 11 * index for index, name in enumerate(BOROUGHS)})
    figures["boroughs"].update({"Anjou": 0, "Outremont": 1})
    return publish("test_boroughs", "2025")


def _errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type in ("error", "warning") and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_the_arabic_dashboard_shows_charts_and_tables(page, releases, axe_check):
    errors = _errors(page)
    page.goto(page.base_url + "/ar/impact/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    charts = page.get_by_role("img")
    assert charts.count() == 2
    for index in range(2):
        chart = charts.nth(index)
        assert chart.is_visible() and chart.bounding_box()["width"] > 300
        assert chart.locator("title").text_content().strip() and chart.locator("desc").text_content().strip()
    # A chart's bars: one per borough, the withheld one drawn without a bar.
    borough_chart = page.locator("svg.impact-chart").filter(has_text="Verdun")
    shown = sum(1 for cell in releases.cells if cell["value"] is not None)
    assert shown < len(BOROUGHS)  # Anjou and Outremont are withheld (but for a one-in-ten-thousand draw)
    assert borough_chart.locator("rect").count() == shown
    tables = page.get_by_role("table")
    assert tables.count() == 2
    assert tables.nth(0).get_by_role("row").count() == 1 + 4  # header and four quarters
    assert tables.nth(1).get_by_role("row").count() == 1 + len(BOROUGHS) + 1  # and the total
    assert "محجوب" in tables.nth(1).inner_text()  # "withheld"
    assert re.search(r"±\s*\d+", tables.nth(0).inner_text()) and "95" in tables.nth(0).inner_text()
    # Numbers are isolated left to right inside the right-to-left page.
    first_number = tables.nth(0).locator("td bdi").first
    assert first_number.get_attribute("dir") == "ltr"
    assert first_number.evaluate("e => getComputedStyle(e).direction") == "ltr"
    # The chart is mirrored: the axis on the right, bars grow to the left.
    box = borough_chart.bounding_box()
    first_bar = borough_chart.locator("rect").first.bounding_box()
    assert first_bar["x"] + first_bar["width"] > box["x"] + box["width"] / 2
    axe_check(page, "dashboard (ar)")
    screenshot(page, "impact-dashboard-ar")
    page.get_by_role("link", name="المنهجية والخصوصية").first.click()
    page.wait_for_url("**/ar/impact/method/")
    assert page.get_by_role("heading", level=1).inner_text() == "المنهجية والخصوصية"
    axe_check(page, "method (ar)")
    assert not errors, errors


def test_the_french_dashboard_and_a_release_page(page, releases, axe_check):
    errors = _errors(page)
    page.goto(page.base_url + "/fr/impact/")
    assert page.get_by_role("img").count() == 2
    screenshot(page, "impact-dashboard-fr")
    page.get_by_role("link", name="À propos de ces chiffres").first.click()
    assert "Comment ces chiffres ont été protégés" in page.content()
    axe_check(page, "release (fr)")
    screenshot(page, "impact-release-fr")
    assert not errors, errors


def _sign_in(page, user, next_path):
    from tests.conftest import STAFF_PASSWORD, totp_now

    page.goto(page.base_url + f"/fr/staff/login/?next={next_path}")
    page.get_by_label("Nom d’utilisateur").fill(user.username)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/staff/mfa/**")
    page.get_by_label("Code à six chiffres").fill(totp_now(user.totp_device))
    page.get_by_role("button", name="Vérifier").click()


def test_a_statistician_prepares_and_a_second_person_approves(
    browser, live_server, figures, statistician, approver, axe_check
):
    figures["people"][""] = 730
    pages = []
    for user in (statistician, approver):
        context = browser.new_context(locale="fr-CA", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        pages.append((context, page))
        _sign_in(page, user, "/fr/impact/staff/")
    (_c1, preparer), (_c2, checker) = pages
    preparer.goto(preparer.base_url + "/fr/impact/staff/prepare/")
    preparer.get_by_label("Indicateur").select_option("test_people")
    preparer.get_by_label("Période").fill("2025-Q3")
    preparer.get_by_role("button", name="Préparer").click()
    preparer.wait_for_url("**/fr/impact/staff/test-people-2025-q3-v1/")
    assert preparer.get_by_role("button", name="Approuver et publier").count() == 0
    assert "Une deuxième personne doit approuver" in preparer.content()
    axe_check(preparer, "draft (preparer)")
    screenshot(preparer, "impact-staff-draft")
    checker.goto(checker.base_url + "/fr/impact/staff/test-people-2025-q3-v1/")
    checker.get_by_role("button", name="Approuver et publier").click()
    assert "La publication est en ligne." in checker.content()
    checker.goto(checker.base_url + "/fr/impact/staff/")
    axe_check(checker, "staff list")
    screenshot(checker, "impact-staff-list")
    checker.goto(checker.base_url + "/ht/impact/method/")
    screenshot(checker, "impact-method-ht")
    for context, _page in pages:
        context.close()
