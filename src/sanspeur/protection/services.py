"""Writes of the protection unit. Atomic, audited with codes only, contents encrypted on receipt."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanspeur.accounts.policy import has_capability
from sanspeur.core import vault
from sanspeur.core.services import audit_entry_create

from . import crypto
from .models import Attachment, Case, FollowUp, Message, Note, Referral, UnitKey

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


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


def unit_key_create(*, acting_user, passphrase: str, replace: bool = False) -> UnitKey:
    if len(passphrase) < 12:
        raise ValidationError(_("The unit passphrase must be at least 12 characters long."))
    with transaction.atomic():
        if UnitKey.objects.filter(active=True).exists():
            if not replace:
                raise ValidationError(_("A unit key already exists."))
            UnitKey.objects.filter(active=True).update(active=False)
        key = UnitKey.objects.create(created_on=_today(), **crypto.unit_keypair_new(passphrase))
        audit_entry_create(acting_user=acting_user, action="protection.unitkey.create", target=key)
    return key


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


def report_submit(*, acting_user=None, content: dict, category: str, attachments=(), language: str) -> tuple[Case, str]:
    """A report from the public form. Returns the case and the codename (shown once, never stored)."""
    codename = crypto.codename_generate(language)
    material = crypto.codename_material(codename)
    with transaction.atomic():
        case = _new_case(source=Case.Source.WEB, category=category)
        for name, value in material.items():
            setattr(case, name, value)
        case.reporter_seen_on = case.received_on
        case.save()
        case.content = crypto.seal_for_unit(case, _dump(content), context="content")
        case.save(update_fields=["content"])
        _store_attachments(case, None, attachments)
        # No audit entry: its precise timestamp would date the anonymous report to the second.
    return case, codename


def case_open_from_contact(*, acting_user, source: str, category: str, content: dict, stats_consent: bool) -> Case:
    """A case opened by the unit after a walk-in or phone contact (no codename)."""
    with transaction.atomic():
        case = _new_case(source=source, category=category)
        case.state = Case.State.OPEN
        case.stats_consent = stats_consent
        case.assigned_to = acting_user
        case.save()
        case.content = crypto.seal_for_unit(case, _dump(content), context="content")
        case.save(update_fields=["content"])
        audit_entry_create(
            acting_user=acting_user, action="protection.case.open", target=case, detail={"source": source}
        )
    return case


def report_add_information(*, acting_user=None, case: Case, text: str, attachments=()) -> Message:
    with transaction.atomic():
        message = Message.objects.create(case=case, direction=Message.Direction.FROM_REPORTER, created_on=_today())
        message.for_unit = crypto.seal_for_unit(case, _dump({"text": text}), context=f"message:{message.pk}")
        message.save(update_fields=["for_unit"])
        _store_attachments(case, message, attachments)
        Case.objects.filter(pk=case.pk).update(reporter_seen_on=_today())
        # No audit entry for the anonymous person's actions (precise timestamps), see docs/protection.md.
    return message


def reporter_seen(*, case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(reporter_seen_on=_today())


def reply_delete_by_reporter(*, acting_user=None, case: Case, message_id: int) -> bool:
    with transaction.atomic():
        count = Message.objects.filter(
            case=case, pk=message_id, direction=Message.Direction.TO_REPORTER, deleted_by_reporter=False
        ).update(for_reporter=None, deleted_by_reporter=True)
    return bool(count)


def reply_create(*, acting_user, case: Case, text: str) -> Message:
    if case.reporter_public_key is None:
        raise ValidationError(_("This case has no codename: the person cannot read replies."))
    with transaction.atomic():
        message = Message.objects.create(
            case=case, direction=Message.Direction.TO_REPORTER, created_on=_today(), author=acting_user
        )
        payload = _dump({"text": text})
        message.for_unit = crypto.seal_for_unit(case, payload, context=f"message:{message.pk}")
        message.for_reporter = crypto.seal_for_reporter(case, payload, context=f"reply:{message.pk}")
        message.save(update_fields=["for_unit", "for_reporter"])
        audit_entry_create(acting_user=acting_user, action="protection.reply.create", target=case)
    return message


def _mark_open(case: Case) -> None:
    if case.state == Case.State.NEW:
        case.state = Case.State.OPEN


def case_triage(*, acting_user, case: Case, priority: str, risk: str) -> Case:
    with transaction.atomic():
        case.priority, case.risk = priority, risk
        _mark_open(case)
        case.save(update_fields=["priority", "risk", "state"])
        audit_entry_create(
            acting_user=acting_user,
            action="protection.case.triage",
            target=case,
            detail={"priority": priority, "risk": risk},
        )
    return case


def case_assign(*, acting_user, case: Case, assignee) -> Case:
    if assignee is not None and not has_capability(assignee, "handle_protection_cases"):
        raise ValidationError(_("This person is not a member of the unit."))
    with transaction.atomic():
        case.assigned_to = assignee
        _mark_open(case)
        case.save(update_fields=["assigned_to", "state"])
        audit_entry_create(
            acting_user=acting_user,
            action="protection.case.assign",
            target=case,
            detail={"assignee_id": assignee.pk if assignee else None},
        )
    return case


def note_create(*, acting_user, case: Case, text: str) -> Note:
    with transaction.atomic():
        note = Note.objects.create(case=case, author=acting_user, created_on=_today())
        note.sealed = crypto.seal_for_unit(case, _dump({"text": text}), context=f"note:{note.pk}")
        note.save(update_fields=["sealed"])
        audit_entry_create(acting_user=acting_user, action="protection.note.create", target=case)
    return note


def safety_plan_update(*, acting_user, case: Case, text: str) -> Case:
    with transaction.atomic():
        case.safety_plan = crypto.seal_for_unit(case, _dump({"text": text}), context="safety_plan")
        case.save(update_fields=["safety_plan"])
        audit_entry_create(acting_user=acting_user, action="protection.safetyplan.update", target=case)
    return case


def followup_create(*, acting_user, case: Case, due_on, text: str) -> FollowUp:
    with transaction.atomic():
        item = FollowUp.objects.create(case=case, due_on=due_on)
        item.sealed = crypto.seal_for_unit(case, _dump({"text": text}), context=f"followup:{item.pk}")
        item.save(update_fields=["sealed"])
        audit_entry_create(acting_user=acting_user, action="protection.followup.create", target=case)
    return item


def followup_complete(*, acting_user, case: Case, followup_id: int) -> None:
    with transaction.atomic():
        FollowUp.objects.filter(case=case, pk=followup_id).update(done=True)
        audit_entry_create(acting_user=acting_user, action="protection.followup.complete", target=case)


class ConsentRequired(ValidationError):
    pass


def referral_create(*, acting_user, case: Case, partner: str, consent_given: bool, note: str = "") -> Referral:
    """Refer the person to a partner: only with their consent to this specific referral."""
    if consent_given is not True:
        raise ConsentRequired(_("A referral needs the person's consent to this specific referral."))
    with transaction.atomic():
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


def case_stats_consent_set(*, acting_user, case: Case, consent: bool) -> Case:
    with transaction.atomic():
        case.stats_consent = bool(consent)
        case.save(update_fields=["stats_consent"])
        audit_entry_create(
            acting_user=acting_user,
            action="protection.case.stats_consent",
            target=case,
            detail={"consent": case.stats_consent},
        )
    return case


def case_closure_request(*, acting_user, case: Case, outcome: str) -> Case:
    if case.state in (Case.State.CLOSED, Case.State.SHREDDED):
        raise ValidationError(_("This case is already closed."))
    with transaction.atomic():
        case.state, case.outcome, case.closure_requested_by = Case.State.CLOSURE_REQUESTED, outcome, acting_user
        case.save(update_fields=["state", "outcome", "closure_requested_by"])
        audit_entry_create(
            acting_user=acting_user, action="protection.case.request_closure", target=case, detail={"outcome": outcome}
        )
    return case


def case_closure_approve(*, acting_user, case: Case, approve: bool = True) -> Case:
    if not has_capability(acting_user, "supervise_protection_cases"):
        raise PermissionDenied
    if case.state != Case.State.CLOSURE_REQUESTED:
        raise ValidationError(_("No closure is awaiting approval."))
    with transaction.atomic():
        if approve:
            case.state, case.closed_on = Case.State.CLOSED, _today()
        else:
            case.state, case.outcome = Case.State.OPEN, ""
        case.save(update_fields=["state", "closed_on", "outcome"])
        audit_entry_create(
            acting_user=acting_user,
            action="protection.case.approve_closure" if approve else "protection.case.reject_closure",
            target=case,
        )
    return case


# --- Retention ----------------------------------------------------------------------------------
def retention_settings() -> tuple[int, int]:
    return (
        settings.SANSPEUR_PROTECTION_RETENTION_DAYS,
        settings.SANSPEUR_PROTECTION_CODENAME_UNCLAIMED_DAYS,
    )


def case_shred(*, acting_user, case: Case) -> None:
    with transaction.atomic():
        vault.datakey_shred(case.data_key)
        Message.objects.filter(case=case).update(for_unit=None, for_reporter=None)
        Attachment.objects.filter(case=case).update(sealed=None)
        Note.objects.filter(case=case).update(sealed=None)
        FollowUp.objects.filter(case=case).update(sealed=None)
        Referral.objects.filter(case=case).update(sealed=None)
        Case.objects.filter(pk=case.pk).update(
            content=None,
            safety_plan=None,
            codename_lookup=None,
            codename_salt=None,
            codename_verifier=None,
            reporter_public_key=None,
            state=Case.State.SHREDDED,
            shredded_on=_today(),
        )
        audit_entry_create(acting_user=acting_user, action="protection.case.shred", target=case)


def codename_drop(*, acting_user, case: Case) -> None:
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(
            codename_lookup=None, codename_salt=None, codename_verifier=None, reporter_public_key=None
        )
        audit_entry_create(acting_user=acting_user, action="protection.case.drop_codename", target=case)


def retention_run(*, acting_user=None, today=None) -> dict:
    """Idempotent: shred closed cases past the retention period, drop unclaimed codenames."""
    today = today or _today()
    keep_days, unclaimed_days = retention_settings()
    shredded = dropped = 0
    for case in Case.objects.filter(
        state=Case.State.CLOSED, closed_on__lte=today - timedelta(days=keep_days)
    ).select_related("data_key"):
        case_shred(acting_user=acting_user, case=case)
        shredded += 1
    stale = Case.objects.filter(
        codename_lookup__isnull=False, reporter_seen_on__lte=today - timedelta(days=unclaimed_days)
    )
    for case in stale:
        codename_drop(acting_user=acting_user, case=case)
        dropped += 1
    return {"shredded": shredded, "codenames_dropped": dropped}
