"""Writes of the core app: the audit trail, and the master keys' actions.

Every action elsewhere calls :func:`audit_entry_create` inside its transaction, so the entry
commits (or rolls back) with the change it describes. The two audit functions are the kernel's
own primitives, not actions: ``audit_entry_create`` is what every action calls, and
``audit_read`` records that someone *read* a record (its name follows the record's type, and a
selector calls it). The master-key functions are actions of the server's command line
(``sanspeur rotate_master_key``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from . import vault
from .actions import action, no_change, note_audit_entry, require_registered
from .keys import key_provider
from .locks import lock_rows
from .models import AuditEntry, DataKey

if TYPE_CHECKING:
    from sanspeur.accounts.models import User


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


# --- Master keys: the server's command line only ---------------------------------------------------
def _command_line(acting_user, **_kwargs) -> bool:
    """Keys are handled on the server (accounts/policy.py), never from a page."""
    from sanspeur.accounts.policy import is_command_line

    return is_command_line(acting_user)


@action("vault.master_key.rotate", policy=_command_line)
def master_key_rotate(*, acting_user: User | None) -> str | None:
    """Write a new master key into the key file and make it current; its id, or None when the
    provider rotates on its own side (a KMS). The file is written before the audit entry (the new
    key's id is known only then): if the entry failed, a new current key that wraps nothing yet
    would remain, and the re-wrap that follows is audited with its id."""
    provider = key_provider()
    if not hasattr(provider, "add_key_and_make_current"):
        no_change()
        return None
    previous = provider.current_key_id()
    new_id = provider.add_key_and_make_current()
    audit_entry_create(
        acting_user=acting_user,
        action="vault.master_key.rotate",
        detail={"master_key": new_id, "previous": previous},
    )
    return new_id


@action("vault.rewrap", policy=_command_line)
def datakeys_rewrap(*, acting_user: User | None, batch: int = 500) -> int:
    """Re-wrap every bucket key under the current master key (in the key provider), then move up
    to ``batch`` data keys still wrapped by a master key (before issue 14) into buckets. The
    sealed data is not touched. How many keys were re-wrapped or moved, 0 when none is left."""
    provider = key_provider()
    current = provider.current_key_id()
    bucket_keys = provider.bucket_keys_rewrap() if hasattr(provider, "bucket_keys_rewrap") else 0
    legacy = DataKey.objects.filter(bucket="", wrapped__isnull=False)
    ids = list(legacy.values_list("pk", flat=True)[:batch])
    rows = lock_rows(legacy.filter(pk__in=ids)) if ids else []
    moved = sum(vault.datakey_rewrap(row) for row in rows)
    if not (bucket_keys or moved):
        no_change()
        return 0
    audit_entry_create(
        acting_user=acting_user,
        action="vault.rewrap",
        detail={"count": moved, "bucket_keys": bucket_keys, "master_key": current},
    )
    return bucket_keys + moved


@action("vault.master_key.retire", policy=_command_line)
def master_keys_retire(*, acting_user: User | None) -> list[str]:
    """Remove from the key file the old master keys that no data key is wrapped with any more.
    The entry is written first: a key file that cannot be rewritten rolls it back."""
    provider = key_provider()
    if not hasattr(provider, "remove_keys"):
        no_change()
        return []
    current = provider.current_key_id()
    in_use = set(
        DataKey.objects.filter(bucket="", wrapped__isnull=False).values_list("master_key_id", flat=True).distinct()
    )
    if hasattr(provider, "bucket_master_keys"):
        in_use |= provider.bucket_master_keys()
    unused = sorted(key_id for key_id in provider.key_ids() if key_id != current and key_id not in in_use)
    if not unused:
        no_change()
        return []
    audit_entry_create(
        acting_user=acting_user, action="vault.master_key.retire", detail={"removed": unused, "current": current}
    )
    provider.remove_keys(unused)
    return unused


@action("vault.forget.replay", policy=_command_line)
def forgets_replay(*, acting_user: User | None) -> int:
    """After a restore from backups: destroy again the data keys the key provider's journal says
    were forgotten after the backup, and clear what the records that used them still point at
    (their ``sealed*`` fields; ``shredded_at``/``shredded_on`` set where the model has one). How
    many keys were destroyed again."""
    from django.apps import apps

    keys = vault.forgets_to_replay()
    if not keys:
        no_change()
        return 0
    vault.datakeys_shred(keys)
    ids = [key.pk for key in keys]
    now = timezone.now()
    for model in apps.get_models():
        links = [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is DataKey]
        sealed = [f.name for f in model._meta.concrete_fields if f.name.startswith("sealed") and f.null]
        stamps = {
            f.name: (now.date() if f.get_internal_type() == "DateField" else now)
            for f in model._meta.concrete_fields
            if f.name in ("shredded_at", "shredded_on")
        }
        for link in links:
            changes = {name: None for name in sealed} | stamps
            if changes:
                model._default_manager.filter(**{f"{link.name}__in": ids}).update(**changes)
    audit_entry_create(acting_user=acting_user, action="vault.forget.replay", detail={"count": len(keys)})
    return len(keys)
