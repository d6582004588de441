"""Open data: each published release as CSV and JSON, described by a Frictionless Data Package
with a Table Schema; a catalogue of every release. The addresses never change: a correction is a
new release with its own address, and the catalogue's errata say which release it replaces.

Files are machine-readable: column names and codes are in English; titles in French and English
(the city's two languages of record)."""

from __future__ import annotations

import csv
import io
import json

from django.urls import reverse
from django.utils import translation

from . import catalogue, selectors
from .models import Release

LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}

FIELDS = [
    ("indicator", "string", "The indicator's code (see the catalogue)."),
    ("period", "string", "A year (2026) or a quarter (2026-Q1)."),
    ("area", "string", "A borough, or empty for the whole city; TOTAL for the table's total."),
    ("value", "integer", "The published value; empty when withheld."),
    (
        "status",
        "string",
        "published, or why the value is withheld: primary (below the threshold), "
        "secondary (to protect another cell), source (withheld by the source).",
    ),
    ("interval_95", "integer", "The value is within ± this of the true count with 95 % confidence (0: exact)."),
    ("version", "integer", "1, then 2, 3… for each correction."),
]
STATUSES = ["published", "primary", "secondary", "source"]


def dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


def _rows(release: Release) -> list[list]:
    rows = [
        [
            release.indicator,
            release.period,
            cell["area"],
            cell["value"],
            cell["status"],
            release.interval,
            release.version,
        ]
        for cell in release.cells
    ]
    if release.total_status:
        rows.append(
            [
                release.indicator,
                release.period,
                "TOTAL",
                release.total,
                release.total_status,
                release.interval,
                release.version,
            ]
        )
    return rows


def release_csv(release: Release) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _type, _desc in FIELDS])
    for row in _rows(release):
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode("utf-8")


def _titles(release: Release) -> dict[str, str]:
    indicator = catalogue.get(release.indicator)
    titles = {}
    for language in ("fr", "en"):
        with translation.override(language):
            titles[language] = f"{indicator.title if indicator else release.indicator} — {release.period}"
    return titles


def release_json(release: Release) -> dict:
    """The release and its parameters: everything needed to read and check the figures."""
    return {
        "id": release.slug,
        "indicator": release.indicator,
        "period": release.period,
        "version": release.version,
        "title": _titles(release),
        "geography": release.geography,
        "method": release.method,
        "privacy_unit": release.privacy_unit,
        "mechanism": release.mechanism or None,
        "sensitivity": release.sensitivity,
        "scale": float(release.scale) if release.scale is not None else None,
        "epsilon": float(release.epsilon),
        "delta": float(release.delta),
        "interval_95": release.interval,
        "rounding_base": release.base,
        "suppression_threshold": release.threshold,
        "approved_on": release.approved_on.isoformat() if release.approved_on else None,
        "corrects": release.corrects.slug if release.corrects_id else None,
        "correction_reason": release.reason or None,
        "cells": [{"area": c["area"], "value": c["value"], "status": c["status"]} for c in release.cells],
        "total": {"value": release.total, "status": release.total_status} if release.total_status else None,
    }


def table_schema() -> dict:
    return {
        "fields": [
            {
                "name": name,
                "type": kind,
                "description": description,
                **({"constraints": {"enum": STATUSES, "required": True}} if name == "status" else {}),
                **({"constraints": {"minimum": 0}} if name in ("value", "interval_95") else {}),
            }
            for name, kind, description in FIELDS
        ],
        "missingValues": [""],
        "primaryKey": ["indicator", "period", "area", "version"],
    }


def data_package(release: Release) -> dict:
    """A Frictionless Data Package: the CSV and JSON resources, the Table Schema, release notes."""
    notes = [
        f"Method: {release.method}.",
        f"Privacy: ε = {release.epsilon} per {release.privacy_unit} ({release.mechanism})."
        if release.mechanism
        else "No noise added.",
        f"Values within ± {release.interval} of the true count with 95 % confidence." if release.interval else "",
        f"Corrects {release.corrects.slug} ({release.reason})." if release.corrects_id else "",
    ]
    return {
        "profile": "tabular-data-package",
        "name": release.slug,
        "title": _titles(release)["en"],
        "description": " ".join(note for note in notes if note),
        "version": str(release.version),
        "created": release.approved_on.isoformat() if release.approved_on else None,
        "licenses": [LICENSE],
        "resources": [
            {
                "name": release.slug,
                "profile": "tabular-data-resource",
                "path": reverse("impact_data:csv", kwargs={"slug": release.slug}),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(),
            },
            {
                "name": f"{release.slug}-release",
                "path": reverse("impact_data:json", kwargs={"slug": release.slug}),
                "format": "json",
                "mediatype": "application/json",
            },
        ],
    }


def catalog() -> dict:
    """Every published release with its addresses, and the errata (which release replaces which)."""
    releases = selectors.all_published()
    corrections = selectors.errata()
    replaced_by = {release.corrects_id: release.slug for release in corrections}
    return {
        "releases": [
            {
                "id": release.slug,
                "indicator": release.indicator,
                "period": release.period,
                "version": release.version,
                "superseded_by": replaced_by.get(release.pk),
                "csv": reverse("impact_data:csv", kwargs={"slug": release.slug}),
                "json": reverse("impact_data:json", kwargs={"slug": release.slug}),
                "datapackage": reverse("impact_data:schema", kwargs={"slug": release.slug}),
            }
            for release in releases
        ],
        "errata": [
            {
                "id": release.slug,
                "corrects": release.corrects.slug,
                "reason": release.reason,
                "published_on": release.approved_on.isoformat() if release.approved_on else None,
            }
            for release in corrections
        ],
    }
