"""In Chromium: a form error on a Haitian Creole page is in Creole (Django ships no ht catalog)."""

import pytest

from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_booking_lookup_errors_in_creole(page):
    # The look-up is a POST (issue 17): send a code longer than the field allows past its maxlength.
    page.goto(f"{page.base_url}/ht/clinics/booking/")
    page.locator("#id_code").evaluate("input => input.removeAttribute('maxlength')")
    page.locator("#id_code").fill("X" * 25)
    page.locator("main form button[type=submit]").click()
    page.locator(".errorlist").first.wait_for()
    main = page.locator("main").inner_text()
    screenshot(page, "language-booking-lookup-ht")
    assert "Valè a pa dwe gen plis pase 20 karaktè" in main
    assert "Assurez-vous" not in main and "Ensure this value" not in main
