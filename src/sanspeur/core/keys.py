"""Master keys live outside the database, behind a small provider interface.

The vault never sees a master key directly: it asks the provider to wrap and unwrap per-record
data keys and to compute blind indexes. A KMS or HSM implements the same three methods without
ever releasing its keys.

The file provider reads one JSON document, from ``SANSPEUR_MASTER_KEY`` (the JSON itself),
``SANSPEUR_MASTER_KEY_FILE`` (a path) or ``<SANSPEUR_KEY_DIR>/master-keys.json``::

    {"current": "mk-2026-01", "keys": {"mk-2026-01": "<base64 32 bytes>", ...},
     "index_key": "<base64 32 bytes>"}

Several master keys may be present: the current one wraps new data keys, the older ones still
unwrap until ``sanspeur rotate_master_key`` has re-wrapped everything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
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
