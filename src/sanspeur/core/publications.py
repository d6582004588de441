"""Signed publications: a file the city publishes (a transparency report, its CSV, a canary) comes
with a detached signature anyone can check with the city's published root key
(``/.well-known/sanspeur/trust-root.pem``, the key that signs the verifiers' trust list).

The signature is a compact JWS (RFC 7515, ES256) whose payload names the file and carries its
SHA-256; the file itself stays a plain CSV, JSON or PDF. The header's ``typ`` separates these
signatures from trust lists signed by the same key: a trust-list verifier refuses a publication and
:func:`verify_file` refuses a trust list.

Checking a file with standard tools: split the JWS on ".", base64url-decode the payload, compare its
``sha256`` with ``sha256sum FILE``, and check the ES256 signature over ``header.payload`` with the
published PEM key (docs/outside-requests.md shows the commands).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric import ec

from sanspeur.credential.jwk import b64url_decode, b64url_encode
from sanspeur.credential.signing import es256_verify, is_low_s, kid_for_public_key, normalize_s

PUBLICATION_TYP = "sanspeur-publication+jws"
MAX_SIGNATURE_CHARS = 4096


class PublicationSignatureError(ValueError):
    """The signature is malformed, made by an unknown key, or does not match the file."""


@dataclass(frozen=True)
class SignedFile:
    name: str
    sha256: str
    issued_at: datetime
    kid: bytes


def _encode(document: dict) -> str:
    return b64url_encode(json.dumps(document, separators=(",", ":"), sort_keys=True).encode())


def sign_file(name: str, data: bytes, *, signer=None, now: datetime | None = None) -> str:
    """A detached signature of ``data`` published as ``name``, by the trust-list root key."""
    if signer is None:
        from sanspeur.cards.keys import ensure_keys
        from sanspeur.credential.keys import PURPOSE_TRUST_LIST

        signer = ensure_keys().active_signer(PURPOSE_TRUST_LIST)
    moment = now or datetime.now(UTC)
    header = {"alg": "ES256", "kid": b64url_encode(signer.kid), "typ": PUBLICATION_TYP}
    payload = {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "iat": int(moment.timestamp())}
    signing_input = f"{_encode(header)}.{_encode(payload)}"
    signature = normalize_s(signer.sign(signing_input.encode("ascii")))
    return f"{signing_input}.{b64url_encode(signature)}"


def verify_file(jws: str, data: bytes, public_keys: Iterable[ec.EllipticCurvePublicKey]) -> SignedFile:
    """Check ``jws`` against ``data`` and the city's root keys; raise PublicationSignatureError."""
    if not isinstance(jws, str) or len(jws) > MAX_SIGNATURE_CHARS or jws.count(".") != 2:
        raise PublicationSignatureError("not a compact JWS")
    encoded_header, encoded_payload, encoded_signature = jws.split(".")
    try:
        header = json.loads(b64url_decode(encoded_header))
        payload = json.loads(b64url_decode(encoded_payload))
        signature = b64url_decode(encoded_signature)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise PublicationSignatureError("not a compact JWS") from error
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise PublicationSignatureError("not a compact JWS")
    if header.get("alg") != "ES256" or header.get("typ") != PUBLICATION_TYP:
        raise PublicationSignatureError("not a publication signature")
    if not is_low_s(signature):
        raise PublicationSignatureError("signature not in the low-s form")
    try:
        kid = b64url_decode(str(header.get("kid", "")))
    except ValueError as error:
        raise PublicationSignatureError("bad key id") from error
    signing_input = f"{encoded_header}.{encoded_payload}".encode("ascii")
    key = next((k for k in public_keys if kid_for_public_key(k) == kid), None)
    if key is None:
        raise PublicationSignatureError("signed by a key that is not the city's")
    if not es256_verify(key, signature, signing_input):
        raise PublicationSignatureError("bad signature")
    if payload.get("sha256") != hashlib.sha256(data).hexdigest():
        raise PublicationSignatureError("the file is not the one that was signed")
    issued = payload.get("iat")
    if not isinstance(issued, int) or not isinstance(payload.get("file"), str):
        raise PublicationSignatureError("incomplete payload")
    return SignedFile(payload["file"], payload["sha256"], datetime.fromtimestamp(issued, UTC), kid)


def main(argv: list[str] | None = None) -> int:
    """``python -m sanspeur.core.publications FILE SIGNATURE.jws trust-root.pem``: check a download."""
    import sys
    from pathlib import Path

    from sanspeur.credential.trustlist import load_public_keys_pem

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print("usage: python -m sanspeur.core.publications FILE SIGNATURE.jws trust-root.pem", file=sys.stderr)
        return 2
    data, jws, pem = (Path(arg).read_bytes() for arg in args)
    try:
        signed = verify_file(jws.decode("ascii", "replace").strip(), data, load_public_keys_pem(pem))
    except PublicationSignatureError as error:
        print(f"NOT VALID: {error}", file=sys.stderr)
        return 1
    print(f"valid: {signed.name}, signed {signed.issued_at:%Y-%m-%d %H:%M} UTC by key {signed.kid.hex()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
