"""Demo: a few fictional upcoming clinics across boroughs, with services, time slots and bookings."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from .constants import ServiceKind
from .models import Booking, Event

DEMO_EVENTS = [
    {
        "title": "Clinique mobile — Parc-Extension",
        "borough": "Villeray–Saint-Michel–Parc-Extension",
        "address": "419, rue Saint-Roch (salle communautaire, démo)",
        "days": 3,
        "languages": ",fr,en,es,ar,ta,",
        "services": [(ServiceKind.ENROLLMENT, 1, 8), (ServiceKind.VACCINATION, 4, 12), (ServiceKind.LEGAL, 1, 4)],
    },
    {
        "title": "Clinique mobile — Montréal-Nord",
        "borough": "Montréal-Nord",
        "address": "Parc Henri-Bourassa, près du chalet (démo)",
        "days": 6,
        "languages": ",fr,ht,es,",
        "services": [(ServiceKind.ENROLLMENT, 1, 6), (ServiceKind.FOOD, 6, 20), (ServiceKind.SCREENING, 2, 6)],
    },
    {
        "title": "Point d'inscription — Côte-des-Neiges",
        "borough": "Côte-des-Neiges–Notre-Dame-de-Grâce",
        "address": "Bibliothèque (salle 2, démo)",
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
        if Event.objects.filter(title=spec["title"]).exists():
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
