"""Fifty fictional cardholders with synthetic faces, over the two demo partner organisations.

Idempotent: a holder whose names and date of birth are already enrolled is skipped.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from sanspeur.accounts.models import User
from sanspeur.core.boroughs import BOROUGHS

from . import keys
from .faces import face_jpeg
from .models import Card, DocumentType, Holder
from .services import card_expire, card_revoke, duplicate_candidates, holder_enroll

GIVEN = [
    "Amina",
    "Jean-Baptiste",
    "Sofía",
    "Nguyen Van",
    "Fatou",
    "Mateo",
    "Leïla",
    "Oleksandr",
    "Mariam",
    "Wilner",
    "Priya",
    "Kofi",
    "Camila",
    "Youssef",
    "Rosemène",
    "Tenzin",
    "Ana Lucía",
    "Mehdi",
    "Chloé",
    "Darius",
    "Ifeoma",
    "Ravi",
    "Esperanza",
    "Samuel",
    "Zainab",
]
FAMILY = [
    "Abdelkrim-Tremblay",
    "Pierre-Louis",
    "Guzmán Ortega",
    "Trân",
    "Diallo",
    "Quispe",
    "Benali",
    "Kovalenko",
    "Haddad",
    "Joseph",
    "Ramanathan",
    "Mensah",
    "Oliveira",
    "El Amrani",
    "Saint-Fleur",
    "Dorjee",
    "Villalobos",
    "Rahimi",
    "Bouchard-Ndiaye",
    "Farahani",
    "Okonkwo",
    "Subramaniam",
    "Castillo",
    "Desrosiers",
    "Qureshi",
]
POSTAL = ["H3S 1Z9", "H2X 1Y4", "H1Z 2K3", "H4N 1J5", "H3W 2T7", "H2R 2N1", "H1G 3B4", "H8N 1X2"]
COUNT = 50


def demo_people():
    """Deterministic fictional people: (seed, profile)."""
    rng = random.Random(20261124)  # noqa: S311 - fictional data, not security
    people = []
    for number in range(COUNT):
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
        profile = {
            "given_names": GIVEN[number % len(GIVEN)],
            "family_names": FAMILY[(number * 7) % len(FAMILY)],
            "date_of_birth": born.isoformat(),
            "borough": BOROUGHS[number % len(BOROUGHS)],
            "postal_code": POSTAL[number % len(POSTAL)],
            "phone": f"514-555-{1000 + number:04d}" if number % 3 == 0 else "",
            "email": f"demo.personne{number}@example.org" if number % 4 == 0 else "",
            "preferred_language": ["fr", "en", "es", "ar", "ht"][number % 5],
            "gender_marker": ["F", "M", "X", ""][number % 4],
            "print_gender": False,
        }
        people.append((number, profile))
    return people


def load(*, stdout, print_logins: bool = True) -> None:
    keys.ensure_keys()
    agents = [User.objects.filter(username=name).first() for name in ("agent.cdn", "agent.stmichel")]
    agents = [agent for agent in agents if agent is not None and agent.organisation_id]
    if not agents:
        stdout.write("cards: demo agents missing, skipped")
        return
    documents = list(DocumentType.objects.filter(code__in=["passport", "birth-certificate", "shelter-letter"]))
    created = 0
    for number, profile in demo_people():
        candidates = duplicate_candidates(profile["given_names"], profile["family_names"], profile["date_of_birth"])
        if Holder.objects.filter(duplicate_index__in=candidates).exists():
            continue
        agent = agents[number % len(agents)]
        if number % 10 == 9:
            # An expired card: issued 25 months ago.
            holder, card = holder_enroll(
                acting_user=agent,
                organisation=agent.organisation,
                profile=profile,
                photo_jpeg=face_jpeg(number),
                document_types=documents,
                submission_token=f"demo-{number}",
                issued_at=timezone.now() - timedelta(days=760),
            )
            card_expire(acting_user=agent, card=card)
        else:
            holder, card = holder_enroll(
                acting_user=agent,
                organisation=agent.organisation,
                profile=profile,
                photo_jpeg=face_jpeg(number),
                document_types=documents,
                submission_token=f"demo-{number}",
            )
        if number % 7 == 6:
            card_revoke(acting_user=agent, card=card, reason=Card.Reason.LOST)
        created += 1
    stdout.write(f"cards: {created} demo cardholder(s) created")
