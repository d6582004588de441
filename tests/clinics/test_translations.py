"""Clinic events in five languages: the title and the "where exactly" are multilingual texts of
the directory's kind, translated from the queue, stale when the organisers change the French."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from sanspeur.clinics import demo, services
from sanspeur.clinics.models import Event
from sanspeur.directory import translations
from sanspeur.directory.services import translation_save

pytestmark = pytest.mark.django_db

TITLE_AR = "عيادة متنقلة — فردان"
TITLE_HT = "Klinik mobil — Verdun"


@pytest.fixture
def translator(make_staff, city_organisation):
    return make_staff("translator.c", ["translator"], city_organisation)


def test_a_title_given_as_text_is_the_french(make_clinic):
    event, _service, _session = make_clinic(title="Clinique test")
    assert event.title == {"fr": "Clinique test"} and event.title_fr == "Clinique test"
    event.refresh_from_db()
    assert event.title == {"fr": "Clinique test"} and event.place == {}


def test_event_title_in_the_queue_then_arabic_on_the_public_pages(make_clinic, translator, client):
    event, _service, _session = make_clinic(title="Clinique mobile — Verdun")
    key = f"event:{event.pk}:title"
    assert key in [item.key for item in translations.queue(translator, "ar")]
    translation_save(acting_user=translator, key=key, language="ar", text=TITLE_AR)
    translation_save(acting_user=translator, key=key, language="ht", text=TITLE_HT)
    assert key not in [item.key for item in translations.queue(translator, "ar")]

    arabic = client.get(f"/ar/clinics/e/{event.pk}/").content.decode()
    assert f"<h1>{TITLE_AR}</h1>" in arabic
    assert TITLE_AR in client.get("/ar/clinics/").content.decode()
    assert f"<h1>{TITLE_HT}</h1>" in client.get(f"/ht/clinics/e/{event.pk}/").content.decode()
    # No Spanish yet: the French, marked as such.
    spanish = client.get(f"/es/clinics/e/{event.pk}/").content.decode()
    assert '<h1><span lang="fr" dir="ltr">Clinique mobile — Verdun</span> <small class="dir-fallback">' in spanish


def test_organisers_change_the_french_the_translations_go_stale(make_clinic, translator, make_staff, organisation):
    event, _service, _session = make_clinic(title="Clinique mobile — Verdun")
    event.organisations.add(organisation)
    key = f"event:{event.pk}:title"
    translation_save(acting_user=translator, key=key, language="ar", text=TITLE_AR)
    coordinator = make_staff("coord.tr", ["clinic_coordinator"], organisation)
    services.event_save(acting_user=coordinator, event=event, data={"title": "Clinique mobile — Verdun (parc)"})
    event.refresh_from_db()
    # The organisers' form writes the French only: the Arabic stays, and is now stale.
    assert event.title == {"fr": "Clinique mobile — Verdun (parc)", "ar": TITLE_AR}
    item = next(item for item in translations.queue(translator, "ar") if item.key == key)
    assert item.stale and item.previous_source == "Clinique mobile — Verdun"


def test_the_place_is_translatable_and_shown(make_clinic, translator, client):
    event, _service, _session = make_clinic()
    services.event_save(acting_user=None, event=event, data={"place": "Salle communautaire"})
    key = f"event:{event.pk}:place"
    assert key in [item.key for item in translations.queue(translator, "ht")]
    translation_save(acting_user=translator, key=key, language="ht", text="Sal kominotè a")
    assert "Sal kominotè a" in client.get(f"/ht/clinics/e/{event.pk}/").content.decode()


def test_clinic_staff_cannot_translate(make_clinic, make_staff, organisation):
    event, _service, _session = make_clinic()
    event.organisations.add(organisation)
    coordinator = make_staff("coord.no", ["clinic_coordinator"], organisation)
    with pytest.raises(PermissionDenied):
        translation_save(acting_user=coordinator, key=f"event:{event.pk}:title", language="ar", text=TITLE_AR)
    assert translations.queue(coordinator, "ar") == []  # not their queue


def test_past_events_leave_the_queue(make_clinic, translator):
    event, _service, _session = make_clinic()
    Event.objects.filter(pk=event.pk).update(date=event.date.replace(year=event.date.year - 1))
    assert f"event:{event.pk}:title" not in [item.key for item in translations.queue(translator, "ar")]


def test_demo_events_are_in_five_languages(db, translator, client):
    demo.load(stdout=io.StringIO())
    events = list(Event.objects.all())
    assert len(events) == 3
    for event in events:
        assert set(event.title) == set(event.place) == {"fr", "en", "es", "ar", "ht"}
    assert not [item for item in translations.items(translator) if item.kind.key == "event"]
    with translation.override("ar"):
        page = client.get("/ar/clinics/").content.decode()
    assert "عيادة متنقلة — بارك إكستنشن" in page and "(بالفرنسية)" not in page


def test_the_organisers_form_edits_the_french_and_keeps_the_other_languages(
    make_clinic, translator, make_staff, mfa_client, organisation
):
    event, _service, _session = make_clinic(title="Clinique test")
    event.organisations.add(organisation)
    translation_save(acting_user=translator, key=f"event:{event.pk}:title", language="ar", text=TITLE_AR)
    client = mfa_client(make_staff("coord.form", ["clinic_coordinator"], organisation))
    url = f"/fr/clinics/staff/e/{event.pk}/edit/"
    page = client.get(url).content.decode()
    assert 'name="title" value="Clinique test"' in page and "{&#x27;fr&#x27;" not in page
    response = client.post(
        url,
        {
            "title": "Clinique test (nouveau lieu)",
            "place": "Salle 3",
            "is_mobile": "on",
            "date": event.date.isoformat(),
            "start_time": "09:00",
            "end_time": "17:00",
            "address": "123, rue Test",
            "borough": "Verdun",
            "is_published": "on",
            "language_list": ["fr"],
            "organisations": [str(organisation.pk)],
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == {"fr": "Clinique test (nouveau lieu)", "ar": TITLE_AR}
    assert event.place == {"fr": "Salle 3"}
    stale = [item for item in translations.queue(translator, "ar") if item.key == f"event:{event.pk}:title"]
    assert stale and stale[0].stale
