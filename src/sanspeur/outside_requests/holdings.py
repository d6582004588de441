""" "What we hold": the answer to a request about a person, generated from the schema itself.

Nothing here is a list someone keeps up to date by hand. The records that hold personal data are
found by walking the installed models: every model that points to a vault data key keeps a
person's data sealed. Each "we do not hold" statement is a claim about the schema, checked on every
call: if someone added an immigration-status field, an IP address column or a log of card checks,
the claim would fail and the answer would stop saying it (a test keeps them all true).

The descriptions people read are translated texts keyed by model; a model found in the schema
without one still appears, under its own name, and a test asks for its description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

APP_PREFIX = "sanspeur."
OWN_APP = "outside_requests"

# What each kind of person record is, for the reader. The set of records comes from the schema.
DESCRIPTIONS = {
    "cards.holder": _(
        "Cardholders: name, date of birth, address and photo, sealed; the points their documents reached, "
        "never which documents, a copy or a number"
    ),
    "clinics.booking": _(
        "Clinic bookings: anonymous; an optional reminder contact, sealed and erased after the clinic"
    ),
    "protection.case": _(
        "Protection unit reports: encrypted to the unit's key; a report is anonymous unless the person chose "
        "to give a contact"
    ),
    "accounts.user": _("Staff accounts: names and e-mail addresses of the city's and partners' staff, sealed"),
    "grants.application": _(
        "Funding applications of organisations: their attachments sealed; people reached only as rounded counts, "
        "never a list of people"
    ),
    "impact.testimony": _(
        "Testimonies offered for publication: the words sealed and destroyed once published, refused or "
        "withdrawn; the day received and the language, never a name or a contact"
    ),
    "training.attendancesheet": _(
        "Scans of signed training attendance sheets (staff and police trainees' signatures): sealed, destroyed "
        "after the training records' retention period"
    ),
    "training.person": _(
        "Staff and police trainees: names sealed, an employee number only as a keyed hash, their course completions"
    ),
}

# Fields whose name would betray each category we say we do not hold.
STATUS_NAMES = re.compile(
    r"(immigration|citizenship|nationality|visa|residency_status|legal_status|country_of_birth|birthplace|refugee)",
    re.IGNORECASE,
)
DOCUMENT_NAMES = re.compile(r"(passport|document_n|doc_number|permit_n|scan|document_copy|document_image)", re.I)
USAGE_NAMES = re.compile(r"(verified_at|scanned|scan_log|used_at|usage|check_log|verification)", re.IGNORECASE)
VISIT_NAMES = re.compile(r"(user_agent|referr?er|page_view|visit|remote_addr|client_ip|ip_address)", re.IGNORECASE)


@dataclass
class Held:
    label: str
    model: str
    records: int
    shredded: int
    findable_by_name: bool


@dataclass
class NotHeld:
    code: str
    label: str


@dataclass
class Holdings:
    held: list[Held] = field(default_factory=list)
    not_held: list[NotHeld] = field(default_factory=list)


def _project_models(*, include_own: bool = False) -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith(APP_PREFIX) and (include_own or model._meta.app_label != OWN_APP)
    ]


def _all_fields():
    """(model, field) for every concrete field of every installed model, Django's and ours."""
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            yield model, model_field


def _data_key_field(model) -> models.Field | None:
    data_key = apps.get_model("core", "DataKey")
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation and model_field.related_model is data_key:
            return model_field
    return None


def person_models() -> list[type[models.Model]]:
    """The models that seal a person's data with a vault key (outside this register itself)."""
    return [model for model in _project_models() if _data_key_field(model) is not None]


def _findable_by_name(model) -> bool:
    """A keyed index of the person's identity (name and birth date) lets staff find the record."""
    return any(f.name.endswith("_index") or f.name == "identity_index" for f in model._meta.concrete_fields)


# --- The claims: each one true only while the schema makes it true ------------------------------------
def no_status_field() -> bool:
    return not any(STATUS_NAMES.search(f.name) for _m, f in _all_fields())


def no_document_copy() -> bool:
    """No document number or copy: the only sealed documents are those a requester sent us (this app)."""
    for model, model_field in _all_fields():
        if model._meta.app_label == OWN_APP:
            continue
        if DOCUMENT_NAMES.search(model_field.name) or isinstance(model_field, models.FileField):
            return False
    return True


def no_card_use_log() -> bool:
    """The verifier keeps no record (the verify app has no model), and nothing that points to a
    card or a cardholder records its use."""
    if list(apps.get_app_config("verify").get_models()):
        return False
    card, holder = apps.get_model("cards", "Card"), apps.get_model("cards", "Holder")
    for model, model_field in _all_fields():
        linked = any(f.is_relation and f.related_model in (card, holder) for f in model._meta.concrete_fields)
        if (linked or model in (card, holder)) and USAGE_NAMES.search(model_field.name):
            return False
    return True


def no_visit_log() -> bool:
    """No address, browser or page history of the public, in any installed model."""
    for _model, model_field in _all_fields():
        if isinstance(model_field, models.GenericIPAddressField) or VISIT_NAMES.search(model_field.name):
            return False
    return True


CLAIMS = [
    ("immigration_status", _("Immigration status: no record has a field for it; it is never asked"), no_status_field),
    ("documents", _("Copies, scans or numbers of identity documents: never kept"), no_document_copy),
    (
        "card_use",
        _("Where or when a card was used or checked: the verifier works offline and records nothing"),
        no_card_use_log,
    ),
    ("visits", _("A log of visits, IP addresses or browsers of the public: none is kept"), no_visit_log),
]


def what_we_hold() -> Holdings:
    """The categories held (with how many records, how many shredded) and those not held."""
    result = Holdings()
    for model in person_models():
        key_field = _data_key_field(model)
        label = model._meta.label_lower
        queryset = model._default_manager.all()
        result.held.append(
            Held(
                label=str(DESCRIPTIONS.get(label, model._meta.verbose_name_plural)),
                model=label,
                records=queryset.count(),
                shredded=queryset.filter(
                    **{f"{key_field.name}__isnull": False, f"{key_field.name}__wrapped__isnull": True}
                ).count(),
                findable_by_name=_findable_by_name(model),
            )
        )
    for code, label, holds in CLAIMS:
        if holds():
            result.not_held.append(NotHeld(code=code, label=str(label)))
    return result
