import base64
import html as html_lib
import json
import re
from datetime import time, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone, translation


@pytest.fixture(autouse=True)
def _fresh_cache_and_fast_forms(settings):
    settings.SANSPEUR_CLINICS_MIN_FORM_SECONDS = 0
    # Same code path as production, a proof of work a test can solve in Python in milliseconds.
    settings.SANSPEUR_POW_COST = 1
    settings.SANSPEUR_POW_COUNTER_MAX = 60
    # Tests of the booking itself book one slot several times in a second; the share of places per
    # minute is tested on its own (test_abuse.py), at its declared default.
    settings.SANSPEUR_CLINICS_SLOT_SHARE_PER_MINUTE = 50.0
    cache.clear()
    with translation.override("en"):  # messages asserted in English unless a page says otherwise
        yield
    cache.clear()


@pytest.fixture
def make_clinic(db):
    """make_clinic(capacity=2, max_places=1, days=2, released=True) -> (event, service, session)."""
    from sanspeur.clinics import services

    def make(*, capacity=2, max_places=1, days=2, released=True, kind="vaccination", title="Clinique test"):
        now = timezone.now()
        date = timezone.localdate() + timedelta(days=days)
        event = services.event_save(
            acting_user=None,
            data={
                "title": title,
                "date": date,
                "start_time": time(9, 0),
                "end_time": time(17, 0),
                "address": "123, rue Test",
                "borough": "Verdun",
                "languages": ",fr,es,ar,",
            },
        )
        service = services.service_create(acting_user=None, event=event, kind=kind, max_places_per_code=max_places)
        starts = now + timedelta(days=days, minutes=30)
        session = services.session_create(
            acting_user=None,
            service=service,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            capacity=capacity,
            released_at=now - timedelta(hours=1) if released else now + timedelta(hours=5),
        )
        return event, service, session

    return make


TOKEN = re.compile(r'name="token" value="([^"]+)"')
QUESTION = re.compile(r"(\d+) \+ (\d+)")
WIDGET = re.compile(r'<altcha-widget[^>]*\schallenge="([^"]+)"')


def solve_proof(client, page_html: str) -> dict:
    """What the ALTCHA widget does in a browser: fetch a challenge, find the counter, send it back."""
    import altcha

    match = WIDGET.search(page_html)
    assert match, "no proof-of-work widget on the page"
    response = client.get(html_lib.unescape(match.group(1)))
    assert response.status_code == 200
    challenge = altcha.Challenge.from_dict(json.loads(response.content))
    solution = altcha.solve_challenge(challenge)
    payload = altcha.Payload(challenge, solution).to_dict()
    return {"altcha": base64.b64encode(json.dumps(payload).encode()).decode()}


def answer_question(page_html: str) -> dict:
    """The question offered to browsers without JavaScript, answered from the page's own text."""
    a, b = QUESTION.search(page_html).groups()
    return {"token": TOKEN.search(page_html).group(1), "answer": str(int(a) + int(b))}


def book_with_client(client, session, *, lang="es", places=1, reminder="", proof="pow", **extra):
    """Fill in the public booking form like a person would; returns the POST response.

    ``proof="pow"`` solves the proof of work like the widget (falls back to the question on a page
    without the widget), ``"question"`` answers the question shown without JavaScript, ``None``
    sends neither.
    """
    url = f"/{lang}/clinics/slot/{session.pk}/book/"
    html = client.get(url).content.decode()
    data = {"places": places, "reminder": reminder, "website": ""}
    if proof == "pow" and WIDGET.search(html):
        data.update(solve_proof(client, html))
    elif proof:
        data.update(answer_question(html))
    data.update(extra)
    return client.post(url, data)


def code_from(response) -> str:
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def console_log():
    """What the configured console handler (the production log: settings LOGGING) writes during
    the test, through its filter."""
    import io
    import logging

    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)
