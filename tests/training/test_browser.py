"""In Chromium: a training coordinator signs in with the second factor, schedules a session and
shows its check-in code; a trainee opens the code's address on their own device and checks in
with their employee number; the coordinator's coverage page moves."""

import datetime as dt

import pytest
from django.utils import timezone

from sanspeur.training import services
from sanspeur.training.models import Attendance, Headcount
from tests.conftest import STAFF_PASSWORD, screenshot, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type in ("error", "warning") and not message.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_a_coordinator_schedules_a_session_a_trainee_checks_in_and_coverage_moves(
    page, browser, make_staff, city_organisation, axe_check
):
    coordinator = make_staff("tao.browser", ["training_coordinator"], city_organisation)
    police = services.unit_create(acting_user=coordinator, code="SPVM", name_fr="Police", kind="police", parent=None)
    station = services.unit_create(
        acting_user=coordinator, code="SPVM-PDQ38", name_fr="Poste de quartier 38", kind="police", parent=police
    )
    Headcount.objects.create(unit=station, period=timezone.localdate().replace(day=1), headcount=4)
    course = services.course_create(
        acting_user=coordinator,
        code="acces-sans-peur",
        title_fr="Accès sans peur",
        title_en="Access without fear",
        modes=["in_person"],
        pass_mark=80,
    )
    services.requirement_set(
        acting_user=coordinator, unit=police, course=course, refresh_months=24, grace_days=30, target_percent=95
    )
    services.person_create(acting_user=coordinator, unit=station, name="Zéphyrine Quasimodo", employee_number="E-4821")
    errors = _errors(page)

    page.goto(page.base_url + "/fr/staff/login/?next=/fr/training/")
    page.get_by_label("Nom d’utilisateur").fill("tao.browser")
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/staff/mfa/**")
    page.get_by_label("Code à six chiffres").fill(totp_now(coordinator.totp_device))
    page.get_by_role("button", name="Vérifier").click()
    page.goto(page.base_url + "/fr/training/")
    row = page.locator(f"#unit-{station.pk}-course-{course.pk}")
    assert "0\xa0%" in row.locator(".percent").inner_text()
    axe_check(page, "coverage before")
    screenshot(page, "training-coverage-before")

    page.goto(page.base_url + "/fr/training/sessions/new/")
    page.get_by_label("Formation").select_option(str(course.current.pk))
    start = timezone.localtime() + dt.timedelta(minutes=30)
    page.get_by_label("Date et heure").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Lieu").fill("Poste de quartier 38, salle 2")
    page.get_by_label("Capacité").fill("20")
    page.locator("#id_language").select_option("fr")
    page.get_by_role("button", name="Planifier").click()
    page.wait_for_selector("img.qr")
    axe_check(page, "session and its code")
    screenshot(page, "training-session-code")
    checkin_url = page.locator("#checkin-link").get_attribute("href")
    assert "/fr/training/checkin/" in checkin_url

    phone = browser.new_context(locale="fr-CA", viewport={"width": 390, "height": 844})
    trainee = phone.new_page()
    trainee_errors = _errors(trainee)
    trainee.goto(checkin_url)
    axe_check(trainee, "check-in")
    trainee.get_by_label("Votre matricule").fill("e-4821")
    trainee.get_by_role("button", name="Confirmer ma présence").click()
    trainee.wait_for_selector("#checked-in")
    screenshot(trainee, "training-checked-in")
    assert not phone.cookies()
    trainee.goto(checkin_url.replace("/checkin/", "/checkin/1"))
    assert trainee.locator("#checkin-refused").is_visible()  # an altered code
    phone.close()
    assert Attendance.objects.count() == 1

    page.goto(page.base_url + "/fr/training/")
    assert "25\xa0%" in page.locator(f"#unit-{station.pk}-course-{course.pk} .percent").inner_text()
    screenshot(page, "training-coverage-after")
    page.goto(page.base_url + "/fr/training/sessions/")
    assert "1 / 20" in page.locator("#sessions").inner_text()
    assert not errors, errors
    assert not trainee_errors or all("400" in e for e in trainee_errors), trainee_errors
