"""The staff screens of issue 17 in Debian's Chromium: the audit filter's error shows no entry; the
dashboards of three roles and the audit trail on a desktop and a phone, in French and Arabic."""

import pytest

from tests.conftest import fill_date, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(page, user):
    """Give the browser a session with both factors, as the sign-in pages would."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totp_device.persistent_id
    session.save()
    host = page.base_url.split("//", 1)[1].split(":", 1)[0]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "domain": host, "path": "/"}]
    )
    return page


def test_an_invalid_audit_filter_shows_the_error_and_no_entry(page, make_staff, city_organisation, axe_check):
    auditor = make_staff("auditor.filter", ["auditor"], city_organisation)
    signed_in(page, auditor)
    page.goto(page.base_url + "/fr/staff/audit/")
    assert page.locator("table tbody tr[data-action]").count() >= 1  # the trail has entries
    fill_date(page, "Date de début", "2026-02-01")
    fill_date(page, "Date de fin", "2026-01-01")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert "La date de début" in page.locator(".error-summary").inner_text()
    assert page.locator("table").count() == 0 and page.locator("tr[data-action]").count() == 0
    assert page.locator("#audit-no-rows").is_visible()
    axe_check(page, "audit trail, invalid filter")
    page.get_by_label("L’action commence par").fill("nothing.like.this")
    fill_date(page, "Date de début", "")
    fill_date(page, "Date de fin", "")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert page.locator("tr[data-action]").count() == 0
    screenshot(page, "audit-invalid-filter-fr")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_dashboards_and_audit_trail_on_desktop_and_phone(
    browser, live_server, make_staff, city_organisation, axe_check, language
):
    people = [
        make_staff("auditor.shot", ["auditor"], city_organisation, full_name="Inès Auditrice"),
        make_staff("case.shot", ["protection_supervisor"], city_organisation, full_name="Karim Intervenant"),
        make_staff("officer.shot", ["program_officer", "reviewer"], city_organisation, full_name="Rose Agente"),
    ]
    for width, height, label in ((1280, 900, "desktop"), (390, 844, "phone")):
        for user in people:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-CA")
            page = context.new_page()
            page.base_url = live_server.url
            try:
                signed_in(page, user)
                page.goto(f"{live_server.url}/{language}/staff/")
                assert page.locator(".tile-counts li").count() >= 1, user.username
                axe_check(page, f"dashboard {user.username} {language} {label}")
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                screenshot(page, f"dashboard-{user.username}-{language}-{label}")
                if user.username == "auditor.shot":
                    page.goto(f"{live_server.url}/{language}/staff/audit/")
                    axe_check(page, f"audit {language} {label}")
                    screenshot(page, f"audit-{language}-{label}")
            finally:
                context.close()
