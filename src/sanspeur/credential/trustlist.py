"""Trust list: which issuer keys verifiers accept, signed by a trust-list root key.

Format (see docs/credential-format.md): a compact JWS (RFC 7515, ES256) whose payload is
a JWKS-like JSON document. We chose JWS over COSE here because the trust list is a
small JSON document fetched over HTTP or copied on a USB stick, and a JavaScript
verifier can check it with WebCrypto alone.

Verifiers are configured with one or more *root* public keys (PEM) and accept only a
trust list signed by one of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .jwk import b64url_decode, b64url_encode, jwk_from_public_key, public_key_from_jwk
from .keys import PURPOSE_CARD, PURPOSE_STATUS_LIST, KeyMetadata
from .signing import Signer, check_p256, es256_verify, is_low_s, kid_for_public_key, normalize_s

TRUST_LIST_TYP = "sanspeur-trust-list+jws"
KNOWN_PURPOSES = (PURPOSE_CARD, PURPOSE_STATUS_LIST)
MAX_TRUST_LIST_BYTES = 1_000_000


class TrustListError(ValueError):
    """The trust list is malformed, not signed by a configured root, or expired."""


@dataclass(frozen=True)
class TrustedKey:
    kid: bytes
    public_key: ec.EllipticCurvePublicKey
    purposes: frozenset[str]
    trusted_until: datetime | None = None  # None: no end date (the active key)
    # Uncompressed public point, computed once: identifies the key in verification caches.
    fingerprint: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        point = check_p256(self.public_key).public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        object.__setattr__(self, "fingerprint", point)

    def is_trusted(self, purpose: str, now: datetime) -> bool:
        if purpose not in self.purposes:
            return False
        return self.trusted_until is None or now <= self.trusted_until

    def to_jwk(self) -> dict[str, Any]:
        jwk = jwk_from_public_key(self.public_key)
        jwk.update(
            {
                "kid": b64url_encode(self.kid),
                "alg": "ES256",
                "use": "sig",
                "purposes": sorted(self.purposes),
                "trusted_until": None if self.trusted_until is None else int(self.trusted_until.timestamp()),
            }
        )
        return jwk

    @classmethod
    def from_metadata(cls, meta: KeyMetadata) -> TrustedKey:
        """A key-store entry as published: active keys have no end date."""
        until = None if meta.state == "active" else meta.trusted_until
        return cls(kid=meta.kid, public_key=meta.public_key, purposes=frozenset({meta.purpose}), trusted_until=until)


@dataclass(frozen=True)
class TrustList:
    issuer: str
    issued_at: datetime
    expires_at: datetime | None
    keys: Mapping[bytes, TrustedKey]
    signed_by: bytes  # kid of the root that signed it

    def find(self, kid: bytes, purpose: str, now: datetime) -> TrustedKey | None:
        """The key for ``kid`` if it is trusted for ``purpose`` at ``now``."""
        key = self.keys.get(kid)
        if key is None or not key.is_trusted(purpose, now):
            return None
        return key


def _aware(moment: datetime) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment


def trust_list_payload(
    keys: Iterable[TrustedKey | KeyMetadata],
    *,
    issuer: str,
    issued_at: datetime,
    expires_at: datetime | None = None,
) -> dict[str, Any]:
    entries = [key if isinstance(key, TrustedKey) else TrustedKey.from_metadata(key) for key in keys]
    kids = [entry.kid for entry in entries]
    if len(set(kids)) != len(kids):
        raise ValueError("duplicate kid in trust list")
    return {
        "iss": issuer,
        "iat": int(_aware(issued_at).timestamp()),
        "exp": None if expires_at is None else int(_aware(expires_at).timestamp()),
        "keys": [entry.to_jwk() for entry in sorted(entries, key=lambda e: e.kid)],
    }


def sign_trust_list(payload: Mapping[str, Any], root: Signer) -> str:
    """Compact JWS (ES256) of the JSON payload, signed by a trust-list root signer."""
    header = {"alg": "ES256", "kid": b64url_encode(root.kid), "typ": TRUST_LIST_TYP}
    encoded_header = b64url_encode(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())
    encoded_payload = b64url_encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    signing_input = f"{encoded_header}.{encoded_payload}"
    signature = normalize_s(root.sign(signing_input.encode("ascii")))
    return f"{signing_input}.{b64url_encode(signature)}"


def create_trust_list(
    keys: Iterable[TrustedKey | KeyMetadata],
    root: Signer,
    *,
    issuer: str,
    issued_at: datetime,
    expires_at: datetime | None = None,
) -> str:
    """Build and sign a trust list in one step."""
    return sign_trust_list(trust_list_payload(keys, issuer=issuer, issued_at=issued_at, expires_at=expires_at), root)


def load_public_keys_pem(data: bytes | str) -> list[ec.EllipticCurvePublicKey]:
    """Read one or more PEM public keys (the verifier's configured trust roots)."""
    raw = data.encode("ascii") if isinstance(data, str) else data
    keys = []
    marker = b"-----END PUBLIC KEY-----"
    for block in raw.split(marker):
        if b"-----BEGIN PUBLIC KEY-----" in block:
            keys.append(check_p256(serialization.load_pem_public_key(block + marker)))
    if not keys:
        raise ValueError("no PEM public key found")
    return keys


def _time(value: Any, name: str) -> datetime:
    if type(value) is not int:
        raise TrustListError(f"{name} must be an integer timestamp")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise TrustListError(f"{name} out of range") from exc


def _parse_key(jwk: Any) -> TrustedKey:
    if not isinstance(jwk, dict):
        raise TrustListError("key entries must be objects")
    try:
        public_key = public_key_from_jwk(jwk)
        kid = b64url_decode(jwk.get("kid"))
    except ValueError as exc:
        raise TrustListError(f"bad key entry: {exc}") from exc
    if not 1 <= len(kid) <= 64:
        raise TrustListError("kid must be 1..64 bytes")
    if jwk.get("alg", "ES256") != "ES256":
        raise TrustListError("only ES256 keys are supported")
    purposes = jwk.get("purposes")
    if not isinstance(purposes, list) or not purposes or not all(isinstance(p, str) for p in purposes):
        raise TrustListError("purposes must be a non-empty list of strings")
    until = jwk.get("trusted_until")
    return TrustedKey(
        kid=kid,
        public_key=public_key,
        # Unknown purposes are kept (forward compatible) but never match a lookup here.
        purposes=frozenset(purposes),
        trusted_until=None if until is None else _time(until, "trusted_until"),
    )


def load_trust_list(
    data: bytes | str,
    roots: Sequence[ec.EllipticCurvePublicKey],
    *,
    now: datetime | None = None,
) -> TrustList:
    """Verify a trust list against the configured roots and parse it.

    Raises TrustListError on any problem; a verifier should keep its previous trust list
    when a new one fails to load.
    """
    try:
        text = data.decode("ascii") if isinstance(data, bytes | bytearray) else data
    except UnicodeDecodeError as exc:
        raise TrustListError("trust list must be ASCII (compact JWS)") from exc
    if not isinstance(text, str) or len(text) > MAX_TRUST_LIST_BYTES:
        raise TrustListError("trust list must be a compact JWS string of reasonable size")
    parts = text.strip().split(".")
    if len(parts) != 3:
        raise TrustListError("not a compact JWS")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload_bytes = b64url_decode(parts[1])
        signature = b64url_decode(parts[2])
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly nested JSON
        raise TrustListError(f"bad JWS encoding: {exc}") from exc
    if not isinstance(header, dict) or header.get("alg") != "ES256" or header.get("typ") != TRUST_LIST_TYP:
        raise TrustListError("JWS header must have alg ES256 and the trust-list typ")
    if "crit" in header:
        raise TrustListError("critical JWS headers are not supported")
    try:
        header_kid = b64url_decode(header.get("kid"))
    except ValueError as exc:
        raise TrustListError("JWS header needs a kid") from exc

    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    root_by_kid = {kid_for_public_key(root): root for root in roots}
    root = root_by_kid.get(header_kid)
    if root is None:
        raise TrustListError("trust list signed by an unknown root key")
    if len(signature) == 64 and not is_low_s(signature):
        raise TrustListError("trust list signature is not in low-s form")
    if not es256_verify(root, signature, signing_input):
        raise TrustListError("trust list signature is invalid")

    try:
        payload = json.loads(payload_bytes)
    except (ValueError, RecursionError) as exc:
        raise TrustListError("payload is not JSON") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("keys"), list):
        raise TrustListError("payload must be an object with a keys array")
    issuer = payload.get("iss")
    if not isinstance(issuer, str):
        raise TrustListError("iss must be a string")
    issued_at = _time(payload.get("iat"), "iat")
    expires_at = None if payload.get("exp") is None else _time(payload.get("exp"), "exp")
    moment = _aware(now) if now is not None else datetime.now(UTC)
    if expires_at is not None and moment > expires_at:
        raise TrustListError("trust list has expired")

    keys: dict[bytes, TrustedKey] = {}
    for jwk in payload["keys"]:
        key = _parse_key(jwk)
        if key.kid in keys:
            raise TrustListError("duplicate kid in trust list")
        keys[key.kid] = key
    return TrustList(issuer=issuer, issued_at=issued_at, expires_at=expires_at, keys=keys, signed_by=header_kid)
