"""Envelope encryption of personal data, with crypto-shredding.

Each record that holds personal data gets its own 256-bit data key. The key is stored only
wrapped by a master key the database never holds (``keys.py``); the record's personal fields are
sealed with it as one AES-GCM blob whose associated data names the record, so a blob copied onto
another record does not open. Shredding forgets the wrapped key: the blob is then noise, for the
application, for anyone holding the master key, and for every later copy of the database.

Blob layout: ``0x01`` (format version) || 12-byte nonce || ciphertext || 16-byte tag.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import transaction
from django.utils import timezone

from .keys import key_provider
from .models import DataKey

BLOB_VERSION = b"\x01"


class VaultError(Exception):
    """A sealed value could not be opened (wrong record, tampered blob)."""


class ShreddedError(VaultError):
    """The record's data key has been destroyed: its personal data is gone for good."""


def _key_context(data_key_id) -> bytes:
    return b"sanspeur-datakey:" + str(data_key_id).encode()


def datakey_create(*, purpose: str) -> DataKey:
    """Create and store a fresh data key, wrapped by the current master key."""
    row = DataKey(purpose=purpose)
    raw = AESGCM.generate_key(bit_length=256)
    row.master_key_id, row.wrapped = key_provider().wrap(raw, context=_key_context(row.id))
    row.save(force_insert=True)
    return row


def _unwrap(data_key: DataKey) -> bytes:
    if data_key.wrapped is None:
        raise ShreddedError(str(data_key.id))
    try:
        return key_provider().unwrap(data_key.master_key_id, bytes(data_key.wrapped), context=_key_context(data_key.id))
    except InvalidTag as error:
        raise VaultError("data key does not unwrap") from error


def seal_bytes(data_key: DataKey, plaintext: bytes, *, context: str) -> bytes:
    nonce = secrets.token_bytes(12)
    return BLOB_VERSION + nonce + AESGCM(_unwrap(data_key)).encrypt(nonce, plaintext, context.encode())


def open_bytes(data_key: DataKey, blob: bytes | memoryview | None, *, context: str) -> bytes:
    if blob is None:
        raise VaultError("nothing sealed")
    blob = bytes(blob)
    if blob[:1] != BLOB_VERSION:
        raise VaultError("unknown blob version")
    try:
        return AESGCM(_unwrap(data_key)).decrypt(blob[1:13], blob[13:], context.encode())
    except InvalidTag as error:
        raise VaultError("sealed value does not open") from error


def seal_fields(data_key: DataKey, fields: dict[str, Any], *, context: str) -> bytes:
    return seal_bytes(data_key, json.dumps(fields, separators=(",", ":"), sort_keys=True).encode(), context=context)


def open_fields(data_key: DataKey, blob, *, context: str) -> dict[str, Any]:
    return json.loads(open_bytes(data_key, blob, context=context))


def datakey_shred(data_key: DataKey) -> None:
    """Destroy the data key. Call inside the transaction that also clears the sealed blobs."""
    DataKey.objects.filter(pk=data_key.pk).update(wrapped=None, shredded_at=timezone.now())
    data_key.wrapped = None
    transaction.on_commit(purge_old_row_versions)


def purge_old_row_versions() -> None:
    """Make the shred reach the disk, not only the current row.

    SQLite in WAL mode keeps earlier page images, wrapped key included, in the ``-wal`` file until
    a checkpoint; a TRUNCATE checkpoint copies the new pages in (``secure_delete`` zeroes the freed
    bytes) and empties that file. PostgreSQL keeps dead row versions until VACUUM, which the daily
    jobs run (see docs/deploy.md).
    """
    connection = transaction.get_connection()
    # Inside a transaction (on-commit hooks run early by a test) a checkpoint cannot complete.
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def datakey_rewrap(data_key: DataKey) -> bool:
    """Wrap an existing data key under the current master key. The sealed data is not touched."""
    provider = key_provider()
    if data_key.wrapped is None or data_key.master_key_id == provider.current_key_id():
        return False
    raw = _unwrap(data_key)
    data_key.master_key_id, data_key.wrapped = provider.wrap(raw, context=_key_context(data_key.id))
    DataKey.objects.filter(pk=data_key.pk).update(master_key_id=data_key.master_key_id, wrapped=data_key.wrapped)
    return True


def blind_index(purpose: str, *parts: str) -> str:
    """A keyed HMAC of normalised values, for exact look-ups (duplicates) without storing them."""
    normalised = "\x1f".join(normalise_for_index(part) for part in parts)
    return key_provider().blind_index(purpose, normalised)


def normalise_for_index(value: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", value.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(letters.replace("-", " ").replace("'", " ").split())
