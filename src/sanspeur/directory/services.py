"""Writes for the directory. One function per action, audited in the same transaction."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sanspeur.accounts.policy import in_scope
from sanspeur.core.services import audit_entry_create

from . import i18n
from .models import ChangeProposal, Closure, Phone, Schedule, Service, ServiceVersion


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


def search_text_refresh(service: Service) -> None:
    """Rebuild a service's search text, inside the caller's (audited) transaction."""
    service.search_text = build_search_text(service)
    Service.objects.filter(pk=service.pk).update(search_text=service.search_text)


def service_reindex(*, acting_user, service: Service) -> Service:
    with transaction.atomic():
        service.search_text = build_search_text(service)
        Service.objects.filter(pk=service.pk).update(search_text=service.search_text)
        audit_entry_create(acting_user=acting_user, action="service.reindex", target=service)
    return service


def service_mark_verified(*, acting_user, service: Service, on) -> Service:
    with transaction.atomic():
        service.last_verified = on
        service.save(update_fields=["last_verified", "last_modified"])
        audit_entry_create(acting_user=acting_user, action="service.mark_verified", target=service)
    return service


EDITABLE_FIELDS = ("name", "description", "eligibility_description")
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


def proposal_create(*, acting_user, service: Service, changes: dict) -> ChangeProposal:
    """A contributor proposes new texts for a service of their own organisation."""
    if not in_scope(acting_user, service.organization.partner_id):  # accounts.policy: the city's, or one's own
        raise PermissionDenied
    clean = clean_changes(changes)
    with transaction.atomic():
        proposal = ChangeProposal.objects.create(service=service, proposed_by=acting_user, changes=clean)
        audit_entry_create(
            acting_user=acting_user, action="proposal.create", target=proposal, detail={"fields": sorted(clean)}
        )
    return proposal


def proposal_publish(*, acting_user, proposal: ChangeProposal) -> ServiceVersion:
    """A city editor publishes a proposal: the service changes and a version records the diff."""
    with transaction.atomic():
        proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ChangeProposal.PENDING:
            raise ValueError("proposal already reviewed")
        service = Service.objects.select_for_update().get(pk=proposal.service_id)
        version = version_publish(
            service=service,
            changes=clean_changes(proposal.changes),
            author=proposal.proposed_by,
            published_by=acting_user,
            verified=True,
            always=True,
        )
        proposal.status, proposal.reviewed_by, proposal.reviewed_at = (
            ChangeProposal.PUBLISHED,
            acting_user,
            timezone.now(),
        )
        proposal.save()
        audit_entry_create(
            acting_user=acting_user,
            action="proposal.publish",
            target=proposal,
            detail={"fields": version.changed_fields, "version": version.number},
        )
    return version


def version_publish(
    *,
    service: Service,
    changes: dict,
    author,
    published_by,
    source: str = "",
    verified: bool = False,
    always: bool = False,
) -> ServiceVersion | None:
    """Apply ``changes`` (already cleaned) to a service locked by the caller's transaction and
    record a ``ServiceVersion`` with the previous values of the fields that changed.

    The one path by which a service's published content changes: an editor's proposal
    (``verified``: "last verified" becomes today) or an HSDS import (``source`` names it). Returns
    None when nothing changed, unless ``always`` (a published proposal is a version even then).
    """
    changed = [f for f, v in changes.items() if current_value(service, f) != v]
    if not changed and not always:
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
            setattr(service, f, changes[f])
    if verified:
        service.last_verified = timezone.localdate()
    service.search_text = build_search_text(service)
    service.save()
    number = (service.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return ServiceVersion.objects.create(
        service=service,
        number=number,
        author=author,
        published_by=published_by,
        changed_fields=changed,
        previous=previous,
        source=source[:200],
    )


def proposal_reject(*, acting_user, proposal: ChangeProposal) -> ChangeProposal:
    with transaction.atomic():
        proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ChangeProposal.PENDING:
            raise ValueError("proposal already reviewed")
        proposal.status, proposal.reviewed_by, proposal.reviewed_at = (
            ChangeProposal.REJECTED,
            acting_user,
            timezone.now(),
        )
        proposal.save()
        audit_entry_create(acting_user=acting_user, action="proposal.reject", target=proposal)
    return proposal
