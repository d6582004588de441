"""Plain-text e-mails keep codes, times and addresses in place in Arabic: Unicode isolates."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import translation

LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"


def test_reminder_in_arabic_isolates_the_code_the_time_and_the_address():
    starts = dt.datetime(2026, 12, 1, 13, 0, tzinfo=ZoneInfo("America/Montreal"))
    context = {
        "service": SimpleNamespace(get_kind_display="التطعيم"),
        "event": SimpleNamespace(title="Clinique du Parc", borough="Verdun"),
        "session": SimpleNamespace(starts_at=starts, ends_at=starts + dt.timedelta(minutes=50)),
        "location": "355 avenue du Parc",
        "booking": SimpleNamespace(places=2),
        "code": "870H-WCKN-*",
    }
    with translation.override("ar"):
        text = render_to_string("clinics/reminder.txt", context)
    assert f"{LRI}870H-WCKN-*{PDI}" in text
    assert f"{LRI}13:00–13:50{PDI}" in text
    assert f"{FSI}355 avenue du Parc{PDI}" in text
    assert "2026، " + LRI in text  # the Arabic comma between the date and the time
    with translation.override("fr"):
        text = render_to_string("clinics/reminder.txt", context)
    assert "mardi 1er décembre 2026, " + LRI + "13\xa0h\xa000–13\xa0h\xa050" in text
