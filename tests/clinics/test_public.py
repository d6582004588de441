"""Public pages: anonymous booking, the human check, rate limits, no cookie, no other person's data."""

import time
from types import SimpleNamespace

import pytest

from sanspeur.clinics import antibot, codes, services
from sanspeur.clinics.models import Booking
from sanspeur.clinics.reminders import change_message, promotion_message, reminder_message

from .conftest import QUESTION, TOKEN, book_with_client, code_from

pytestmark = pytest.mark.django_db


def test_anonymous_booking_in_spanish_sets_no_cookie(client, make_clinic):
    _event, _service, session = make_clinic()
    response = book_with_client(client, session, lang="es")
    assert response.status_code == 302
    code = code_from(response)
    assert not response.cookies
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and not page.cookies
    assert "Su reserva" in html or "Tu reserva" in html
    assert code[:4] in html and "data:image/svg+xml" in html
    assert page["Cache-Control"].startswith("no-store")
    booking = Booking.objects.get()
    assert booking.language == "es" and booking.status == "confirmed"


def test_booking_page_shows_waitlist_position_and_cancel_promotes(client, make_clinic):
    _event, _service, session = make_clinic(capacity=1)
    first = code_from(book_with_client(client, session))
    second = code_from(book_with_client(client, session))
    html = client.get(f"/en/clinics/booking/{second}/").content.decode()
    assert 'id="waitlist-position">1<' in html
    # The first "cancel" only asks (it names the consequence); the confirmation cancels.
    asked = client.post(f"/en/clinics/booking/{first}/", {"action": "cancel"})
    assert asked.status_code == 200 and 'id="confirm-cancel"' in asked.content.decode()
    assert Booking.objects.get(code_hash=services.code_hash(first)).status == "confirmed"
    response = client.post(f"/en/clinics/booking/{first}/", {"action": "cancel", "confirm": "yes"})
    assert response.status_code == 302 and not response.cookies
    assert "is cancelled" in client.get(response["Location"]).content.decode()
    assert "Cancelled" in client.get(f"/en/clinics/booking/{first}/").content.decode()
    assert "Confirmed" in client.get(f"/en/clinics/booking/{second}/").content.decode()


def test_move_keeps_the_code_and_frees_the_old_place_for_the_waiting_list(client, make_clinic):
    _event, _service, session = make_clinic(capacity=1, title="Clinique A")
    _other_event, _other_service, later = make_clinic(capacity=2, days=3, title="Clinique B")
    _enrollment = make_clinic(capacity=5, kind="enrollment", title="Inscription")  # another service: not offered
    mine = code_from(book_with_client(client, session))
    waiting = code_from(book_with_client(client, session))
    page = client.get(f"/es/clinics/booking/{mine}/").content.decode()
    assert f'<option value="{later.pk}">' in page and "Clinique B" in page and "Inscription" not in page
    response = client.post(f"/es/clinics/booking/{mine}/", {"action": "move", "session": later.pk})
    assert response.status_code == 302 and not response.cookies
    moved = client.get(response["Location"]).content.decode()
    assert "Clinique B" in moved and "mismo" in moved  # "Su código sigue siendo el mismo."
    assert Booking.objects.get(session=later).status == Booking.Status.CONFIRMED
    assert "Confirmada" in client.get(f"/es/clinics/booking/{waiting}/").content.decode()


def test_move_to_a_full_or_foreign_slot_changes_nothing(client, make_clinic):
    _event, _service, session = make_clinic(capacity=2, title="Clinique A")
    _e, _s, full = make_clinic(capacity=1, days=3, title="Clinique B")
    _e2, _s2, enrollment = make_clinic(capacity=5, kind="enrollment", title="Inscription")
    mine = code_from(book_with_client(client, session))
    code_from(book_with_client(client, full))
    for target, message in [(full, "lleno"), (enrollment, "Elija"), ("x", "Elija"), (999999, "Elija")]:
        target_id = getattr(target, "pk", target)
        response = client.post(f"/es/clinics/booking/{mine}/", {"action": "move", "session": target_id})
        assert response.status_code == 200 and message in response.content.decode()
        assert Booking.objects.filter(session=session).count() == 1
    assert Booking.objects.filter(session=full).count() == 1


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ({"website": "http://spam.example"}, "could not be accepted"),
        ({"answer": "999"}, "not right"),
        ({"token": "forged"}, "expired"),
    ],
)
def test_bots_are_refused_with_a_clear_message_and_nothing_changes(client, make_clinic, tamper, message):
    _event, _service, session = make_clinic()
    response = book_with_client(client, session, lang="en", proof="question", **tamper)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Booking.objects.exists()


def test_too_fast_and_replayed_forms_are_refused(client, make_clinic, settings, monkeypatch):
    from sanspeur.core import antiabuse

    _event, _service, session = make_clinic(capacity=5)
    settings.SANSPEUR_CLINICS_MIN_FORM_SECONDS = 3
    response = book_with_client(client, session, lang="fr", proof="question")
    assert response.status_code == 400 and "trop vite" in response.content.decode()
    assert not Booking.objects.exists()
    # A question shown 4 seconds ago passes once; the same token again is a replay.
    token, a, b = antibot.issue()
    later = time.time() + 4
    monkeypatch.setattr(antiabuse, "time", SimpleNamespace(time=lambda: later))
    data = {"token": token, "answer": str(a + b), "places": 1, "website": "", "reminder": ""}
    assert client.post(f"/en/clinics/slot/{session.pk}/book/", data).status_code == 302
    replay = client.post(f"/en/clinics/slot/{session.pk}/book/", data)
    assert replay.status_code == 400 and "already sent" in replay.content.decode()
    assert Booking.objects.count() == 1


def test_rate_limit_per_time_slot(client, make_clinic, settings, monkeypatch):
    from sanspeur.core import antiabuse

    settings.SANSPEUR_CLINICS_RATE_PER_SLOT = 2
    frozen = time.time()
    monkeypatch.setattr(antiabuse, "time", SimpleNamespace(time=lambda: frozen))  # one one-minute window
    _event, _service, session = make_clinic(capacity=10)
    assert book_with_client(client, session).status_code == 302
    assert book_with_client(client, session).status_code == 302
    blocked = book_with_client(client, session, lang="es")
    assert blocked.status_code == 429 and blocked["Retry-After"].isdigit()
    assert "Muchas personas" in blocked.content.decode()
    assert Booking.objects.count() == 2


def test_over_capacity_per_code_and_closed_slots(client, make_clinic):
    _event, _service, session = make_clinic(max_places=2)
    response = book_with_client(client, session, lang="en", places=5)
    assert response.status_code == 400 and not Booking.objects.exists()
    _e, _s, closed = make_clinic(released=False)
    page = client.get(f"/en/clinics/slot/{closed.pk}/book/")
    assert "has not opened yet" in page.content.decode() and "<form" not in page.content.decode().split("</header>")[1]


def test_reminder_validation(client, make_clinic):
    _event, _service, session = make_clinic()
    bad = book_with_client(client, session, lang="en", reminder="call me maybe")
    assert bad.status_code == 400 and "phone number or an e-mail" in bad.content.decode()
    good = book_with_client(client, session, lang="en", reminder="514 555-0199")
    assert good.status_code == 302
    assert Booking.objects.get().sealed_reminder is not None


def test_unknown_and_malformed_codes(client):
    assert client.get("/es/clinics/booking/ZZZZ-ZZZZ-Z/").status_code == 404
    lookup = client.post("/en/clinics/booking/", {"code": "0000-0000-0"})
    assert lookup.status_code == 400 and "No booking has this code" in lookup.content.decode()
    lookup = client.post("/en/clinics/booking/", {"code": "hello"})
    assert "not valid" in lookup.content.decode()


def test_precheck_is_stateless_and_translated(client):
    response = client.get("/ht/clinics/precheck/", {"checked": "1", "docs": ["passport", "birth_certificate"]})
    html = response.content.decode()
    assert response.status_code == 200 and not response.cookies
    assert 'role="status"' in html
    ok = client.get("/en/clinics/precheck/", {"checked": "1", "docs": ["passport", "birth_certificate", "lease"]})
    assert "You have what the card asks for" in ok.content.decode()
    missing = client.get("/en/clinics/precheck/", {"checked": "1", "docs": ["passport"]})
    assert "Something is missing" in missing.content.decode()


def test_public_list_filters(client, make_clinic):
    make_clinic(title="Vaccins Verdun", kind="vaccination")
    make_clinic(title="Impots Verdun", kind="tax_help")
    html = client.get("/en/clinics/", {"service": "tax_help"}).content.decode()
    assert "Impots Verdun" in html and "Vaccins Verdun" not in html
    html = client.get("/en/clinics/", {"language": "ht"}).content.decode()
    assert "Verdun" not in html.split("Upcoming clinics")[1]
    html = client.get("/en/clinics/", {"language": "es", "borough": "Verdun"}).content.decode()
    assert "Vaccins Verdun" in html


def test_nothing_ever_shows_another_persons_booking(client, make_clinic, make_staff, city_organisation, mfa_client):
    """Two bookings in the same slot: every page, file and message of one never holds the other."""
    event, _service, session = make_clinic(capacity=5, max_places=2)
    code_a = code_from(book_with_client(client, session, lang="es", places=2, reminder="a@example.org"))
    code_b = code_from(book_with_client(client, session, lang="ar", reminder="5145550111"))
    booking_a = Booking.objects.get(language="es")
    booking_b = Booking.objects.get(language="ar")
    assert code_a != code_b
    from sanspeur.clinics import codes

    def forms(code):
        return {code, codes.display(code), code.lower()}

    for mine, other, other_booking in [(code_a, code_b, booking_b), (code_b, code_a, booking_a)]:
        own_booking = booking_a if mine == code_a else booking_b
        bodies = []
        for lang in ("fr", "en", "es", "ar", "ht"):
            bodies.append(client.get(f"/{lang}/clinics/booking/{mine}/").content.decode())
        bodies.append(client.get(f"/en/clinics/booking/{mine}/calendar.ics").content.decode())
        bodies.append(reminder_message(own_booking, code=mine))
        bodies.append("\n".join(promotion_message(own_booking)))
        bodies.append("\n".join(change_message(own_booking, "slot_cancelled")))
        for body in bodies:
            for text in forms(other):
                assert text not in body
            assert f"booking-{other_booking.pk}@" not in body
            assert "a@example.org" not in body and "5145550111" not in body
        ics = bodies[-4]
        assert ics.count("BEGIN:VEVENT") == 1 and f"booking-{own_booking.pk}@" in ics
    for url in [
        "/es/clinics/",
        f"/es/clinics/e/{event.pk}/",
        f"/es/clinics/e/{event.pk}/poster/",
        f"/es/clinics/slot/{session.pk}/book/",
        "/es/clinics/precheck/",
    ]:
        body = client.get(url).content.decode()
        for code in (code_a, code_b):
            assert not forms(code) & {part for part in forms(code) if part in body}, url
    staff = make_staff("coord.leak", ["clinic_coordinator"], city_organisation)
    staff_client = mfa_client(staff)
    for url in [
        f"/fr/clinics/staff/e/{event.pk}/",
        f"/fr/clinics/staff/e/{event.pk}/report/",
        f"/fr/clinics/staff/e/{event.pk}/report/?format=csv",
        f"/fr/clinics/checkin/{event.pk}/",
    ]:
        body = staff_client.get(url).content.decode()
        for code in (code_a, code_b):
            assert not any(part in body for part in forms(code)), url
    # At the door: checking in A shows A's service and places only, never B.
    door = staff_client.post(f"/fr/clinics/checkin/{event.pk}/", {"action": "checkin", "door-code": code_a})
    assert not any(part in door.content.decode() for part in forms(code_b))
    services.bookings_purge(acting_user=None, days=0)  # nothing to purge yet: the slot is in the future
    assert Booking.objects.count() == 2


def test_question_and_token_are_rendered_server_side(client, make_clinic):
    _event, _service, session = make_clinic()
    html = client.get(f"/ar/clinics/slot/{session.pk}/book/").content.decode()
    assert TOKEN.search(html) and QUESTION.search(html)
    assert 'class="hp-field" aria-hidden="true"' in html


def test_guessing_codes_is_slowed_down(client, make_clinic, settings, monkeypatch):
    from sanspeur.clinics import codes
    from sanspeur.core import antiabuse

    settings.SANSPEUR_GUESS_FREE_MISSES = 3
    frozen = time.time()
    monkeypatch.setattr(antiabuse, "time", SimpleNamespace(time=lambda: frozen))
    _event, _service, session = make_clinic()
    code = code_from(book_with_client(client, session, lang="en"))
    guesses = []
    while len(guesses) < 4:  # wrong codes that fall in the same bucket as the real one
        guess = codes.generate()
        if antibot.guess_bucket(guess) == antibot.guess_bucket(code) and guess != code:
            guesses.append(guess)
    for guess in guesses:
        assert client.get(f"/en/clinics/booking/{guess}/").status_code == 404
    blocked = client.get(f"/fr/clinics/booking/{code}/")
    assert blocked.status_code == 429 and "Trop de mauvais codes" in blocked.content.decode()
    assert client.post("/en/clinics/booking/", {"code": code}).status_code == 429


def test_past_slots_cannot_be_booked(client, make_clinic):
    _event, _service, session = make_clinic(days=-1)
    page = client.get(f"/es/clinics/slot/{session.pk}/book/")
    assert "ya pasó" in page.content.decode()
    response = client.post(f"/es/clinics/slot/{session.pk}/book/", {"places": 1, "answer": "1", "token": "x"})
    assert response.status_code == 200 and not Booking.objects.exists()


def test_directory_location_is_resolved_softly(make_clinic):
    import uuid

    from sanspeur.clinics import selectors

    event, _service, _session = make_clinic()
    event.directory_location_id = uuid.uuid4()  # unknown to the directory (or no directory at all)
    assert selectors.location_label(event) == event.address


def test_lookup_is_a_post_and_the_code_never_lands_in_a_url(client, make_clinic):
    _event, _service, session = make_clinic(capacity=2)
    _booking, code = services.booking_create(acting_user=None, session_id=session.pk)
    # A GET never looks a code up (a link or the history would keep it).
    assert 'id="booking-code"' not in client.get("/en/clinics/booking/", {"code": code}).content.decode()
    found = client.post("/en/clinics/booking/", {"code": codes.display(code).lower()})
    html = found.content.decode()
    assert found.status_code == 200 and 'id="booking-code"' in html and not found.cookies
    # The page's forms post the code back in a hidden field, to the look-up address.
    assert f"/booking/{code}" not in html
    assert 'action="/en/clinics/booking/"' in html and f'name="code" value="{code}"' in html
    calendar = client.post("/en/clinics/booking/", {"code": code, "action": "calendar"})
    assert calendar["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in calendar.content
    # Cancelling through it asks first, then cancels; the answer is rendered, not redirected.
    asked = client.post("/en/clinics/booking/", {"code": code, "action": "cancel"})
    assert 'id="confirm-cancel"' in asked.content.decode()
    assert Booking.objects.get(code_hash=services.code_hash(code)).status == "confirmed"
    done = client.post("/en/clinics/booking/", {"code": code, "action": "cancel", "confirm": "yes"})
    assert done.status_code == 200 and "is cancelled" in done.content.decode()
    assert Booking.objects.get(code_hash=services.code_hash(code)).status == "cancelled"


def test_old_codes_with_a_symbol_are_found_cancelled_and_checked_in(client, make_clinic, monkeypatch, make_staff):
    """Codes made before issue 17 end in a check symbol (* $ = ~): they keep working."""
    event, _service, session = make_clinic(capacity=4)
    old = []
    for body in ("870HWCKN", "ABCDEFGH", "12345678", "9QK4T7VM"):
        code = body + codes._check_char(body)
        monkeypatch.setattr(codes, "generate", lambda code=code: code)
        services.booking_create(acting_user=None, session_id=session.pk)
        old.append(code)
    first, second = old[0], old[1]
    found = client.post("/en/clinics/booking/", {"code": codes.display(first).lower()})
    assert found.status_code == 200 and codes.display(first) in found.content.decode()
    client.post("/en/clinics/booking/", {"code": first, "action": "cancel", "confirm": "yes"})
    assert Booking.objects.get(code_hash=services.code_hash(first)).status == "cancelled"
    checked = services.booking_check_in(acting_user=None, event=event, code=codes.display(second))
    assert checked.status == "checked_in"


def test_poster_in_the_clinics_languages_with_a_short_address(client, make_clinic):
    import re

    event, _service, _session = make_clinic()  # languages ",fr,es,ar,"
    event.refresh_from_db()
    assert len(event.short_code) == 6 and set(event.short_code) <= set(codes.ALPHABET)
    html = client.get(f"/es/clinics/e/{event.pk}/poster/").content.decode()
    blocks = re.findall(r'<section class="poster-block[^"]*" lang="(\w+)" dir="(\w+)"', html)
    assert blocks == [("es", "ltr"), ("fr", "ltr"), ("ar", "rtl")]  # the page's language first
    assert "Gratuit." in html and "Gratis." in html  # each block in its own language
    short = re.findall(r'class="poster-url[^"]*"><bdi dir="ltr">([^<]+)</bdi>', html)
    assert short == [f"testserver/{lang}/clinics/?c={event.short_code}" for lang in ("es", "fr", "ar")]
    assert all(len(url) < 40 for url in short)
    assert html.count("data:image/svg+xml") == 3  # a QR code of each address
    # The short address opens the clinic, in its language; typing is forgiving.
    opened = client.get(f"/ar/clinics/?c={event.short_code.lower()}")
    assert opened.status_code == 302 and opened["Location"] == f"/ar/clinics/e/{event.pk}/"
