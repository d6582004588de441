"""Public booking flows that a script cannot exhaust (findings of the authorised probe, issue 15).

Every test here runs on the real cache code path; the bot test on Redis when it is reachable (the
production cache), as several workers would share it.
"""

import html as html_lib
import math
import os
import re
import time
import uuid
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings

from sanspeur.clinics import antibot, codes, services
from sanspeur.clinics.models import Booking
from sanspeur.settings.registry import REGISTRY as DEFAULTS

from .conftest import answer_question, book_with_client, code_from, solve_proof

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """All rate-limit windows read this clock: tests move it instead of sleeping."""
    from sanspeur.core import antiabuse

    # The start of the current minute: a window that ends a second from now would make a wait of
    # "1 second", and the tests read the plural.
    now = SimpleNamespace(value=time.time() // 60 * 60 + 1.0)
    monkeypatch.setattr(antiabuse, "time", SimpleNamespace(time=lambda: now.value, monotonic=time.monotonic))
    return now


@pytest.fixture
def shared_cache(settings):
    """Redis (what production uses) with a key prefix of its own, or the test cache without Redis."""
    import redis

    url = os.environ.get("SANSPEUR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {url}: CI requires it.")
        yield "locmem"
        return
    prefix = f"test-abuse-{uuid.uuid4().hex}"
    original = settings.CACHES
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}
    }
    yield "redis"
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    # Back to the test cache before any cache.clear() of other fixtures: on Redis it would empty
    # the whole database, which other test runs (tests/core/test_shared_cache.py) share.
    settings.CACHES = original


def places_of(session) -> int:
    return sum(Booking.objects.filter(session=session).values_list("places", flat=True))


# --- 1. Bots and the share of places ------------------------------------------------------------------
def test_a_bot_takes_at_most_a_small_documented_share_of_places_per_minute(
    client, make_clinic, clock, shared_cache, settings
):
    """A script that solves every proof of work and answers every question, as fast as it can, for
    one minute, on two of a clinic's three time slots: it gets at most the documented share
    (10 % of a slot's places per minute, at least one family booking), and a person booking the
    third slot in the same minute, or a targeted slot the next minute, is served normally."""
    settings.SANSPEUR_CLINICS_SLOT_SHARE_PER_MINUTE = DEFAULTS["SANSPEUR_CLINICS_SLOT_SHARE_PER_MINUTE"].default
    settings.SANSPEUR_CLINICS_RATE_PER_SLOT = DEFAULTS["SANSPEUR_CLINICS_RATE_PER_SLOT"].default
    settings.SANSPEUR_CLINICS_FALLBACK_PER_SLOT = DEFAULTS["SANSPEUR_CLINICS_FALLBACK_PER_SLOT"].default
    event, service, first = make_clinic(capacity=20, max_places=2)
    second = services.session_create(
        acting_user=None,
        service=service,
        starts_at=first.starts_at.replace(hour=(first.starts_at.hour + 2) % 24),
        ends_at=first.ends_at.replace(hour=(first.ends_at.hour + 2) % 24),
        capacity=20,
        released_at=first.released_at,
    )
    third = services.session_create(
        acting_user=None,
        service=service,
        starts_at=first.starts_at.replace(hour=(first.starts_at.hour + 4) % 24),
        ends_at=first.ends_at.replace(hour=(first.ends_at.hour + 4) % 24),
        capacity=20,
        released_at=first.released_at,
    )
    clinic_places = 60
    attempts = {first.pk: 0, second.pk: 0}
    for _round in range(25):  # 100 bookings attempted in one minute, every one with a valid proof
        for target in (first, second):
            for proof in ("pow", "question"):
                attempts[target.pk] += 1
                book_with_client(client, target, lang="en", places=2, proof=proof)
    # Junk posts (no proof, a forged proof) on top: they must neither book nor count.
    for _ in range(301):
        client.post(f"/en/clinics/slot/{first.pk}/book/", {"places": 2, "altcha": "e30=", "website": ""})
    share = settings.SANSPEUR_CLINICS_SLOT_SHARE_PER_MINUTE
    per_slot = max(service.max_places_per_code, math.ceil(20 * share))
    taken = places_of(first) + places_of(second)
    assert places_of(first) <= per_slot and places_of(second) <= per_slot
    assert taken / clinic_places <= 2 * per_slot / clinic_places <= 0.07  # ≤ 4 places of 60 in a minute
    # A person on the third slot in the same minute:
    person = book_with_client(client, third, lang="es", places=2)
    assert person.status_code == 302, person.content.decode()[:3000]
    # And on a slot the bot flooded, once the minute is over.
    clock.value += 61
    later = book_with_client(client, first, lang="fr", places=1)
    assert later.status_code == 302
    print(f"bot: {taken} of {clinic_places} places in one minute ({attempts} attempts, cache {shared_cache})")


def test_junk_posts_on_one_slot_never_answer_429_on_another(client, make_clinic, clock):
    """The probe: 301 junk posts in a minute made the global limit refuse a booking elsewhere."""
    _event, _service, flooded = make_clinic(capacity=5)
    _event2, _service2, other = make_clinic(capacity=5, title="Autre clinique")
    for _ in range(301):
        client.post(f"/en/clinics/slot/{flooded.pk}/book/", {"places": 1, "token": "x", "answer": "3"})
    response = book_with_client(client, other, lang="en")
    assert response.status_code == 302
    assert Booking.objects.filter(session=other).count() == 1


def test_a_slot_answers_busy_with_a_wait_time_and_keeps_the_choices(client, make_clinic, clock, settings):
    settings.SANSPEUR_CLINICS_SLOT_SHARE_PER_MINUTE = 0.05
    _event, _service, session = make_clinic(capacity=20, max_places=1)
    assert book_with_client(client, session, lang="en").status_code == 302
    busy = book_with_client(client, session, lang="es", reminder="514 555-0199")
    html = busy.content.decode()
    assert busy.status_code == 429 and busy["Retry-After"].isdigit()
    assert "segundos" in html and 'value="514 555-0199"' in html
    clock.value += 61
    assert book_with_client(client, session, lang="en").status_code == 302


def test_the_question_without_javascript_has_a_tighter_limit_per_slot(client, make_clinic, clock, settings):
    _event, _service, session = make_clinic(capacity=200, max_places=1)
    allowed = settings.SANSPEUR_CLINICS_FALLBACK_PER_SLOT
    for _ in range(allowed):
        assert book_with_client(client, session, lang="en", proof="question").status_code == 302
    refused = book_with_client(client, session, lang="en", proof="question")
    assert refused.status_code == 429
    assert book_with_client(client, session, lang="en", proof="pow").status_code == 302
    clock.value += 601
    assert book_with_client(client, session, lang="en", proof="question").status_code == 302


# --- 2. The proof of work ---------------------------------------------------------------------------------
def test_the_form_carries_a_proof_of_work_and_a_question_only_for_browsers_without_javascript(client, make_clinic):
    _event, _service, session = make_clinic()
    html = client.get(f"/ar/clinics/slot/{session.pk}/book/").content.decode()
    assert "<altcha-widget" in html
    noscript = html.split("<noscript")[1].split("</noscript>")[0]
    assert 'name="answer"' in noscript and 'name="token"' in noscript
    # Nothing in the token gives the answer away (the old token was signed but readable).
    from django.core import signing

    a, b = (int(n) for n in re.search(r"(\d+) \+ (\d+)", html).groups())
    data = signing.loads(answer_question(html)["token"], salt=antibot.SALT)
    assert not {"a", "b"} & set(data)
    assert a + b not in data.values() and str(a + b) not in data.values()


def test_a_proof_is_accepted_once_and_only_for_its_form(client, make_clinic):
    _event, _service, session = make_clinic(capacity=5)
    url = f"/en/clinics/slot/{session.pk}/book/"
    proof = solve_proof(client, client.get(url).content.decode())
    data = {"places": 1, "reminder": "", "website": "", **proof}
    assert client.post(url, data).status_code == 302
    replay = client.post(url, data)
    assert replay.status_code == 400 and "already" in replay.content.decode()
    # A proof made for the protection unit's follow-up page is refused here.
    other = solve_proof(client, client.get("/en/protection/followup/").content.decode())
    refused = client.post(url, {"places": 1, "reminder": "", "website": "", **other})
    assert refused.status_code == 400
    assert Booking.objects.count() == 1


def test_an_expired_or_forged_proof_is_refused_with_a_clear_message(client, make_clinic, settings, monkeypatch):
    _event, _service, session = make_clinic(capacity=5)
    url = f"/en/clinics/slot/{session.pk}/book/"
    page = client.get(url).content.decode()
    proof = solve_proof(client, page)
    forged = {"altcha": proof["altcha"][:-8] + "AAAAAAA="}
    response = client.post(url, {"places": 1, "website": "", **forged})
    assert response.status_code == 400 and "check" in response.content.decode()
    import altcha.v2

    later = time.time() + settings.SANSPEUR_POW_TTL_SECONDS + 5
    monkeypatch.setattr(altcha.v2, "time", SimpleNamespace(time=lambda: later, monotonic=time.monotonic))
    expired = client.post(url, {"places": 1, "website": "", **proof})
    assert expired.status_code == 400 and "expired" in expired.content.decode()
    assert not Booking.objects.exists()


def test_without_any_proof_the_page_shows_the_question_openly(client, make_clinic):
    """A browser that ran no script and sent no answer (an old phone): never a dead end."""
    _event, _service, session = make_clinic(capacity=5)
    url = f"/es/clinics/slot/{session.pk}/book/"
    response = client.post(url, {"places": 1, "reminder": "", "website": ""})
    html = response.content.decode()
    assert response.status_code == 400
    body = html.split("<noscript")[0] + "".join(part.split("</noscript>")[1] for part in html.split("<noscript")[1:])
    assert 'name="answer"' in body  # outside <noscript>: shown whatever the browser does with scripts
    retry = client.post(url, {"places": 1, "reminder": "", "website": "", **answer_question(html)})
    assert retry.status_code == 302


# --- 3. The question and its token after a form error -------------------------------------------------------
@pytest.mark.parametrize("bad", [{"reminder": "call me maybe"}, {"places": 9}, {"answer": "999"}])
def test_after_a_form_error_the_question_shown_is_the_one_checked(client, make_clinic, bad):
    _event, _service, session = make_clinic(capacity=5)
    url = f"/en/clinics/slot/{session.pk}/book/"
    first = client.get(url).content.decode()
    data = {"places": 1, "reminder": "", "website": "", **answer_question(first), **bad}
    refused = client.post(url, data)
    assert refused.status_code == 400
    again = {"places": 1, "reminder": "", "website": "", **answer_question(refused.content.decode())}
    accepted = client.post(url, again)
    assert accepted.status_code == 302, accepted.content.decode()[:3000]


# --- 4. Guessing codes: limits per code prefix ----------------------------------------------------------
def _codes_in_bucket(bucket: str, count: int, exclude=()) -> list[str]:
    found = []
    while len(found) < count:
        code = codes.generate()
        if code not in exclude and antibot.guess_bucket(code) == bucket:
            found.append(code)
    return found


def _codes_elsewhere(bucket: str, count: int) -> list[str]:
    found = []
    while len(found) < count:
        code = codes.generate()
        if antibot.guess_bucket(code) != bucket:
            found.append(code)
    return found


def test_many_unknown_codes_never_block_every_look_up(client, make_clinic, clock):
    """The probe: 121 unknown codes blocked every booking look-up for a minute."""
    _event, _service, session = make_clinic()
    code = code_from(book_with_client(client, session, lang="en"))
    guesses = _codes_elsewhere(antibot.guess_bucket(code), 400)
    for guess in guesses:
        client.post("/en/clinics/booking/", {"code": guess})
    assert client.get(f"/en/clinics/booking/{code}/").status_code == 200
    found = client.post("/en/clinics/booking/", {"code": code})
    assert found.status_code == 200 and 'id="booking-code"' in found.content.decode()


def test_guesses_on_one_prefix_delay_that_prefix_only_and_progressively(client, make_clinic, clock, settings):
    _event, _service, session = make_clinic(capacity=50)
    mine = code_from(book_with_client(client, session, lang="en"))
    _booking, other = services.booking_create(acting_user=None, session_id=session.pk)
    while antibot.guess_bucket(other) == antibot.guess_bucket(mine):
        _booking, other = services.booking_create(acting_user=None, session_id=session.pk)
    bucket = antibot.guess_bucket(mine)
    free = settings.SANSPEUR_GUESS_FREE_MISSES
    for guess in _codes_in_bucket(bucket, free, exclude={mine}):
        assert client.get(f"/en/clinics/booking/{guess}/").status_code == 404
    # The next miss starts the delays; the other prefix is untouched.
    extra = _codes_in_bucket(bucket, 3, exclude={mine})
    assert client.get(f"/en/clinics/booking/{extra[0]}/").status_code == 404
    delayed = client.get(f"/fr/clinics/booking/{mine}/")
    assert delayed.status_code == 429 and "1 seconde" in delayed.content.decode()
    first_wait = int(delayed["Retry-After"])
    assert client.get(f"/en/clinics/booking/{other}/").status_code == 200
    # Once the wait is over, one more try; a miss doubles the wait.
    clock.value += first_wait
    assert client.get(f"/en/clinics/booking/{extra[1]}/").status_code == 404
    second = client.get(f"/en/clinics/booking/{mine}/")
    assert second.status_code == 429 and int(second["Retry-After"]) >= 2 * first_wait - 1
    clock.value += int(second["Retry-After"])
    assert client.get(f"/en/clinics/booking/{mine}/").status_code == 200


def test_the_cancel_path_counts_guesses_and_respects_the_delay(client, make_clinic, clock, settings):
    _event, _service, session = make_clinic(capacity=5)
    mine = code_from(book_with_client(client, session, lang="en"))
    bucket = antibot.guess_bucket(mine)
    guesses = _codes_in_bucket(bucket, settings.SANSPEUR_GUESS_FREE_MISSES + 1, exclude={mine})
    for guess in guesses:  # guessing through "cancel" counts like a look-up
        response = client.post(f"/en/clinics/booking/{guess}/", {"action": "cancel"})
        assert response.status_code in (404, 429)
    refused = client.post(f"/en/clinics/booking/{mine}/", {"action": "cancel"})
    assert refused.status_code == 429
    assert Booking.objects.get(session=session).status == Booking.Status.CONFIRMED
    moved = client.post(f"/en/clinics/booking/{mine}/", {"action": "move", "session": session.pk})
    assert moved.status_code == 429


def test_an_unknown_code_cancelled_is_a_miss_and_answers_404(client, make_clinic, clock):
    make_clinic()
    guess = codes.generate()
    response = client.post(f"/en/clinics/booking/{guess}/", {"action": "cancel"})
    assert response.status_code == 404
    assert antibot.GUESSES.misses(antibot.guess_bucket(guess)) == 1


# --- 5. Request bodies --------------------------------------------------------------------------------
def test_a_body_over_the_cap_is_refused_before_it_is_read(client, make_clinic, monkeypatch):
    from django.core.handlers.wsgi import WSGIRequest

    _event, _service, session = make_clinic()

    def never(self):
        raise AssertionError("the body was read")

    monkeypatch.setattr(WSGIRequest, "_load_post_and_files", never)
    body = b"places=1&reminder=" + b"x" * 200_000
    response = client.post(
        f"/es/clinics/slot/{session.pk}/book/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "demasiado" in response.content.decode() and not Booking.objects.exists()
    cancel = client.post(
        f"/en/clinics/booking/{codes.generate()}/",
        b"action=cancel&x=" + b"y" * 50_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert cancel.status_code == 413


def test_challenges_are_fresh_uncached_and_set_no_cookie(client, make_clinic):
    _event, _service, session = make_clinic()
    html = client.get(f"/en/clinics/slot/{session.pk}/book/").content.decode()
    url = html_lib.unescape(re.search(r'challenge="([^"]+)"', html).group(1))
    one, two = client.get(url), client.get(url)
    assert one["Cache-Control"].startswith("no-store") and not one.cookies
    assert one.json()["parameters"]["nonce"] != two.json()["parameters"]["nonce"]
    assert one.json()["parameters"]["algorithm"] == "PBKDF2/SHA-256"
    assert client.get(url.replace("clinics.book", "nothing")).status_code == 404


def test_spent_proofs_and_counters_hold_nothing_about_a_person(client, make_clinic, shared_cache):
    """The cache sees slot ids, buckets and challenge signatures: never a code, contact or address."""
    if shared_cache != "redis":
        pytest.skip("Redis is not reachable")
    import redis

    _event, _service, session = make_clinic(capacity=5)
    code = code_from(book_with_client(client, session, lang="en", reminder="514 555-0199"))
    client.get(f"/en/clinics/booking/{codes.generate()}/")
    client.get(f"/en/clinics/booking/{code}/")
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    store = redis.Redis.from_url(django_settings.CACHES["default"]["LOCATION"])
    dump = b" ".join(k + b" " + (store.dump(k) or b"") for k in store.scan_iter(f"{prefix}:*"))
    assert dump
    for secret in (code, codes.display(code), "5145550199", "514 555-0199", "127.0.0.1"):
        assert secret.encode() not in dump
