"""In Chromium, Arabic pages keep codes, addresses and time ranges in their reading order.

The markup alone proves nothing: what matters is where the browser draws each character. For
every value the test finds its characters in the page (Range.getBoundingClientRect) and checks
they are drawn left to right in their logical order, on one line — as in a left-to-right text.
Without isolation (``sanspeur.core.formats``) an Arabic page draws ``870H-W004-*`` as
``*-870H-W004``, "355 avenue du Parc" as "avenue du Parc 355" and "13:00–13:50" as
"13:50–13:00".
"""

import datetime as dt
from urllib.parse import quote

import pytest
from django.utils import timezone

from sanspeur.clinics import codes
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "355 avenue du Parc"
RANGE = "13:00–13:50"
# One code per check symbol that is a neutral character in the bidirectional algorithm.
CODES = {"*": "870HW004*", "$": "870HW006$", "=": "870HW007=", "~": "870HW005~"}

POSITIONS = """
(needle) => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const parent = node.parentElement;
    if (!parent || parent.closest('.visually-hidden, [hidden], option, title, script, style')) continue;
    let at = node.data.indexOf(needle);
    while (at !== -1) {
      const chars = [];
      for (let i = 0; i < needle.length; i++) {
        if (!needle[i].trim()) continue;
        const range = document.createRange();
        range.setStart(node, at + i);
        range.setEnd(node, at + i + 1);
        const box = range.getBoundingClientRect();
        chars.push({ch: needle[i], left: box.left, right: box.right, top: box.top, height: box.height});
      }
      found.push(chars);
      at = node.data.indexOf(needle, at + 1);
    }
  }
  return found;
}
"""


def assert_drawn_in_order(page, needle: str) -> int:
    """Every occurrence of ``needle`` is drawn left to right, character after character, on one line."""
    occurrences = page.evaluate(POSITIONS, needle)
    assert occurrences, f"{needle!r} is not on {page.url}"
    for chars in occurrences:
        drawn = "".join(c["ch"] for c in sorted(chars, key=lambda c: c["left"]))
        logical = "".join(c["ch"] for c in chars)
        assert drawn == logical, f"{needle!r} drawn as {drawn!r} on {page.url}"
        lines = {round(c["top"] + c["height"] / 2) for c in chars}
        assert max(lines) - min(lines) < chars[0]["height"] / 2, f"{needle!r} broken over lines on {page.url}"
    return len(occurrences)


@pytest.fixture
def clinic(db):
    from sanspeur.clinics import services

    day = timezone.localdate() + dt.timedelta(days=3)
    event = services.event_save(
        acting_user=None,
        data={
            "title": "Clinique du Parc",
            "date": day,
            "start_time": dt.time(13, 0),
            "end_time": dt.time(13, 50),
            "address": ADDRESS,
            "borough": "Verdun",
            "languages": ",fr,ar,ht,",
        },
    )
    service = services.service_create(acting_user=None, event=event, kind="vaccination", max_places_per_code=1)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(13, 0)))
    session = services.session_create(
        acting_user=None,
        service=service,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=50),
        capacity=10,
        released_at=timezone.now() - dt.timedelta(hours=1),
    )
    return event, session


def booked(session, code: str, monkeypatch) -> str:
    from sanspeur.clinics import services

    monkeypatch.setattr(codes, "generate", lambda: code)
    services.booking_create(acting_user=None, session_id=session.pk)
    return code


def test_clinic_event_page_in_arabic(page, clinic):
    event, _session = clinic
    page.goto(f"{page.base_url}/ar/clinics/e/{event.pk}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    screenshot(page, "bidi-clinic-event-ar")
    assert_drawn_in_order(page, ADDRESS)
    assert assert_drawn_in_order(page, RANGE) >= 2  # the clinic's hours and the time slot
    # The team's languages each carry their own lang, joined with the Arabic comma.
    assert page.locator('bdi[lang="ht"]').inner_text() == "Kreyòl ayisyen"
    assert "العربية، " in page.locator("main").inner_text()


def test_clinic_list_booking_form_and_poster_in_arabic(page, clinic):
    event, session = clinic
    page.goto(f"{page.base_url}/ar/clinics/")
    assert_drawn_in_order(page, RANGE)
    page.goto(f"{page.base_url}/ar/clinics/slot/{session.pk}/book/")
    screenshot(page, "bidi-book-ar")
    assert_drawn_in_order(page, RANGE)
    assert_drawn_in_order(page, ADDRESS)
    page.goto(f"{page.base_url}/ar/clinics/e/{event.pk}/poster/")
    assert_drawn_in_order(page, RANGE)
    assert_drawn_in_order(page, ADDRESS)


@pytest.mark.parametrize("symbol", list(CODES))
def test_booking_page_and_lookup_in_arabic(page, clinic, monkeypatch, symbol):
    _event, session = clinic
    code = booked(session, CODES[symbol], monkeypatch)
    shown = codes.display(code)
    page.goto(f"{page.base_url}/ar/clinics/booking/{quote(code, safe='')}/")
    screenshot(page, f"bidi-booking-ar-{ord(symbol)}")
    assert page.locator("#booking-code").inner_text().strip() == shown
    assert_drawn_in_order(page, shown)
    assert_drawn_in_order(page, ADDRESS)
    assert_drawn_in_order(page, RANGE)
    # Found again by typing it on the look-up page.
    page.goto(f"{page.base_url}/ar/clinics/booking/")
    page.locator("#id_code").fill(shown.lower())
    page.locator("form button[type=submit]").click()
    page.locator("#booking-code").wait_for()  # the look-up is a POST: the code stays out of the URL
    assert_drawn_in_order(page, shown)


def test_directory_service_page_in_arabic(page):
    from sanspeur.directory.models import Address, Location, Schedule
    from tests.directory.test_scale import make_services

    service = make_services(1)[0]
    Location.objects.update(is_confidential=False)
    Address.objects.update(address_1=ADDRESS)
    Schedule.objects.filter(service=service).update(opens_at=dt.time(13, 0), closes_at=dt.time(13, 50))
    page.goto(f"{page.base_url}/ar/directory/services/{service.id}/")
    screenshot(page, "bidi-directory-detail-ar")
    assert_drawn_in_order(page, ADDRESS)
    assert_drawn_in_order(page, "H2X 1A1")
    assert_drawn_in_order(page, RANGE)
