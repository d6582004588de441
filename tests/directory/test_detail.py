"""Opening hours on the detail page are written in the page language."""

import datetime as dt

import pytest
from django.utils import translation

from sanspeur.core.templatetags.sanspeur import local_time
from sanspeur.directory.models import Schedule
from sanspeur.directory.templatetags.directory_tags import weekdays

from .test_scale import make_services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "byday", "expected"),
    [
        ("fr", "MO,TU,WE,TH,FR", "du lundi au vendredi"),
        ("en", "MO,TU,WE,TH,FR", "Monday to Friday"),
        ("es", "SA,MO", "lunes, sábado"),
        ("ar", "MO,WE", "الاثنين، الأربعاء"),
        ("ar", "MO,TU,WE", "من الاثنين إلى الأربعاء"),
        ("ht", "TU, TH", "madi, jedi"),
        ("fr", "MO,TU,WE,TH,FR,SA,SU", "Tous les jours"),
        ("en", "FR,SA", "Friday, Saturday"),
    ],
)
def test_weekdays_in_page_language(lang, byday, expected):
    with translation.override(lang):
        assert weekdays(byday) == expected


def test_times_in_page_language():
    with translation.override("fr"):
        assert local_time(dt.time(9, 30)) == "9\xa0h\xa030"
    with translation.override("en"):
        assert local_time(dt.time(17)) == "5:00 PM"
    with translation.override("es"):
        assert local_time(dt.time(8)) == "08:00"


def test_detail_page_has_no_raw_day_codes(client):
    service = make_services(1)[0]
    Schedule.objects.create(service=service, byday="SA,SU", opens_at=dt.time(10), closes_at=dt.time(14, 30))
    fr = client.get(f"/fr/directory/services/{service.id}/").content.decode()
    assert 'du lundi au vendredi · <bdi dir="ltr">9\xa0h\xa000–17\xa0h\xa000</bdi>' in fr
    assert 'samedi, dimanche · <bdi dir="ltr">10\xa0h\xa000–14\xa0h\xa030</bdi>' in fr
    assert "MO,TU" not in fr and "SA,SU" not in fr
    en = client.get(f"/en/directory/services/{service.id}/").content.decode()
    assert 'Monday to Friday · <bdi dir="ltr">9:00 AM–5:00 PM</bdi>' in en
    ar = client.get(f"/ar/directory/services/{service.id}/").content.decode()
    assert "من الاثنين إلى الجمعة" in ar


def test_a_24_hour_line_is_open_24_hours_and_a_service_without_hours_is_not_closed(client):
    """A helpline open around the clock never reads "closed now"; a service with no hours says nothing."""
    line, unknown = make_services(2)
    Schedule.objects.filter(service__in=[line, unknown]).delete()
    Schedule.objects.create(service=line, byday="MO,TU,WE,TH,FR,SA,SU", opens_at=dt.time(0), closes_at=dt.time(0))
    page = client.get(f"/en/directory/services/{line.id}/").content.decode()
    assert "Open 24 hours" in page and "Closed now" not in page
    page = client.get(f"/en/directory/services/{unknown.id}/").content.decode()
    assert "Closed now" not in page and "Open now" not in page
    fr = client.get(f"/fr/directory/services/{line.id}/").content.decode()
    assert "Ouvert 24 h sur 24" in fr
    # The result list has the same answer from its own query (no query per row).
    results = client.get("/en/directory/").content.decode()
    assert "Open 24 hours" in results
