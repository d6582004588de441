"""Import of an HSDS 3.0 JSON package: validated first, then written all-or-nothing.

Accepted shapes: one service object, an array of services (service package), or a paginated
response (``contents``). Every record is validated against the official service schema; any
error aborts the whole import and is reported with its record number and JSON path. Imported
texts are stored under ``lang`` (HSDS carries no language per text) and merged: importing the
English package never touches the French texts. Changes go through the editors' versioned path
(a ``ServiceVersion`` naming the import, previous values kept). New services and locations wait
for an editor: "asks no status question" is off and a site is not confidential until an editor
says so; a re-import never changes either.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from jsonschema import Draft202012Validator

from sanspeur.accounts.policy import can_publish_directory
from sanspeur.core.actions import action
from sanspeur.core.services import audit_entry_create

from . import services
from .models import Address, Borough, Location, Organization, Service, ServiceAtLocation
from .selectors import haversine_km

if TYPE_CHECKING:
    from sanspeur.accounts.models import User


class ImportErrors(Exception):
    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@cache
def _validator():
    # The official compiled HSDS 3.0 service schema, with its prose (descriptions) stripped.
    path = Path(__file__).parent / "data" / "hsds-3.0-service.schema.json"
    return Draft202012Validator(json.loads(path.read_text()))


def records_of(data) -> list:
    if isinstance(data, dict) and "contents" in data:
        return data["contents"]
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise ImportErrors(["the package is neither a service, an array of services nor a paginated list"])


def validate(records: list) -> list[str]:
    errors = []
    for n, record in enumerate(records, start=1):
        for e in sorted(_validator().iter_errors(record), key=lambda e: list(e.path)):
            path = "/".join(str(p) for p in e.path) or "(record)"
            errors.append(f"record {n}: {path}: {e.message}")
    return errors


def _nearest_borough(lat, lon) -> Borough:
    boroughs = list(Borough.objects.all())
    if lat is None or lon is None:
        return next(b for b in boroughs if b.code == "ville-marie")
    return min(boroughs, key=lambda b: haversine_km((lat, lon), (b.latitude, b.longitude)))


def _time(value) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value) if value else None
    except ValueError:
        return None


def _merged(current, lang: str, value) -> dict:
    """``current`` texts with ``lang`` set to ``value``: the other languages are never touched."""
    texts = dict(current) if isinstance(current, dict) else {}
    if value:
        texts[lang] = value
    return texts


def _org(data: dict, lang: str, counts: dict) -> Organization:
    org = Organization.objects.select_for_update().filter(id=data["id"]).first()
    if org is None:
        counts["organizations_created"] += 1
        return Organization.objects.create(
            id=data["id"],
            name={lang: data["name"]},
            description={lang: data["description"]} if data.get("description") else {},
            email=data.get("email") or "",
            website=data.get("website") or "",
        )
    before = (org.name, org.description, org.email, org.website)
    org.name = _merged(org.name, lang, data["name"])
    org.description = _merged(org.description, lang, data.get("description"))
    org.email = data.get("email") or org.email
    org.website = data.get("website") or org.website
    if (org.name, org.description, org.email, org.website) != before:
        org.save()
        counts["organizations_updated"] += 1
    return org


def _location(loc_data: dict, org: Organization, lang: str, counts: dict) -> Location:
    """A site: its texts merged per language; an existing site keeps its confidentiality, which only
    an editor sets."""
    location = Location.objects.select_for_update().filter(id=loc_data["id"]).first()
    fields = {
        "organization": org,
        "latitude": loc_data.get("latitude"),
        "longitude": loc_data.get("longitude"),
        "borough": _nearest_borough(loc_data.get("latitude"), loc_data.get("longitude")),
    }
    if location is None:
        counts["locations_created"] += 1
        return Location.objects.create(
            id=loc_data["id"],
            name={lang: loc_data.get("name", "")} if loc_data.get("name") else {},
            description={lang: loc_data["description"]} if loc_data.get("description") else {},
            **fields,
        )
    changed = False
    for name, value in {
        **fields,
        "name": _merged(location.name, lang, loc_data.get("name")),
        "description": _merged(location.description, lang, loc_data.get("description")),
    }.items():
        current = getattr(location, f"{name}_id" if name in ("organization", "borough") else name)
        new = value.pk if name in ("organization", "borough") else value
        if current != new:
            setattr(location, name, value)
            changed = True
    if changed:
        location.save()
        counts["locations_updated"] += 1
    return location


def _schedule_rows(data: dict) -> list[dict]:
    rows = []
    for s in data.get("schedules") or []:
        opens, closes = _time(s.get("opens_at")), _time(s.get("closes_at"))
        if s.get("freq") == "WEEKLY" and s.get("byday") and opens and closes:
            rows.append(
                {
                    "byday": s["byday"],
                    "opens_at": opens.strftime("%H:%M"),
                    "closes_at": closes.strftime("%H:%M"),
                    "valid_from": s.get("valid_from") or "",
                    "valid_to": s.get("valid_to") or "",
                }
            )
    return rows


def _changes(data: dict, lang: str, service: Service | None) -> dict:
    """What the record says about the service, in the proposals' shape: texts merged into the
    service's current ones for ``lang`` only; the other fields only when the record carries them.
    Never ``no_status_question``: nothing in HSDS says it, only an editor confirms it."""
    changes = {}
    for name in TEXT_FIELDS:
        current = getattr(service, name) if service else {}
        changes[name] = _merged(current, lang, data.get(name))
    changes["status"] = data["status"]
    for name in ("url", "email"):
        if name in data:
            changes[name] = data[name] or ""
    if "interpretation_services" in data:
        changes["interpretation"] = bool(data["interpretation_services"])
    if "cost_options" in data:
        changes["is_free"] = any(c.get("amount") == 0 for c in data["cost_options"] or [])
    if "languages" in data:
        changes["languages"] = sorted(
            {(item["code"] or "")[:2] for item in data["languages"] or [] if item.get("code")}
        )
    if "phones" in data:
        changes[services.PHONES] = services.clean_changes(
            {
                services.PHONES: [
                    {"number": p["number"][:40], "extension": _extension(p.get("extension"))}
                    for p in data["phones"] or []
                ]
            }
        )[services.PHONES]
    if "schedules" in data:
        changes[services.SCHEDULES] = services.clean_changes({services.SCHEDULES: _schedule_rows(data)})[
            services.SCHEDULES
        ]
    return changes


TEXT_FIELDS = ("name", "description", "eligibility_description", "fees_description", "application_process")


def _service(data: dict, lang: str, *, acting_user, source: str, counts: dict) -> Service:
    org_data = data.get("organization") or {"id": data["organization_id"], "name": data["name"]}
    org = _org(org_data, lang, counts)
    service = Service.objects.select_for_update().filter(id=data["id"]).first()
    created = service is None
    if created:
        # Created empty, then filled through the same versioned path as any later change, so that
        # version 1 records what the import brought. The flag waits for an editor.
        service = Service.objects.create(id=data["id"], organization=org, no_status_question=False)
        counts["services_created"] += 1
    elif service.organization_id != org.pk:
        service.organization = org
        service.save(update_fields=["organization"])
    version = services.version_publish(  # an action: joins this import's transaction
        acting_user=acting_user,
        service=service,
        changes=_changes(data, lang, None if created else service),
        author=acting_user,
        source=source,
        always=created,
    )
    if version is not None:
        counts["versions"] += 1
        counts["services_updated"] += 0 if created else 1
    for sal in data.get("service_at_locations") or []:
        loc_data = sal.get("location")
        if not loc_data:
            continue
        location = _location(loc_data, org, lang, counts)
        for a in loc_data.get("addresses") or []:
            Address.objects.update_or_create(
                id=a["id"],
                defaults={
                    "location": location,
                    "address_1": a["address_1"],
                    "address_2": a.get("address_2", ""),
                    "city": a["city"],
                    "state_province": a["state_province"][:10],
                    "postal_code": a["postal_code"][:10],
                    "country": a["country"][:2],
                    "address_type": a["address_type"][:20],
                },
            )
        ServiceAtLocation.objects.update_or_create(id=sal["id"], defaults={"service": service, "location": location})
    # Sites and their boroughs feed the search text too.
    service.search_text = services.build_search_text(service)
    Service.objects.filter(pk=service.pk).update(search_text=service.search_text)
    return service


COUNTS = (
    "services_created",
    "services_updated",
    "versions",
    "organizations_created",
    "organizations_updated",
    "locations_created",
    "locations_updated",
)


def _publisher(acting_user, **_kwargs) -> bool:
    """The command line, or the city's directory editors (accounts/policy.py)."""
    return acting_user is None or can_publish_directory(acting_user)


@action("directory.import", policy=_publisher)
def package_import(*, acting_user: User | None, data, lang: str = "en", name: str = "") -> dict:
    """Validate every record, then import them all in one transaction (an action), through the
    editors' versioned path (the action ``services.version_publish``): texts merged per language, a
    ``ServiceVersion`` per service that changed, naming the import, and one audit entry for the
    import. Publishing: the command line, or the city's directory editors. Returns the counts."""
    records = records_of(data)
    errors = validate(records)
    if errors:
        raise ImportErrors(errors)
    source = f"HSDS import {name or 'package'} ({lang})"
    counts = dict.fromkeys(COUNTS, 0)
    for record in records:
        _service(record, lang, acting_user=acting_user, source=source, counts=counts)
    audit_entry_create(
        acting_user=acting_user,
        action="directory.import",
        detail={"services": len(records), "lang": lang, "source": source[:200], **counts},
    )
    return {"services": len(records), **counts}


def _extension(value) -> str:
    """HSDS types the extension as a number (100 or 100.0); older files may hold text."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)[:10]
