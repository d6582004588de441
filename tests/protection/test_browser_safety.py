"""In Chromium (issue 17): "Exit this page" on the GOV.UK pattern (Shift pressed three times, never
Escape), POST-redirect-GET after a report (a reload never sends it twice), and the person's view of
their report — screenshots in French and Arabic at phone size."""

import re

import pytest

from sanspeur.protection.models import Case
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEUTRAL = "https://meteo.gc.ca/"
PHONE = {"width": 390, "height": 844}


def _neutral_site(page):
    page.route(NEUTRAL + "**", lambda route: route.fulfill(status=200, content_type="text/html", body="<p>Météo</p>"))


def test_escape_never_exits_and_shift_three_times_does(page, unit_key):
    _neutral_site(page)
    base = page.base_url
    page.goto(base + "/fr/protection/")
    page.goto(base + "/fr/protection/report/")
    assert page.locator("[data-exit-hint]").is_visible()  # "or press Shift 3 times", with JavaScript
    text = page.locator("#id_text")
    text.fill("Mon patron me menace")
    text.focus()
    for _ in range(4):
        page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url.endswith("/fr/protection/report/")
    assert text.input_value() == "Mon patron me menace"  # nothing lost
    # Capital letters typed with Shift held do not count as Shift presses.
    for _ in range(3):
        page.keyboard.press("Shift+A")
    page.wait_for_timeout(300)
    assert page.url.endswith("/fr/protection/report/")
    # Another key between two Shift presses starts the count again.
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("b")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url.endswith("/fr/protection/report/")
    text.fill("")
    # Scrolled down a long form, the button is still on screen (a copy at the top of the screen).
    floating = page.locator("a.exit-this-page-floating")
    page.evaluate("window.scrollTo(0, 0)")
    floating.wait_for(state="hidden")  # the header's own button is in view
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("form[enctype] button[type=submit]").scroll_into_view_if_needed()
    floating.wait_for(state="visible")
    assert floating.get_attribute("href") == NEUTRAL
    page.evaluate("window.scrollTo(0, 0)")
    floating.wait_for(state="hidden")
    length_before = page.evaluate("history.length")
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(NEUTRAL)
    assert page.evaluate("history.length") == length_before  # replaced, not pushed
    page.go_back()
    page.wait_for_url("**/fr/protection/")  # the report form is no longer in the history


def test_shift_presses_far_apart_do_not_exit(page, unit_key):
    _neutral_site(page)
    page.clock.install()
    page.goto(page.base_url + "/fr/protection/report/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.clock.run_for(6000)  # more than five seconds: the count starts again
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url.endswith("/fr/protection/report/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_url(NEUTRAL)


def test_the_button_without_javascript_is_a_link(browser, live_server, unit_key):
    context = browser.new_context(java_script_enabled=False, locale="fr-CA")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/fr/protection/report/")
        button = page.get_by_role("link", name="Quitter cette page")
        assert button.get_attribute("href") == NEUTRAL
        assert page.locator("[data-exit-hint]").is_hidden()  # Shift × 3 needs JavaScript: not promised
    finally:
        context.close()


def _send_report(page, lang: str, text: str) -> str:
    page.locator("#id_category_0").check()
    page.locator("#id_text").fill(text)
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_selector("#codename")
    return page.locator("#codename").inner_text().strip()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_reload_after_sending_sends_nothing_twice(browser, live_server, unit_key, axe_check, lang):
    context = browser.new_context(locale="fr-CA", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    base = live_server.url
    try:
        page.goto(f"{base}/{lang}/protection/report/")
        axe_check(page, f"report {lang}")
        screenshot(page, f"protection-report-{lang}-phone")
        codename = _send_report(page, lang, "Le patron garde nos salaires depuis mars")
        assert Case.objects.count() == 1
        # The page after sending was reached by a GET: its address holds a one-time token, never
        # the codename.
        assert re.search(rf"/{lang}/protection/report/\?r=[A-Za-z0-9_-]+$", page.url), page.url
        assert not any(word in page.url for word in codename.split())
        axe_check(page, f"receipt {lang}")
        screenshot(page, f"protection-receipt-{lang}-phone")
        page.reload()
        page.wait_for_selector("#codename")
        assert page.locator("#codename").inner_text().strip() == codename
        assert Case.objects.count() == 1  # the reload did not send the report again
        assert not page.context.cookies()

        # The person hides the codename: going back shows it no more, and still nothing is sent.
        page.locator("#hide-codename").click()
        page.wait_for_url(f"**/{lang}/protection/")
        page.go_back()
        page.wait_for_selector("#receipt-gone")
        assert page.locator("#codename").count() == 0
        page.reload()
        assert Case.objects.count() == 1

        # The follow-up page shows what was sent, to the day, and the status.
        page.goto(f"{base}/{lang}/protection/followup/")
        page.locator("#id_codename").fill(codename)
        page.locator("main form button[type=submit]").click()
        page.wait_for_selector("#what-you-sent")
        sent = page.locator("#what-you-sent").inner_text()
        assert "Le patron garde nos salaires depuis mars" in sent
        assert not re.search(r"\d{1,2}:\d{2}", sent)  # a day, never a time
        assert page.locator("#report-status").inner_text().strip()
        axe_check(page, f"thread {lang}")
        screenshot(page, f"protection-thread-{lang}-phone")
    finally:
        context.close()
