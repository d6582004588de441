"""Demo: a few fictional upcoming clinics across boroughs, with services, time slots and bookings."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from .constants import ServiceKind
from .models import Booking, Event

# Titles and places in the five languages of the public pages (French is the organisers' source;
# the other languages are what the translators would have written: directory/translations.py).
DEMO_EVENTS = [
    {
        "title": {
            "fr": "Clinique mobile — Parc-Extension",
            "en": "Mobile clinic — Parc-Extension",
            "es": "Clínica móvil — Parc-Extension",
            "ar": "عيادة متنقلة — بارك إكستنشن",
            "ht": "Klinik mobil — Parc-Extension",
        },
        "borough": "Villeray–Saint-Michel–Parc-Extension",
        "address": "419, rue Saint-Roch",
        "place": {
            "fr": "Salle communautaire, rez-de-chaussée (démo)",
            "en": "Community hall, ground floor (demo)",
            "es": "Salón comunitario, planta baja (demo)",
            "ar": "القاعة المجتمعية، الطابق الأرضي (تجريبي)",
            "ht": "Sal kominotè a, premye etaj (demo)",
        },
        "days": 3,
        "languages": ",fr,en,es,ar,ta,",
        "services": [(ServiceKind.ENROLLMENT, 1, 8), (ServiceKind.VACCINATION, 4, 12), (ServiceKind.LEGAL, 1, 4)],
    },
    {
        "title": {
            "fr": "Clinique mobile — Montréal-Nord",
            "en": "Mobile clinic — Montréal-Nord",
            "es": "Clínica móvil — Montréal-Nord",
            "ar": "عيادة متنقلة — مونتريال نورد",
            "ht": "Klinik mobil — Montréal-Nord",
        },
        "borough": "Montréal-Nord",
        "address": "Parc Henri-Bourassa",
        "place": {
            "fr": "Sous la tente blanche, près du chalet du parc (démo)",
            "en": "Under the white tent, near the park chalet (demo)",
            "es": "Bajo la carpa blanca, cerca del chalé del parque (demo)",
            "ar": "تحت الخيمة البيضاء، قرب شاليه الحديقة (تجريبي)",
            "ht": "Anba tant blan an, toupre chalè pak la (demo)",
        },
        "days": 6,
        "languages": ",fr,ht,es,",
        "services": [(ServiceKind.ENROLLMENT, 1, 6), (ServiceKind.FOOD, 6, 20), (ServiceKind.SCREENING, 2, 6)],
    },
    {
        "title": {
            "fr": "Point d'inscription — Côte-des-Neiges",
            "en": "Enrollment point — Côte-des-Neiges",
            "es": "Punto de inscripción — Côte-des-Neiges",
            "ar": "نقطة تسجيل — كوت دي نيج",
            "ht": "Pwen enskripsyon — Côte-des-Neiges",
        },
        "borough": "Côte-des-Neiges–Notre-Dame-de-Grâce",
        "address": "5290, chemin de la Côte-des-Neiges",
        "place": {
            "fr": "Bibliothèque du quartier, salle 2 (démo)",
            "en": "Neighbourhood library, room 2 (demo)",
            "es": "Biblioteca del barrio, sala 2 (demo)",
            "ar": "مكتبة الحي، القاعة 2 (تجريبي)",
            "ht": "Bibliyotèk katye a, sal 2 (demo)",
        },
        "days": 10,
        "languages": ",fr,en,es,fa,tl,",
        "services": [(ServiceKind.ENROLLMENT, 2, 10), (ServiceKind.TAX, 1, 4)],
        "mobile": False,
    },
]


def load(*, stdout, print_logins: bool = True) -> None:
    from sanspeur.accounts.models import Organisation

    today = timezone.localdate()
    partners = list(Organisation.objects.filter(kind="partner")[:2])
    codes_shown = []
    for spec in DEMO_EVENTS:
        existing = list(Event.objects.filter(title__fr=spec["title"]["fr"]))
        if existing:
            _complete_translations(existing, spec)
            continue
        # Each service call is an action with its own durable transaction (core/actions.py).
        codes_shown += _load_event(spec, today, partners)
    if codes_shown and print_logins:
        stdout.write(f"Clinics demo booking codes: {', '.join(codes_shown[:3])}")
    stdout.write(f"Clinics demo: {Event.objects.count()} events, {Booking.objects.count()} bookings.")


def _load_event(spec, today, partners) -> list[str]:
    from . import services

    codes_shown = []
    date = today + timedelta(days=spec["days"])
    event = services.event_save(
        acting_user=None,
        data={
            "title": spec["title"],
            "is_mobile": spec.get("mobile", True),
            "date": date,
            "start_time": time(10, 0),
            "end_time": time(16, 0),
            "address": spec["address"],
            "place": spec["place"],
            "borough": spec["borough"],
            "languages": spec["languages"],
        },
        organisations=partners,
    )
    for kind, per_code, capacity in spec["services"]:
        service = services.service_create(acting_user=None, event=event, kind=kind, max_places_per_code=per_code)
        for hour in (10, 11, 13, 14, 15):
            start = timezone.make_aware(datetime.combine(date, time(hour, 0)))
            services.session_create(
                acting_user=None,
                service=service,
                starts_at=start,
                ends_at=start + timedelta(minutes=50),
                capacity=capacity,
                # Released one week before, at 9:00; the 15:00 slot opens later (announced schedule).
                released_at=start - timedelta(days=7 if hour < 15 else 1, hours=hour - 9),
            )
    first = event.services.first().sessions.first()
    if first.released_at > timezone.now():
        return codes_shown
    for _ in range(min(3, first.capacity)):
        _booking, code = services.booking_create(acting_user=None, session_id=first.pk, places=1, language="es")
        codes_shown.append(code)
    return codes_shown


def _complete_translations(events, spec) -> None:
    """A demo loaded before the events were multilingual: add the languages they lack, through
    the translators' action (audited, stamped), never overwriting a text."""
    from sanspeur.directory.services import TranslationRefused, translation_save

    for event in events:
        for field in ("title", "place"):
            texts = event.title if field == "title" else event.place
            for language, text in spec[field].items():
                if language == "fr" or (texts or {}).get(language) or (texts or {}).get("fr") != spec[field]["fr"]:
                    continue
                try:
                    translation_save(acting_user=None, key=f"event:{event.pk}:{field}", language=language, text=text)
                except TranslationRefused:  # an event already over: not public any more
                    break
