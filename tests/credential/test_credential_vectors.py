"""The committed shared vectors still give the recorded answers, and regenerate identically."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest
from credential_helpers import SRC  # noqa: F401 - makes the package importable
from PIL import Image

from sanspeur.credential import (
    REASONS,
    decode_unverified,
    load_public_keys_pem,
    load_trust_list,
    parse_status_list_token,
    verify,
)
from sanspeur.credential.qr import read_qr
from sanspeur.credential.vectors import build_vectors

VECTORS = Path(__file__).resolve().parent / "vectors"
DOCUMENT = json.loads((VECTORS / "vectors.json").read_text("utf-8"))
CASES = DOCUMENT["cases"]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def trust_and_status():  # type: ignore[no-untyped-def]
    roots = load_public_keys_pem((VECTORS / "trust_root.pem").read_bytes())
    assert roots == load_public_keys_pem(DOCUMENT["trust_root_pem"])
    trust = load_trust_list((VECTORS / "trust_list.jws").read_text(), roots, now=_at(CASES[0]["now"]))
    status_bytes = (VECTORS / "status_list.cwt").read_bytes()
    assert base64.b64decode(DOCUMENT["status_list_cwt_base64"]) == status_bytes
    return trust, parse_status_list_token(status_bytes)


def test_every_reason_is_covered() -> None:
    assert {case["expected"]["reason"] for case in CASES} == set(REASONS)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_vector(case: dict, trust_and_status) -> None:  # type: ignore[no-untyped-def]
    trust, status = trust_and_status
    result = verify(case["code"], trust, status, _at(case["now"]))
    expected = case["expected"]
    assert (result.valid, result.reason, list(result.warnings)) == (
        expected["valid"],
        expected["reason"],
        expected["warnings"],
    )
    if "detail" in expected:  # recorded where it is a stable code, not parser free text
        assert result.detail == expected["detail"]
    if result.valid:
        assert result.claims is not None and result.claims.to_json_dict() == expected["claims"]
        assert hashlib.sha256(result.photo or b"").hexdigest() == expected["photo_sha256"]


def test_one_encoding_vectors_name_their_rule() -> None:
    """The two ways a genuine signature used to verify in a second encoding each have a
    vector with a stable detail, which the JavaScript verifier must give too."""
    by_name = {case["name"]: case["expected"] for case in CASES}
    assert by_name["malformed_high_s"] == {
        "valid": False, "reason": "malformed", "warnings": [], "detail": "high_s_signature"
    }  # fmt: skip
    assert by_name["malformed_unprotected_header"]["detail"] == "unprotected_header_not_empty"


def test_published_signatures_are_low_s() -> None:
    from sanspeur.credential.jwk import b64url_decode
    from sanspeur.credential.signing import is_low_s

    valid = [decode_unverified(case["code"]) for case in CASES if case["expected"]["valid"]]
    assert valid and all(is_low_s(message.signature) for message in valid)
    assert is_low_s(parse_status_list_token((VECTORS / "status_list.cwt").read_bytes()).message.signature)
    assert is_low_s(b64url_decode((VECTORS / "trust_list.jws").read_text().strip().split(".")[2]))


def test_png_holds_the_valid_case() -> None:
    valid = next(case for case in CASES if case["name"] == "valid")
    with Image.open(VECTORS / "valid_card.png") as image:
        assert read_qr(image.convert("L")) == valid["code"]


def test_generation_is_deterministic() -> None:
    first = build_vectors()
    second = build_vectors()
    assert first == second
    # The committed copy matches as long as the libraries (notably libwebp) are unchanged;
    # if this fails after an upgrade, regenerate with `python -m sanspeur.credential.vectors`.
    committed = {name: (VECTORS / name).read_bytes() for name in first}
    assert set(first) == set(committed)
    if first["vectors.json"] != committed["vectors.json"]:
        pytest.skip("library versions changed the bytes; committed vectors are still checked above")
