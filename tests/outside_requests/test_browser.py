"""In Chromium: a resident reports in Arabic that the card was refused and asks for a codename; a
privacy officer signs in with the second factor, contacts the service and resolves the report; the
resident follows it with the codename and reads that it was settled. While the report stands
unresolved, the directory stops showing that the service accepts the card."""

import pytest
from django.utils import timezone

from sanspeur.outside_requests.models import RefusalReport
from tests.conftest import STAFF_PASSWORD, screenshot, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_reports_a_refusal_in_arabic_and_staff_resolve_it(
    page, service, make_staff, city_organisation, axe_check
):
    errors: list[str] = []  # a CSP violation or a failed script shows up here (the favicon aside)
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type in ("error", "warning") and not message.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))

    service.accepts_card = True
    service.save()
    page.goto(f"{page.base_url}/ar/directory/services/{service.pk}/")
    assert page.locator("#card-badge").is_visible()
    page.goto(f"{page.base_url}/ar/accountability/report/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    axe_check(page, "report form ar")
    screenshot(page, "accountability-report-ar")
    page.get_by_label("أي خدمة؟").select_option(str(service.pk))
    page.get_by_label("رفضوا بطاقة المدينة كإثبات للهوية").check()
    today = timezone.localdate()
    day = page.get_by_role("group", name="في أي يوم؟")  # three boxes, never the browser's date picker
    day.get_by_label("اليوم").fill(str(today.day))
    day.get_by_label("الشهر").select_option(str(today.month))
    day.get_by_label("السنة").fill(str(today.year))
    page.get_by_label("أعطوني اسمًا رمزيًا لأتابع ما تفعله المدينة بشأنه").check()
    page.get_by_role("button", name="إرسال البلاغ").click()  # the widget solves its proof of work first
    page.wait_for_selector("#report-sent")
    codename = page.locator("#codename").inner_text().strip()
    assert page.locator("#codename").get_attribute("dir") == "rtl" and len(codename.split()) >= 6
    assert page.get_by_role("heading", name="شكرًا: تم استلام بلاغك").is_visible()
    assert not page.context.cookies()
    axe_check(page, "report sent ar")
    screenshot(page, "accountability-report-sent-ar")
    report = RefusalReport.objects.get()
    assert (report.what, report.happened_on, report.state) == ("refused_card", timezone.localdate(), "received")

    officer = make_staff("priya.browser", ["privacy_officer"], city_organisation)
    device = officer.totp_device
    page.goto(page.base_url + "/fr/staff/login/?next=/fr/accountability/refusals/")
    page.get_by_label("Nom d’utilisateur").fill("priya.browser")
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/staff/mfa/**")
    page.get_by_label("Code à six chiffres").fill(totp_now(device))
    page.get_by_role("button", name="Vérifier").click()
    page.goto(page.base_url + "/fr/accountability/refusals/")
    row = page.locator(f"#report-{report.pk}")
    assert "Prêt de livres" in row.inner_text()
    axe_check(page, "refusal list")
    row.get_by_role("button", name="Service contacté").click()
    assert page.locator(f"#report-{report.pk} .state").inner_text() == "Service contacté"
    # Closed unresolved: the directory stops showing "accepts the card" for this service ...
    detail = f"{page.base_url}/ar/directory/services/{service.pk}/"
    page.locator(f"#report-{report.pk}").get_by_role("button", name="Non réglé", exact=True).click()
    assert page.locator(f"#report-{report.pk} .state").inner_text() == "Non réglé"
    page.goto(detail)
    assert page.locator("#card-badge").count() == 0
    screenshot(page, "accountability-badge-withdrawn-ar")
    # ... until the report is reopened and settled with the service.
    page.goto(page.base_url + "/fr/accountability/refusals/")
    page.locator(f"#report-{report.pk}").get_by_role("button", name="Rouvrir").click()
    page.locator(f"#report-{report.pk}").get_by_role("button", name="Réglé", exact=True).click()
    assert page.locator(f"#report-{report.pk} .state").inner_text() == "Réglé"
    screenshot(page, "accountability-refusals-resolved")
    report.refresh_from_db()
    assert report.state == "resolved" and report.settled_on == timezone.localdate()
    page.goto(detail)
    assert page.locator("#card-badge").is_visible()

    # The resident comes back with the codename, on a page in Arabic.
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/ar/accountability/report/follow/")
    page.get_by_label("اسمك الرمزي").fill(codename)
    page.get_by_role("button", name="فتح").click()
    page.wait_for_selector("#follow-state")
    assert "صحّحت الخدمة ما حدث" in page.locator("#follow-state").inner_text()
    axe_check(page, "refusal follow ar")
    screenshot(page, "accountability-follow-ar")
    assert not errors, errors
