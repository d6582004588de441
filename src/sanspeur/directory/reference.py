"""Reference data shipped with the app: boroughs, FSA centroids, the Sans peur taxonomies."""

import json
import uuid
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
NAMESPACE = uuid.UUID("6f1e2b0c-5a1d-4c1e-9d0a-5a3e2d1c0b99")

NEEDS = {
    "food": {"fr": "Alimentation", "en": "Food", "es": "Alimentación", "ar": "الغذاء", "ht": "Manje"},
    "health": {"fr": "Santé", "en": "Health", "es": "Salud", "ar": "الصحة", "ht": "Sante"},
    "housing": {
        "fr": "Logement et hébergement",
        "en": "Housing and shelter",
        "es": "Vivienda y albergue",
        "ar": "السكن والمأوى",
        "ht": "Lojman ak abri",
    },
    "legal": {
        "fr": "Aide juridique",
        "en": "Legal help",
        "es": "Ayuda legal",
        "ar": "المساعدة القانونية",
        "ht": "Èd legal",
    },
    "work-rights": {
        "fr": "Droits au travail",
        "en": "Work rights",
        "es": "Derechos laborales",
        "ar": "حقوق العمل",
        "ht": "Dwa travay",
    },
    "education": {"fr": "Éducation", "en": "Education", "es": "Educación", "ar": "التعليم", "ht": "Edikasyon"},
    "library-culture": {
        "fr": "Bibliothèques et culture",
        "en": "Library and culture",
        "es": "Bibliotecas y cultura",
        "ar": "المكتبات والثقافة",
        "ht": "Bibliyotèk ak kilti",
    },
    "sport": {"fr": "Sport", "en": "Sport", "es": "Deporte", "ar": "الرياضة", "ht": "Espò"},
    "children-families": {
        "fr": "Enfants et familles",
        "en": "Children and families",
        "es": "Niños y familias",
        "ar": "الأطفال والعائلات",
        "ht": "Timoun ak fanmi",
    },
    "women": {"fr": "Femmes", "en": "Women", "es": "Mujeres", "ar": "النساء", "ht": "Fanm"},
    "emergency": {"fr": "Urgence", "en": "Emergency", "es": "Emergencia", "ar": "الطوارئ", "ht": "Ijans"},
    "banking": {
        "fr": "Services bancaires",
        "en": "Banking",
        "es": "Servicios bancarios",
        "ar": "الخدمات المصرفية",
        "ht": "Sèvis bankè",
    },
}
# Service boolean field -> attribute term of the "sanspeur" taxonomy.
FLAGS = {
    "no_status_question": {"fr": "Aucune question sur le statut", "en": "No status question asked"},
    "accepts_card": {"fr": "Accepte la carte Sans peur", "en": "Accepts the Sans peur card"},
    "no_id_needed": {"fr": "Aucune pièce d'identité requise", "en": "No ID needed"},
    "is_free": {"fr": "Gratuit", "en": "Free"},
    "interpretation": {"fr": "Interprétation offerte", "en": "Interpretation available"},
}


def stable_uuid(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


@cache
def boroughs() -> list[tuple[str, str, float, float]]:
    return [tuple(b) for b in json.loads((DATA_DIR / "boroughs.json").read_text())["boroughs"]]


@cache
def fsa_centroids() -> dict[str, tuple[float, float]]:
    """Approximate FSA centroids (see the note in data/fsa_centroids.json)."""
    return {k: tuple(v) for k, v in json.loads((DATA_DIR / "fsa_centroids.json").read_text())["fsa"].items()}


def ensure_reference_data() -> None:
    """Create boroughs and taxonomies (idempotent; stable UUIDs). Called by the data migration."""
    from .models import Borough, Taxonomy, TaxonomyTerm

    sync_reference(Borough, Taxonomy, TaxonomyTerm)


def sync_reference(Borough, Taxonomy, TaxonomyTerm) -> None:
    for code, name, lat, lon in boroughs():
        Borough.objects.update_or_create(
            id=stable_uuid("borough", code), defaults={"code": code, "name": name, "latitude": lat, "longitude": lon}
        )
    needs = Taxonomy.objects.update_or_create(
        id=stable_uuid("taxonomy", "needs"),
        defaults={
            "code": "needs",
            "name": "Sans peur needs",
            "description": "What a resident needs help with.",
            "version": "1",
        },
    )[0]
    flags = Taxonomy.objects.update_or_create(
        id=stable_uuid("taxonomy", "sanspeur"),
        defaults={
            "code": "sanspeur",
            "name": "Sans peur attributes",
            "description": "How safely a resident can use a service.",
            "version": "1",
        },
    )[0]
    for taxonomy, terms in ((needs, NEEDS), (flags, FLAGS)):
        for code, name in terms.items():
            TaxonomyTerm.objects.update_or_create(
                id=stable_uuid("term", code),
                defaults={"taxonomy": taxonomy, "code": code, "name": name, "description": name},
            )
