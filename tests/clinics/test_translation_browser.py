"""In Chromium: the demo clinics read in Arabic and in Haitian Creole (titles and places translated,
nothing marked "in French"), with axe-core and screenshots."""

import io

import pytest

from sanspeur.clinics import demo
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "title", "place"),
    [
        ("ar", "عيادة متنقلة — بارك إكستنشن", "القاعة المجتمعية، الطابق الأرضي (تجريبي)"),
        ("ht", "Klinik mobil — Parc-Extension", "Sal kominotè a, premye etaj (demo)"),
    ],
)
def test_demo_clinics_in_arabic_and_creole(page, axe_check, language, title, place):
    demo.load(stdout=io.StringIO(), print_logins=False)
    page.goto(f"{page.base_url}/{language}/clinics/")
    assert page.locator(".clinic-list h3", has_text=title).count() == 1
    assert page.locator(".dir-fallback").count() == 0
    axe_check(page, f"clinic list {language}")
    screenshot(page, f"clinics-list-{language}")
    page.get_by_role("link", name=title).click()
    assert page.locator("h1").inner_text() == title
    assert place in page.locator("p.lead").inner_text()
    assert page.locator(".dir-fallback").count() == 0
    axe_check(page, f"clinic event {language}")
    screenshot(page, f"clinics-event-{language}")
