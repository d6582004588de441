"""The half-yearly transparency report's files, built from the register.

The JSON file is the edition: codes and counts only (requester type, instrument, outcome, data
category, persons in bands), valid against ``EDITION_SCHEMA`` (JSON Schema). The CSV holds its main
table and is described by a Frictionless data package (``datapackage.json``, Table Schema). The PDFs,
one in French and one in English, are drawn from the same JSON. Every file is signed
(core/publications.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter

from django.utils import translation
from django.utils.translation import gettext as _

from .models import DataCategory, Instrument, Outcome, OutsideRequest, RequesterType

PERIOD = re.compile(r"^(?P<year>20[0-9]{2})-H(?P<half>[12])$")
FORMAT_VERSION = 1
PDF_LANGUAGES = ("fr", "en")
BANDS = ((1, 1, "1"), (2, 9, "2–9"), (10, 49, "10–49"), (50, None, "50+"))
CSV_FIELDS = ("requester_type", "instrument", "outcome", "requests")


def period_bounds(period: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of "YYYY-H1" / "YYYY-H2"; None for anything else."""
    match = PERIOD.match(period or "") if isinstance(period, str) and len(period) == 7 else None
    if match is None:
        return None
    year = int(match["year"])
    if match["half"] == "1":
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


def period_of(day: dt.date) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def band(number: int) -> str:
    """Persons affected, in bands: a count of one case is never more precise than its band."""
    if number <= 0:
        return "0"
    for low, high, label in BANDS:
        if number >= low and (high is None or number <= high):
            return label
    return BANDS[-1][2]


def edition_data(*, period: str, requests: list[OutsideRequest], published_on: dt.date) -> dict:
    """The edition's numbers: codes and counts, nothing about a person or a requester by name."""
    starts_on, ends_on = period_bounds(period)
    table = Counter((r.requester_type, r.instrument, r.outcome) for r in requests)
    categories: Counter = Counter()
    for request in requests:
        categories.update(request.categories)
    disclosed = [r for r in requests if r.outcome in (Outcome.DISCLOSED, Outcome.PARTIALLY_DISCLOSED)]
    persons = Counter(band(r.persons_affected) for r in disclosed)
    days = sorted((r.responded_on - r.received_on).days for r in requests if r.responded_on)
    total = len(requests)
    return {
        "format": FORMAT_VERSION,
        "period": period,
        "from": starts_on.isoformat(),
        "to": ends_on.isoformat(),
        "published_on": published_on.isoformat(),
        "requests": total,
        "received_before_period": sum(1 for r in requests if r.received_on < starts_on),
        "refused": sum(1 for r in requests if r.outcome == Outcome.REFUSED),
        "no_records_held": sum(1 for r in requests if r.outcome == Outcome.NO_RECORDS),
        "disclosed": len(disclosed),
        "median_days_to_answer": days[len(days) // 2] if days else None,
        "table": [
            {"requester_type": who, "instrument": how, "outcome": outcome, "requests": n}
            for (who, how, outcome), n in sorted(table.items())
        ],
        "categories": [{"category": code, "requests": n} for code, n in sorted(categories.items())],
        "persons_affected": [{"band": label, "disclosures": persons.get(label, 0)} for _l, _h, label in BANDS],
    }


# --- JSON Schema of the edition and Table Schema of its CSV -------------------------------------------------
def _enum(choices) -> list[str]:
    return [value for value, _label in choices]


def edition_schema() -> dict:
    count = {"type": "integer", "minimum": 0}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Sans peur transparency report: requests for data received by the city",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "format",
            "period",
            "from",
            "to",
            "published_on",
            "requests",
            "received_before_period",
            "refused",
            "no_records_held",
            "disclosed",
            "median_days_to_answer",
            "table",
            "categories",
            "persons_affected",
        ],
        "properties": {
            "format": {"const": FORMAT_VERSION},
            "period": {"type": "string", "pattern": PERIOD.pattern},
            "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
            "published_on": {"type": "string", "format": "date"},
            "requests": count,
            "received_before_period": count,
            "refused": count,
            "no_records_held": count,
            "disclosed": count,
            "median_days_to_answer": {"type": ["integer", "null"], "minimum": 0},
            "table": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": list(CSV_FIELDS),
                    "properties": {
                        "requester_type": {"enum": _enum(RequesterType.choices)},
                        "instrument": {"enum": _enum(Instrument.choices)},
                        "outcome": {"enum": _enum(Outcome.choices)},
                        "requests": {"type": "integer", "minimum": 1},
                    },
                },
            },
            "categories": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["category", "requests"],
                    "properties": {"category": {"enum": _enum(DataCategory.choices)}, "requests": count},
                },
            },
            "persons_affected": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["band", "disclosures"],
                    "properties": {"band": {"enum": [label for _l, _h, label in BANDS]}, "disclosures": count},
                },
            },
        },
    }


def table_schema() -> dict:
    """Frictionless Table Schema of the CSV (https://specs.frictionlessdata.io/table-schema/)."""
    return {
        "fields": [
            {
                "name": "requester_type",
                "type": "string",
                "constraints": {"required": True, "enum": _enum(RequesterType.choices)},
            },
            {
                "name": "instrument",
                "type": "string",
                "constraints": {"required": True, "enum": _enum(Instrument.choices)},
            },
            {"name": "outcome", "type": "string", "constraints": {"required": True, "enum": _enum(Outcome.choices)}},
            {"name": "requests", "type": "integer", "constraints": {"required": True, "minimum": 1}},
        ],
        "primaryKey": ["requester_type", "instrument", "outcome"],
    }


def edition_csv(data: dict) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for row in data["table"]:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def file_names(period: str) -> dict[str, str]:
    base = f"transparency-{period}"
    return {
        "json": f"{base}.json",
        "csv": f"{base}.csv",
        "package": f"{base}.datapackage.json",
        **{f"pdf_{language}": f"{base}.{language}.pdf" for language in PDF_LANGUAGES},
    }


def datapackage(data: dict) -> dict:
    """Frictionless Data Package descriptor: the CSV with its Table Schema, the JSON with its schema."""
    names = file_names(data["period"])
    return {
        "name": f"sanspeur-transparency-{data['period'].lower()}",
        "title": f"Requests for data received by the city, {data['from']} to {data['to']}",
        "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}],
        "created": data["published_on"],
        "resources": [
            {
                "name": "requests-by-requester-instrument-outcome",
                "path": names["csv"],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(),
            },
            {
                "name": "edition",
                "path": names["json"],
                "format": "json",
                "mediatype": "application/json",
                "schema": edition_schema(),
            },
        ],
    }


def dumps(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


# --- Labels (the HTML page and the PDFs) -------------------------------------------------------------------------
def labelled(data: dict) -> dict:
    """``data`` with labels in the active language beside the codes."""
    labels = {
        "requester_type": dict(RequesterType.choices),
        "instrument": dict(Instrument.choices),
        "outcome": dict(Outcome.choices),
    }
    category_labels = dict(DataCategory.choices)
    return {
        **data,
        "from_date": dt.date.fromisoformat(data["from"]),
        "to_date": dt.date.fromisoformat(data["to"]),
        "rows": [
            {**row, **{f"{key}_label": str(labels[key].get(row[key], row[key])) for key in labels}}
            for row in data["table"]
        ],
        "category_rows": [
            {**row, "label": str(category_labels.get(row["category"], row["category"]))} for row in data["categories"]
        ],
    }


def edition_pdf(data: dict, *, language: str) -> bytes:
    """The edition as a tagged-text PDF (reportlab, the card's embedded fonts), in ``language``."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from sanspeur.cards.printing import BOLD, REGULAR, fonts
    from sanspeur.core.pdf import INCH_MM, pdf_bytes

    fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=13)
    heading = ParagraphStyle("heading", fontName=BOLD, fontSize=15, leading=19, spaceAfter=6)
    subheading = ParagraphStyle("subheading", fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4)
    with translation.override(language):
        view = labelled(data)
        title = _("Requests for data: transparency report")
        story = [
            Paragraph(title, heading),
            Paragraph(_("Period: %(from)s to %(to)s") % {"from": data["from"], "to": data["to"]}, body),
            Paragraph(_("Published on %(date)s") % {"date": data["published_on"]}, body),
            Spacer(1, 4 * mm),
            Paragraph(_("Requests counted: %(n)s") % {"n": data["requests"]}, body),
            Paragraph(_("Refused: %(n)s") % {"n": data["refused"]}, body),
            Paragraph(_("No records held: %(n)s") % {"n": data["no_records_held"]}, body),
            Paragraph(_("Records disclosed under a judicial instrument: %(n)s") % {"n": data["disclosed"]}, body),
        ]
        if data["median_days_to_answer"] is not None:
            story.append(Paragraph(_("Median days to answer: %(n)s") % {"n": data["median_days_to_answer"]}, body))
        if data["received_before_period"]:
            story.append(
                Paragraph(
                    _("Received before this period and counted now that an order no longer keeps them secret: %(n)s")
                    % {"n": data["received_before_period"]},
                    body,
                )
            )
        story.append(Paragraph(_("Requests by requester, instrument and outcome"), subheading))
        rows = [[_("Who asked"), _("Instrument"), _("Outcome"), _("Requests")]]
        rows += [
            [
                Paragraph(row["requester_type_label"], body),
                Paragraph(row["instrument_label"], body),
                Paragraph(row["outcome_label"], body),
                str(row["requests"]),
            ]
            for row in view["rows"]
        ]
        table = Table(rows, colWidths=[50 * mm, 55 * mm, 45 * mm, 20 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), BOLD),
                    ("FONTNAME", (0, 1), (-1, -1), REGULAR),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                    ("GRID", (0, 1), (-1, -1), 0.25, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
        story.append(Paragraph(_("Data asked for"), subheading))
        for row in view["category_rows"]:
            story.append(Paragraph(f"{row['label']}: {row['requests']}", body))
        story.append(Paragraph(_("Persons concerned by a disclosure, in bands"), subheading))
        for row in data["persons_affected"]:
            story.append(Paragraph(f"{row['band']}: {row['disclosures']}", body))
        story.append(Spacer(1, 4 * mm))
        story.append(
            Paragraph(
                _(
                    "Each file of this report is signed with the city's published key; the signature is "
                    "the file's name followed by .jws."
                ),
                body,
            )
        )
        return pdf_bytes(story, title=title, language=language, margins_mm=(20, 20, INCH_MM, INCH_MM))
