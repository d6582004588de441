"""On first use the verifier shows the three rules of the sans peur charter, in the clerk's
language; once acknowledged, the device does not show them again (issue 18)."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_charter_shows_once_per_device_in_the_clerk_language(page, axe_check):
    page.goto(page.base_url + "/verify/")
    page.wait_for_selector("#verify-app[data-ready='true']")
    charter = page.locator("#vf-charter")
    assert charter.is_visible()
    page.select_option("#vf-lang", "ar")
    assert "وضع الهجرة" in charter.inner_text()
    assert "charter" not in charter.inner_text() and "rules" not in charter.inner_text()  # no English left
    assert charter.locator("li").count() == 3
    axe_check(page, "verifier charter ar")
    screenshot(page, "verify-charter-ar")
    page.select_option("#vf-lang", "ht")
    assert "estati imigrasyon" in charter.inner_text()
    page.click("#vf-charter-ok")
    assert charter.is_hidden()
    page.reload()
    page.wait_for_selector("#verify-app[data-ready='true']")
    assert page.locator("#vf-charter").is_hidden()
