import re
from datetime import time, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone, translation


@pytest.fixture(autouse=True)
def _fresh_cache_and_fast_forms(settings):
    settings.SANSPEUR_CLINICS_MIN_FORM_SECONDS = 0
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


def book_with_client(client, session, *, lang="es", places=1, reminder="", **extra):
    """Fill in the public booking form like a person would; returns the POST response."""
    url = f"/{lang}/clinics/slot/{session.pk}/book/"
    html = client.get(url).content.decode()
    a, b = QUESTION.search(html).groups()
    data = {"token": TOKEN.search(html).group(1), "answer": str(int(a) + int(b)), "places": places}
    data["reminder"] = reminder
    data["website"] = ""
    data.update(extra)
    return client.post(url, data)


def code_from(response) -> str:
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]
