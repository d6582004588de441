"""Writes of the core app: the audit trail.

Every service function elsewhere that reads or writes personal data calls :func:`audit_entry_create`
inside its own transaction, so the entry commits (or rolls back) with the change it describes.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from .actions import note_audit_entry, require_registered
from .models import AuditEntry


def _target_labels(target: models.Model | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    return target._meta.label_lower, str(target.pk)


def audit_entry_create(
    *,
    acting_user,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. ``detail`` holds codes and counts only, never a personal value.

    ``action`` must be declared in an app's ``audit.py`` (a fixed vocabulary, core/actions.py).
    """
    require_registered(action)
    if target is not None:
        object_type, object_id = _target_labels(target)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries are written inside the transaction of the action they record")
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    note_audit_entry(action)
    return AuditEntry.objects.create(
        actor=user,
        actor_username=user.get_username() if user else "",
        organisation_id=getattr(user, "organisation_id", None) if user else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail or {},
    )


def audit_read(*, acting_user, target: models.Model, purpose: str = "view") -> None:
    """Record that a member of staff opened a person's record."""
    with transaction.atomic():
        audit_entry_create(acting_user=acting_user, action=f"{target._meta.label_lower}.{purpose}", target=target)
