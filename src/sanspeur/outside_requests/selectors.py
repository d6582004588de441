"""Reads of the register and of the refusal reports. Opening a request's sealed details or one of
its documents is audited (``core.services.audit_read``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from sanspeur.core import vault
from sanspeur.core.services import audit_read

from . import services
from .models import DataCategory, Instrument, Outcome, OutsideRequest, RefusalReport, RequestDocument, RequesterType

DUE_SOON_DAYS = 7
NDO_SOON_DAYS = 30
OPEN_STATES = (
    OutsideRequest.State.RECEIVED,
    OutsideRequest.State.TRIAGED,
    OutsideRequest.State.LEGAL_REVIEW,
    OutsideRequest.State.NARROWING,
    OutsideRequest.State.DECIDED,
)


def _today() -> dt.date:
    return timezone.localdate()


def request_get(reference: str) -> OutsideRequest | None:
    if not isinstance(reference, str) or len(reference) > 16 or not reference.isprintable():
        return None
    return OutsideRequest.objects.filter(reference=reference).first()


def request_list(*, state: str = "") -> list[OutsideRequest]:
    queryset = OutsideRequest.objects.select_related("legal_sign_off", "privacy_sign_off")
    if state:
        queryset = queryset.filter(state=state)
    return list(queryset)


@dataclass
class Alert:
    request: OutsideRequest
    kind: str  # overdue, due_soon, ndo_expired, ndo_soon, notice_due
    on: dt.date


def dashboard_alerts(*, today: dt.date | None = None) -> list[Alert]:
    """Deadlines near or past, non-disclosure orders expiring or expired, deferred notices due."""
    today = today or _today()
    alerts: list[Alert] = []
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    for request in OutsideRequest.objects.filter(state__in=OPEN_STATES, due_on__isnull=False, due_on__lte=soon):
        alerts.append(Alert(request, "overdue" if request.due_on < today else "due_soon", request.due_on))
    ndo_soon = today + dt.timedelta(days=NDO_SOON_DAYS)
    for request in OutsideRequest.objects.filter(
        non_disclosure_order=True, ndo_expires_on__isnull=False, ndo_expires_on__lte=ndo_soon
    ).exclude(state=OutsideRequest.State.PUBLISHED):
        alerts.append(
            Alert(request, "ndo_expired" if request.ndo_expires_on <= today else "ndo_soon", request.ndo_expires_on)
        )
    for request in OutsideRequest.objects.filter(state=OutsideRequest.State.DEFERRED, notice_deferred_until__lte=soon):
        alerts.append(Alert(request, "notice_due", request.notice_deferred_until))
    return sorted(alerts, key=lambda alert: (alert.on, alert.request.reference))


def request_detail(*, acting_user, request: OutsideRequest) -> dict:
    """The sealed details (requester, subject, notes) and the documents' names; audited."""
    audit_read(acting_user=acting_user, target=request)
    details = {"requester": "", "subject": "", "notes": ""}
    documents = []
    shredded = request.shredded_on is not None
    if not shredded:
        try:
            details.update(
                vault.open_fields(request.data_key, request.sealed, context=services.sealed_context(request))
            )
        except vault.ShreddedError:
            shredded = True
    for document in request.documents.all():
        name = ""
        if not shredded and document.sealed_name is not None:
            name = vault.open_bytes(
                request.data_key, document.sealed_name, context=services.document_context(document, "name")
            ).decode("utf-8", "replace")
        documents.append({"id": document.pk, "kind": document.kind, "size": document.size, "name": name})
    return {"details": details, "documents": documents, "shredded": shredded}


CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png", "text": "text/plain"}


def document_open(*, acting_user, request: OutsideRequest, document_id: int) -> tuple[RequestDocument, bytes] | None:
    document = RequestDocument.objects.filter(request=request, pk=document_id).first()
    if document is None or document.sealed is None or request.shredded_on:
        return None
    audit_read(acting_user=acting_user, target=document)
    data = vault.open_bytes(request.data_key, document.sealed, context=services.document_context(document, "content"))
    return document, data


# --- Refusal reports -----------------------------------------------------------------------------------
def refusal_list(*, state: str = "") -> list[RefusalReport]:
    """The reports, each with ``service_label``: the service's name in the page's language."""
    from sanspeur.directory.i18n import pick

    queryset = RefusalReport.objects.select_related("service")
    if state:
        queryset = queryset.filter(state=state)
    reports = list(queryset)
    for report in reports:
        report.service_label = pick(report.service.name).value if report.service else ""
    return reports


def refusal_counts() -> list[tuple[str, int]]:
    """How many reports of each kind (aggregates only), as (label, count)."""
    found = dict(RefusalReport.objects.values_list("what").annotate(n=Count("id")))
    return [(str(label), found.get(value, 0)) for value, label in RefusalReport.What.choices]


# --- Transparency (counts of published requests) ----------------------------------------------------------------
BANDS = ((1, 1, "1"), (2, 9, "2–9"), (10, 49, "10–49"), (50, None, "50+"))


def band(number: int) -> str:
    """Persons affected, in bands: a count of one case is never more precise than its band."""
    if number <= 0:
        return "0"
    for low, high, label in BANDS:
        if number >= low and (high is None or number <= high):
            return label
    return BANDS[-1][2]


def transparency(*, year: int | None = None) -> dict:
    """The report's numbers, from the register: published requests only (an order still running
    keeps a request out until it expires, services.request_publish)."""
    published = OutsideRequest.objects.filter(state=OutsideRequest.State.PUBLISHED)
    if year:
        published = published.filter(received_on__year=year)
    rows = list(
        published.values("requester_type", "instrument", "outcome")
        .annotate(n=Count("id"))
        .order_by("requester_type", "instrument", "outcome")
    )
    total = sum(row["n"] for row in rows)
    refused = published.filter(outcome=Outcome.REFUSED).count()
    no_records = published.filter(outcome=Outcome.NO_RECORDS).count()
    disclosed = published.filter(Q(outcome=Outcome.DISCLOSED) | Q(outcome=Outcome.PARTIALLY_DISCLOSED))
    persons = Counter(band(n) for n in disclosed.values_list("persons_affected", flat=True))
    categories: Counter = Counter()
    for codes in published.values_list("categories", flat=True):
        categories.update(codes)
    days = [
        (responded - received).days
        for received, responded in published.filter(responded_on__isnull=False).values_list(
            "received_on", "responded_on"
        )
    ]
    category_labels = dict(DataCategory.choices)
    labels = {
        "requester_type": dict(RequesterType.choices),
        "instrument": dict(Instrument.choices),
        "outcome": dict(Outcome.choices),
    }
    return {
        "rows": [
            {
                "requester": str(labels["requester_type"].get(row["requester_type"], row["requester_type"])),
                "instrument": str(labels["instrument"].get(row["instrument"], row["instrument"])),
                "outcome": str(labels["outcome"].get(row["outcome"], row["outcome"])),
                "n": row["n"],
            }
            for row in rows
        ],
        "total": total,
        "refused_share": round(100 * refused / total) if total else 0,
        "no_records_share": round(100 * no_records / total) if total else 0,
        "persons_bands": [(label, persons.get(label, 0)) for _l, _h, label in BANDS],
        "categories": [(str(category_labels.get(code, code)), n) for code, n in sorted(categories.items())],
        "median_days": sorted(days)[len(days) // 2] if days else None,
    }
