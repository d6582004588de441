"""Master keys live outside the database, behind a small provider interface.

The vault never sees a master key directly: it asks the provider to wrap and unwrap per-record
data keys and to compute blind indexes. A KMS or HSM implements the same three methods without
ever releasing its keys.

The file provider reads one JSON document, from ``SANSPEUR_MASTER_KEY`` (the JSON itself),
``SANSPEUR_MASTER_KEY_FILE`` (a path) or ``<SANSPEUR_KEY_DIR>/master-keys.json``::

    {"current": "mk-2026-01", "keys": {"mk-2026-01": "<base64 32 bytes>", ...},
     "index_key": "<base64 32 bytes>"}

Several master keys may be present: the current one wraps new bucket keys, the older ones still
unwrap until ``sanspeur rotate_master_key`` has re-wrapped everything.

**Bucket keys** (issue 14, docs/decisions/0005-bucket-keys.md). Data keys are not wrapped by the
master key but by one of a few thousand *bucket keys*, which live here, outside the database, one
small file per bucket under ``<SANSPEUR_KEY_DIR>/buckets/<purpose>/<n>.json`` (each bucket key
itself wrapped by the master key). A bucket has generations: forgetting a record re-wraps its
siblings under a new generation and then *destroys* the old one here, where deleting a file is
real, so that every copy of the old wrapped data key (PostgreSQL's WAL, table files, a backup)
is left with no key that opens it. A bucket key also keys the blind indexes of its records.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


class KeyUnavailable(Exception):
    """The master key that wrapped a data key is not (or no longer) held by the provider."""


class KeyProvider(Protocol):
    def current_key_id(self) -> str: ...

    def wrap(self, data_key: bytes, *, context: bytes) -> tuple[str, bytes]: ...

    def unwrap(self, key_id: str, wrapped: bytes, *, context: bytes) -> bytes: ...

    def blind_index(self, purpose: str, value: str) -> str: ...

    # Bucket keys: created, used and destroyed by (bucket name, generation).
    def bucket_key_ensure(self, bucket: str, generation: int) -> None: ...

    def bucket_keys_ensure(self, buckets: list[tuple[str, int]]) -> None: ...

    def bucket_wrap(self, bucket: str, generation: int, data_key: bytes, *, context: bytes) -> bytes: ...

    def bucket_unwrap(self, bucket: str, generation: int, wrapped: bytes, *, context: bytes) -> bytes: ...

    def bucket_index(self, bucket: str, generation: int, purpose: str, value: str) -> str: ...

    def bucket_generations(self, bucket: str) -> list[int]: ...

    def bucket_keys_destroy(self, bucket: str, *, below: int) -> list[int]: ...


_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}/[0-9]{1,6}$")
_WRAP_LABEL = b"sanspeur-bucket-wrap"
_INDEX_LABEL = b"sanspeur-bucket-index"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def new_keyring_document() -> dict:
    key_id = "mk-" + datetime.now(UTC).strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(2)
    return {
        "current": key_id,
        "keys": {key_id: _b64(AESGCM.generate_key(bit_length=256))},
        "index_key": _b64(secrets.token_bytes(32)),
    }


class FileKeyProvider:
    """Master keys in a JSON document held outside the database (environment or file)."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.bucket_dir = Path(settings.SANSPEUR_KEY_DIR) / "buckets"
        self._buckets: dict[str, dict[int, bytes]] = {}
        self._derived_keys: dict[tuple[str, int, bytes], bytes] = {}
        self._buckets_lock = threading.Lock()
        raw = os.environ.get("SANSPEUR_MASTER_KEY", "")
        if raw:
            document = json.loads(raw)
        else:
            file_setting = os.environ.get("SANSPEUR_MASTER_KEY_FILE", "")
            self.path = Path(file_setting) if file_setting else Path(settings.SANSPEUR_KEY_DIR) / "master-keys.json"
            if not self.path.exists():
                if not settings.SANSPEUR_CREATE_MISSING_KEYS:
                    raise ImproperlyConfigured(f"No master key file at {self.path}.")
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._write(new_keyring_document())
            document = json.loads(self.path.read_text())
        self._load(document)

    def _load(self, document: dict) -> None:
        try:
            self._current = document["current"]
            self._keys = {kid: base64.b64decode(value) for kid, value in document["keys"].items()}
            self._index_key = base64.b64decode(document["index_key"])
        except (KeyError, TypeError, ValueError) as error:
            raise ImproperlyConfigured("The master key document is not valid.") from error
        if self._current not in self._keys or any(len(k) != 32 for k in self._keys.values()):
            raise ImproperlyConfigured("The master key document is not valid.")

    def _write(self, document: dict) -> None:
        assert self.path is not None
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, indent=2))
        temporary.chmod(0o600)
        temporary.replace(self.path)

    def current_key_id(self) -> str:
        return self._current

    def key_ids(self) -> list[str]:
        return list(self._keys)

    def wrap(self, data_key: bytes, *, context: bytes) -> tuple[str, bytes]:
        nonce = secrets.token_bytes(12)
        return self._current, nonce + AESGCM(self._keys[self._current]).encrypt(nonce, data_key, context)

    def unwrap(self, key_id: str, wrapped: bytes, *, context: bytes) -> bytes:
        master = self._keys.get(key_id)
        if master is None:
            raise KeyUnavailable(key_id)
        return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], context)

    def blind_index(self, purpose: str, value: str) -> str:
        # The purpose is mixed in so that two kinds of look-up can never be compared with each other.
        message = purpose.encode() + b"\x00" + value.encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()

    # --- bucket keys ------------------------------------------------------------------------------
    def _bucket_path(self, bucket: str) -> Path:
        if not _BUCKET_NAME.match(bucket):
            raise ValueError(f"not a bucket name: {bucket!r}")
        purpose, number = bucket.split("/")
        return self.bucket_dir / purpose / f"{number}.json"

    @contextmanager
    def _bucket_write_lock(self):
        """One writer at a time, across processes (a bucket file is read, changed and replaced)."""
        self.bucket_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.bucket_dir / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _bucket_context(self, bucket: str, generation: int) -> bytes:
        return f"sanspeur-bucket:{bucket}:{generation}".encode()

    def _read_bucket(self, bucket: str) -> dict[int, dict]:
        path = self._bucket_path(bucket)
        try:
            document = json.loads(path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise ImproperlyConfigured(f"The bucket key file {path} is not valid.") from error
        return {int(generation): entry for generation, entry in document["generations"].items()}

    def _write_bucket(self, bucket: str, entries: dict[int, dict], *, durable: bool = True) -> None:
        """Replace the bucket's file. ``durable=False`` leaves the flush to the caller (a batch
        ends with one ``os.sync()`` instead of two fsyncs per file)."""
        path = self._bucket_path(bucket)
        if not entries:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_suffix(".tmp")
        document = {"generations": {str(generation): entry for generation, entry in sorted(entries.items())}}
        with open(temporary, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(json.dumps(document))
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        temporary.replace(path)
        if not durable:
            return
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename (and so the destruction of the old file) is durable
        finally:
            os.close(directory)

    def _open_entry(self, bucket: str, generation: int, entry: dict) -> bytes:
        master = self._keys.get(entry["master"])
        if master is None:
            raise KeyUnavailable(f"{bucket}#{generation}: master key {entry['master']}")
        wrapped = base64.b64decode(entry["key"])
        return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], self._bucket_context(bucket, generation))

    def _seal_entry(self, bucket: str, generation: int, raw: bytes) -> dict:
        nonce = secrets.token_bytes(12)
        sealed = nonce + AESGCM(self._keys[self._current]).encrypt(nonce, raw, self._bucket_context(bucket, generation))
        return {"master": self._current, "key": _b64(sealed)}

    def _bucket_key(self, bucket: str, generation: int) -> bytes:
        with self._buckets_lock:
            known = self._buckets.get(bucket, {})
            if generation in known:
                return known[generation]
        # Not in memory: another process may have made it. Read the file again; generations older
        # than the newest one held are dropped from memory (they are being destroyed).
        entries = self._read_bucket(bucket)
        if generation not in entries:
            raise KeyUnavailable(f"{bucket}#{generation}")
        opened = {number: self._open_entry(bucket, number, entry) for number, entry in entries.items()}
        with self._buckets_lock:
            self._forget_in_memory(bucket, [n for n in self._buckets.get(bucket, {}) if n not in opened])
            self._buckets[bucket] = opened
        return opened[generation]

    def bucket_key_ensure(self, bucket: str, generation: int) -> None:
        """Create generation ``generation`` of the bucket's key unless it exists (never replaced:
        two processes that race both end up with the key the first one wrote)."""
        with self._bucket_write_lock():
            entries = self._read_bucket(bucket)
            if generation not in entries:
                entries[generation] = self._seal_entry(bucket, generation, secrets.token_bytes(32))
                self._write_bucket(bucket, entries)

    def bucket_keys_ensure(self, buckets: list[tuple[str, int]]) -> None:
        """``bucket_key_ensure`` for many buckets under one lock, made durable by one sync at the
        end (a bulk load creating the 4,096 buckets of a purpose spent 10 ms per bucket)."""
        with self._bucket_write_lock():
            wrote = False
            for bucket, generation in buckets:
                entries = self._read_bucket(bucket)
                if generation not in entries:
                    entries[generation] = self._seal_entry(bucket, generation, secrets.token_bytes(32))
                    self._write_bucket(bucket, entries, durable=False)
                    wrote = True
            if wrote:
                os.sync()

    def _derived(self, bucket: str, generation: int, label: bytes) -> bytes:
        cached = self._derived_keys.get((bucket, generation, label))
        if cached is None:
            cached = hmac.new(self._bucket_key(bucket, generation), label, hashlib.sha256).digest()
            self._derived_keys[(bucket, generation, label)] = cached
        return cached

    def _forget_in_memory(self, bucket: str, generations) -> None:
        known = self._buckets.get(bucket, {})
        for number in generations:
            known.pop(number, None)
            for label in (_WRAP_LABEL, _INDEX_LABEL):
                self._derived_keys.pop((bucket, number, label), None)

    def bucket_wrap(self, bucket: str, generation: int, data_key: bytes, *, context: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(self._derived(bucket, generation, _WRAP_LABEL)).encrypt(nonce, data_key, context)

    def bucket_unwrap(self, bucket: str, generation: int, wrapped: bytes, *, context: bytes) -> bytes:
        key = self._derived(bucket, generation, _WRAP_LABEL)
        return AESGCM(key).decrypt(wrapped[:12], wrapped[12:], context)

    def bucket_index(self, bucket: str, generation: int, purpose: str, value: str) -> str:
        message = purpose.encode() + b"\x00" + value.encode()
        return hmac.digest(self._derived(bucket, generation, _INDEX_LABEL), message, "sha256").hex()

    def bucket_generations(self, bucket: str) -> list[int]:
        return sorted(self._read_bucket(bucket))

    def bucket_keys_destroy(self, bucket: str, *, below: int) -> list[int]:
        """Destroy the generations of the bucket's key older than ``below``; those destroyed."""
        with self._bucket_write_lock():
            entries = self._read_bucket(bucket)
            destroyed = sorted(number for number in entries if number < below)
            if destroyed:
                self._write_bucket(bucket, {number: entry for number, entry in entries.items() if number >= below})
        with self._buckets_lock:
            self._forget_in_memory(bucket, [n for n in list(self._buckets.get(bucket, {})) if n < below])
        return destroyed

    def bucket_names(self) -> list[str]:
        """Every bucket that has a key file (for the master-key rotation and the compaction)."""
        if not self.bucket_dir.exists():
            return []
        return sorted(
            f"{path.parent.name}/{path.stem}" for path in self.bucket_dir.glob("*/*.json") if path.stem.isdigit()
        )

    def bucket_master_keys(self) -> set[str]:
        """The master keys that still wrap a bucket key."""
        return {entry["master"] for bucket in self.bucket_names() for entry in self._read_bucket(bucket).values()}

    def bucket_keys_rewrap(self) -> int:
        """Wrap every bucket key under the current master key; how many were re-wrapped."""
        count = 0
        for bucket in self.bucket_names():
            with self._bucket_write_lock():
                entries = self._read_bucket(bucket)
                changed = {
                    number: self._seal_entry(bucket, number, self._open_entry(bucket, number, entry))
                    for number, entry in entries.items()
                    if entry["master"] != self._current
                }
                if changed:
                    self._write_bucket(bucket, {**entries, **changed})
                    count += len(changed)
        return count

    # --- the journal of forgotten keys (for a restore from backups) ------------------------------
    @property
    def _journal(self) -> Path:
        return self.bucket_dir / "forgotten.log"

    def forget_journal_append(self, data_key_ids: list[str], day: str) -> None:
        """Record that these data keys were destroyed: ids and the day only, nothing personal. A
        database restored from a backup forgets them again (``vault_replay_forgets``)."""
        with self._bucket_write_lock(), open(self._journal, "a") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write("".join(f"{day} {data_key_id}\n" for data_key_id in data_key_ids))
            handle.flush()
            os.fsync(handle.fileno())

    def forget_journal(self) -> list[tuple[str, str]]:
        """(day, data key id) of every destroyed key still in the journal."""
        try:
            lines = self._journal.read_text().splitlines()
        except FileNotFoundError:
            return []
        return [tuple(line.split(" ", 1)) for line in lines if " " in line]

    def forget_journal_prune(self, before: str) -> int:
        """Drop the entries of days before ``before`` (ISO date); how many."""
        with self._bucket_write_lock():
            entries = self.forget_journal()
            kept = [(day, key) for day, key in entries if day >= before]
            if len(kept) != len(entries):
                temporary = self._journal.with_suffix(".tmp")
                temporary.write_text("".join(f"{day} {key}\n" for day, key in kept))
                temporary.chmod(0o600)
                temporary.replace(self._journal)
        return len(entries) - len(kept)

    # Rotation (file provider only; a KMS rotates on its side).
    def add_key_and_make_current(self) -> str:
        if self.path is None:
            raise ImproperlyConfigured("Keys given in SANSPEUR_MASTER_KEY are rotated by whoever sets it.")
        document = json.loads(self.path.read_text())
        fresh = new_keyring_document()
        document["keys"][fresh["current"]] = fresh["keys"][fresh["current"]]
        document["current"] = fresh["current"]
        self._write(document)
        self._load(document)
        return self._current

    def remove_keys(self, key_ids: list[str]) -> None:
        assert self.path is not None
        document = json.loads(self.path.read_text())
        for key_id in key_ids:
            if key_id != document["current"]:
                document["keys"].pop(key_id, None)
        self._write(document)
        self._load(document)


@lru_cache(maxsize=1)
def key_provider() -> KeyProvider:
    return import_string(settings.SANSPEUR_KEY_PROVIDER)()
