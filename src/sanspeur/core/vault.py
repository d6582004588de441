"""Envelope encryption of personal data, with crypto-shredding that holds against the database
server's every copy (issue 14; docs/decisions/0005-bucket-keys.md).

Each record that holds personal data gets its own 256-bit data key; the record's personal fields
are sealed with it as one AES-GCM blob whose associated data names the record, so a blob copied
onto another record does not open.

A data key is stored only wrapped by a **bucket key**: one of a few thousand keys per purpose,
picked at random, that live in the key provider outside the database (``keys.py``). Shredding a
record clears its wrapped key *and rotates its bucket*: the sibling data keys are re-wrapped under
a new generation of the bucket key, and once the transaction has committed the old generation is
destroyed in the key provider. Every copy of the old wrapped key that the database server still
holds — dead row versions, PostgreSQL's WAL, table and index files, a backup taken before — is
then wrapped by a key that no longer exists anywhere.

Blind indexes of people's identities (the duplicate check on name and birth date) are keyed by the
record's bucket key too, so they die with it: an old index value found in a file cannot confirm a
guessed identity. A look-up computes the candidate value under every bucket of the purpose.

Blob layout: ``0x01`` (format version) || 12-byte nonce || ciphertext || 16-byte tag.
"""

from __future__ import annotations

import json
import secrets
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from .keys import KeyUnavailable, key_provider
from .locks import lock_rows
from .models import DataKey, KeyBucket

BLOB_VERSION = b"\x01"

# purpose -> reindex(data_keys, index): recomputes and saves the identity indexes of the records
# whose data keys are given, with ``index(data_key, *parts)`` (the new generation's key).
Reindexer = Callable[[list[DataKey], Callable[..., str]], None]
_REINDEXERS: dict[str, Reindexer] = {}


class VaultError(Exception):
    """A sealed value could not be opened (wrong record, tampered blob)."""


class ShreddedError(VaultError):
    """The record's data key has been destroyed: its personal data is gone for good."""


def register_identity_index(purpose: str, reindex: Reindexer) -> None:
    """Declare that records of ``purpose`` keep an identity index (``identity_index``) that the
    vault must have recomputed, by ``reindex``, whenever their bucket's key changes."""
    _REINDEXERS[purpose] = reindex


def _key_context(data_key_id) -> bytes:
    return b"sanspeur-datakey:" + str(data_key_id).encode()


def bucket_count() -> int:
    return settings.SANSPEUR_VAULT_BUCKETS


def _random_bucket(purpose: str) -> str:
    return f"{purpose}/{secrets.randbelow(bucket_count())}"


def _locked_bucket(name: str) -> KeyBucket:
    """The bucket's row, locked until the transaction ends; created (with its first key) if new."""
    row = KeyBucket.objects.select_for_update().filter(name=name).first()
    if row is None:
        key_provider().bucket_key_ensure(name, 1)  # never replaces a key another process made
        KeyBucket.objects.get_or_create(name=name, defaults={"generation": 1})
        row = KeyBucket.objects.select_for_update().get(name=name)
    return row


def datakey_create(*, purpose: str) -> DataKey:
    """Create and store a fresh data key, wrapped by the current key of a random bucket."""
    with transaction.atomic():
        bucket = _locked_bucket(_random_bucket(purpose))
        row = DataKey(purpose=purpose, bucket=bucket.name, generation=bucket.generation)
        raw = AESGCM.generate_key(bit_length=256)
        row.wrapped = key_provider().bucket_wrap(bucket.name, bucket.generation, raw, context=_key_context(row.id))
        row.save(force_insert=True)
    return row


def datakeys_create_many(*, purpose: str, count: int, batch_size: int = 2000) -> list[DataKey]:
    """``count`` fresh data keys in one transaction: the batch form of ``datakey_create`` for
    imports and bulk loads. Each key still gets its own random bucket; the buckets' rows are
    locked once each, in name order (so two batches never deadlock), and the rows are inserted in
    batches of ``batch_size``."""
    if count <= 0:
        return []
    with transaction.atomic():
        names = [_random_bucket(purpose) for _ in range(count)]
        wanted = sorted(set(names))
        provider = key_provider()
        known = set(KeyBucket.objects.filter(name__in=wanted).values_list("name", flat=True))
        missing = [name for name in wanted if name not in known]
        if missing:  # the keys first (never replaced if another process made one), then the rows
            provider.bucket_keys_ensure([(name, 1) for name in missing])
            KeyBucket.objects.bulk_create(
                [KeyBucket(name=name, generation=1) for name in missing], ignore_conflicts=True
            )
        generations = {row.name: row.generation for row in lock_rows(KeyBucket.objects.filter(name__in=wanted))}
        rows = []
        for name in names:
            row = DataKey(purpose=purpose, bucket=name, generation=generations[name])
            raw = AESGCM.generate_key(bit_length=256)
            row.wrapped = provider.bucket_wrap(name, generations[name], raw, context=_key_context(row.id))
            rows.append(row)
        DataKey.objects.bulk_create(rows, batch_size=batch_size)
    return rows


def _unwrap_row(data_key: DataKey) -> bytes:
    provider = key_provider()
    wrapped, context = bytes(data_key.wrapped), _key_context(data_key.id)
    if data_key.bucket:
        return provider.bucket_unwrap(data_key.bucket, data_key.generation, wrapped, context=context)
    return provider.unwrap(data_key.master_key_id, wrapped, context=context)


def _unwrap(data_key: DataKey) -> bytes:
    if data_key.wrapped is None:
        raise ShreddedError(str(data_key.id))
    try:
        return _unwrap_row(data_key)
    except KeyUnavailable:
        # The bucket was rotated since this row was read (another record of it was forgotten):
        # the row now holds the key wrapped by the new generation.
        fresh = DataKey.objects.filter(pk=data_key.pk).values_list("bucket", "generation", "wrapped").first()
        if fresh is None or fresh[2] is None:
            raise ShreddedError(str(data_key.id)) from None
        if (fresh[0], fresh[1]) == (data_key.bucket, data_key.generation):
            raise
        data_key.bucket, data_key.generation, data_key.wrapped = fresh
        return _unwrap(data_key)
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


# --- shredding ----------------------------------------------------------------------------------
def datakey_shred(data_key: DataKey) -> None:
    """Destroy the data key. Call inside the transaction that also clears the sealed blobs."""
    datakeys_shred([data_key])


def datakeys_shred(data_keys: Iterable[DataKey]) -> None:
    """Destroy data keys: clear them and rotate each bucket they were in once (its siblings are
    re-wrapped under a new generation; the old generation is destroyed after the commit)."""
    keys = list(data_keys)
    today = timezone.now().date()
    by_bucket: dict[str, set] = defaultdict(set)
    with transaction.atomic():
        for key in keys:
            by_bucket[key.bucket].add(key.pk)
        legacy = by_bucket.pop("", set())
        if legacy:  # wrapped by a master key (before issue 14): cleared only
            DataKey.objects.filter(pk__in=legacy).update(wrapped=None, shredded_on=today)
        for name in sorted(by_bucket):
            _rotate(name, shredding=by_bucket[name], today=today)
        shredded = sorted(str(pk) for pk in legacy.union(*by_bucket.values()))
        provider = key_provider()
        if shredded and hasattr(provider, "forget_journal_append"):
            transaction.on_commit(lambda: provider.forget_journal_append(shredded, today.isoformat()))
        transaction.on_commit(purge_old_row_versions)
    for key in keys:
        key.wrapped = None
        key.shredded_on = key.shredded_on or today


def _rotate(name: str, *, shredding: set, today) -> None:
    provider = key_provider()
    bucket = _locked_bucket(name)
    new = bucket.generation + 1
    provider.bucket_key_ensure(name, new)
    siblings = list(DataKey.objects.filter(bucket=name, wrapped__isnull=False).exclude(pk__in=shredding))
    for row in siblings:
        raw = _unwrap_row(row)
        row.wrapped = provider.bucket_wrap(name, new, raw, context=_key_context(row.id))
        row.generation = new
    _save_rewrapped(siblings)
    DataKey.objects.filter(pk__in=shredding).update(wrapped=None, shredded_on=today)
    purpose = name.rpartition("/")[0]
    reindex = _REINDEXERS.get(purpose)
    if reindex is not None and siblings:
        reindex(siblings, identity_index)
    KeyBucket.objects.filter(name=name).update(generation=new)
    transaction.on_commit(lambda: provider.bucket_keys_destroy(name, below=new))
    # A rotation that rolls back leaves generation ``new`` unused in the provider: the next
    # rotation of the bucket takes it over (``bucket_key_ensure`` never replaces a key).


def _save_rewrapped(rows: list[DataKey]) -> None:
    update_each(rows, ["wrapped", "generation"])


def update_each(rows: list, fields: list[str]) -> None:
    """Save ``fields`` of each row: one UPDATE per row, sent as one batch (``bulk_update``'s CASE
    expressions cost about a millisecond a row to build; a bucket rotation saves hundreds)."""
    if not rows:
        return
    model = type(rows[0])
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    primary = model._meta.pk
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(primary.column)} = %s"  # noqa: S608
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns]
        + [primary.get_db_prep_value(row.pk, connection)]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def purge_old_row_versions() -> None:
    """Make the shred reach the disk, not only the current row.

    SQLite in WAL mode keeps earlier page images, wrapped key included, in the ``-wal`` file until
    a checkpoint; a TRUNCATE checkpoint copies the new pages in (``secure_delete`` zeroes the freed
    bytes) and empties that file. PostgreSQL keeps dead row versions until VACUUM, which the daily
    jobs run (see docs/deploy.md). Neither is needed for the shred to hold (the bucket key that
    wrapped those versions is destroyed); both keep the files small.
    """
    connection = transaction.get_connection()
    # Inside a transaction (on-commit hooks run early by a test) a checkpoint cannot complete.
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def destroy_stale_generations() -> int:
    """Destroy, in the key provider, every generation older than its bucket's current one (left by
    a process that stopped between a rotation's commit and its clean-up); how many."""
    provider = key_provider()
    destroyed = 0
    for name in KeyBucket.objects.order_by("name").values_list("name", flat=True):
        with transaction.atomic():
            bucket = KeyBucket.objects.select_for_update().get(name=name)
            destroyed += len(provider.bucket_keys_destroy(name, below=bucket.generation))
    return destroyed


JOURNAL_DAYS = 60  # longer than any database backup is kept (35 days, docs/deploy.md)


def forgets_to_replay() -> list[DataKey]:
    """The data keys the journal says were destroyed but that this database still holds wrapped:
    a database restored from a backup taken before they were forgotten."""
    provider = key_provider()
    if not hasattr(provider, "forget_journal"):
        return []
    ids = [data_key_id for _day, data_key_id in provider.forget_journal()]
    found = []
    for start in range(0, len(ids), 500):
        found += DataKey.objects.filter(pk__in=ids[start : start + 500], wrapped__isnull=False)
    return found


def datakey_rewrap(data_key: DataKey) -> bool:
    """Move a data key wrapped by a master key (before issue 14) into a bucket. The sealed data is
    not touched. Bucketed keys need nothing: a master-key rotation re-wraps the bucket keys."""
    if data_key.wrapped is None or data_key.bucket:
        return False
    with transaction.atomic():
        raw = _unwrap(data_key)
        bucket = _locked_bucket(_random_bucket(data_key.purpose))
        data_key.bucket, data_key.generation = bucket.name, bucket.generation
        data_key.wrapped = key_provider().bucket_wrap(
            bucket.name, bucket.generation, raw, context=_key_context(data_key.id)
        )
        data_key.master_key_id = ""
        DataKey.objects.filter(pk=data_key.pk).update(
            bucket=data_key.bucket, generation=data_key.generation, wrapped=data_key.wrapped, master_key_id=""
        )
    return True


# --- blind indexes ----------------------------------------------------------------------------
def blind_index(purpose: str, *parts: str) -> str:
    """A keyed HMAC of normalised values, for exact look-ups of random secrets (booking codes,
    codenames) without storing them. Never for a person's identity: see ``identity_index``."""
    return key_provider().blind_index(purpose, _normalised(parts))


def identity_index(data_key: DataKey, *parts: str) -> str:
    """The blind index of a person's identity (name, birth date), keyed by the bucket key that
    wraps ``data_key``: destroyed with it, so it confirms nothing once the record is forgotten."""
    return key_provider().bucket_index(data_key.bucket, data_key.generation, data_key.purpose, _normalised(parts))


def identity_index_candidates(purpose: str, *parts: str) -> list[str]:
    """Every value ``identity_index`` can have for these parts today, one per bucket of the
    purpose: a look-up matches a record whichever bucket holds it."""
    provider = key_provider()
    value = _normalised(parts)
    buckets = KeyBucket.objects.filter(name__startswith=purpose + "/").values_list("name", "generation")
    return [provider.bucket_index(name, generation, purpose, value) for name, generation in buckets]


def filter_identity_index(queryset, field: str, candidates: list[str]):
    """``queryset`` restricted to rows whose ``field`` is one of ``candidates`` (one per bucket:
    thousands). On PostgreSQL the list goes as one array parameter (``= ANY(%s)``): Django's
    ``__in`` compiles one placeholder per value, which bench/scale.py measured at 2.6× the array's
    cost for 3,000 buckets. The value is bound, never formatted into the SQL."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{field}__in": candidates})
    column = connection.ops.quote_name(queryset.model._meta.get_field(field).column)
    return queryset.extra(where=[f"{column} = ANY(%s)"], params=[list(candidates)])  # noqa: S610


def _normalised(parts) -> str:
    return "\x1f".join(normalise_for_index(part) for part in parts)


def normalise_for_index(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(letters.replace("-", " ").replace("'", " ").split())
