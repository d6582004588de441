"""HSDS 3.0 tabular (CSV) package, flattened from the public JSON export.

Because it is built from ``hsds.service`` output, confidential sites keep their front gate only.
Table file names and columns follow the HSDS tabular layout.
"""

import csv
import io
import json
import zipfile

from . import hsds
from .models import Organization, Taxonomy, TaxonomyTerm

TABLES = {
    "organization": (
        "organizations.csv",
        [
            "id",
            "name",
            "alternate_name",
            "description",
            "email",
            "website",
            "tax_status",
            "tax_id",
            "year_incorporated",
            "legal_status",
            "logo",
            "uri",
            "parent_organization_id",
        ],
    ),
    "service": (
        "services.csv",
        [
            "id",
            "organization_id",
            "program_id",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "interpretation_services",
            "application_process",
            "fees_description",
            "wait_time",
            "fees",
            "accreditations",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "assurer_email",
            "licenses",
            "alert",
            "last_modified",
        ],
    ),
    "location": (
        "locations.csv",
        [
            "id",
            "location_type",
            "url",
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "latitude",
            "longitude",
            "external_identifier",
            "external_identifier_type",
        ],
    ),
    "address": (
        "addresses.csv",
        [
            "id",
            "location_id",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ],
    ),
    "phone": (
        "phones.csv",
        [
            "id",
            "location_id",
            "service_id",
            "organization_id",
            "contact_id",
            "service_at_location_id",
            "number",
            "extension",
            "type",
            "description",
        ],
    ),
    "schedule": (
        "schedules.csv",
        [
            "id",
            "service_id",
            "location_id",
            "service_at_location_id",
            "valid_from",
            "valid_to",
            "dtstart",
            "timezone",
            "until",
            "count",
            "wkst",
            "freq",
            "interval",
            "byday",
            "byweekno",
            "bymonthday",
            "byyearday",
            "description",
            "opens_at",
            "closes_at",
            "schedule_link",
            "attending_type",
            "notes",
        ],
    ),
    "service_at_location": ("service_at_location.csv", ["id", "service_id", "location_id", "description"]),
    "language": ("languages.csv", ["id", "service_id", "location_id", "phone_id", "name", "code", "note"]),
    "service_area": ("service_areas.csv", ["id", "service_id", "name", "description", "extent", "extent_type", "uri"]),
    "cost_option": (
        "cost_options.csv",
        ["id", "service_id", "valid_from", "valid_to", "option", "currency", "amount", "amount_description"],
    ),
    "attribute": ("attributes.csv", ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"]),
    "taxonomy": ("taxonomies.csv", ["id", "name", "description", "uri", "version"]),
    "taxonomy_term": (
        "taxonomy_terms.csv",
        ["id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri"],
    ),
    "accessibility": ("accessibility.csv", ["id", "location_id", "description", "details", "url"]),
}


def tables(services: list[dict], lang: str = "fr") -> dict[str, list[dict]]:
    rows: dict[str, dict[str, dict]] = {name: {} for name in TABLES}

    def add(table, record):
        rows[table][record["id"]] = record

    for org in Organization.objects.filter(id__in={s["organization_id"] for s in services}):
        add("organization", hsds.organization(org, lang))
    for s in services:
        add("service", s)
        for p in s.get("phones", []):
            add("phone", p)
        for x in s.get("schedules", []):
            add("schedule", x)
        for x in s.get("languages", []):
            add("language", x)
        for x in s.get("service_areas", []):
            add("service_area", x)
        for x in s.get("cost_options", []):
            add("cost_option", x)
        for x in s.get("attributes", []):
            add("attribute", x)
        for sal in s.get("service_at_locations", []):
            add("service_at_location", sal)
            loc = sal["location"]
            add("location", loc)
            for a in loc.get("addresses", []):
                add("address", a)
            for p in loc.get("phones", []):
                add("phone", p)
            for a in loc.get("accessibility", []):
                add("accessibility", a)
    for t in Taxonomy.objects.all():
        add("taxonomy", hsds.taxonomy(t))
    for t in TaxonomyTerm.objects.select_related("taxonomy"):
        add("taxonomy_term", hsds.taxonomy_term(t, lang))
    return {name: list(found.values()) for name, found in rows.items()}


def zip_package(services: list[dict], lang: str = "fr") -> bytes:
    buffer = io.BytesIO()
    resources = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, records in tables(services, lang).items():
            path, columns = TABLES[name]
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            for record in records:
                writer.writerow({k: v for k, v in record.items() if not isinstance(v, dict | list)})
            archive.writestr(path, text.getvalue())
            resources.append(
                {
                    "name": name,
                    "path": path,
                    "format": "csv",
                    "mediatype": "text/csv",
                    "profile": "tabular-data-resource",
                    "schema": {"fields": [{"name": c} for c in columns]},
                }
            )
        archive.writestr(
            "datapackage.json",
            json.dumps(
                {
                    "name": "sanspeur-directory",
                    "profile": "tabular-data-package",
                    "title": "Sans peur — Montréal directory (HSDS 3.0 tabular)",
                    "resources": resources,
                },
                ensure_ascii=False,
                indent=1,
            ),
        )
    return buffer.getvalue()
