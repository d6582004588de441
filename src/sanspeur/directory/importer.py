"""Import of an HSDS 3.0 JSON package: validated first, then written all-or-nothing.

Accepted shapes: one service object, an array of services (service package), or a paginated
response (``contents``). Every record is validated against the official service schema; any
error aborts the whole import and is reported with its record number and JSON path. Imported
texts are stored under ``lang`` (HSDS carries no language per text). Imported locations are not
confidential; an editor must mark shelters confidential before publishing.
"""

import datetime as dt
import json
from functools import cache
from pathlib import Path

from django.db import transaction
from jsonschema import Draft202012Validator

from sanspeur.core.services import audit_entry_create

from .models import Address, Borough, Location, Organization, Phone, Schedule, Service, ServiceAtLocation
from .selectors import haversine_km
from .services import build_search_text


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


def _org(data: dict, lang: str) -> Organization:
    org, _ = Organization.objects.update_or_create(
        id=data["id"],
        defaults={
            "name": {lang: data["name"]},
            "description": {lang: data.get("description", "")},
            "email": data.get("email", ""),
            "website": data.get("website", ""),
        },
    )
    return org


def _service(data: dict, lang: str) -> Service:
    org_data = data.get("organization") or {"id": data["organization_id"], "name": data["name"]}
    org = _org(org_data, lang)
    service, _ = Service.objects.update_or_create(
        id=data["id"],
        defaults={
            "organization": org,
            "name": {lang: data["name"]},
            "description": {lang: data.get("description", "")},
            "eligibility_description": {lang: data["eligibility_description"]}
            if data.get("eligibility_description")
            else {},
            "fees_description": {lang: data["fees_description"]} if data.get("fees_description") else {},
            "application_process": {lang: data["application_process"]} if data.get("application_process") else {},
            "url": data.get("url", ""),
            "email": data.get("email", ""),
            "status": data["status"],
            "interpretation": bool(data.get("interpretation_services")),
            "is_free": any(c.get("amount") == 0 for c in data.get("cost_options") or []),
            "languages": sorted(
                {(lang_["code"] or "")[:2] for lang_ in data.get("languages") or [] if lang_.get("code")}
            ),
            # Nothing in HSDS says a partner asks no status question: an editor must confirm it.
            "no_status_question": False,
        },
    )
    for p in data.get("phones") or []:
        Phone.objects.update_or_create(
            id=p["id"],
            defaults={"service": service, "number": p["number"][:40], "extension": _extension(p.get("extension"))},
        )
    for sal in data.get("service_at_locations") or []:
        loc_data = sal.get("location")
        if not loc_data:
            continue
        location, _ = Location.objects.update_or_create(
            id=loc_data["id"],
            defaults={
                "organization": org,
                "name": {lang: loc_data.get("name", "")},
                "description": {lang: loc_data["description"]} if loc_data.get("description") else {},
                "latitude": loc_data.get("latitude"),
                "longitude": loc_data.get("longitude"),
                "borough": _nearest_borough(loc_data.get("latitude"), loc_data.get("longitude")),
            },
        )
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
    for s in data.get("schedules") or []:
        opens, closes = _time(s.get("opens_at")), _time(s.get("closes_at"))
        if s.get("freq") == "WEEKLY" and s.get("byday") and opens and closes:
            Schedule.objects.update_or_create(
                id=s["id"],
                defaults={
                    "service": service,
                    "byday": s["byday"],
                    "opens_at": opens,
                    "closes_at": closes,
                    "valid_from": s.get("valid_from") or None,
                    "valid_to": s.get("valid_to") or None,
                },
            )
    service.search_text = build_search_text(service)
    service.save(update_fields=["search_text"])
    return service


def package_import(*, acting_user, data, lang: str = "en") -> int:
    """Validate every record, then import them all in one transaction. Returns the count."""
    records = records_of(data)
    errors = validate(records)
    if errors:
        raise ImportErrors(errors)
    with transaction.atomic():
        for record in records:
            _service(record, lang)
        audit_entry_create(acting_user=acting_user, action="directory.import", detail={"services": len(records)})
    return len(records)


def _extension(value) -> str:
    """HSDS types the extension as a number (100 or 100.0); older files may hold text."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)[:10]
