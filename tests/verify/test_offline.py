"""End to end in Chromium: load once online, go offline, verify cards. No request during a scan."""

from __future__ import annotations

import re

import pytest

from tests.conftest import screenshot

from .conftest import CASES
from .urls import REQUESTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def plain(text: str) -> str:
    """The text without the Unicode isolates (FSI, LRI … PDI) that keep inserted values in place
    in a right-to-left sentence (app.js ``t()``)."""
    return re.sub("[\u2066-\u2069]", "", text)


def _watch(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def _paste(page, code: str) -> None:
    page.fill("#vf-code", code)
    page.click("#vf-paste button[type=submit]")
    page.wait_for_selector("#vf-result:not([hidden])")


def test_offline_paste_valid_revoked_forged(verifier_page, axe_check):
    page = verifier_page
    context = page.context
    context.set_offline(True)
    # The whole app comes back from the service worker's cache.
    page.reload()
    page.wait_for_selector("#verify-app[data-ready='true']")
    assert page.locator("#vf-net").inner_text() == "Hors ligne : utilisation des listes enregistrées."
    seen = _watch(page)

    _paste(page, CASES["valid"]["code"])
    result = page.locator("#vf-result")
    assert result.get_attribute("data-reason") == "valid"
    assert page.locator("#vf-verdict-text").inner_text() == "VALIDE"
    assert "vf-is-valid" in result.get_attribute("class")
    assert page.locator(".vf-icon-valid").is_visible() and page.locator(".vf-icon-not-valid").is_hidden()
    photo = page.locator(".vf-photo img")
    assert photo.get_attribute("src").startswith("data:image/webp;base64,")
    box = photo.bounding_box()
    assert box["width"] >= 200 and box["height"] >= 250  # large enough to compare with a face
    assert page.evaluate("document.querySelector('.vf-photo img').naturalWidth") == 60  # the WebP decoded
    assert "VALIDE" in page.locator("#vf-announce").inner_text()
    assert page.locator("#vf-announce").get_attribute("aria-live") == "assertive"
    axe_check(page, "verifier result valid")
    screenshot(page, "verify-valid-offline")

    page.click("#vf-done")
    assert page.locator("#vf-result").is_hidden()
    assert page.locator("#vf-fields > *").count() == 0
    assert page.locator("#vf-code").input_value() == ""

    _paste(page, CASES["revoked"]["code"])
    assert result.get_attribute("data-reason") == "revoked"
    assert page.locator("#vf-verdict-text").inner_text() == "NON VALIDE"
    assert page.locator("#vf-reason").inner_text() == "La carte a été révoquée."
    assert page.locator(".vf-photo").count() == 0  # nothing from a card that is not valid
    axe_check(page, "verifier result not valid")
    screenshot(page, "verify-revoked-offline")
    page.click("#vf-done")

    _paste(page, CASES["bad_signature"]["code"])
    assert result.get_attribute("data-reason") == "bad_signature"
    assert page.locator("#vf-verdict-text").inner_text() == "NON VALIDE"
    page.click("#vf-done")

    _paste(page, CASES["bad_signature_photo_swapped"]["code"])
    assert result.get_attribute("data-reason") == "bad_signature"
    page.click("#vf-done")

    assert seen == [], f"requests during scans: {seen}"
    # tally: four checks today, kept only in this browser
    assert page.evaluate("JSON.parse(localStorage.getItem('sanspeur.verify.tally')).count") == 4
    context.set_offline(False)


def test_lists_come_from_the_configured_source_and_age_is_shown(verifier_page, axe_check):
    page = verifier_page
    axe_check(page, "verifier start page")
    screenshot(page, "verify-start")
    assert "/test-vectors/trust-list" in REQUESTS
    assert "/test-vectors/status/1" in REQUESTS
    # vectors: trust list issued 2026-03-01 00:00, status list 2026-03-01 00:00; clock at 06:00
    assert plain(page.locator("#vf-trust-age").inner_text()) == "Clés de confiance : émises il y a 6 h"
    assert plain(page.locator("#vf-status-age").inner_text()) == "Statuts des cartes : émis il y a 6 h"


def test_language_selector_arabic_is_rtl_and_stored_locally(verifier_page, axe_check):
    page = verifier_page
    page.select_option("#vf-lang", "ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("localStorage.getItem('sanspeur.verify.lang')") == "ar"
    _paste(page, CASES["revoked"]["code"])
    assert page.locator("#vf-verdict-text").inner_text() == "غير صالحة"
    axe_check(page, "verifier arabic")
    screenshot(page, "verify-arabic")
    page.reload()
    page.wait_for_selector("#verify-app[data-loaded='true']")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    # the language is never sent to the server: no cookie
    assert page.context.cookies() == []


def test_phone_width(verifier_page, axe_check):
    page = verifier_page
    page.set_viewport_size({"width": 360, "height": 780})
    _paste(page, CASES["valid"]["code"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for selector in ("#vf-done", "#vf-lang", "#vf-profile"):
        box = page.locator(selector).bounding_box()
        assert box["height"] >= 44, selector
    axe_check(page, "verifier 360px")
    screenshot(page, "verify-phone-valid")


def test_camera_scan_offline(camera_browser, live_server, vector_source):
    from .conftest import vector_time

    context = camera_browser.new_context(locale="fr-CA", viewport={"width": 1000, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.clock.set_fixed_time(vector_time())
        page.goto(live_server.url + "/verify/")
        page.wait_for_selector("#verify-app[data-sw-ready='true']")
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        # warm the QR reader once online (the service worker has already cached its wasm)
        context.set_offline(True)
        page.reload()
        page.wait_for_selector("#verify-app[data-ready='true']")
        seen = _watch(page)
        page.click("#vf-camera-start")
        page.wait_for_selector("#vf-result:not([hidden])", timeout=30_000)
        assert page.locator("#vf-result").get_attribute("data-reason") == "valid"
        assert page.locator(".vf-photo img").count() == 1
        assert page.locator("#vf-video").is_hidden()  # the camera is switched off after a read
        screenshot(page, "verify-camera-valid")
        # the ponyfill module and wasm came from the cache (first use), never from another origin
        assert all(url.startswith(live_server.url) for url in seen), seen
    finally:
        context.close()


def test_photo_upload_offline_and_nothing_leaves_the_origin(page, vector_source):
    from .conftest import VECTORS, vector_time

    everything = _watch(page)  # from the very first request
    page.clock.set_fixed_time(vector_time())
    page.goto(page.base_url + "/verify/")
    page.wait_for_selector("#verify-app[data-sw-ready='true']")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#verify-app[data-ready='true']")
    served: list[tuple[str, bool]] = []
    page.on("response", lambda response: served.append((response.url, response.from_service_worker)))
    page.set_input_files("#vf-photo", str(VECTORS / "valid_card.png"))
    page.wait_for_selector("#vf-result:not([hidden])", timeout=30_000)
    assert page.locator("#vf-result").get_attribute("data-reason") == "valid"
    # the QR reader (ponyfill + zxing wasm) is ours and came from the service worker's cache
    wasm = [from_sw for url, from_sw in served if url.endswith("/static/vendor/zxing-wasm/reader/zxing_reader.wasm")]
    assert wasm == [True], served
    assert all(url.startswith(page.base_url) or url.startswith("data:") for url in everything), everything
    page.context.set_offline(False)


@pytest.mark.parametrize(
    ("moment", "reason", "warning"),
    [("2026-03-03T06:00:00Z", "valid", True), ("2026-03-10T06:00:00Z", "status_list_stale", False)],
)
def test_old_then_stale_status_list(page, vector_source, moment, reason, warning):
    """An old list still gives VALID with a warning; past 7 days the status cannot be confirmed."""
    from datetime import datetime

    page.clock.set_fixed_time(datetime.fromisoformat(moment.replace("Z", "+00:00")))
    page.goto(page.base_url + "/verify/")
    page.wait_for_selector("#verify-app[data-ready='true']")
    page.select_option("#vf-lang", "en")
    _paste(page, CASES["valid"]["code"])
    assert page.locator("#vf-result").get_attribute("data-reason") == reason
    assert page.locator("#vf-warning").is_visible() is warning
    status_age = page.locator("#vf-status-age")
    if reason == "status_list_stale":
        # A device whose lists are too old cannot confirm: never "NOT VALID" for a device's problem.
        assert page.locator("#vf-verdict-text").inner_text() == "CANNOT CONFIRM"
        assert page.locator("#vf-result").get_attribute("data-outcome") == "cannot_confirm"
        assert "connect this device to the Internet" in page.locator("#vf-reason").inner_text()
        assert "serve the person as you usually do" in page.locator("#vf-advice").inner_text()
        assert plain(status_age.inner_text()) == "Card statuses: issued 9 days ago"
        assert "vf-stale" in status_age.get_attribute("class")
    else:
        assert page.locator("#vf-verdict-text").inner_text() == "VALID"
        assert page.locator("#vf-warning").inner_text().startswith("The lists are older than recommended")
        assert plain(status_age.inner_text()) == "Card statuses: issued 2 days ago"
