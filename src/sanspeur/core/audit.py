"""The audit actions of this app: the only names its audit entries may carry (core/actions.py);
and the way to record an anonymous person's action (:func:`anonymous_entry_create`)."""

from __future__ import annotations

import secrets
from datetime import datetime, time
from typing import Any

ACTIONS = {
    "vault.rewrap": "data keys were re-wrapped with a new master key",
    "vault.forget.replay": "after a restore, data keys forgotten since the backup were destroyed again",
    "vault.master_key.rotate": "a new master key was written to the key file and made current",
    "vault.master_key.retire": "old master keys that wrapped no data key any more were removed from the key file",
}


def day_start(moment: datetime | None = None) -> datetime:
    """Midnight (local time) of the day of ``moment`` (now by default), as an aware datetime: the
    audit browser's day filters and ordering keep working, and the entry shows its day only."""
    from django.utils import timezone

    return datetime.combine(timezone.localdate(moment), time.min, tzinfo=timezone.get_current_timezone())


def anonymous_entry_create(*, acting_user, action: str, object_type: str, detail: dict[str, Any] | None = None):
    """Append an entry about an anonymous person's record (a clinic booking) that dates it to the
    day and links it to nothing (issue 14).

    - ``at`` is the start of the day, never the time;
    - no ``object_id``: ``object_type`` and ``detail`` (codes and counts) let the entries be
      counted, but after the record is purged nothing leads back to it, nor from one entry to
      another of the same record;
    - its number is random and negative, not the next of the sequence: a sequence number between
      two entries written at known times would date it again. The rows are written with
      ``bulk_create`` because ``AuditEntry.save`` refuses a row that already has a number.

    Who acted stays (``acting_user``: the member of staff at the door; ``None`` for the public and
    the jobs). Like ``core.services.audit_entry_create``, the action must be registered and the
    entry is written inside the action's transaction; the kernel counts it as the action's entry.
    On PostgreSQL the rows still sit in the table file (and a ``pg_dump``) in the order they were
    written: docs/clinics.md, "What the database holds".
    """
    from django.db import transaction

    from .actions import note_audit_entry, require_registered
    from .models import AuditEntry

    require_registered(action)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries are written inside the transaction of the action they record")
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    entry = AuditEntry(
        id=-1 - secrets.randbelow(2**62),
        at=day_start(),
        actor=user,
        actor_username=user.get_username() if user else "",
        organisation_id=getattr(user, "organisation_id", None) if user else None,
        action=action,
        object_type=object_type,
        object_id="",
        detail=detail or {},
    )
    AuditEntry.objects.bulk_create([entry])
    note_audit_entry(action)
    return entry
