"""Shared test vectors: ``python -m sanspeur.credential.vectors [OUTDIR]``.

Writes (default OUTDIR: tests/credential/vectors)::

    vectors.json     every case: code, verification time, expected result
    trust_root.pem   public key verifiers are configured with
    trust_list.jws   trust list signed by that root
    status_list.cwt  status list token (raw COSE_Sign1 bytes)
    valid_card.png   the "valid" case as a 40 mm / 300 dpi QR image, printed as cards were
                     before issue 23 (level Q): an old card that must keep reading

The keys are derived from fixed labels and signatures use RFC 6979 deterministic
nonces, so regenerating with the same library versions reproduces the files byte for
byte. These keys are public knowledge: never use them outside tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image, ImageDraw

from .base45 import b45encode
from .claims import CardClaims, card_check_symbol
from .code import PREFIX_V1, decode_code, encode_code, issue
from .cose import parse_sign1
from .keys import PURPOSE_CARD, PURPOSE_STATUS_LIST
from .photo import make_photo
from .qr import LEGACY_LEVELS, render_png
from .signing import P256_ORDER
from .statuslist import STATUS_REVOKED, STATUS_SUSPENDED, StatusListBuilder
from .trustlist import TrustedKey, create_trust_list
from .verify import DEFAULT_LEEWAY, DEFAULT_MAX_STATUS_AGE, verify

ISSUER = "https://sanspeur.example/mtl"
STATUS_URI = "https://sanspeur.example/mtl/status/1"
STATUS_SIZE = 131_072
ISSUED_AT = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
EXPIRES_AT = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
STATUS_ISSUED_AT = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
STATUS_TTL = timedelta(days=1)
VERIFY_AT = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
RETIRED_KEY_TRUSTED_UNTIL = datetime(2031, 1, 1, tzinfo=UTC)

INDEX_VALID = 77_017
INDEX_REVOKED = 4_242
INDEX_SUSPENDED = 99_991


def test_key(label: str) -> ec.EllipticCurvePrivateKey:
    """A fixed P-256 key derived from ``label`` (test use only)."""
    digest = hashlib.sha256(b"sanspeur credential test vector key: " + label.encode()).digest()
    scalar = int.from_bytes(digest, "big") % (P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def test_signer(label: str) -> Any:
    from .signing import LocalSigner

    return LocalSigner(test_key(label), deterministic=True)


def test_photo() -> bytes:
    """A drawn face, deterministic, so the vectors do not depend on a real person's photo."""
    image = Image.new("RGB", (300, 375), (214, 206, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 300, 375), fill=(60, 80, 120))
    draw.ellipse((70, 50, 230, 270), fill=(226, 186, 150))
    draw.ellipse((60, 30, 240, 130), fill=(70, 50, 40))
    draw.ellipse((110, 140, 135, 160), fill=(30, 30, 30))
    draw.ellipse((165, 140, 190, 160), fill=(30, 30, 30))
    draw.line((150, 160, 145, 200, 158, 202), fill=(150, 110, 90), width=4)
    draw.arc((115, 195, 185, 240), 20, 160, fill=(140, 60, 60), width=5)
    return make_photo(image, max_bytes=700)  # the budget of the cards these vectors stand for


def _card_number(seed: str) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    digest = hashlib.sha256(seed.encode()).digest()
    body = "".join(alphabet[b % 32] for b in digest[:9])
    return body + card_check_symbol(body)


def base_claims(photo: bytes) -> CardClaims:
    return CardClaims(
        issuer=ISSUER,
        card_number=_card_number("valid"),
        given_names="Amina Sofía",
        family_names="Haddad Pérez",
        date_of_birth="1988-11-23",
        city="Montréal",
        borough="Villeray–Saint-Michel–Parc-Extension",
        photo=photo,
        status_list_uri=STATUS_URI,
        status_index=INDEX_VALID,
        issued_at=ISSUED_AT,
        expires_at=EXPIRES_AT,
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _flip_signature_byte(code: str) -> str:
    message = parse_sign1(decode_code(code))
    signature = bytearray(message.signature)
    signature[10] ^= 0x01
    return encode_code(replace(message, signature=bytes(signature)).encode())


def _high_s_twin(code: str) -> str:
    """The same card with s replaced by n - s: the other valid ECDSA form of its signature."""
    message = parse_sign1(decode_code(code))
    s = int.from_bytes(message.signature[32:], "big")
    twin = message.signature[:32] + (P256_ORDER - s).to_bytes(32, "big")
    return encode_code(replace(message, signature=twin).encode())


def _with_unprotected_header(code: str, header: dict[Any, Any]) -> str:
    """The same signed card with unsigned data in the COSE unprotected header."""
    return encode_code(replace(parse_sign1(decode_code(code)), unprotected=header).encode())


def _swap_photo(code: str, other_photo: bytes) -> str:
    message = parse_sign1(decode_code(code))
    payload = cbor2.loads(message.payload)
    payload[-65537][7] = other_photo
    return encode_code(replace(message, payload=cbor2.dumps(payload, canonical=True)).encode())


def build_vectors() -> dict[str, Any]:
    """Everything ``write_vectors`` puts on disk, as a dict of file name -> content."""
    root = test_signer("trust-list root")
    card_key = test_signer("card key 2026")
    retired_card_key = test_signer("card key 2025 (retired)")
    status_key = test_signer("status list key")
    stranger = test_signer("not in the trust list")

    trust_jws = create_trust_list(
        [
            TrustedKey(card_key.kid, card_key.public_key(), frozenset({PURPOSE_CARD})),
            TrustedKey(
                retired_card_key.kid,
                retired_card_key.public_key(),
                frozenset({PURPOSE_CARD}),
                trusted_until=RETIRED_KEY_TRUSTED_UNTIL,
            ),
            TrustedKey(status_key.kid, status_key.public_key(), frozenset({PURPOSE_STATUS_LIST})),
        ],
        root,
        issuer=ISSUER,
        issued_at=STATUS_ISSUED_AT,
    )
    builder = StatusListBuilder(STATUS_SIZE)
    builder.update({INDEX_REVOKED: STATUS_REVOKED, INDEX_SUSPENDED: STATUS_SUSPENDED})
    status_token = builder.to_token(
        uri=STATUS_URI, signer=status_key, issued_at=STATUS_ISSUED_AT, ttl=STATUS_TTL, issuer=ISSUER
    )

    photo = test_photo()
    claims = base_claims(photo)
    valid = issue(claims, card_key)
    other_photo = make_photo(Image.new("L", (60, 75), 90))

    def card(name: str, **changes: Any) -> str:
        signer = changes.pop("signer", card_key)
        changes.setdefault("card_number", _card_number(name))
        return issue(replace(claims, **changes), signer)

    later = VERIFY_AT + timedelta(days=2)
    much_later = VERIFY_AT + timedelta(days=9)
    cases: list[tuple[str, str, datetime, str]] = [
        ("valid", valid, VERIFY_AT, "a card in good standing"),
        (
            "valid_retired_key",
            card("valid_retired_key", signer=retired_card_key),
            VERIFY_AT,
            "signed by a retired key that is still trusted",
        ),
        (
            "valid_huffman_zlib",
            PREFIX_V1 + b45encode(zlib.compress(decode_code(valid), 9)),
            VERIFY_AT,
            "the valid card with Huffman-coded deflate, as issued before issuers stored incompressible payloads",
        ),
        ("valid_status_list_old", valid, later, "status list older than its ttl: valid with a warning"),
        ("status_list_stale", valid, much_later, "status list older than the 7-day limit"),
        (
            "expired",
            card("expired", issued_at=ISSUED_AT - timedelta(days=400), expires_at=datetime(2026, 2, 1, tzinfo=UTC)),
            VERIFY_AT,
            "exp is in the past",
        ),
        (
            "not_yet_valid",
            card("not_yet_valid", not_before=datetime(2026, 4, 1, tzinfo=UTC)),
            VERIFY_AT,
            "nbf is in the future",
        ),
        ("revoked", card("revoked", status_index=INDEX_REVOKED), VERIFY_AT, "status entry 1"),
        ("suspended", card("suspended", status_index=INDEX_SUSPENDED), VERIFY_AT, "status entry 2"),
        ("bad_signature", _flip_signature_byte(valid), VERIFY_AT, "one signature byte flipped"),
        (
            "bad_signature_photo_swapped",
            _swap_photo(valid, other_photo),
            VERIFY_AT,
            "photo replaced without re-signing",
        ),
        ("unknown_issuer", card("unknown_issuer", signer=stranger), VERIFY_AT, "kid not in the trust list"),
        (
            "malformed_high_s",
            _high_s_twin(valid),
            VERIFY_AT,
            "the valid card's signature as (r, n - s): valid ECDSA, but only low s is MTL1 (detail high_s_signature)",
        ),
        (
            "malformed_unprotected_header",
            _with_unprotected_header(valid, {4: card_key.kid, 99: "unsigned note"}),
            VERIFY_AT,
            "the valid card with unsigned data in the unprotected header (detail unprotected_header_not_empty)",
        ),
        ("malformed_empty", "", VERIFY_AT, "empty string"),
        ("malformed_prefix", "HC1:" + valid[len(PREFIX_V1) :], VERIFY_AT, "another format's prefix"),
        ("malformed_future_version", "MTL9:" + valid[len(PREFIX_V1) :], VERIFY_AT, "unknown version"),
        ("malformed_base45", valid[:200] + "a" + valid[201:], VERIFY_AT, "lower-case letter is not Base45"),
        ("malformed_truncated", valid[: len(valid) // 2], VERIFY_AT, "half a code"),
        ("malformed_not_zlib", encode_code(b"")[: len(PREFIX_V1)] + "ABC", VERIFY_AT, "Base45 of non-zlib bytes"),
    ]

    expected_cases = []
    for name, code, moment, description in cases:
        result = verify(code, _trust(trust_jws, root), status_token, moment)
        entry: dict[str, Any] = {
            "name": name,
            "description": description,
            "code": code,
            "now": _iso(moment),
            "expected": {"valid": result.valid, "reason": result.reason, "warnings": list(result.warnings)},
        }
        # detail is free text for most malformed inputs (parser messages differ between
        # verifiers); where it is a stable code (or none), every verifier must give it.
        if result.detail is None or ":" not in result.detail:
            entry["expected"]["detail"] = result.detail
        if result.claims is not None:
            entry["expected"]["claims"] = result.claims.to_json_dict()
            entry["expected"]["photo_sha256"] = hashlib.sha256(result.photo or b"").hexdigest()
        expected_cases.append(entry)

    root_pem = root.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    document = {
        "format": "MTL1",
        "generator": "python -m sanspeur.credential.vectors",
        "note": "Test keys are derived from public labels: never trust them outside tests.",
        "trust_root_pem": root_pem.decode("ascii"),
        "trust_list_jws": trust_jws,
        "status_list_cwt_base64": base64.b64encode(status_token).decode("ascii"),
        "verify_options": {
            "max_status_age_seconds": int(DEFAULT_MAX_STATUS_AGE.total_seconds()),
            "leeway_seconds": int(DEFAULT_LEEWAY.total_seconds()),
        },
        "cases": expected_cases,
    }
    return {
        "vectors.json": (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
        "trust_root.pem": root_pem,
        "trust_list.jws": (trust_jws + "\n").encode("ascii"),
        "status_list.cwt": status_token,
        "valid_card.png": render_png(valid, size_mm=40.0, levels=LEGACY_LEVELS),
    }


def _trust(jws: str, root: Any) -> Any:
    from .trustlist import load_trust_list

    return load_trust_list(jws, [root.public_key()], now=STATUS_ISSUED_AT)


def write_vectors(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in build_vectors().items():
        path = outdir / name
        path.write_bytes(content)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    outdir = Path(args[0]) if args else Path("tests/credential/vectors")
    for path in write_vectors(outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
