"""Staff sign-in with the second factor, in Debian's Chromium, with axe-core on each page."""

import re

import pytest

from tests.conftest import STAFF_PASSWORD, screenshot, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_password(page, username):
    page.goto(page.base_url + "/fr/staff/login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continuer").click()


def test_sign_in_with_mfa_then_audit_trail(page, make_staff, city_organisation, axe_check):
    auditor = make_staff("auditor.browser", ["auditor"], city_organisation, full_name="Inès Auditrice")
    sign_in_password(page, "auditor.browser")
    page.wait_for_url("**/staff/mfa/**")
    axe_check(page, "mfa step")
    page.get_by_label("Code à six chiffres").fill("000000")
    page.get_by_role("button", name="Vérifier").click()
    assert page.locator(".errorlist").first.is_visible()
    page.wait_for_timeout(1100)  # django-otp throttles: one second after a wrong code
    page.get_by_label("Code à six chiffres").fill(totp_now(auditor.totp_device))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url(re.compile(r".*/fr/staff/$"))
    assert "Inès Auditrice" in page.locator("h1").inner_text()
    axe_check(page, "dashboard")
    screenshot(page, "staff-dashboard-fr")
    page.get_by_role("link", name="Journal d’audit").first.click()
    page.wait_for_url("**/staff/audit/")
    assert page.locator("table tbody tr").count() >= 1
    axe_check(page, "audit trail")
    screenshot(page, "audit-trail-fr")


def test_first_sign_in_enrols_authenticator(page, make_staff, organisation, axe_check):
    from sanspeur.accounts.models import SealedTOTPDevice as TOTPDevice

    user = make_staff("new.agent", ["enrollment_agent"], organisation, mfa=False)
    sign_in_password(page, "new.agent")
    page.wait_for_url("**/staff/mfa/**")
    assert page.locator(".totp-qr img").is_visible()
    axe_check(page, "mfa enrolment")
    screenshot(page, "mfa-enrolment-fr")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_label("Code à six chiffres").fill(totp_now(device))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url(re.compile(r".*/fr/staff/$"))


def test_protected_page_is_refused_without_mfa(page, make_staff, city_organisation):
    make_staff("auditor.nomfa", ["auditor"], city_organisation)
    sign_in_password(page, "auditor.nomfa")
    page.wait_for_url("**/staff/mfa/**")
    page.goto(page.base_url + "/fr/staff/audit/")
    assert "/staff/mfa/" in page.url
    assert page.locator("table").count() == 0


def test_language_switch_and_right_to_left(page, axe_check):
    page.goto(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    axe_check(page, "home fr")
    screenshot(page, "home-fr")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "without fear" in page.locator("h1").inner_text()
    page.get_by_role("link", name="العربية").click()
    page.wait_for_url("**/ar/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    axe_check(page, "home ar")
    screenshot(page, "home-ar")
    for language in ("es", "ht"):
        page.goto(f"{page.base_url}/{language}/our-promise/")
        assert page.locator("html").get_attribute("lang") == language
        axe_check(page, f"promise {language}")


def test_public_pages_and_errors_are_accessible_on_a_phone(browser, live_server, axe_check):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-CA")
    page = context.new_page()
    try:
        for path in ("/fr/", "/fr/our-promise/", "/fr/staff/login/", "/fr/nowhere/"):
            page.goto(live_server.url + path)
            axe_check(page, path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{path} scrolls sideways on a phone ({width}px)"
        screenshot(page, "home-phone-fr")
    finally:
        context.close()


def test_first_sign_in_enrols_then_chooses_a_password(page, make_staff, organisation, axe_check):
    from sanspeur.accounts.models import SealedTOTPDevice as TOTPDevice
    from sanspeur.accounts.models import User

    user = make_staff("temp.agent", ["enrollment_agent"], organisation, mfa=False)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    sign_in_password(page, "temp.agent")
    page.wait_for_url("**/staff/mfa/**")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_label("Code à six chiffres").fill(totp_now(device))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url("**/staff/password/**")
    axe_check(page, "password change")
    screenshot(page, "password-change-fr")
    page.get_by_label("Mot de passe actuel").fill(STAFF_PASSWORD)
    page.get_by_label(re.compile(r"^Nouveau mot de passe\W*$")).fill("une phrase à moi seule 2026")
    page.get_by_label("Nouveau mot de passe, encore une fois").fill("une phrase à moi seule 2026")
    page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    page.wait_for_url(re.compile(r".*/fr/staff/$"))
    user.refresh_from_db()
    assert not user.must_change_password


def test_authenticator_reset_gives_a_link_that_enrols_once(
    browser, live_server, make_staff, city_organisation, axe_check
):
    from sanspeur.accounts.models import SealedTOTPDevice as TOTPDevice

    admin = make_staff("admin.browser", ["administrator"], city_organisation)
    agent = make_staff("agent.reset", ["enrollment_agent"], city_organisation)
    admin_context = browser.new_context(locale="fr-CA")
    person_context = browser.new_context(locale="fr-CA")
    try:
        admin_page = admin_context.new_page()
        admin_page.base_url = live_server.url
        sign_in_password(admin_page, "admin.browser")
        admin_page.wait_for_url("**/staff/mfa/**")
        admin_page.get_by_label("Code à six chiffres").fill(totp_now(admin.totp_device))
        admin_page.get_by_role("button", name="Vérifier").click()
        admin_page.wait_for_url(re.compile(r".*/fr/staff/$"))
        admin_page.goto(f"{live_server.url}/fr/staff/accounts/{agent.pk}/")
        admin_page.get_by_role("button", name="Retirer l’application d’authentification (téléphone perdu)").click()
        admin_page.wait_for_selector("text=Application d’authentification retirée")
        axe_check(admin_page, "enrolment link issued")
        link = admin_page.locator("p.secret a").inner_text()

        person = person_context.new_page()
        person.base_url = live_server.url
        sign_in_password(person, "agent.reset")  # the password alone: no enrolment
        person.wait_for_url("**/staff/mfa/**")
        assert person.locator(".totp-qr").count() == 0
        axe_check(person, "enrolment link needed")
        person.goto(link)
        person.wait_for_url("**/staff/mfa/**")
        assert person.locator(".totp-qr img").is_visible()
        device = TOTPDevice.objects.get(user=agent, confirmed=False)
        person.get_by_label("Code à six chiffres").fill(totp_now(device))
        person.get_by_role("button", name="Vérifier").click()
        person.wait_for_url(re.compile(r".*/fr/staff/$"))
        person.goto(link)
        assert "Ce lien ne fonctionne pas" in person.locator("h1").inner_text()
        axe_check(person, "enrolment link used")
    finally:
        admin_context.close()
        person_context.close()
