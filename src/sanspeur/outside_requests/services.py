"""Writes of the register of outside requests and of the refusal reports: one action per change
(core/actions.py), each checked against states.py, audited with codes only.

The policy is encoded here, not in the forms: a voluntary or informal request is refused; records
are disclosed only under a judicial instrument (production order, search warrant, court order),
after a complete checklist and the sign-offs of a legal counsel and a privacy officer who are two
different people; every disclosure writes its entry in the register of communications.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanspeur.accounts.policy import has_capability, works_for_the_city
from sanspeur.core import vault
from sanspeur.core.actions import action, no_change, on_commit
from sanspeur.core.locks import lock_rows
from sanspeur.core.services import audit_entry_create

from . import editions
from .models import (
    CHECKLIST,
    JUDICIAL,
    VOLUNTARY,
    AlertNotice,
    CanaryStatement,
    CharterSignature,
    DataCategory,
    DisclosureEntry,
    EditionFile,
    Notice,
    Outcome,
    OutsideRequest,
    RefusalReport,
    RequestDocument,
    TransparencyEdition,
)
from .states import REFUSAL, REQUEST

if TYPE_CHECKING:
    from sanspeur.accounts.models import User
    from sanspeur.directory.models import Service

HANDLE = "handle_outside_requests"
LEGAL = "review_outside_requests_legal"
PRIVACY = "review_outside_requests_privacy"
FOLLOW_UP = "follow_up_refusal_reports"
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PURPOSE = "outside_requests.request"
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
REPORT_OLDEST_DAYS = 366
REFUSAL_CODENAME = "outside_requests.refusal.codename"  # look-up ids and guess limits of their own


def _today() -> dt.date:
    return timezone.localdate()


# --- Who may act (accounts/policy.py) ----------------------------------------------------------------
def _city(user, capability: str) -> bool:
    return user is not None and works_for_the_city(user) and has_capability(user, capability)


def _handler(acting_user, **_kwargs) -> bool:
    return _city(acting_user, HANDLE)


def _reviewer(acting_user, **_kwargs) -> bool:
    """A legal counsel or a privacy officer: the people whose sign-offs a disclosure needs."""
    return _city(acting_user, LEGAL) or _city(acting_user, PRIVACY)


def _follow_up(acting_user, **_kwargs) -> bool:
    return _city(acting_user, FOLLOW_UP)


# --- Helpers -----------------------------------------------------------------------------------------
def _new_reference() -> str:
    while True:
        reference = "DR-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        if not OutsideRequest.objects.filter(reference=reference).exists():
            return reference


def sealed_context(request: OutsideRequest) -> str:
    return f"outside_requests.request:{request.pk}"


def document_context(document: RequestDocument, part: str) -> str:
    return f"outside_requests.document:{document.request_id}:{document.pk}:{part}"


def _locked(request: OutsideRequest) -> OutsideRequest:
    rows = lock_rows(OutsideRequest.objects.filter(pk=request.pk))
    if not rows:
        raise OutsideRequest.DoesNotExist(request.pk)
    return rows[0]


def _advance(acting_user, request: OutsideRequest, name: str, **changes) -> OutsideRequest:
    """Check ``name`` against the request's life (InvalidTransition if refused), apply ``changes``,
    save, and write the audit entry (codes only). ``request`` is the locked row."""
    previous = request.state
    request.state = REQUEST.check(request.state, name)
    for field, value in changes.items():
        setattr(request, field, value)
    request.save()
    audit_entry_create(
        acting_user=acting_user,
        action=f"outside_requests.request.{name}",
        target=request,
        detail={"from": previous, "to": request.state, "instrument": request.instrument},
    )
    return request


def _run(acting_user, request: OutsideRequest, name: str, **changes) -> OutsideRequest:
    return _advance(acting_user, _locked(request), name, **changes)


def _kind_of(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "other"
    return "text"


def _store_document(request: OutsideRequest, name: str, data: bytes) -> RequestDocument:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("A document may be at most 10 MB."))
    document = RequestDocument.objects.create(
        request=request, kind=_kind_of(data), size=len(data), received_on=_today()
    )
    document.sealed = vault.seal_bytes(request.data_key, data, context=document_context(document, "content"))
    document.sealed_name = vault.seal_bytes(
        request.data_key, (name or "")[:200].encode(), context=document_context(document, "name")
    )
    document.save(update_fields=["sealed", "sealed_name"])
    return document


def _clean_categories(categories) -> list[str]:
    valid = set(DataCategory.values)
    chosen = [code for code in DataCategory.values if code in set(categories or ())]
    if not chosen or set(categories) - valid:
        raise ValidationError(_("Choose at least one category of data the request asks for."))
    return chosen


def ndo_running(request: OutsideRequest, on: dt.date | None = None) -> bool:
    """A non-disclosure order keeps the request secret today (no end date: until lifted)."""
    if not request.non_disclosure_order:
        return False
    return request.ndo_expires_on is None or request.ndo_expires_on > (on or _today())


# --- Intake --------------------------------------------------------------------------------------------
@action("outside_requests.request.register", policy=_handler)
def request_register(
    *,
    acting_user: User | None,
    channel: str,
    requester_type: str,
    instrument: str,
    received_on: dt.date,
    categories: list[str],
    requester: str,
    subject: str,
    notes: str = "",
    due_on: dt.date | None = None,
    non_disclosure_order: bool = False,
    ndo_expires_on: dt.date | None = None,
    persons_affected: int = 1,
    documents: list[tuple[str, bytes]] = (),
) -> OutsideRequest:
    """Enter a request in the register, from any channel; its documents are sealed at once."""
    today = _today()
    if received_on > today:
        raise ValidationError(_("The date received cannot be in the future."))
    if due_on is not None and due_on < received_on:
        raise ValidationError(_("The deadline cannot be before the date received."))
    if ndo_expires_on is not None and not non_disclosure_order:
        raise ValidationError(_("An expiry date needs a non-disclosure order."))
    if persons_affected < 0:
        raise ValidationError(_("Enter the number of persons concerned."))
    request = OutsideRequest.objects.create(
        reference=_new_reference(),
        data_key=vault.datakey_create(purpose=PURPOSE),
        channel=channel,
        requester_type=requester_type,
        instrument=instrument,
        categories=_clean_categories(categories),
        persons_affected=persons_affected,
        received_on=received_on,
        due_on=due_on,
        non_disclosure_order=non_disclosure_order,
        ndo_expires_on=ndo_expires_on if non_disclosure_order else None,
        created_by=acting_user,
    )
    request.full_clean(exclude=["data_key", "sealed", "categories", "checklist"])
    content = {"requester": requester, "subject": subject, "notes": notes}
    request.sealed = vault.seal_fields(request.data_key, content, context=sealed_context(request))
    request.save(update_fields=["sealed"])
    for name, data in documents:
        _store_document(request, name, data)
    audit_entry_create(
        acting_user=acting_user,
        action="outside_requests.request.register",
        target=request,
        detail={
            "channel": channel,
            "requester_type": requester_type,
            "instrument": instrument,
            "categories": request.categories,
            "documents": len(documents),
            "ndo": non_disclosure_order,
        },
    )
    return request


@action("outside_requests.request.add_document", policy=_handler)
def request_add_document(
    *, acting_user: User | None, request: OutsideRequest, name: str, data: bytes
) -> RequestDocument:
    request = _locked(request)
    if request.shredded_on:
        raise ValidationError(_("This request's details were shredded."))
    document = _store_document(request, name, data)
    audit_entry_create(
        acting_user=acting_user,
        action="outside_requests.request.add_document",
        target=request,
        detail={"document": document.pk, "kind": document.kind, "size": document.size},
    )
    return document


@action("outside_requests.request.triage", policy=_handler)
def request_triage(
    *,
    acting_user: User | None,
    request: OutsideRequest,
    categories: list[str],
    persons_affected: int,
    due_on: dt.date | None,
) -> OutsideRequest:
    if due_on is not None and due_on < request.received_on:
        raise ValidationError(_("The deadline cannot be before the date received."))
    return _run(
        acting_user,
        request,
        "triage",
        categories=_clean_categories(categories),
        persons_affected=max(0, persons_affected),
        due_on=due_on,
    )


# --- Legal review ----------------------------------------------------------------------------------------
def _refuse_voluntary(request: OutsideRequest) -> None:
    if request.instrument in VOLUNTARY:
        raise ValidationError(
            _("A voluntary or informal request is refused: the city gives nothing without a judicial order.")
        )


@action("outside_requests.request.start_review", policy=_handler)
def request_start_review(*, acting_user: User | None, request: OutsideRequest) -> OutsideRequest:
    _refuse_voluntary(request)
    return _run(acting_user, request, "start_review")


_CLEARED = {"legal_sign_off": None, "legal_sign_off_on": None, "privacy_sign_off": None, "privacy_sign_off_on": None}


@action("outside_requests.request.checklist", policy=_reviewer)
def request_checklist(*, acting_user: User | None, request: OutsideRequest, items: dict[str, bool]) -> OutsideRequest:
    """Record the checklist. A change clears the sign-offs given on the previous one."""
    checklist = {name: bool(items.get(name)) for name, _label in CHECKLIST}
    locked = _locked(request)
    changes = {"checklist": checklist}
    if checklist != locked.checklist:
        changes.update(_CLEARED)
    return _advance(acting_user, locked, "checklist", **changes)


def _sign_off(acting_user, request: OutsideRequest, *, mine: str, other: str, name: str) -> OutsideRequest:
    request = _locked(request)
    if request.instrument not in JUDICIAL:
        raise ValidationError(_("Only a production order, a search warrant or a court order can be signed off."))
    if not request.checklist_complete:
        raise ValidationError(_("Complete the checklist before signing off."))
    if getattr(request, f"{other}_id") == acting_user.pk:
        raise ValidationError(
            _("You already signed off this request in your other role: a second person must sign off.")
        )
    changes = {mine: acting_user, f"{mine}_on": _today()}
    return _advance(acting_user, request, name, **changes)


def _legal(acting_user, **_kwargs) -> bool:
    return _city(acting_user, LEGAL)


def _privacy(acting_user, **_kwargs) -> bool:
    return _city(acting_user, PRIVACY)


@action("outside_requests.request.sign_off_legal", policy=_legal)
def request_sign_off_legal(*, acting_user: User, request: OutsideRequest) -> OutsideRequest:
    return _sign_off(acting_user, request, mine="legal_sign_off", other="privacy_sign_off", name="sign_off_legal")


@action("outside_requests.request.sign_off_privacy", policy=_privacy)
def request_sign_off_privacy(*, acting_user: User, request: OutsideRequest) -> OutsideRequest:
    return _sign_off(acting_user, request, mine="privacy_sign_off", other="legal_sign_off", name="sign_off_privacy")


@action("outside_requests.request.narrow", policy=_handler)
def request_narrow(*, acting_user: User | None, request: OutsideRequest) -> OutsideRequest:
    """The requester is asked to narrow the request: the sign-offs given so far no longer hold."""
    return _run(acting_user, request, "narrow", **_CLEARED)


# --- Decisions --------------------------------------------------------------------------------------------
def _decide(acting_user, request: OutsideRequest, name: str, outcome: str) -> OutsideRequest:
    return _run(acting_user, request, name, outcome=outcome, decided_on=_today())


@action("outside_requests.request.refuse", policy=_handler)
def request_refuse(*, acting_user: User | None, request: OutsideRequest) -> OutsideRequest:
    return _decide(acting_user, request, "refuse", Outcome.REFUSED)


@action("outside_requests.request.no_records", policy=_handler)
def request_no_records(*, acting_user: User | None, request: OutsideRequest) -> OutsideRequest:
    """The answer most requests get: the records asked for do not exist (see holdings.py)."""
    _refuse_voluntary(request)
    return _decide(acting_user, request, "no_records", Outcome.NO_RECORDS)


@action("outside_requests.request.challenge", policy=_legal)
def request_challenge(*, acting_user: User, request: OutsideRequest) -> OutsideRequest:
    return _decide(acting_user, request, "challenge", Outcome.CHALLENGED)


class TwoPersonRule(ValidationError):
    """A disclosure without the sign-offs of a legal counsel and a privacy officer, two people."""


@action("outside_requests.request.disclose", policy=_reviewer)
def request_disclose(*, acting_user: User, request: OutsideRequest, partial: bool) -> OutsideRequest:
    """Disclose, in whole or in part, under a judicial instrument only, after two sign-offs.

    Checked on the locked row, whatever the page offered: the instrument, the checklist, both
    sign-offs present, given by two different people who still hold their reviewing capability.
    """
    request = _locked(request)
    if request.instrument not in JUDICIAL:
        raise ValidationError(
            _("Records are disclosed only under a production order, a search warrant or a court order.")
        )
    if not request.checklist_complete:
        raise ValidationError(_("Complete the checklist before any disclosure."))
    legal, privacy = request.legal_sign_off, request.privacy_sign_off
    if legal is None or privacy is None:
        raise TwoPersonRule(_("A disclosure needs the sign-offs of a legal counsel and of a privacy officer."))
    if legal.pk == privacy.pk or not _city(legal, LEGAL) or not _city(privacy, PRIVACY):
        raise TwoPersonRule(_("The two sign-offs must be given by two different people, each in their role."))
    outcome = Outcome.PARTIALLY_DISCLOSED if partial else Outcome.DISCLOSED
    _advance(acting_user, request, "disclose", outcome=outcome, decided_on=_today())
    DisclosureEntry.objects.create(
        request=request,
        disclosed_on=_today(),
        requester_type=request.requester_type,
        instrument=request.instrument,
        categories=list(request.categories),
        partial=partial,
        persons_affected=request.persons_affected,
    )
    return request


# --- Answer, notice, closing ----------------------------------------------------------------------------------
@action("outside_requests.request.respond", policy=_handler)
def request_respond(*, acting_user: User | None, request: OutsideRequest) -> OutsideRequest:
    return _run(acting_user, request, "respond", responded_on=_today())


@action("outside_requests.request.notify", policy=_handler)
def request_notify(*, acting_user: User | None, request: OutsideRequest) -> OutsideRequest:
    """The person concerned was told. Refused while a non-disclosure order runs."""
    if ndo_running(request):
        raise ValidationError(_("A non-disclosure order is still running: defer the notice until it expires."))
    return _run(acting_user, request, "notify", notice=Notice.SENT, notice_deferred_until=None)


@action("outside_requests.request.defer_notice", policy=_handler)
def request_defer_notice(*, acting_user: User | None, request: OutsideRequest, until: dt.date) -> OutsideRequest:
    if until <= _today():
        raise ValidationError(_("Choose a date after today."))
    return _run(acting_user, request, "defer_notice", notice=Notice.DEFERRED, notice_deferred_until=until)


@action("outside_requests.request.prohibit_notice", policy=_legal)
def request_prohibit_notice(*, acting_user: User, request: OutsideRequest) -> OutsideRequest:
    """The order forbids telling the person, with no end date (legal counsel's decision)."""
    return _run(acting_user, request, "prohibit_notice", notice=Notice.PROHIBITED, notice_deferred_until=None)


@action("outside_requests.request.close", policy=_handler)
def request_close(*, acting_user: User | None, request: OutsideRequest) -> OutsideRequest:
    return _run(acting_user, request, "close", closed_on=_today())


@action("outside_requests.request.publish", policy=_handler)
def request_publish(*, acting_user: User | None, request: OutsideRequest) -> OutsideRequest:
    """Count the request in the transparency report; refused while an order keeps it secret."""
    if ndo_running(request):
        raise ValidationError(_("A non-disclosure order is still running: the request is published once it expires."))
    return _run(acting_user, request, "publish", published_on=_today())


@action("outside_requests.request.shred", policy=_handler)
def request_shred(*, acting_user: User | None, request: OutsideRequest) -> OutsideRequest:
    """Destroy the sealed details and documents (the data key); the register keeps its codes."""
    request = _locked(request)
    if request.state not in (OutsideRequest.State.CLOSED, OutsideRequest.State.PUBLISHED):
        raise ValidationError(_("Only a closed request can be shredded."))
    if request.shredded_on:
        raise ValidationError(_("This request's details were shredded."))
    documents = RequestDocument.objects.filter(request=request)
    count = documents.count()
    documents.update(sealed=None, sealed_name=None)
    vault.datakey_shred(request.data_key)
    request.sealed = None
    request.shredded_on = _today()
    request.save(update_fields=["sealed", "shredded_on"])
    audit_entry_create(
        acting_user=acting_user,
        action="outside_requests.request.shred",
        target=request,
        detail={"documents": count},
    )
    return request


# --- Refusal reports ----------------------------------------------------------------------------------------
@action("outside_requests.refusal.submit", audited=False)
def refusal_submit(
    *,
    acting_user: User | None,
    service: Service,
    what: str,
    happened_on: dt.date,
    codename_language: str | None = None,
) -> RefusalReport:
    """A resident's anonymous report: the service, what happened, the day. Nothing else exists
    to store: no name, no contact, no address, no time.

    With ``codename_language`` the person gets a codename in that language to follow the report
    (the protection unit's mechanism: a keyed look-up id and an scrypt verifier are stored, never the
    codename); it is on the returned report as ``codename``, to show once."""
    from sanspeur.protection import crypto

    today = _today()
    if happened_on > today or happened_on < today - dt.timedelta(days=REPORT_OLDEST_DAYS):
        raise ValidationError(_("Enter a day within the last twelve months."))
    if what not in RefusalReport.What.values:
        raise ValidationError(_("Choose what happened."))
    codename, material = "", {}
    if codename_language is not None:
        codename = crypto.codename_generate(codename_language)
        salt = secrets.token_bytes(16)
        verifier, _seed = crypto.codename_stretch(codename, salt)
        material = {
            "codename_lookup": crypto.codename_lookup(codename, REFUSAL_CODENAME),
            "codename_salt": salt,
            "codename_verifier": verifier,
        }
    report = RefusalReport.objects.create(
        service=service, what=what, happened_on=happened_on, received_on=today, **material
    )
    report.codename = codename
    return report


def _refusal_step(acting_user, report: RefusalReport, name: str, **changes) -> RefusalReport:
    report = lock_rows(RefusalReport.objects.filter(pk=report.pk))[0]
    previous = report.state
    report.state = REFUSAL.check(report.state, name)
    for field, value in changes.items():
        setattr(report, field, value)
    report.save()
    audit_entry_create(
        acting_user=acting_user,
        action=f"outside_requests.refusal.{name}",
        target=report,
        detail={"from": previous, "to": report.state, "what": report.what},
    )
    return report


@action("outside_requests.refusal.contact_service", policy=_follow_up)
def refusal_contact_service(*, acting_user: User, report: RefusalReport) -> RefusalReport:
    return _refusal_step(acting_user, report, "contact_service", contacted_on=_today())


@action("outside_requests.refusal.resolve", policy=_follow_up)
def refusal_resolve(*, acting_user: User, report: RefusalReport) -> RefusalReport:
    return _refusal_step(acting_user, report, "resolve", settled_on=_today())


@action("outside_requests.refusal.mark_unresolved", policy=_follow_up)
def refusal_mark_unresolved(*, acting_user: User, report: RefusalReport) -> RefusalReport:
    return _refusal_step(acting_user, report, "mark_unresolved", settled_on=_today())


@action("outside_requests.refusal.reopen", policy=_follow_up)
def refusal_reopen(*, acting_user: User, report: RefusalReport) -> RefusalReport:
    return _refusal_step(acting_user, report, "reopen", settled_on=None)


# --- The half-yearly transparency report and the canary --------------------------------------------------
def _privacy_officer(acting_user, **_kwargs) -> bool:
    return _city(acting_user, PRIVACY)


@action("outside_requests.edition.publish", policy=_privacy_officer)
def edition_publish(*, acting_user: User, period: str) -> TransparencyEdition:
    """Freeze and sign the report of a half-year that has ended: every request published (entered
    the report) up to the period's last day and not counted by an earlier edition. The files are
    the numbers of that day; nothing recomputes them afterwards."""
    bounds = editions.period_bounds(period)
    if bounds is None:
        raise ValidationError(_("Give the period as a year and a half, for example 2026-H1."))
    starts_on, ends_on = bounds
    today = _today()
    if ends_on >= today:
        raise ValidationError(_("A half-year's report is published once the half-year has ended."))
    if TransparencyEdition.objects.filter(period__gte=period).exists():
        raise ValidationError(_("This period, or a later one, has already been published."))
    requests = lock_rows(
        OutsideRequest.objects.filter(
            state=OutsideRequest.State.PUBLISHED, edition__isnull=True, published_on__lte=ends_on
        ).order_by("pk")
    )
    data = editions.edition_data(period=period, requests=requests, published_on=today)
    from sanspeur.core.publications import sign_file

    try:
        with transaction.atomic():  # a savepoint: the same period published at the same moment
            edition = TransparencyEdition.objects.create(
                period=period,
                starts_on=starts_on,
                ends_on=ends_on,
                published_on=today,
                published_by=acting_user,
                total=data["requests"],
                signing_kid="",
            )
    except IntegrityError as error:
        raise ValidationError(_("This period, or a later one, has already been published.")) from error
    OutsideRequest.objects.filter(pk__in=[r.pk for r in requests]).update(edition=edition)
    names = editions.file_names(period)
    contents = {
        "json": (editions.dumps(data), "application/json"),
        "csv": (editions.edition_csv(data), "text/csv; charset=utf-8"),
        "package": (editions.dumps(editions.datapackage(data)), "application/json"),
        **{
            f"pdf_{language}": (editions.edition_pdf(data, language=language), "application/pdf")
            for language in editions.PDF_LANGUAGES
        },
    }
    kid = ""
    for key, (content, content_type) in contents.items():
        signature = sign_file(names[key], content)
        kid = _signature_kid(signature)
        EditionFile.objects.create(
            edition=edition, name=names[key], content_type=content_type, content=content, signature=signature
        )
    edition.signing_kid = kid
    edition.save(update_fields=["signing_kid"])
    audit_entry_create(
        acting_user=acting_user,
        action="outside_requests.edition.publish",
        target=edition,
        detail={"period": period, "requests": data["requests"]},
    )
    return edition


def _signature_kid(jws: str) -> str:
    import json

    from sanspeur.credential.jwk import b64url_decode

    return b64url_decode(json.loads(b64url_decode(jws.split(".", 1)[0]))["kid"]).hex()


CANARY_FILE = "canary.txt"


def canary_text(*, month: dt.date, signed_on: dt.date) -> str:
    """The statement, in French and English (the languages of the city's legal publications)."""
    return (
        f"Ville / City: Sans peur\n"
        f"Date: {signed_on.isoformat()}\n"
        f"Mois / Month: {month:%Y-%m}\n\n"
        "En date d'aujourd'hui, la Ville n'a reçu aucune ordonnance lui interdisant de révéler "
        "l'existence d'une demande de données sur des résidents, et elle n'a communiqué aucune donnée "
        "de résidents autrement que ce que montrent ses rapports de transparence.\n\n"
        "As of today, the City has not received any order forbidding it to reveal the existence of a "
        "request for residents' data, and it has disclosed no residents' data other than as shown in "
        "its transparency reports.\n\n"
        "Cette déclaration est renouvelée chaque mois. / This statement is renewed every month.\n"
    )


@action("outside_requests.canary.renew", policy=_privacy_officer)
def canary_renew(*, acting_user: User) -> CanaryStatement:
    """Sign this month's statement. Refused while the register holds a request under a running
    non-disclosure order: the statement would be false, and the service, not a person's memory,
    keeps it true."""
    from django.conf import settings

    from sanspeur.core.publications import sign_file

    if not settings.SANSPEUR_CANARY_ENABLED:
        raise ValidationError(_("The monthly statement is switched off (SANSPEUR_CANARY_ENABLED)."))
    ordered = OutsideRequest.objects.filter(non_disclosure_order=True).exclude(state=OutsideRequest.State.PUBLISHED)
    if any(ndo_running(request) for request in lock_rows(ordered)):
        raise ValidationError(_("A non-disclosure order is running: the statement cannot be signed."))
    today = _today()
    month = today.replace(day=1)
    if CanaryStatement.objects.filter(month=month).exists():
        raise ValidationError(_("This month's statement is already signed."))
    text = canary_text(month=month, signed_on=today)
    statement = CanaryStatement.objects.create(
        month=month,
        text=text,
        signature=sign_file(CANARY_FILE, text.encode("utf-8")),
        signed_on=today,
        signed_by=acting_user,
    )
    audit_entry_create(
        acting_user=acting_user,
        action="outside_requests.canary.renew",
        target=statement,
        detail={"month": f"{month:%Y-%m}"},
    )
    return statement


# --- Alerts: deadlines and orders, e-mailed once to the register's handlers ------------------------------------
ALERT_SUBJECTS = {
    "overdue": gettext_lazy("Outside request %(reference)s: the answer is overdue (due %(on)s)"),
    "due_soon": gettext_lazy("Outside request %(reference)s: the answer is due on %(on)s"),
    "ndo_expired": gettext_lazy("Outside request %(reference)s: the non-disclosure order expired on %(on)s"),
    "ndo_soon": gettext_lazy("Outside request %(reference)s: the non-disclosure order expires on %(on)s"),
    "notice_due": gettext_lazy("Outside request %(reference)s: the deferred notice to the person is due on %(on)s"),
}


@action("outside_requests.alert.notify")
def alert_notify(*, acting_user: User | None, request: OutsideRequest, kind: str, on: dt.date) -> int | None:
    """E-mail one alert to every handler of the register, once: the number of messages, or None when
    it was sent before. The message carries the reference, the kind and the date: never a name, a
    subject or a document."""
    from django.utils import translation

    from sanspeur.accounts.policy import accounts_with_capability

    if kind not in ALERT_SUBJECTS:
        raise ValueError(kind)
    try:
        with transaction.atomic():
            AlertNotice.objects.create(request=request, kind=kind, on=on, sent_on=_today())
    except IntegrityError:
        no_change()
        return None
    sent = 0
    for user in accounts_with_capability(HANDLE):
        if not works_for_the_city(user):
            continue
        email = _staff_email(user)
        if not email:
            continue
        with translation.override(user.preferred_language or "fr"):
            subject = str(ALERT_SUBJECTS[kind]) % {"reference": request.reference, "on": on.isoformat()}
            body = _(
                "%(subject)s\n\nOpen the register to see what to do: %(path)s\n\n"
                "This message names no one; the details are in the register."
            ) % {"subject": subject, "path": f"/{user.preferred_language or 'fr'}/accountability/requests/"}
        on_commit(lambda s=subject, b=body, e=email: _alert_send(s, b, e))
        sent += 1
    audit_entry_create(
        acting_user=acting_user,
        action="outside_requests.alert.notify",
        target=request,
        detail={"kind": kind, "on": on.isoformat(), "recipients": sent},
    )
    return sent


def _staff_email(user) -> str:
    """The member's own address (their own profile: reading it is not someone else's read)."""
    from sanspeur.accounts.selectors import staff_profile_get

    return staff_profile_get(acting_user=user, user=user).get("email") or ""


def _alert_send(subject: str, body: str, email: str) -> None:
    import logging

    from sanspeur.core.privacy import mail_send

    problem = mail_send(subject, body, email)
    if problem:
        logging.getLogger(__name__).warning("outside-request alert not sent: %s", problem)


# --- The "sans peur" charter -----------------------------------------------------------------------------
def _signs_for(acting_user, *, organisation, **_kwargs) -> bool:
    from sanspeur.accounts.policy import may_sign_charter

    return may_sign_charter(acting_user, organisation)


@action("outside_requests.charter.sign", policy=_signs_for)
def charter_sign(*, acting_user: User, organisation) -> CharterSignature:
    """Sign the current version for ``organisation`` (the administrator's own)."""
    from . import charter

    lock_rows(type(organisation).objects.filter(pk=organisation.pk))
    current = CharterSignature.objects.filter(
        organisation=organisation, version=charter.CURRENT_VERSION, withdrawn_on__isnull=True
    ).first()
    if current is not None:
        no_change()
        return current
    signature = CharterSignature.objects.create(
        organisation=organisation, version=charter.CURRENT_VERSION, signed_on=_today(), signed_by=acting_user
    )
    audit_entry_create(
        acting_user=acting_user,
        action="outside_requests.charter.sign",
        target=signature,
        detail={"organisation": str(organisation.pk), "version": charter.CURRENT_VERSION},
    )
    return signature


@action("outside_requests.charter.withdraw", policy=_signs_for)
def charter_withdraw(*, acting_user: User, organisation) -> int:
    """Withdraw the organisation's signature: the directory stops showing the charter badge."""
    signatures = lock_rows(CharterSignature.objects.filter(organisation=organisation, withdrawn_on__isnull=True))
    if not signatures:
        no_change()
        return 0
    CharterSignature.objects.filter(pk__in=[s.pk for s in signatures]).update(withdrawn_on=_today())
    audit_entry_create(
        acting_user=acting_user,
        action="outside_requests.charter.withdraw",
        object_type="accounts.organisation",
        object_id=str(organisation.pk),
        detail={"signatures": len(signatures)},
    )
    return len(signatures)
