"""Immigration status is never asked, stored or exported: no field, no form input, no prompt."""

import re
from pathlib import Path

from django.apps import apps

SRC = Path(__file__).resolve().parents[2] / "src" / "sanspeur"
FORBIDDEN_FIELD = re.compile(
    r"(immigration|citizenship|nationality|visa|residency_status|legal_status|country_of_birth|place_of_birth"
    r"|birthplace|passport_n|document_n|doc_number|permit_n|sin_n|social_insurance|uci|alien)",
    re.IGNORECASE,
)


def test_no_model_field_can_hold_status_or_document_numbers():
    offending = []
    for model in apps.get_models():
        if not model.__module__.startswith("sanspeur."):
            continue
        for field in model._meta.get_fields():
            if FORBIDDEN_FIELD.search(field.name):
                offending.append(f"{model._meta.label}.{field.name}")
    assert not offending


def test_no_form_or_template_asks_for_status():
    input_name = re.compile(r"""name=["']([a-z_]+)["']""")
    offending = []
    for path in list(SRC.rglob("templates/**/*.html")) + list(SRC.rglob("forms.py")):
        text = path.read_text(encoding="utf-8")
        names = (
            input_name.findall(text) if path.suffix == ".html" else re.findall(r"^\s+(\w+)\s*=\s*forms\.", text, re.M)
        )
        offending += [f"{path.relative_to(SRC)}:{name}" for name in names if FORBIDDEN_FIELD.search(name)]
    assert not offending


# --- No document type per card, holder or person (issue 14) ----------------------------------------
def _person_models() -> set:
    """Records about a person: the card's holder and cards, and every model that seals personal
    values with a data key of the vault (staff accounts, bookings, cases, ...)."""
    from sanspeur.core.models import DataKey

    found = {apps.get_model("cards", "Holder"), apps.get_model("cards", "Card")}
    for model in apps.get_models(include_auto_created=True):
        if any(f.is_relation and f.related_model is DataKey for f in model._meta.concrete_fields):
            found.add(model)
    return found


def _forward_links(model) -> set:
    """The models ``model`` points to: its foreign keys, one-to-ones and many-to-manys."""
    return {
        f.related_model
        for f in model._meta.get_fields()
        if f.is_relation and not f.auto_created and f.related_model is not None
    } | {f.related_model for f in model._meta.concrete_fields if f.is_relation}


def _reaches(model, targets, document_type, seen=None) -> bool:
    """Whether a chain of forward links leads from ``model`` to one of ``targets`` (not through the
    document types themselves)."""
    seen = seen if seen is not None else set()
    if model in targets:
        return True
    seen.add(model)
    return any(
        _reaches(linked, targets, document_type, seen)
        for linked in _forward_links(model)
        if linked not in seen and linked is not document_type
    )


def document_type_per_person() -> list[str]:
    """Every model that links a document type to a card, a holder or another person's record: a
    row of it says which kind of document one person showed (a consular card, a work permit)."""
    document_type = apps.get_model("cards", "DocumentType")
    people = _person_models()
    offending = []
    for model in apps.get_models(include_auto_created=True):
        links = _forward_links(model)
        # A many-to-many declared on another model links the document type to that model's rows.
        for field in document_type._meta.get_fields():
            if field.many_to_many and field.auto_created and field.related_model is model:
                links = links | {document_type}
        if (
            document_type in links
            and _reaches(model, people, document_type)
            or (model in people and document_type in links)
        ):
            offending.append(model._meta.label)
    return sorted(offending)


def test_no_model_stores_a_document_type_per_card_holder_or_person():
    assert document_type_per_person() == []


def test_the_document_type_walk_sees_the_card_models():
    """The walk above is not vacuous: it knows the people and follows links through a chain."""
    people = _person_models()
    assert {"cards.Holder", "cards.Card", "accounts.User"} <= {m._meta.label for m in people}
    check = apps.get_model("cards", "DocumentCheck")
    assert _reaches(check, people, apps.get_model("cards", "DocumentType"))
