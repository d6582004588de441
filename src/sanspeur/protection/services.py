"""Writes of the protection unit: one action per change (core/actions.py), audited with codes
only, contents encrypted on receipt, states checked against protection/states.py.

The anonymous person's actions (report, additions, deleting a reply) run as actions too (one
durable transaction, ``acting_user=None``) but write no audit entry: its time, to the second, would
date the report (docs/protection.md). They are ``@action(..., audited=False)``: the kernel refuses
any audit entry in them.
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from sanspeur.accounts.policy import has_capability
from sanspeur.core import antiabuse, vault
from sanspeur.core.actions import action, no_change
from sanspeur.core.locks import lock_rows
from sanspeur.core.services import audit_entry_create
from sanspeur.core.transitions import InvalidTransition

from . import crypto
from .models import Attachment, Case, FollowUp, Message, Note, Referral, UnitKey
from .states import CASE, SHREDDED

if TYPE_CHECKING:
    from sanspeur.accounts.models import User

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
HANDLE = "handle_protection_cases"
SUPERVISE = "supervise_protection_cases"


def _today():
    return timezone.localdate()


def _new_reference() -> str:
    while True:
        ref = "P-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        if not Case.objects.filter(reference=ref).exists():
            return ref


def _dump(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def active_unit_key() -> UnitKey:
    key = UnitKey.objects.filter(active=True).first()
    if key is None:
        raise RuntimeError("The protection unit key has not been created (sanspeur protection_init_unit_key).")
    return key


# --- Who may act (accounts/policy.py; asked before anything is written) ----------------------------
def _command_line_only(acting_user, **_kwargs) -> bool:
    return acting_user is None


def _unit_member(acting_user, **_kwargs) -> bool:
    """A member of the unit; or a scheduled job or the command line (no acting user)."""
    return acting_user is None or has_capability(acting_user, HANDLE)


def _unit_member_signed_in(acting_user, **_kwargs) -> bool:
    return acting_user is not None and has_capability(acting_user, HANDLE)


def _supervisor(acting_user, **_kwargs) -> bool:
    return acting_user is not None and has_capability(acting_user, SUPERVISE)


def _locked(case: Case) -> Case:
    """The case's row, locked (core.locks), read again: the state checked is the current one."""
    rows = lock_rows(Case.objects.filter(pk=case.pk))
    if not rows:
        raise Case.DoesNotExist(case.pk)
    return rows[0]


def _advance(case: Case, name: str) -> None:
    """Check ``name`` against the case's life (InvalidTransition if refused) and move it on."""
    state = CASE.check(case.state, name)
    if state != case.state:
        case.state = state
        case.save(update_fields=["state"])


# --- The unit key ----------------------------------------------------------------------------------
@action("protection.unitkey.create", policy=_command_line_only)
def unit_key_create(*, acting_user: User | None, passphrase: str, replace: bool = False) -> UnitKey:
    if len(passphrase) < 12:
        raise ValidationError(_("The unit passphrase must be at least 12 characters long."))
    if UnitKey.objects.filter(active=True).exists():
        if not replace:
            raise ValidationError(_("A unit key already exists."))
        lock_rows(UnitKey.objects.filter(active=True))
        UnitKey.objects.filter(active=True).update(active=False)
    key = UnitKey.objects.create(created_on=_today(), **crypto.unit_keypair_new(passphrase))
    audit_entry_create(acting_user=acting_user, action="protection.unitkey.create", target=key)
    return key


# Wrong passphrases are counted per account in the shared cache: a few free, then waits that double
# from 1 s up to SANSPEUR_GUESS_MAX_DELAY (15 min), so that a stolen session (or a colleague's
# unlocked screen) cannot try passphrases at Argon2id speed. Never per address, never globally.
UNLOCK_FREE_ATTEMPTS = 3


class _UnlockLimit(antiabuse.GuessLimit):
    @property
    def free(self) -> int:
        return UNLOCK_FREE_ATTEMPTS


UNLOCKS = _UnlockLimit("protection.unlock")


class UnlockThrottled(Exception):
    """Too many wrong passphrases from this account: ``wait`` seconds before the next try."""

    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


@action("protection.unitkey.unlock", policy=_unit_member_signed_in)
def unit_key_unlock(*, acting_user: User, passphrase: str) -> bytes | None:
    """The unit's private key for this passphrase, or None when it is wrong.

    Each unlock and each wrong passphrase is an audit entry (with the account's failure count;
    never the passphrase). While the account must wait, raises UnlockThrottled: nothing is tried
    and nothing written (a flood of refused tries cannot flood the audit trail either).
    """
    account = f"user:{acting_user.pk}"
    wait = UNLOCKS.wait(account)
    if wait:
        raise UnlockThrottled(wait)
    key = active_unit_key()
    try:
        private = crypto.unit_private_key_open(key, passphrase)
    except crypto.WrongPassphrase:
        UNLOCKS.miss(account)
        audit_entry_create(
            acting_user=acting_user,
            action="protection.unitkey.unlock_failed",
            target=key,
            detail={"failures": UNLOCKS.misses(account)},
        )
        return None
    audit_entry_create(acting_user=acting_user, action="protection.unitkey.unlock", target=key)
    return private


# --- Cases -----------------------------------------------------------------------------------------
def _new_case(*, source: str, category: str) -> Case:
    case = Case(
        reference=_new_reference(),
        unit_key=active_unit_key(),
        data_key=vault.datakey_create(purpose="protection.case"),
        source=source,
        category=category,
        received_on=_today(),
    )
    return case


def _store_attachments(case: Case, message: Message | None, attachments) -> None:
    for kind, data in attachments:
        row = Attachment.objects.create(case=case, message=message, kind=kind)
        row.sealed = crypto.seal_for_unit(case, data, context=f"attachment:{row.pk}")
        row.save(update_fields=["sealed"])


@action("protection.report.submit", audited=False)
def report_submit(
    *, acting_user: User | None, content: dict, category: str, attachments=(), language: str
) -> tuple[Case, str]:
    """A report from the public form. Returns the case and the codename (shown once, never stored)."""
    codename = crypto.codename_generate(language)
    material = crypto.codename_material(codename)
    case = _new_case(source=Case.Source.WEB, category=category)
    for name, value in material.items():
        setattr(case, name, value)
    case.reporter_seen_on = case.received_on
    case.save()
    case.content = crypto.seal_for_unit(case, _dump(content), context="content")
    # The person's own copy, for the follow-up page (never the contact details: whoever opens the
    # codename sees only what happened, not how to reach the person).
    mine = {key: value for key, value in content.items() if key != "contact_details"}
    case.content_for_reporter = crypto.seal_for_reporter(case, _dump(mine), context="content_for_reporter")
    case.save(update_fields=["content", "content_for_reporter"])
    _store_attachments(case, None, attachments)
    return case, codename


@action("protection.case.open", policy=_unit_member)
def case_open_from_contact(
    *, acting_user: User | None, source: str, category: str, content: dict, stats_consent: bool
) -> Case:
    """A case opened by the unit after a walk-in or phone contact (no codename): already open."""
    case = _new_case(source=source, category=category)
    case.state = Case.State.OPEN
    case.stats_consent = stats_consent
    case.assigned_to = acting_user
    case.save()
    case.content = crypto.seal_for_unit(case, _dump(content), context="content")
    case.save(update_fields=["content"])
    audit_entry_create(acting_user=acting_user, action="protection.case.open", target=case, detail={"source": source})
    return case


@action("protection.report.add_information", audited=False)
def report_add_information(*, acting_user: User | None, case: Case, text: str, attachments=()) -> Message:
    message = Message.objects.create(case=case, direction=Message.Direction.FROM_REPORTER, created_on=_today())
    message.for_unit = crypto.seal_for_unit(case, _dump({"text": text}), context=f"message:{message.pk}")
    if case.reporter_public_key is not None:
        message.for_reporter = crypto.seal_for_reporter(case, _dump({"text": text}), context=f"addition:{message.pk}")
    message.save(update_fields=["for_unit", "for_reporter"])
    _store_attachments(case, message, attachments)
    Case.objects.filter(pk=case.pk).update(reporter_seen_on=_today())
    return message


@action("protection.report.seen", audited=False)
def reporter_seen(*, acting_user: User | None, case: Case) -> None:
    """The person came back with the codename (keeps the codename from expiring)."""
    Case.objects.filter(pk=case.pk).update(reporter_seen_on=_today())


@action("protection.report.delete_reply", audited=False)
def reply_delete_by_reporter(*, acting_user: User | None, case: Case, message_id: int) -> bool:
    count = Message.objects.filter(
        case=case, pk=message_id, direction=Message.Direction.TO_REPORTER, deleted_by_reporter=False
    ).update(for_reporter=None, deleted_by_reporter=True)
    return bool(count)


@action("protection.reply.create", policy=_unit_member)
def reply_create(*, acting_user: User | None, case: Case, text: str) -> Message:
    case = _locked(case)
    if case.reporter_public_key is None:
        raise ValidationError(_("This case has no codename: the person cannot read replies."))
    _advance(case, "reply")
    message = Message.objects.create(
        case=case, direction=Message.Direction.TO_REPORTER, created_on=_today(), author=acting_user
    )
    payload = _dump({"text": text})
    message.for_unit = crypto.seal_for_unit(case, payload, context=f"message:{message.pk}")
    message.for_reporter = crypto.seal_for_reporter(case, payload, context=f"reply:{message.pk}")
    message.save(update_fields=["for_unit", "for_reporter"])
    audit_entry_create(acting_user=acting_user, action="protection.reply.create", target=case)
    return message


@action("protection.case.triage", policy=_unit_member)
def case_triage(*, acting_user: User | None, case: Case, priority: str, risk: str) -> Case:
    case = _locked(case)
    _advance(case, "triage")
    case.priority, case.risk = priority, risk
    case.save(update_fields=["priority", "risk"])
    audit_entry_create(
        acting_user=acting_user,
        action="protection.case.triage",
        target=case,
        detail={"priority": priority, "risk": risk},
    )
    return case


@action("protection.case.assign", policy=_unit_member)
def case_assign(*, acting_user: User | None, case: Case, assignee) -> Case:
    if assignee is not None and not has_capability(assignee, HANDLE):
        raise ValidationError(_("This person is not a member of the unit."))
    case = _locked(case)
    _advance(case, "assign")
    case.assigned_to = assignee
    case.save(update_fields=["assigned_to"])
    audit_entry_create(
        acting_user=acting_user,
        action="protection.case.assign",
        target=case,
        detail={"assignee_id": assignee.pk if assignee else None},
    )
    return case


@action("protection.note.create", policy=_unit_member)
def note_create(*, acting_user: User | None, case: Case, text: str) -> Note:
    case = _locked(case)
    _advance(case, "note")
    note = Note.objects.create(case=case, author=acting_user, created_on=_today())
    note.sealed = crypto.seal_for_unit(case, _dump({"text": text}), context=f"note:{note.pk}")
    note.save(update_fields=["sealed"])
    audit_entry_create(acting_user=acting_user, action="protection.note.create", target=case)
    return note


@action("protection.safetyplan.update", policy=_unit_member)
def safety_plan_update(*, acting_user: User | None, case: Case, text: str) -> Case:
    case = _locked(case)
    _advance(case, "plan")
    case.safety_plan = crypto.seal_for_unit(case, _dump({"text": text}), context="safety_plan")
    case.save(update_fields=["safety_plan"])
    audit_entry_create(acting_user=acting_user, action="protection.safetyplan.update", target=case)
    return case


@action("protection.followup.create", policy=_unit_member)
def followup_create(*, acting_user: User | None, case: Case, due_on, text: str) -> FollowUp:
    case = _locked(case)
    _advance(case, "followup")
    item = FollowUp.objects.create(case=case, due_on=due_on)
    item.sealed = crypto.seal_for_unit(case, _dump({"text": text}), context=f"followup:{item.pk}")
    item.save(update_fields=["sealed"])
    audit_entry_create(acting_user=acting_user, action="protection.followup.create", target=case)
    return item


@action("protection.followup.complete", policy=_unit_member)
def followup_complete(*, acting_user: User | None, case: Case, followup_id: int) -> None:
    case = _locked(case)
    CASE.check(case.state, "followup_done")
    if not FollowUp.objects.filter(case=case, pk=followup_id).update(done=True):
        no_change()  # not this case's follow-up: nothing done
        return
    _advance(case, "followup_done")
    audit_entry_create(acting_user=acting_user, action="protection.followup.complete", target=case)


class ConsentRequired(ValidationError):
    pass


@action("protection.referral.create", policy=_unit_member)
def referral_create(
    *, acting_user: User | None, case: Case, partner: str, consent_given: bool, note: str = ""
) -> Referral:
    """Refer the person to a partner: only with their consent to this specific referral."""
    if consent_given is not True:
        raise ConsentRequired(_("A referral needs the person's consent to this specific referral."))
    case = _locked(case)
    _advance(case, "referral")
    today = _today()
    referral = Referral.objects.create(
        case=case,
        partner=partner,
        consent_recorded_on=today,
        consent_recorded_by=acting_user,
        created_on=today,
    )
    referral.sealed = crypto.seal_for_unit(case, _dump({"text": note}), context=f"referral:{referral.pk}")
    referral.save(update_fields=["sealed"])
    audit_entry_create(
        acting_user=acting_user, action="protection.referral.create", target=case, detail={"partner": partner}
    )
    return referral


@action("protection.case.stats_consent", policy=_unit_member)
def case_stats_consent_set(*, acting_user: User | None, case: Case, consent: bool) -> Case:
    """Given or withdrawn in any state (not a step of the case's life), until the case is shredded."""
    case = _locked(case)
    if case.state == SHREDDED:
        raise InvalidTransition(CASE.name, case.state, "stats_consent")
    case.stats_consent = bool(consent)
    case.save(update_fields=["stats_consent"])
    audit_entry_create(
        acting_user=acting_user,
        action="protection.case.stats_consent",
        target=case,
        detail={"consent": case.stats_consent},
    )
    return case


# --- Closure: asked by one member of the unit, approved by another (four eyes) ---------------------
class FourEyes(PermissionDenied):
    """A supervisor approving the closure they asked for themselves."""


@action("protection.case.request_closure", policy=_unit_member)
def case_closure_request(*, acting_user: User | None, case: Case, outcome: str) -> Case:
    case = _locked(case)
    _advance(case, "request_closure")
    case.outcome, case.closure_requested_by = outcome, acting_user
    case.save(update_fields=["outcome", "closure_requested_by"])
    audit_entry_create(
        acting_user=acting_user, action="protection.case.request_closure", target=case, detail={"outcome": outcome}
    )
    return case


@action("protection.case.approve_closure", policy=_supervisor)
def case_closure_approve(*, acting_user: User | None, case: Case, approve: bool = True) -> Case:
    """A supervisor closes the case (``approve``) or keeps it open. Nobody approves their own
    request: FourEyes (a PermissionDenied). Withdrawing one's own request (keeping it open) is
    allowed."""
    case = _locked(case)
    if case.state != Case.State.CLOSURE_REQUESTED:
        raise ValidationError(_("No closure is awaiting approval."))
    if approve and case.closure_requested_by_id is not None and case.closure_requested_by_id == acting_user.pk:
        raise FourEyes("four eyes: the closure was requested by the same person")
    _advance(case, "approve_closure" if approve else "reject_closure")
    if approve:
        case.closed_on = _today()
    else:
        case.outcome = ""
    case.save(update_fields=["closed_on", "outcome"])
    audit_entry_create(
        acting_user=acting_user,
        action="protection.case.approve_closure" if approve else "protection.case.reject_closure",
        target=case,
        detail={"requested_by": case.closure_requested_by_id},
    )
    return case


# --- Retention (the protection_retention command loops: one small transaction per case) -----------
def retention_settings() -> tuple[int, int]:
    return (
        settings.SANSPEUR_PROTECTION_RETENTION_DAYS,
        settings.SANSPEUR_PROTECTION_CODENAME_UNCLAIMED_DAYS,
    )


@action("protection.case.shred", policy=_unit_member)
def case_shred(*, acting_user: User | None, case: Case) -> None:
    case = _locked(case)
    shredded = CASE.check(case.state, "shred")
    vault.datakey_shred(case.data_key)
    Message.objects.filter(case=case).update(for_unit=None, for_reporter=None)
    Attachment.objects.filter(case=case).update(sealed=None)
    Note.objects.filter(case=case).update(sealed=None)
    FollowUp.objects.filter(case=case).update(sealed=None)
    Referral.objects.filter(case=case).update(sealed=None)
    Case.objects.filter(pk=case.pk).update(
        content=None,
        content_for_reporter=None,
        safety_plan=None,
        codename_lookup=None,
        codename_salt=None,
        codename_verifier=None,
        reporter_public_key=None,
        state=shredded,
        shredded_on=_today(),
    )
    audit_entry_create(acting_user=acting_user, action="protection.case.shred", target=case)


@action("protection.case.drop_codename", policy=_unit_member)
def codename_drop(*, acting_user: User | None, case: Case) -> None:
    case = _locked(case)
    if case.codename_lookup is None:
        no_change()
        return
    Case.objects.filter(pk=case.pk).update(
        codename_lookup=None,
        codename_salt=None,
        codename_verifier=None,
        reporter_public_key=None,
        content_for_reporter=None,
    )
    Message.objects.filter(case=case, direction=Message.Direction.FROM_REPORTER).update(for_reporter=None)
    audit_entry_create(acting_user=acting_user, action="protection.case.drop_codename", target=case)
