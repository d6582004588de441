"""File-based key store: private keys live in a directory, never in the database.

Layout of ``<keydir>``::

    <kid-hex>.pem   PKCS#8 private key (mode 0600, optionally passphrase-encrypted)
    <kid-hex>.json  metadata: kid, purpose, state, created, retired_at, trusted_until,
                    public key as a JWK (so building a trust list never decrypts a key)

Lifecycle of a key, per purpose (``card``, ``status-list``, ``trust-list``):

* ``create_key`` makes the first active key of a purpose.
* ``rotate`` makes a new active key; the old one becomes *retired*: it signs nothing
  more but stays in the trust list until ``trusted_until``, which the caller sets to the
  expiry of the last card it signed.
* ``retire`` stops a key signing without a successor (e.g. a borough closes).
* ``remove`` deletes a key (compromise, or ``prune`` once ``trusted_until`` passed):
  cards it signed stop verifying as soon as verifiers get the next trust list.

A KMS/HSM backend only has to implement :class:`~sanspeur.credential.signing.Signer`;
this store is one implementation, not a requirement.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .jwk import jwk_from_public_key, public_key_from_jwk
from .signing import LocalSigner, check_p256, kid_for_public_key

PURPOSE_CARD = "card"
PURPOSE_STATUS_LIST = "status-list"
PURPOSE_TRUST_LIST = "trust-list"
PURPOSES = (PURPOSE_CARD, PURPOSE_STATUS_LIST, PURPOSE_TRUST_LIST)

STATE_ACTIVE = "active"
STATE_RETIRED = "retired"

_KID_FILE = re.compile(r"[0-9a-f]{2,128}")


class KeyStoreError(Exception):
    """A key operation is not possible in the store's current state."""


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return now.astimezone(UTC)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_iso(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise KeyStoreError(f"naive datetime in key metadata: {value}")
    return moment


@dataclass(frozen=True)
class KeyMetadata:
    kid: bytes
    purpose: str
    state: str
    created: datetime
    public_key: ec.EllipticCurvePublicKey
    retired_at: datetime | None = None
    trusted_until: datetime | None = None

    def is_trusted(self, now: datetime) -> bool:
        """Active keys are trusted; retired ones until ``trusted_until``."""
        if self.state == STATE_ACTIVE:
            return True
        return self.trusted_until is not None and now <= self.trusted_until

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "kid": self.kid.hex(),
            "purpose": self.purpose,
            "state": self.state,
            "created": _iso(self.created),
            "retired_at": _iso(self.retired_at),
            "trusted_until": _iso(self.trusted_until),
            "public_key": jwk_from_public_key(self.public_key),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeyMetadata:
        purpose = data["purpose"]
        state = data["state"]
        if purpose not in PURPOSES or state not in (STATE_ACTIVE, STATE_RETIRED):
            raise KeyStoreError(f"bad purpose/state in metadata: {purpose}/{state}")
        created = _parse_iso(data["created"])
        if created is None:
            raise KeyStoreError("metadata lacks a creation time")
        return cls(
            kid=bytes.fromhex(data["kid"]),
            purpose=purpose,
            state=state,
            created=created,
            public_key=public_key_from_jwk(data["public_key"]),
            retired_at=_parse_iso(data.get("retired_at")),
            trusted_until=_parse_iso(data.get("trusted_until")),
        )


class FileSigner(LocalSigner):
    """A :class:`LocalSigner` loaded from ``<keydir>/<kid>.pem``."""

    @classmethod
    def from_file(cls, path: Path, *, passphrase: bytes | None = None) -> FileSigner:
        private_key = serialization.load_pem_private_key(path.read_bytes(), password=passphrase)
        if not isinstance(private_key, ec.EllipticCurvePrivateKey):
            raise KeyStoreError(f"{path.name} is not an EC private key")
        check_p256(private_key.public_key())
        signer = cls(private_key)
        if path.stem != signer.kid.hex():
            raise KeyStoreError(f"{path.name} does not match its key id {signer.kid.hex()}")
        return signer


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    """Write via a temp file + rename so a crash never leaves half a key or metadata file."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


class KeyStore:
    """Keys in a directory outside the database (see module docstring)."""

    def __init__(self, directory: str | os.PathLike[str], *, passphrase: bytes | None = None) -> None:
        self.directory = Path(directory)
        self._passphrase = passphrase

    # --- reading ------------------------------------------------------------------

    def _meta_path(self, kid: bytes) -> Path:
        return self.directory / f"{kid.hex()}.json"

    def _pem_path(self, kid: bytes) -> Path:
        return self.directory / f"{kid.hex()}.pem"

    def keys(self) -> list[KeyMetadata]:
        """All keys, oldest first."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.glob("*.json"):
            if _KID_FILE.fullmatch(path.stem):
                found.append(KeyMetadata.from_json(json.loads(path.read_text("utf-8"))))
        return sorted(found, key=lambda meta: (meta.created, meta.kid))

    def __iter__(self) -> Iterator[KeyMetadata]:
        return iter(self.keys())

    def get(self, kid: bytes) -> KeyMetadata:
        path = self._meta_path(kid)
        if not path.exists():
            raise KeyStoreError(f"no key {kid.hex()}")
        return KeyMetadata.from_json(json.loads(path.read_text("utf-8")))

    def active(self, purpose: str) -> KeyMetadata | None:
        """The key that signs for ``purpose``: the newest active one.

        Two keys are active only for the instant of a rotation (the new key is written before the
        old one is retired, so that there is never a moment without a signing key); the newer one
        signs, and the older one is still trusted, so whatever either signs verifies.
        """
        actives = [meta for meta in self.keys() if meta.purpose == purpose and meta.state == STATE_ACTIVE]
        return actives[-1] if actives else None

    def signer(self, kid: bytes) -> FileSigner:
        return FileSigner.from_file(self._pem_path(kid), passphrase=self._passphrase)

    def active_signer(self, purpose: str) -> FileSigner:
        meta = self.active(purpose)
        if meta is None:
            raise KeyStoreError(f"no active {purpose} key")
        return self.signer(meta.kid)

    def trusted(
        self, now: datetime | None = None, purposes: tuple[str, ...] = (PURPOSE_CARD, PURPOSE_STATUS_LIST)
    ) -> list[KeyMetadata]:
        """Keys a trust list published at ``now`` should contain."""
        moment = _now(now)
        return [meta for meta in self.keys() if meta.purpose in purposes and meta.is_trusted(moment)]

    # --- writing ------------------------------------------------------------------

    def _save(self, meta: KeyMetadata) -> None:
        data = json.dumps(meta.to_json(), indent=2, sort_keys=True).encode("utf-8") + b"\n"
        _write_atomic(self._meta_path(meta.kid), data, 0o644)

    def _generate(self, purpose: str, now: datetime) -> KeyMetadata:
        if purpose not in PURPOSES:
            raise KeyStoreError(f"unknown purpose {purpose!r}; expected one of {PURPOSES}")
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        private_key = ec.generate_private_key(ec.SECP256R1())
        public_key = private_key.public_key()
        kid = kid_for_public_key(public_key)
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(self._passphrase)
            if self._passphrase
            else serialization.NoEncryption()
        )
        pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
        # The private key file is written first and only readable by its owner.
        _write_atomic(self._pem_path(kid), pem, 0o600)
        meta = KeyMetadata(kid=kid, purpose=purpose, state=STATE_ACTIVE, created=now, public_key=public_key)
        self._save(meta)
        return meta

    def create_key(self, purpose: str, *, now: datetime | None = None) -> KeyMetadata:
        """Create the first active key of ``purpose`` (use ``rotate`` when one exists)."""
        if self.active(purpose) is not None:
            raise KeyStoreError(f"an active {purpose} key exists; use rotate()")
        return self._generate(purpose, _now(now))

    def rotate(
        self, purpose: str, *, trusted_until: datetime, now: datetime | None = None
    ) -> tuple[KeyMetadata, KeyMetadata | None]:
        """New active key for ``purpose``; the previous one is retired, trusted until ``trusted_until``.

        ``trusted_until`` should be the latest ``expires_at`` among cards (or, for the
        status-list key, status list tokens) signed by the old key.
        """
        moment = _now(now)
        older = [meta for meta in self.keys() if meta.purpose == purpose and meta.state == STATE_ACTIVE]
        # New key first, then retire: an issuance running meanwhile always finds a signing key.
        latest = max((meta.created for meta in older), default=None)
        created = moment if latest is None or moment > latest else latest + timedelta(microseconds=1)
        new = self._generate(purpose, created)
        retired = None
        for old in older:
            retired = self.retire(old.kid, trusted_until=trusted_until, now=moment)
        return new, retired

    def retire(self, kid: bytes, *, trusted_until: datetime, now: datetime | None = None) -> KeyMetadata:
        """Stop signing with ``kid``; keep it in trust lists until ``trusted_until``."""
        moment = _now(now)
        until = _now(trusted_until)
        meta = self.get(kid)
        retired = replace(meta, state=STATE_RETIRED, retired_at=meta.retired_at or moment, trusted_until=until)
        self._save(retired)
        return retired

    def remove(self, kid: bytes) -> None:
        """Delete a key and its metadata. Cards it signed stop verifying with the next trust list."""
        self.get(kid)  # raises if unknown
        self._pem_path(kid).unlink(missing_ok=True)
        self._meta_path(kid).unlink()

    def prune(self, now: datetime | None = None) -> list[bytes]:
        """Remove retired keys whose ``trusted_until`` has passed; return their kids."""
        moment = _now(now)
        removed = []
        for meta in self.keys():
            if meta.state == STATE_RETIRED and not meta.is_trusted(moment):
                self.remove(meta.kid)
                removed.append(meta.kid)
        return removed

    def export_public_pem(self, kid: bytes) -> bytes:
        """Public key PEM, e.g. the trust-list root that verifiers are configured with."""
        return self.get(kid).public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
