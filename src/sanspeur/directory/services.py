"""Writes for the directory: each one an action of the kernel (core/actions.py) — one durable
transaction, the authorization policy (accounts/policy.py) asked first, a registered audit entry.

The other public functions here only read or compute (``build_search_text``, the ``*_snapshot``
functions, ``current_value``, ``clean_changes``); the HSDS import is the action
``importer.package_import``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Max
from django.utils import timezone

from sanspeur.accounts import policy
from sanspeur.core.actions import action, no_change
from sanspeur.core.locks import lock_rows
from sanspeur.core.services import audit_entry_create

from . import i18n, translations
from .models import ChangeProposal, Closure, Phone, Schedule, Service, ServiceVersion, Translation
from .states import PROPOSAL

if TYPE_CHECKING:
    from sanspeur.accounts.models import User


# --- The policies of these actions: accounts/policy.py decides; no acting user is the server's
# command line (an import, the demo).
def _publisher(acting_user, **_kwargs) -> bool:
    return acting_user is None or policy.can_publish_directory(acting_user)


def _directory_worker(acting_user, **_kwargs) -> bool:
    return acting_user is None or policy.works_on_the_directory(acting_user)


def _proposer(acting_user, *, service: Service, **_kwargs) -> bool:
    return policy.can_propose_directory_change(acting_user, service.organization.partner_id)


def build_search_text(service: Service) -> str:
    """Every language version of the texts that matter, unaccented and lower-cased."""
    parts = []
    for texts in (service.name, service.description, service.eligibility_description, service.organization.name):
        parts.extend(i18n.all_values(texts))
    if service.pk:
        for term in service.needs.all():
            parts.extend(i18n.all_values(term.name))
        for sal in service.service_at_locations.select_related("location__borough"):
            parts.append(sal.location.borough.name)
    return i18n.plain(" ".join(parts))


@action("service.reindex", policy=_directory_worker)
def service_reindex(*, acting_user: User | None, service: Service) -> Service:
    lock_rows(Service.objects.filter(pk=service.pk))
    service.search_text = build_search_text(service)
    Service.objects.filter(pk=service.pk).update(search_text=service.search_text)
    audit_entry_create(acting_user=acting_user, action="service.reindex", target=service)
    return service


@action("service.mark_verified", policy=_publisher)
def service_mark_verified(*, acting_user: User | None, service: Service, on: dt.date) -> Service:
    """An editor checked the entry: "last verified" becomes ``on`` (old and new values audited)."""
    old = lock_rows(Service.objects.filter(pk=service.pk))[0].last_verified
    if old == on:
        no_change()
        return service
    service.last_verified = on
    service.save(update_fields=["last_verified", "last_modified"])
    audit_entry_create(
        acting_user=acting_user,
        action="service.mark_verified",
        target=service,
        detail={"old": old.isoformat() if old else None, "new": on.isoformat() if on else None},
    )
    return service


EDITABLE_FIELDS = ("name", "description", "eligibility_description", "application_process", "fees_description")
FLAG_FIELDS = ("no_status_question", "is_free", "accepts_card", "no_id_needed", "interpretation")
SCHEDULES = "schedules"
PHONES = "phones"
CLOSURES = "closures"


def schedules_snapshot(service: Service) -> list[dict]:
    """The service's weekly rules as JSON (what a proposal carries and a version keeps)."""
    rows = [
        {
            "byday": ",".join(d.strip() for d in s.byday.split(",") if d.strip()),
            "opens_at": s.opens_at.strftime("%H:%M"),
            "closes_at": s.closes_at.strftime("%H:%M"),
            "valid_from": s.valid_from.isoformat() if s.valid_from else "",
            "valid_to": s.valid_to.isoformat() if s.valid_to else "",
        }
        for s in service.schedules.all()
    ]
    return sorted(rows, key=lambda r: (r["byday"], r["opens_at"], r["closes_at"], r["valid_from"]))


def phones_snapshot(service: Service) -> list[dict]:
    """The service's own phone numbers (not its sites'), as a proposal carries them."""
    rows = [{"number": p.number, "extension": p.extension} for p in service.phones.filter(location__isnull=True)]
    return sorted(rows, key=lambda r: (r["number"], r["extension"]))


def closures_snapshot(service: Service) -> list[dict]:
    """The service's own closures (holidays, exceptions) with their French note."""
    rows = [
        {
            "date_start": c.date_start.isoformat(),
            "date_end": c.date_end.isoformat(),
            "note": c.description.get("fr", ""),
        }
        for c in service.closures.all()
    ]
    return sorted(rows, key=lambda r: (r["date_start"], r["date_end"], r["note"]))


def current_value(service: Service, field: str):
    if field == SCHEDULES:
        return schedules_snapshot(service)
    if field == PHONES:
        return phones_snapshot(service)
    if field == CLOSURES:
        return closures_snapshot(service)
    return getattr(service, field)


def clean_changes(changes: dict) -> dict:
    clean = {f: {k: v for k, v in changes[f].items() if v} for f in EDITABLE_FIELDS if f in changes}
    clean |= {f: bool(changes[f]) for f in FLAG_FIELDS if f in changes}
    if SCHEDULES in changes:
        clean[SCHEDULES] = sorted(
            [
                {
                    "byday": str(r["byday"]),
                    "opens_at": str(r["opens_at"]),
                    "closes_at": str(r["closes_at"]),
                    "valid_from": str(r.get("valid_from") or ""),
                    "valid_to": str(r.get("valid_to") or ""),
                }
                for r in changes[SCHEDULES]
            ],
            key=lambda r: (r["byday"], r["opens_at"], r["closes_at"], r["valid_from"]),
        )
    if PHONES in changes:
        clean[PHONES] = sorted(
            [{"number": str(r["number"]), "extension": str(r.get("extension") or "")} for r in changes[PHONES]],
            key=lambda r: (r["number"], r["extension"]),
        )
    if CLOSURES in changes:
        clean[CLOSURES] = sorted(
            [
                {"date_start": str(r["date_start"]), "date_end": str(r["date_end"]), "note": str(r.get("note") or "")}
                for r in changes[CLOSURES]
            ],
            key=lambda r: (r["date_start"], r["date_end"], r["note"]),
        )
    return clean


def _replace_closures(service: Service, rows: list[dict]) -> None:
    """Keep the closures that stay (with their other languages), add the new, drop the rest."""
    wanted = {(r["date_start"], r["date_end"], r["note"]) for r in rows}
    kept = set()
    for closure in service.closures.all():
        key = (closure.date_start.isoformat(), closure.date_end.isoformat(), closure.description.get("fr", ""))
        if key in wanted and key not in kept:
            kept.add(key)
        else:
            closure.delete()
    for start, end, note in sorted(wanted - kept):
        Closure.objects.create(
            service=service,
            date_start=dt.date.fromisoformat(start),
            date_end=dt.date.fromisoformat(end),
            description={"fr": note} if note else {},
        )


def _replace_phones(service: Service, rows: list[dict]) -> None:
    """Keep the numbers that stay (with their type and description), add the new, drop the rest."""
    wanted = {(r["number"], r["extension"]) for r in rows}
    kept = set()
    for phone in service.phones.filter(location__isnull=True):
        key = (phone.number, phone.extension)
        if key in wanted and key not in kept:
            kept.add(key)
        else:
            phone.delete()
    for number, extension in sorted(wanted - kept):
        Phone.objects.create(service=service, number=number, extension=extension)


def _replace_schedules(service: Service, rows: list[dict]) -> None:
    service.schedules.all().delete()
    for r in rows:
        Schedule.objects.create(
            service=service,
            byday=r["byday"],
            opens_at=dt.time.fromisoformat(r["opens_at"]),
            closes_at=dt.time.fromisoformat(r["closes_at"]),
            valid_from=dt.date.fromisoformat(r["valid_from"]) if r.get("valid_from") else None,
            valid_to=dt.date.fromisoformat(r["valid_to"]) if r.get("valid_to") else None,
        )


@action("proposal.create", policy=_proposer)
def proposal_create(*, acting_user: User | None, service: Service, changes: dict) -> ChangeProposal:
    """A contributor proposes new texts for a service of their own organisation (the city's
    editors: of any organisation); nothing is public before an editor publishes it."""
    clean = clean_changes(changes)
    proposal = ChangeProposal.objects.create(service=service, proposed_by=acting_user, changes=clean)
    audit_entry_create(
        acting_user=acting_user, action="proposal.create", target=proposal, detail={"fields": sorted(clean)}
    )
    return proposal


def _review(proposal: ChangeProposal, step: str, acting_user) -> ChangeProposal:
    """Lock the proposal, check ``step`` against the declared machine, record the review."""
    proposal = lock_rows(ChangeProposal.objects.filter(pk=proposal.pk))[0]
    proposal.status = PROPOSAL.check(proposal.status, step)  # InvalidTransition once reviewed
    proposal.reviewed_by, proposal.reviewed_at = acting_user, timezone.now()
    return proposal


@action("proposal.publish", policy=_publisher)
def proposal_publish(*, acting_user: User | None, proposal: ChangeProposal) -> ServiceVersion:
    """A city editor publishes a proposal: the service changes and a version records the diff."""
    proposal = _review(proposal, "publish", acting_user)
    service = lock_rows(Service.objects.filter(pk=proposal.service_id))[0]
    version = version_publish(
        acting_user=acting_user,
        service=service,
        changes=clean_changes(proposal.changes),
        author=proposal.proposed_by,
        verified=True,
        always=True,
    )
    proposal.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_entry_create(
        acting_user=acting_user,
        action="proposal.publish",
        target=proposal,
        detail={"fields": version.changed_fields, "version": version.number},
    )
    return version


@action("service.publish_version", policy=_publisher)
def version_publish(
    *,
    acting_user: User | None,
    service: Service,
    changes: dict,
    author,
    source: str = "",
    verified: bool = False,
    always: bool = False,
) -> ServiceVersion | None:
    """Apply ``changes`` (already cleaned) to a service and record a ``ServiceVersion`` with the
    previous values of the fields that changed, published by the acting user.

    The one path by which a service's published content changes: an editor's proposal
    (``verified``: "last verified" becomes today), an HSDS import (``source`` names it) or a
    translator's translation (``translation_save``). Returns None when nothing changed, unless
    ``always`` (a published proposal is a version even then). The service is locked here; the
    caller's copy is the one changed (an action calling this one has usually locked and loaded it
    already, in the same transaction).
    """
    return _publish(
        acting_user=acting_user,
        service=service,
        changes=changes,
        author=author,
        source=source,
        verified=verified,
        always=always,
    )


def _publish(
    *,
    acting_user,
    service: Service,
    changes: dict,
    author,
    source: str = "",
    verified: bool = False,
    always: bool = False,
) -> ServiceVersion | None:
    """``version_publish`` without its policy: for the actions that asked their own first."""
    lock_rows(Service.objects.filter(pk=service.pk))
    changed = [f for f, v in changes.items() if current_value(service, f) != v]
    if not changed and not always:
        no_change()
        return None
    previous = {f: current_value(service, f) for f in changed}
    for f in changed:
        if f == SCHEDULES:
            _replace_schedules(service, changes[f])
        elif f == PHONES:
            _replace_phones(service, changes[f])
        elif f == CLOSURES:
            _replace_closures(service, changes[f])
        else:
            translations.stamp("service", service.pk, f, previous[f], changes[f], by=author)
            setattr(service, f, changes[f])
    if verified:
        service.last_verified = timezone.localdate()
    service.search_text = build_search_text(service)
    service.save()
    number = (service.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ServiceVersion.objects.create(
        service=service,
        number=number,
        author=author,
        published_by=acting_user,
        changed_fields=changed,
        previous=previous,
        source=source[:200],
    )
    audit_entry_create(
        acting_user=acting_user,
        action="service.publish_version",
        target=service,
        detail={"version": number, "fields": changed, "source": version.source},
    )
    return version


# --- Translations (directory/translations.py says what can be translated and what is stale) --
class TranslationRefused(Exception):
    """The text cannot be translated now (its French was removed meanwhile, it is not public)."""


def _translator(acting_user, **_kwargs) -> bool:
    return acting_user is None or policy.can_translate_content(acting_user)


TEXT_MAX_LENGTH = 2000


@action("translation.save", policy=_translator)
def translation_save(*, acting_user: User | None, key: str, language: str, text: str) -> bool:
    """A translator publishes the translation of one text into ``language``, made from today's
    French (stamped with its hash: the translation is up to date until the French changes).
    Saving the same text again confirms a stale translation. A service's text becomes a new
    version of the service (``_publish``), like any change of its content. Returns whether
    anything changed."""
    parsed = translations.parse_key(key)
    text = (text or "").strip()
    if parsed is None or language not in i18n.TARGETS or not text or len(text) > TEXT_MAX_LENGTH:
        raise TranslationRefused(key)
    kind, object_id, field = parsed
    pk = translations._pk(kind, object_id)
    rows = lock_rows(kind.model_class.objects.filter(pk=pk)) if pk is not None else []
    if not rows or not kind.public().filter(pk=pk).exists():
        raise TranslationRefused(key)
    record = rows[0]
    if not kind.translatable(field, vars(record)):
        raise TranslationRefused(key)
    texts = i18n.as_texts(getattr(record, field))
    source = texts.get(i18n.FALLBACK, "")
    if not source:
        raise TranslationRefused(key)
    digest = i18n.source_hash(source)
    stamp = Translation.objects.filter(kind=kind.key, object_id=str(record.pk), field=field, language=language).first()
    if texts.get(language) == text and stamp is not None and stamp.source_hash == digest:
        no_change()
        return False
    was = "missing" if not texts.get(language) else "stale" if stamp and stamp.source_hash != digest else "current"
    new = {**texts, language: text}
    if kind.key == "service":
        _publish(acting_user=acting_user, service=record, changes={field: new}, author=acting_user)
    else:
        setattr(record, field, new)
        record.save(update_fields=[field, *(["last_modified"] if hasattr(record, "last_modified") else [])])
        if kind.key == "organization":  # its services are found by its name, in every language
            for service in record.services.select_related("organization"):
                Service.objects.filter(pk=service.pk).update(search_text=build_search_text(service))
    Translation.objects.update_or_create(
        kind=kind.key,
        object_id=str(record.pk),
        field=field,
        language=language,
        defaults={"source_hash": digest, "source_text": source, "translated_by": acting_user},
    )
    audit_entry_create(
        acting_user=acting_user,
        action="translation.save",
        target=record,
        detail={
            "kind": kind.key,
            "field": field,
            "language": language,
            "was": was,
        },
    )
    return True


@action("proposal.reject", policy=_publisher)
def proposal_reject(*, acting_user: User | None, proposal: ChangeProposal) -> ChangeProposal:
    proposal = _review(proposal, "reject", acting_user)
    proposal.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_entry_create(acting_user=acting_user, action="proposal.reject", target=proposal)
    return proposal
