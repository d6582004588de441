"""Reads of the protection unit. Staff reads of a case are audited."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count

from sanspeur.core import antiabuse
from sanspeur.core.models import AuditEntry
from sanspeur.core.services import audit_read

from . import crypto
from .models import Case, Message

# --- Codename look-ups: rate-limited per bucket and per look-up id, without any address ----------
# Wrong codenames are counted in the codename's bucket (1/4096 of all codenames, from a keyed HMAC
# of the look-up id), with delays that double, and per look-up id. Nothing is counted globally:
# a flood of wrong codenames delays only the buckets it falls in, never every follow-up.
GUESSES_PURPOSE = "protection.codename"
GUESSES = antiabuse.GuessLimit(GUESSES_PURPOSE)
BUCKET_BITS = 12


def _per_id() -> tuple[int, int]:
    return settings.SANSPEUR_PROTECTION_CODENAME_PER_ID_LIMIT, settings.SANSPEUR_PROTECTION_CODENAME_WINDOW


def _bump(key: str, window: int) -> int:
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        return 1


class RateLimited(Exception):
    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


def codename_bucket(codename: str) -> str:
    return antiabuse.bucket_of(crypto.codename_lookup(codename), purpose="protection.codename", bits=BUCKET_BITS)


def codename_open(codename: str, *, purpose: str, find):
    """(record, reporter private key) for a valid codename, else None. Raises RateLimited.

    ``find(lookup)`` returns the record with that look-up id (``codename_salt``,
    ``codename_verifier``) or None. Unknown and wrong codenames take the same path (one scrypt) and
    give the same answer. Failures are counted per bucket and per look-up id, never per address (we
    keep none) nor globally. Protection reports and refusal reports share this code, each under its
    own ``purpose`` (look-up ids, buckets and counters apart).
    """
    per_id_limit, window = _per_id()
    lookup = crypto.codename_lookup(codename, purpose)
    bucket = antiabuse.bucket_of(lookup, purpose=purpose, bits=BUCKET_BITS)
    id_key = f"{purpose}:fail:{lookup}"
    if (cache.get(id_key) or 0) >= per_id_limit:
        raise RateLimited(window)
    guesses = GUESSES if purpose == GUESSES_PURPOSE else antiabuse.GuessLimit(purpose)
    wait = guesses.wait(bucket)
    if wait:
        raise RateLimited(wait)
    record = find(lookup) if codename.strip() else None
    key = crypto.codename_check(
        codename, record.codename_salt if record else None, record.codename_verifier if record else None
    )
    if key is None:
        guesses.miss(bucket)
        _bump(id_key, window)
        return None
    return record, key


def reporter_case_open(codename: str):
    """(case, reporter private key) for a valid codename, else None. Raises RateLimited."""
    return codename_open(
        codename,
        purpose=GUESSES_PURPOSE,
        find=lambda lookup: Case.objects.select_related("data_key", "unit_key").filter(codename_lookup=lookup).first(),
    )


def reporter_thread(case: Case, reporter_key) -> list[dict]:
    """What the reporter sees: dates of their additions and the unit's replies, decrypted."""
    items = []
    for message in case.messages.annotate(file_count=Count("attachments")):
        item = {
            "id": message.pk,
            "direction": message.direction,
            "created_on": message.created_on,
            "text": None,
            "files": message.file_count,
        }
        if message.direction == Message.Direction.TO_REPORTER:
            if message.deleted_by_reporter or message.for_reporter is None:
                continue
            payload = crypto.open_for_reporter(case, message.for_reporter, reporter_key, context=f"reply:{message.pk}")
            item["text"] = json.loads(payload)["text"]
        elif message.for_reporter is not None:  # an addition (older ones were kept for the unit only)
            payload = crypto.open_for_reporter(
                case, message.for_reporter, reporter_key, context=f"addition:{message.pk}"
            )
            item["text"] = json.loads(payload)["text"]
        items.append(item)
    return items


# What the person sees of their case's progress: never the unit's internal steps (triage, closure
# awaiting a supervisor), only whether someone has started working on it.
REPORTER_STATUS = {
    Case.State.NEW: "received",
    Case.State.OPEN: "in_progress",
    Case.State.CLOSURE_REQUESTED: "in_progress",
    Case.State.CLOSED: "closed",
}


def reporter_report(case: Case, reporter_key) -> dict:
    """The person's view of their report: the day it was received, its status, what they sent
    (reports sent before the copy for the person existed: ``content`` is None) and the files count."""
    content = None
    if case.content_for_reporter is not None:
        payload = crypto.open_for_reporter(
            case, case.content_for_reporter, reporter_key, context="content_for_reporter"
        )
        content = json.loads(payload)
    return {
        "received_on": case.received_on,
        "category": case.get_category_display(),
        "status": REPORTER_STATUS.get(case.state, "received"),
        "content": content,
        "files": case.attachments.filter(message__isnull=True).count(),
    }


# --- Staff --------------------------------------------------------------------------------------
def case_list(*, acting_user, state: str = "", mine: bool = False):
    cases = Case.objects.exclude(state=Case.State.SHREDDED).select_related("assigned_to")
    if state:
        cases = cases.filter(state=state)
    if mine:
        cases = cases.filter(assigned_to=acting_user)
    return cases


def case_get(*, reference: str) -> Case | None:
    return Case.objects.select_related("data_key", "unit_key", "assigned_to").filter(reference=reference).first()


def _open_json(case, blob, private_key, context):
    if blob is None or private_key is None:
        return None
    return json.loads(crypto.open_for_unit(case, blob, private_key, context=context))


def case_detail(*, acting_user, case: Case, private_key: bytes | None) -> dict:
    """Everything the unit sees on a case page. Logs the view in the audit trail."""
    audit_read(acting_user=acting_user, target=case)
    unlocked = private_key is not None and bytes(case.unit_key.public_key) == bytes(
        crypto.PrivateKey(private_key).public_key
    )
    key = private_key if unlocked else None
    return {
        "unlocked": unlocked,
        "content": _open_json(case, case.content, key, "content"),
        "safety_plan": _open_json(case, case.safety_plan, key, "safety_plan"),
        "messages": [
            {"row": m, "data": _open_json(case, m.for_unit, key, f"message:{m.pk}")} for m in case.messages.all()
        ],
        "notes": [{"row": n, "data": _open_json(case, n.sealed, key, f"note:{n.pk}")} for n in case.notes.all()],
        "followups": [
            {"row": f, "data": _open_json(case, f.sealed, key, f"followup:{f.pk}")} for f in case.followups.all()
        ],
        "referrals": [
            {"row": r, "data": _open_json(case, r.sealed, key, f"referral:{r.pk}")} for r in case.referrals.all()
        ],
        "attachments": list(case.attachments.all()),
    }


def attachment_open(*, acting_user, case: Case, attachment_id: int, private_key: bytes) -> tuple[str, bytes] | None:
    row = case.attachments.filter(pk=attachment_id).first()
    if row is None or row.sealed is None:
        return None
    audit_read(acting_user=acting_user, target=case, purpose="view_attachment")
    return row.kind, crypto.open_for_unit(case, row.sealed, private_key, context=f"attachment:{row.pk}")


def case_access_log(*, case: Case):
    """Who opened this case and when (for the unit's supervisor)."""
    return AuditEntry.objects.filter(object_type="protection.case", object_id=str(case.pk)).order_by("-id")[:200]


def statistics() -> dict:
    """Counts of cases whose people consented to be counted. Nothing else is counted."""
    counted = Case.objects.filter(stats_consent=True).exclude(state=Case.State.SHREDDED)
    return {
        "total": counted.count(),
        "by_category": list(counted.values("category").annotate(n=Count("id")).order_by("category")),
        "by_state": list(counted.values("state").annotate(n=Count("id")).order_by("state")),
        "by_source": list(counted.values("source").annotate(n=Count("id")).order_by("source")),
    }
