"""HSDS 3.0 JSON for the public API and the bulk export.

Locations come only from ``selectors.public_location``; nothing here reads a Location row's
address or coordinates directly. HSDS texts are single strings: the API language is chosen with
``?lang=`` (default French, which is also the fallback for a missing translation). Empty values
are omitted because the schemas type them as non-nullable.
"""

from . import i18n
from .models import Organization, Service, Taxonomy, TaxonomyTerm
from .reference import FLAGS, stable_uuid
from .selectors import PublicLocation, public_location


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _t(texts, lang):
    return i18n.pick(texts, lang).value


def taxonomy_term(term: TaxonomyTerm, lang: str) -> dict:
    return _clean(
        {
            "id": str(term.id),
            "code": term.code,
            "name": _t(term.name, lang),
            "description": _t(term.description, lang) or _t(term.name, lang),
            "parent_id": str(term.parent_id) if term.parent_id else None,
            "taxonomy": term.taxonomy.name,
            "language": lang,
            "taxonomy_id": str(term.taxonomy_id),
        }
    )


def taxonomy(t: Taxonomy) -> dict:
    return _clean({"id": str(t.id), "name": t.name, "description": t.description, "uri": t.uri, "version": t.version})


def _attribute(link_id, link_type, term: TaxonomyTerm, lang, value="true") -> dict:
    return {
        "id": str(stable_uuid("attribute", link_id, term.code)),
        "link_id": str(link_id),
        "link_type": link_type,
        "link_entity": "service",
        "taxonomy_term_id": str(term.id),
        "value": value,
        "taxonomy_term": taxonomy_term(term, lang),
    }


def _terms_by_code():
    return {t.code: t for t in TaxonomyTerm.objects.select_related("taxonomy")}


def _phone(p, lang, **links) -> dict:
    return _clean(
        {
            "id": str(p.id),
            "number": p.number,
            # HSDS 3.0 types the extension as a number; ours are digits only (forms.parse_phone_lines).
            "extension": int(p.extension) if p.extension.isdigit() else None,
            "type": p.type,
            "description": _t(p.description, lang),
            **links,
        }
    )


def location(loc: PublicLocation, lang: str) -> dict:
    data = {
        "id": loc.id,
        "location_type": "physical",
        "organization_id": loc.organization_id,
        "name": _t(loc.name, lang),
        "description": _t(loc.description, lang),
        "transportation": _t(loc.transportation, lang),
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "addresses": [{**a.__dict__, "location_id": loc.id} for a in loc.addresses],
        "phones": [_phone(p, lang, location_id=loc.id) for p in loc.phones],
        "accessibility": [],
    }
    if loc.confidential:
        data["location_type"] = "virtual"
        if loc.intake_phone:
            data["phones"] = [
                {
                    "id": str(stable_uuid("intake", loc.id)),
                    "number": loc.intake_phone,
                    "type": "voice",
                    "description": "intake",
                    "location_id": loc.id,
                }
            ]
    elif _t(loc.accessibility, lang):
        data["accessibility"] = [
            {
                "id": str(stable_uuid("accessibility", loc.id)),
                "location_id": loc.id,
                "description": _t(loc.accessibility, lang),
            }
        ]
    return _clean(data)


def organization(org: Organization, lang: str, *, services=None) -> dict:
    data = {
        "id": str(org.id),
        "name": _t(org.name, lang),
        "description": _t(org.description, lang) or _t(org.name, lang),
        "email": org.email,
        "website": org.website,
        "phones": [],
        "locations": [location(public_location(loc), lang) for loc in org.locations.all()],
    }
    if services is not None:
        data["services"] = services
    return _clean(data)


def _schedule(s, lang) -> dict:
    return _clean(
        {
            "id": str(s.id),
            "service_id": str(s.service_id),
            "location_id": str(s.location_id) if s.location_id else None,
            "freq": s.freq,
            "byday": s.byday,
            "opens_at": s.opens_at.strftime("%H:%M"),
            "closes_at": s.closes_at.strftime("%H:%M"),
            "valid_from": s.valid_from.isoformat() if s.valid_from else None,
            "valid_to": s.valid_to.isoformat() if s.valid_to else None,
            "description": _t(s.description, lang),
            "notes": "America/Montreal",
        }
    )


def _closure_schedule(c, lang) -> dict:
    # HSDS has no closure entity: a closure is a schedule with no opening, valid over its dates.
    return _clean(
        {
            "id": str(c.id),
            "service_id": str(c.service_id),
            "valid_from": c.date_start.isoformat(),
            "valid_to": c.date_end.isoformat(),
            "description": _t(c.description, lang) or "closed",
            "notes": "closed",
        }
    )


def service(s: Service, lang: str, *, full: bool = True, terms=None) -> dict:
    terms = terms if terms is not None else _terms_by_code()
    data = {
        "id": str(s.id),
        "organization_id": str(s.organization_id),
        "name": _t(s.name, lang),
        "description": _t(s.description, lang),
        "url": s.url,
        "email": s.email,
        "status": s.status,
        "interpretation_services": "yes" if s.interpretation else None,
        "application_process": _t(s.application_process, lang),
        "fees_description": _t(s.fees_description, lang),
        "eligibility_description": _t(s.eligibility_description, lang),
        "assured_date": s.last_verified.isoformat() if s.last_verified else None,
        "last_modified": s.last_modified.isoformat(),
        "organization": {
            "id": str(s.organization.id),
            "name": _t(s.organization.name, lang),
            "description": _t(s.organization.description, lang) or _t(s.organization.name, lang),
        },
    }
    if full:
        attributes = [_attribute(s.id, "need", term, lang) for term in s.needs.all()]
        attributes += [_attribute(s.id, "sanspeur", terms[code], lang) for code in FLAGS if getattr(s, code)]
        data.update(
            {
                "phones": [_phone(p, lang, service_id=str(s.id)) for p in s.phones.all()],
                "schedules": [_schedule(x, lang) for x in s.schedules.all()]
                + [_closure_schedule(c, lang) for c in s.closures.all()],
                "service_areas": [
                    {
                        "id": str(stable_uuid("area", s.id, b.code)),
                        "service_id": str(s.id),
                        "name": b.name,
                        "extent_type": "other",
                        "extent": f"POINT({b.longitude} {b.latitude})",
                    }
                    for b in s.service_areas.all()
                ],
                "languages": [
                    {"id": str(stable_uuid("language", s.id, code)), "service_id": str(s.id), "code": code}
                    for code in s.languages or []
                ],
                "cost_options": [
                    {
                        "id": str(stable_uuid("cost", s.id)),
                        "service_id": str(s.id),
                        "amount": 0,
                        "currency": "CAD",
                        "option": "free",
                        "amount_description": "Free / Gratuit",
                    }
                ]
                if s.is_free
                else [],
                "attributes": attributes,
                "service_at_locations": [service_at_location_brief(sal, lang) for sal in s.service_at_locations.all()],
            }
        )
    return _clean(data)


def service_at_location_brief(sal, lang) -> dict:
    loc = public_location(sal.location)
    return _clean(
        {"id": str(sal.id), "service_id": str(sal.service_id), "location_id": loc.id, "location": location(loc, lang)}
    )


def service_at_location(sal, lang, *, full: bool = True, terms=None) -> dict:
    data = service_at_location_brief(sal, lang)
    data["service"] = service(sal.service, lang, full=False, terms=terms)
    if full:
        data["schedules"] = [_schedule(x, lang) for x in sal.service.schedules.all()]
    return _clean(data)
