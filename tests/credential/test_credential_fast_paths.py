"""Every shortcut verify() takes for speed gives exactly the answers of the plain code.

The shortcuts (docs/decisions/0004-compiled-base45.md): a compiled Base45 decoder, a
hand-assembled Sig_structure, DER signatures built from bytes, and issuers storing rather
than deflating payloads that do not compress. Each is compared here with the reference it
replaces, on edge cases and on random input.
"""

from __future__ import annotations

import os
import random
import zlib

import cbor2
import pytest
from credential_helpers import NOW, World
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from sanspeur.credential import PREFIX_V1, ClaimsError, decode_code, make_photo, raw_to_der, verify
from sanspeur.credential import base45 as base45_module
from sanspeur.credential.base45 import ALPHABET, Base45Error, b45decode, b45decode_python, b45encode
from sanspeur.credential.claims import claims_from_payload
from sanspeur.credential.code import DEFLATE_MIN_SAVING
from sanspeur.credential.cose import parse_sign1, sig_structure

compiled_b45decode = base45_module._compiled_b45decode
needs_compiled = pytest.mark.skipif(compiled_b45decode is None, reason="compiled Base45 decoder not built")


def python_outcome(text: object) -> bytes | None:
    try:
        return b45decode_python(text)  # type: ignore[arg-type]
    except Base45Error:
        return None


# --- compiled Base45 ----------------------------------------------------------------


def test_compiled_decoder_is_built() -> None:
    """The benchmarked decoder is the tested one. In CI a missing build fails the run;
    elsewhere the package still works (pure Python) and this says why it skipped."""
    if base45_module.COMPILED:
        assert b45decode("QED8WEX0") == b"ietf!"
        return
    message = "sanspeur.credential._base45 is not built (no C compiler when the package was installed)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: the compiled decoder is mandatory)")
    pytest.skip(message)


@needs_compiled
def test_every_triple_and_pair_gets_the_same_answer() -> None:
    """All 91,125 three-character and 2,025 two-character groups: values above 0xFFFF
    (and 0xFF for a final pair) are refused by both decoders, the rest decode alike."""
    refused = 0
    for high in ALPHABET:
        for mid in ALPHABET:
            pair = high + mid
            assert compiled_b45decode(pair) == python_outcome(pair), pair
            for low in ALPHABET:
                triple = high + mid + low
                expected = python_outcome(triple)
                refused += expected is None
                assert compiled_b45decode(triple) == expected, triple
    assert refused == 45**3 - 65536  # exactly the triples worth more than 0xFFFF


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET + "a~\x00é€\n", max_size=40))
def test_random_text_gets_the_same_answer(text: str) -> None:
    expected = python_outcome(text)
    assert compiled_b45decode(text) == expected
    assert python_outcome(text.encode("utf-8")) == (compiled_b45decode(text.encode("utf-8")))
    if expected is None:
        with pytest.raises(Base45Error):
            b45decode(text)
    else:
        assert b45decode(text) == expected


@needs_compiled
@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_encoded_bytes_round_trip_through_both(data: bytes) -> None:
    text = b45encode(data)
    assert compiled_b45decode(text) == data == b45decode_python(text)


@needs_compiled
def test_length_limit_and_other_types() -> None:
    longest = "000" * 4096
    assert compiled_b45decode(longest) == bytes(2 * 4096) == b45decode(longest)
    assert compiled_b45decode(longest + "000") is None
    with pytest.raises(Base45Error, match="too long"):
        b45decode(longest + "000")
    # Only exact str and bytes take the compiled path; the rest is left to Python.
    for other in (bytearray(b"QED8WEX0"), memoryview(b"QED8WEX0")):
        assert compiled_b45decode(other) is None
        assert b45decode(other) == b"ietf!"
    for wrong in (None, 12, ["QED"]):
        assert compiled_b45decode(wrong) is None
        with pytest.raises(Base45Error):
            b45decode(wrong)  # type: ignore[arg-type]
    assert compiled_b45decode("") == b"" == b45decode_python("")


# --- Sig_structure and DER ----------------------------------------------------------


@pytest.mark.parametrize("length", [0, 1, 23, 24, 255, 256, 65535, 65536])
def test_sig_structure_is_the_cbor_encoding(length: int) -> None:
    for protected, payload in ((bytes(length), b"\xa0"), (b"\xa1\x01\x26", bytes(length))):
        assert sig_structure(protected, payload) == cbor2.dumps(["Signature1", protected, b"", payload])


EDGE_SIGNATURES = [
    bytes(64),
    b"\xff" * 64,
    bytes(31) + b"\x01" + bytes(31) + b"\x80",
    b"\x00\x80" + os.urandom(30) + b"\x00\x00\x7f" + os.urandom(29),
    b"\x80" + os.urandom(31) + bytes(32),
]


# Fixed ids: two of the cases are random, and a test id must name the same case in every run
# (mutmut selects tests by id).
@pytest.mark.parametrize(
    "signature", EDGE_SIGNATURES, ids=["zeros", "ones", "short-r-s", "padded-r-s", "high-r-zero-s"]
)
def test_der_edge_cases(signature: bytes) -> None:
    expected = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    assert raw_to_der(signature) == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=64, max_size=64), st.integers(0, 31), st.integers(0, 31))
def test_der_matches_cryptography(signature: bytes, zeros_r: int, zeros_s: int) -> None:
    signature = bytes(zeros_r) + signature[zeros_r:32] + bytes(zeros_s) + signature[32 + zeros_s :]
    expected = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    assert raw_to_der(signature) == expected


def test_der_refuses_wrong_lengths() -> None:
    for length in (0, 63, 65):
        with pytest.raises(ValueError):
            raw_to_der(bytes(length))


# --- stored or deflated zlib --------------------------------------------------------


def _zlib_stream(code: str) -> bytes:
    return b45decode(code[len(PREFIX_V1) :])


def test_incompressible_payloads_are_stored(world: World) -> None:
    """A photo that uses a whole 700-byte budget (as a camera portrait did on the cards issued
    before issue 23) is already entropy-coded: deflate cannot shrink the card, so the issuer
    stores it (block type 00), which inflates as a copy. The code is at most a few characters
    longer."""
    detail = random.Random(0).randbytes(120 * 150)  # fixed noise: the same photo every run
    detailed_photo = make_photo(Image.frombytes("L", (120, 150), detail), max_bytes=700)
    assert len(detailed_photo) > 550
    code = world.issue(photo=detailed_photo)
    stream = _zlib_stream(code)
    assert (stream[2] >> 1) & 0b11 == 0b00  # first (and final) block: stored
    deflated = PREFIX_V1 + b45encode(zlib.compress(decode_code(code), 9))
    assert len(code) < len(deflated) + DEFLATE_MIN_SAVING * 3 // 2
    assert verify(code, world.trust_list, world.status_list, NOW).valid
    assert verify(deflated, world.trust_list, world.status_list, NOW).valid  # as issued before


def test_compressible_payloads_are_deflated(world: World, valid_code: str) -> None:
    """The test world's small, smooth photo leaves the repeated issuer URL and names to
    compress: deflate saves more than the threshold and is kept."""
    stream = _zlib_stream(valid_code)
    assert (stream[2] >> 1) & 0b11 != 0b00  # Huffman-coded
    assert len(zlib.compress(zlib.decompress(stream), 0)) - len(stream) >= DEFLATE_MIN_SAVING
    assert verify(valid_code, world.trust_list, world.status_list, NOW).valid


# --- claims -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "key", "name"),
    [
        ("payload", 1, "iss"),
        ("card", 1, "card number"),
        ("card", 2, "given_names"),
        ("card", 3, "family_names"),
        ("card", 4, "date_of_birth"),
        ("card", 5, "city"),
        ("status", "uri", "status uri"),
    ],
)
@pytest.mark.parametrize("bad_value", [None, "", 7, b"bytes"])
def test_a_bad_text_claim_is_named(valid_code: str, where: str, key: object, name: str, bad_value: object) -> None:
    payload = cbor2.loads(parse_sign1(decode_code(valid_code)).payload)
    target = {"payload": payload, "card": payload[-65537], "status": payload[65535]["status_list"]}[where]
    if bad_value is None:
        del target[key]
    else:
        target[key] = bad_value
    with pytest.raises(ClaimsError, match=f"^{name} must be a non-empty string"):
        claims_from_payload(payload)


def test_not_before_other_than_issued_at_is_kept(valid_code: str) -> None:
    payload = cbor2.loads(parse_sign1(decode_code(valid_code)).payload)
    payload[5] = payload[6] + 3600
    claims = claims_from_payload(payload)
    assert claims.not_before is not None
    assert (claims.not_before - claims.issued_at).total_seconds() == 3600
    del payload[5]
    assert claims_from_payload(payload).not_before == claims_from_payload(payload).issued_at
    payload[5] = None
    with pytest.raises(ClaimsError, match="nbf"):
        claims_from_payload(payload)
