"""In Chromium: book anonymously in Spanish, cancel, rebook and move; the waiting list; the door."""

import re

import pytest

from sanspeur.clinics import services
from sanspeur.clinics.models import Booking
from tests.cards.conftest import documents  # noqa: F401 - fixture
from tests.conftest import STAFF_PASSWORD, screenshot, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_human_check(page):
    """Nothing to do with JavaScript on: the proof-of-work widget solves its challenge when the
    form's button is pressed (test settings make it cheap; test_browser_pow.py uses the real one)."""


def shown_code(page) -> str:
    return page.locator("#booking-code").inner_text().strip()


def test_book_in_spanish_cancel_and_rebook(page, make_clinic, axe_check):
    event, _service, session = make_clinic(capacity=5, max_places=3, kind="enrollment")
    page.goto(f"{page.base_url}/es/clinics/")
    axe_check(page, "public list es")
    page.get_by_role("link", name=event.title_fr).click()
    assert page.locator("html").get_attribute("lang") == "es"
    axe_check(page, "event es")
    screenshot(page, "clinics-event-es")
    page.get_by_role("link", name=re.compile("^Reservar")).first.click()
    assert page.get_by_role("heading", name="Reservar una plaza").is_visible()
    assert page.get_by_text("Quedan 5 plazas").is_visible()
    axe_check(page, "booking form es")
    screenshot(page, "clinics-book-es")
    page.get_by_label("Número de plazas").select_option("2")
    answer_human_check(page)
    page.get_by_role("button", name="Reservar").click()
    page.wait_for_url("**/es/clinics/booking/**")
    code = shown_code(page)
    # Letters and digits only, three groups read like a phone number (issue 17): no * $ = ~.
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{4}", code)
    assert page.locator(".qr img").get_attribute("src").startswith("data:image/svg+xml")
    assert page.locator("#booking-status").inner_text() == "Confirmada"
    assert not page.context.cookies()
    axe_check(page, "booking es")
    screenshot(page, "clinics-booking-es")
    # Cancelling asks first: the first click does not cancel, the confirmation does.
    page.get_by_role("button", name="Cancelar mi reserva").click()
    page.locator("#confirm-cancel").wait_for()
    assert "No se puede deshacer" in page.locator("#confirm-cancel").inner_text()
    assert Booking.objects.get().status == "confirmed"
    assert page.locator("#booking-status").inner_text() == "Confirmada"
    axe_check(page, "cancel confirmation es")
    screenshot(page, "clinics-cancel-confirm-es")
    page.get_by_role("button", name="Sí, cancelar mi reserva").click()
    assert page.get_by_text("Su reserva está cancelada").is_visible()
    assert page.locator("#booking-status").inner_text() == "Cancelada"
    page.get_by_role("link", name="Ver los otros horarios").click()
    page.get_by_role("link", name=re.compile("^Reservar")).first.click()
    answer_human_check(page)
    page.get_by_role("button", name="Reservar").click()
    page.wait_for_url("**/es/clinics/booking/**")
    new_code = shown_code(page)
    assert new_code != code
    assert Booking.objects.filter(status="confirmed").count() == 1
    # Change the time: another enrollment clinic, same code, the old place freed.
    _other_event, _other_service, later = make_clinic(capacity=2, days=4, kind="enrollment", title="Otra clínica")
    page.reload()
    page.get_by_label(re.compile("^Cambiar a otro horario")).select_option(str(later.pk))
    page.get_by_role("button", name="Cambiar mi reserva").click()
    assert page.get_by_text("Su código sigue siendo el mismo").is_visible()
    assert shown_code(page) == new_code and "Otra clínica" in page.locator("main").inner_text()
    assert Booking.objects.get(status="confirmed").session_id == later.pk
    axe_check(page, "booking moved es")
    assert not page.context.cookies()


def test_full_slot_puts_the_next_person_on_the_waiting_list_and_a_cancellation_promotes(page, make_clinic):
    event, _service, session = make_clinic(capacity=1)
    _first, first_code = services.booking_create(acting_user=None, session_id=session.pk)
    page.goto(f"{page.base_url}/es/clinics/e/{event.pk}/")
    page.get_by_role("link", name=re.compile("^Inscribirme en la lista de espera")).click()
    answer_human_check(page)
    page.get_by_role("button", name="Inscribirme en la lista de espera").click()
    page.wait_for_url("**/es/clinics/booking/**")
    assert page.locator("#booking-status").inner_text() == "En la lista de espera"
    assert page.locator("#waitlist-position").inner_text() == "1"
    services.booking_cancel(acting_user=None, code=first_code)
    page.reload()
    assert page.locator("#booking-status").inner_text() == "Confirmada"
    assert page.locator("#waitlist-position").count() == 0


def test_check_in_at_the_door_with_real_mfa_sign_in(page, make_clinic, make_staff, city_organisation, axe_check):
    event, _service, session = make_clinic(capacity=3, max_places=2)
    staff = make_staff("door.browser", ["clinic_door_staff"], city_organisation)
    _booking, code = services.booking_create(acting_user=None, session_id=session.pk, places=2)
    _other, other_code = services.booking_create(acting_user=None, session_id=session.pk)
    page.goto(page.base_url + "/fr/staff/login/?next=/fr/clinics/checkin/")
    page.get_by_label("Nom d’utilisateur").fill("door.browser")
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/staff/mfa/**")
    page.get_by_label("Code à six chiffres").fill(totp_now(staff.totp_device))
    page.get_by_role("button", name="Vérifier").click()
    page.goto(page.base_url + "/fr/clinics/checkin/")
    page.get_by_role("link", name=re.compile(event.title_fr)).click()
    axe_check(page, "door")
    page.get_by_label("Code de réservation").fill(code.lower())
    page.get_by_role("button", name="Accueillir", exact=True).click()
    checked = page.locator("#checked")
    assert "2 places" in checked.inner_text()
    assert other_code not in page.content()
    screenshot(page, "clinics-door-fr")
    page.get_by_label("Code de réservation").fill(code)
    page.get_by_role("button", name="Accueillir", exact=True).click()
    assert "déjà servi" in page.locator(".errorlist").first.inner_text()
    page.get_by_label("Service").select_option(label="Vaccination")
    page.get_by_label("Langue parlée").select_option("ht")
    page.get_by_label("Nombre de personnes").fill("3")
    page.get_by_role("button", name="Inscrire", exact=True).click()
    assert page.get_by_text("Personne sans rendez-vous inscrite").is_visible()


def test_poster_and_precheck_are_accessible(page, make_clinic, axe_check, documents):  # noqa: F811
    # ``documents``: browser tests flush the data migrations; the pre-check lists the desk's types.
    event, _service, _session = make_clinic(kind="enrollment")
    page.goto(f"{page.base_url}/es/clinics/e/{event.pk}/poster/")
    assert page.locator(".poster-qr img").first.is_visible()
    axe_check(page, "poster es")
    page.emulate_media(media="print")
    screenshot(page, "clinics-poster-es-print")
    page.emulate_media(media="screen")
    # Opened on a phone (a partner shares the link before printing): nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 391)"
        ".map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    screenshot(page, "clinics-poster-es-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{page.base_url}/ar/clinics/precheck/")
    axe_check(page, "precheck ar")
    # The desk's rules: a passport gives every identity point, a proof of address is still missing.
    page.locator("input[value=passport]").check()
    page.locator("form button[type=submit]").click()
    assert page.locator(".result-missing").is_visible()
    axe_check(page, "precheck result ar")
    screenshot(page, "clinics-precheck-ar")


def test_booking_lookup_works_at_360px(page, make_clinic, axe_check):
    _event, _service, session = make_clinic()
    _booking, code = services.booking_create(acting_user=None, session_id=session.pk)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{page.base_url}/ht/clinics/booking/")
    axe_check(page, "lookup ht")
    page.get_by_label("Kòd rezèvasyon").fill("0000-0000-0")
    page.get_by_role("button", name="Chèche").click()
    assert "Pa gen okenn rezèvasyon" in page.locator(".errorlist").first.inner_text()
    page.get_by_label("Kòd rezèvasyon").fill(code.lower())
    page.get_by_role("button", name="Chèche").click()
    page.locator("#booking-code").wait_for()
    assert code not in page.url and page.url.endswith("/ht/clinics/booking/")  # looked up by POST
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page, "booking ht 360px")
    screenshot(page, "clinics-booking-ht-360")


def test_public_cancel_in_arabic_asks_first_and_poster_with_short_address(page, make_clinic, axe_check):
    """Found by POST (the code stays out of the address bar), cancelled only after the
    confirmation; the poster in the clinic's languages, each with its short address."""
    event, _service, session = make_clinic(capacity=3, max_places=2)
    booking, code = services.booking_create(acting_user=None, session_id=session.pk, places=2)
    page.goto(f"{page.base_url}/ar/clinics/booking/")
    page.locator("#id_code").fill(code)
    page.locator("form button[type=submit]").click()
    page.locator("#booking-code").wait_for()
    assert code not in page.url
    axe_check(page, "booking ar")
    screenshot(page, "clinics-booking-new-code-ar")
    page.locator("#cancel-booking").click()
    page.locator("#confirm-cancel").wait_for()
    booking.refresh_from_db()
    assert booking.status == "confirmed"  # the first click did not cancel
    assert code not in page.url
    axe_check(page, "cancel confirmation ar")
    screenshot(page, "clinics-cancel-confirm-ar")
    page.locator("#confirm-cancel-booking").click()
    page.locator("#booking-status").wait_for()
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert code not in page.url
    screenshot(page, "clinics-cancelled-ar")
    for language in ("ar", "fr"):
        page.goto(f"{page.base_url}/{language}/clinics/e/{event.pk}/poster/")
        assert page.locator(".poster-block").count() == 3  # fr, es, ar: the clinic's languages
        assert page.locator(".poster-block").first.get_attribute("lang") == language
        axe_check(page, f"poster {language}")
        screenshot(page, f"clinics-poster-{language}")
        short = page.locator(".poster-url").first.inner_text().strip()
        page.goto("http://" + short)
        assert page.url.rstrip("/").endswith(f"/{language}/clinics/e/{event.pk}")
