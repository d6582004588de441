"""JWK (RFC 7517) conversion for P-256 public keys, and base64url helpers."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from .signing import check_p256

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict unpadded base64url (RFC 7515 section 2); raise ValueError otherwise."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("invalid base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("invalid base64url") from exc
    if b64url_encode(data) != text:  # reject non-canonical trailing bits
        raise ValueError("non-canonical base64url")
    return data


def jwk_from_public_key(public_key: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    numbers = check_p256(public_key).public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url_encode(numbers.x.to_bytes(32, "big")),
        "y": b64url_encode(numbers.y.to_bytes(32, "big")),
    }


def public_key_from_jwk(jwk: Any) -> ec.EllipticCurvePublicKey:
    """Parse an EC P-256 public JWK; raise ValueError on anything else (incl. private 'd')."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("only EC P-256 JWKs are supported")
    if "d" in jwk:
        raise ValueError("refusing a JWK that contains a private key")
    x = b64url_decode(jwk.get("x"))
    y = b64url_decode(jwk.get("y"))
    if len(x) != 32 or len(y) != 32:
        raise ValueError("P-256 coordinates are 32 bytes")
    # from_encoded_point checks the point is on the curve.
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + x + y)
