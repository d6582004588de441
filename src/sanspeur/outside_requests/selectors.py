"""Reads of the register and of the refusal reports. Opening a request's sealed details or one of
its documents is audited (``core.services.audit_read``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Length
from django.utils import timezone

from sanspeur.core import vault
from sanspeur.core.services import audit_read

from . import editions, services
from .models import (
    CanaryStatement,
    CharterSignature,
    DataCategory,
    EditionFile,
    Instrument,
    Outcome,
    OutsideRequest,
    RefusalReport,
    RequestDocument,
    RequesterType,
    TransparencyEdition,
)

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


def refusal_follow(codename: str) -> RefusalReport | None:
    """The report a codename follows, or None (same path and time for a wrong one). Raises
    protection.selectors.RateLimited after too many wrong codenames in its bucket or for its id."""
    from sanspeur.protection.selectors import codename_open

    found = codename_open(
        codename,
        purpose=services.REFUSAL_CODENAME,
        find=lambda lookup: RefusalReport.objects.filter(codename_lookup=lookup).first(),
    )
    return found[0] if found else None


PUBLIC_MINIMUM = 5  # a public count of residents' reports below this shows as "fewer than 5"


def refusal_counts_by_service_type() -> dict:
    """Residents' reports by kind of service (the directory's needs) and by what happened, for the
    public page: counts below PUBLIC_MINIMUM are withheld (None), and so is a row's total when a
    single withheld cell could be recovered from it (secondary suppression)."""
    from sanspeur.directory.i18n import pick
    from sanspeur.directory.models import TaxonomyTerm

    kinds = [value for value, _label in RefusalReport.What.choices]
    table: dict[str, Counter] = {}
    names: dict[str, str] = {}
    rows = RefusalReport.objects.filter(service__isnull=False).values_list("what", "service__needs")
    for what, term_id in rows:
        key = str(term_id) if term_id else ""
        table.setdefault(key, Counter())[what] += 1
    for term in TaxonomyTerm.objects.filter(pk__in=[key for key in table if key]):
        names[str(term.pk)] = pick(term.name).value
    result = []
    for key, counts in sorted(table.items(), key=lambda item: names.get(item[0], "~")):
        cells = [counts.get(kind, 0) for kind in kinds]
        shown = [n if n == 0 or n >= PUBLIC_MINIMUM else None for n in cells]
        withheld = [i for i, n in enumerate(shown) if n is None]
        if len(withheld) == 1:  # one hidden cell and a total would give it away: hide the smallest other
            others = [i for i, n in enumerate(cells) if shown[i] not in (None, 0)]
            if others:
                shown[min(others, key=lambda i: cells[i])] = None
        total = sum(cells)
        result.append(
            {
                "service_type": names.get(key, ""),
                "cells": shown,
                "total": total if total >= PUBLIC_MINIMUM else None,
            }
        )
    return {"kinds": [str(label) for _value, label in RefusalReport.What.choices], "rows": result}


def refusal_counts() -> list[tuple[str, int]]:
    """How many reports of each kind (aggregates only), as (label, count)."""
    found = dict(RefusalReport.objects.values_list("what").annotate(n=Count("id")))
    return [(str(label), found.get(value, 0)) for value, label in RefusalReport.What.choices]


# --- Transparency (counts of published requests) ----------------------------------------------------------------
BANDS = editions.BANDS
band = editions.band


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


# --- Half-yearly editions and the canary ---------------------------------------------------------------------
def edition_get(period: str) -> TransparencyEdition | None:
    if editions.period_bounds(period) is None:
        return None
    return TransparencyEdition.objects.filter(period=period).first()


def edition_list() -> list[TransparencyEdition]:
    return list(TransparencyEdition.objects.all())


def edition_view(edition: TransparencyEdition) -> dict:
    """The frozen JSON of the edition, with labels in the page's language."""
    import json

    content = EditionFile.objects.get(edition=edition, name=editions.file_names(edition.period)["json"]).content
    return editions.labelled(json.loads(bytes(content)))


def edition_files(edition: TransparencyEdition) -> list[dict]:
    return [
        {"name": name, "size": size, "kind": name.rsplit(".", 1)[-1]}
        for name, size in EditionFile.objects.filter(edition=edition)
        .annotate(size=Length("content"))
        .values_list("name", "size")
    ]


def edition_file_get(name: str) -> EditionFile | None:
    if not isinstance(name, str) or len(name) > 80 or not name.isprintable():
        return None
    return EditionFile.objects.filter(name=name).first()


def canary_current() -> CanaryStatement | None:
    from django.conf import settings

    if not settings.SANSPEUR_CANARY_ENABLED:
        return None
    return CanaryStatement.objects.first()


def publishable_periods(*, today: dt.date | None = None) -> list[str]:
    """Half-years that have ended and come after the last edition (the last three years at most)."""
    today = today or _today()
    last = TransparencyEdition.objects.order_by("-period").values_list("period", flat=True).first() or ""
    periods = []
    for year in range(today.year - 3, today.year + 1):
        for half in (1, 2):
            period = f"{year}-H{half}"
            if editions.period_bounds(period)[1] < today and period > last:
                periods.append(period)
    return periods


def editions_dashboard() -> dict:
    from django.conf import settings

    waiting = OutsideRequest.objects.filter(state=OutsideRequest.State.PUBLISHED, edition__isnull=True).count()
    return {
        "editions": edition_list(),
        "periods": publishable_periods(),
        "waiting": waiting,
        "canary_enabled": settings.SANSPEUR_CANARY_ENABLED,
        "canary": CanaryStatement.objects.first(),
        "this_month": _today().replace(day=1),
    }


def calendar_events() -> list[tuple[str, str, dt.date]]:
    """Every date the register must act on, (reference, kind, date): open requests' deadlines, orders'
    expiries, deferred notices. References and kinds only."""
    events = []
    for reference, due_on in OutsideRequest.objects.filter(state__in=OPEN_STATES, due_on__isnull=False).values_list(
        "reference", "due_on"
    ):
        events.append((reference, "due", due_on))
    for reference, expires in (
        OutsideRequest.objects.filter(non_disclosure_order=True, ndo_expires_on__isnull=False)
        .exclude(state=OutsideRequest.State.PUBLISHED)
        .values_list("reference", "ndo_expires_on")
    ):
        events.append((reference, "ndo", expires))
    for reference, until in OutsideRequest.objects.filter(state=OutsideRequest.State.DEFERRED).values_list(
        "reference", "notice_deferred_until"
    ):
        if until:
            events.append((reference, "notice", until))
    return sorted(events, key=lambda event: (event[2], event[0], event[1]))


# --- The charter -----------------------------------------------------------------------------------------------
def charter_signature(organisation) -> CharterSignature | None:
    """The organisation's signature of the current version, if any."""
    from . import charter

    if organisation is None:
        return None
    return CharterSignature.objects.filter(
        organisation=organisation, version=charter.CURRENT_VERSION, withdrawn_on__isnull=True
    ).first()


def charter_signatories() -> list[str]:
    """Names of the organisations that signed the current version (public: they are services)."""
    from . import charter

    return list(
        CharterSignature.objects.filter(version=charter.CURRENT_VERSION, withdrawn_on__isnull=True)
        .order_by("organisation__name")
        .values_list("organisation__name", flat=True)
    )


def charter_organisation_ids() -> set:
    """The accounts organisations with a current signature (for the directory's badge)."""
    from . import charter

    return set(
        CharterSignature.objects.filter(version=charter.CURRENT_VERSION, withdrawn_on__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )


# --- What the directory shows about a service's trust: the card badge, the charter ------------------------
#: Reports about these kinds that the city closed unresolved take the "accepts the card" badge away
#: until one of them is reopened and resolved.
BADGE_KINDS = (
    RefusalReport.What.REFUSED_CARD,
    RefusalReport.What.ASKED_STATUS,
    RefusalReport.What.ASKED_DOCUMENTS,
    RefusalReport.What.CALLED_POLICE,
)


def card_badge_withdrawn():
    """A condition on directory services (an ``Exists``): an unresolved report stands against it."""
    from django.db.models import Exists, OuterRef

    return Exists(
        RefusalReport.objects.filter(
            service_id=OuterRef("pk"), state=RefusalReport.State.UNRESOLVED, what__in=BADGE_KINDS
        )
    )


def charter_signed():
    """A condition on directory services (an ``Exists``): their organisation signed the charter."""
    from django.db.models import Exists, OuterRef

    from . import charter

    return Exists(
        CharterSignature.objects.filter(
            organisation_id=OuterRef("organization__partner_id"),
            version=charter.CURRENT_VERSION,
            withdrawn_on__isnull=True,
        )
    )


def trust_marks(service_ids) -> tuple[set, set]:
    """(services whose card badge is withdrawn, services whose organisation signed the charter)."""
    from sanspeur.directory.models import Service

    ids = list(service_ids)
    if not ids:
        return set(), set()
    withdrawn = set(
        RefusalReport.objects.filter(
            service_id__in=ids, state=RefusalReport.State.UNRESOLVED, what__in=BADGE_KINDS
        ).values_list("service_id", flat=True)
    )
    from . import charter

    signatories = CharterSignature.objects.filter(version=charter.CURRENT_VERSION, withdrawn_on__isnull=True)
    signed = set(
        Service.objects.filter(
            pk__in=ids, organization__partner_id__in=signatories.values("organisation_id")
        ).values_list("pk", flat=True)
    )
    return withdrawn, signed


# --- Work queues (the dashboard's tiles, accounts/dashboard.py) -------------------------------------------
def open_requests_count() -> int:
    """Outside requests not yet answered (received, triaged, in legal review, narrowing, decided)."""
    return OutsideRequest.objects.filter(state__in=OPEN_STATES).count()


def refusals_to_follow_count() -> int:
    """Residents' refusal reports not yet resolved or closed as unresolved."""
    return RefusalReport.objects.filter(state__in=(RefusalReport.State.RECEIVED, RefusalReport.State.CONTACTED)).count()
