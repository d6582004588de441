"""The public register of awards in the 360Giving Data Standard (JSON package and flat CSV).

What is published is what the city decided: the recipient organisation, the amount, the dates, the
programme and the purpose (the project's title and summary, which the applicant wrote knowing it is
published once funded), and the borough where the project runs. Never anything about the people a
project serves. Only the awards of calls whose decisions are closed (decided, archived).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from sanspeur.accounts.models import Organisation

from . import states
from .models import Application

SCHEMA_VERSION = "1.4"
ID_PREFIX = "360G-sanspeur-montreal"  # the identifier prefix a publisher registers with 360Giving
PUBLISHED_CALLS = (states.DECIDED, states.ARCHIVED)


def awards():
    return (
        Application.objects.filter(state=states.APPROVED, call__state__in=PUBLISHED_CALLS)
        .select_related("call", "organisation", "organisation__grant_profile")
        .annotate(requested=Sum("budget_lines__amount"))
        .order_by("call__opens_on", "pk")
    )


def _number(value: Decimal | None):
    """A JSON number from a Decimal: an integer when it has no cents."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _recipient_id(organisation) -> str:
    profile = getattr(organisation, "grant_profile", None)
    if profile is not None and profile.registration_number:
        return f"CA-QC-NEQ-{profile.registration_number}"
    return f"{ID_PREFIX}-org-{organisation.pk}"


def _funder() -> dict:
    city = Organisation.objects.filter(kind=Organisation.Kind.CITY).first()
    return {"id": f"{ID_PREFIX}-city", "name": city.name if city else "Ville de Montréal"}


def grant_record(application: Application, funder: dict) -> dict:
    call = application.call
    record = {
        "id": f"{ID_PREFIX}-{application.reference}",
        "title": application.project_title,
        "description": application.summary or application.project_title,
        "currency": "CAD",
        "amountAwarded": _number(application.awarded_amount),
        "amountAppliedFor": _number(getattr(application, "requested", None)),
        "awardDate": application.decided_on.isoformat(),
        "plannedDates": [{"startDate": f"{call.first_year}-01-01", "endDate": f"{call.last_year}-12-31"}],
        "recipientOrganization": [
            {"id": _recipient_id(application.organisation), "name": application.organisation.name}
        ],
        "fundingOrganization": [funder],
        "grantProgramme": [{"code": call.code, "title": call.title.get("fr") or call.title.get("en")}],
        "fromOpenCall": "Yes",
        "dateModified": application.updated_at.isoformat(),
    }
    if application.borough:
        record["beneficiaryLocation"] = [{"name": application.borough, "countryCode": "CA"}]
    if record["amountAppliedFor"] is None:
        del record["amountAppliedFor"]
    return record


def package() -> dict:
    funder = _funder()
    return {
        "version": SCHEMA_VERSION,
        "title": "Sans peur — Montréal: community funding awards",
        "issued": timezone.localdate().isoformat(),
        "grants": [grant_record(application, funder) for application in awards()],
    }


CSV_COLUMNS = [
    ("Identifier", lambda g: g["id"]),
    ("Title", lambda g: g["title"]),
    ("Description", lambda g: g["description"]),
    ("Currency", lambda g: g["currency"]),
    ("Amount Awarded", lambda g: g["amountAwarded"]),
    ("Amount Applied For", lambda g: g.get("amountAppliedFor", "")),
    ("Award Date", lambda g: g["awardDate"]),
    ("Planned Dates:Start Date", lambda g: g["plannedDates"][0]["startDate"]),
    ("Planned Dates:End Date", lambda g: g["plannedDates"][0]["endDate"]),
    ("Recipient Org:Identifier", lambda g: g["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda g: g["recipientOrganization"][0]["name"]),
    ("Funding Org:Identifier", lambda g: g["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda g: g["fundingOrganization"][0]["name"]),
    ("Grant Programme:Code", lambda g: g["grantProgramme"][0]["code"]),
    ("Grant Programme:Title", lambda g: g["grantProgramme"][0]["title"]),
    ("Beneficiary Location:Name", lambda g: (g.get("beneficiaryLocation") or [{}])[0].get("name", "")),
    ("From An Open Call?", lambda g: g["fromOpenCall"]),
    ("Last Modified", lambda g: g["dateModified"]),
]


def _csv_safe(value) -> str:
    """No cell starts like a formula in a spreadsheet."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(data: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for title, _get in CSV_COLUMNS])
    for grant in data["grants"]:
        writer.writerow([_csv_safe(get(grant)) for _title, get in CSV_COLUMNS])
    return out.getvalue()
