"""Property-based tests: mangled and random inputs never raise and are never accepted."""

from __future__ import annotations

import zlib

import cbor2
from credential_helpers import NOW, World
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanspeur.credential import (
    PREFIX_V1,
    REASONS,
    VerificationResult,
    b45decode,
    b45encode,
    decode_code,
    encode_code,
    parse_status_list_token,
    verify,
)
from sanspeur.credential.base45 import ALPHABET
from sanspeur.credential.base45 import b45encode as fast_encode

# database=None: keep Hypothesis from writing a .hypothesis/ directory into the repo.
BOUNDED = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def run(world: World, code: object) -> VerificationResult:
    result = verify(code, world.trust_list, world.status_list, NOW)
    assert isinstance(result, VerificationResult)
    assert result.reason in REASONS
    assert result.valid == (result.reason == "valid")
    return result


def assert_no_false_accept(world: World, valid_code: str, candidate: object) -> None:
    """Valid only if the candidate carries the exact COSE bytes the issuer signed."""
    result = run(world, candidate)
    if result.valid:
        assert decode_code(candidate) == decode_code(valid_code)


edit = st.tuples(st.sampled_from(["replace", "insert", "delete"]), st.integers(0, 10_000), st.sampled_from(ALPHABET))


@BOUNDED
@given(edits=st.lists(edit, min_size=1, max_size=4))
def test_mangled_codes(world: World, valid_code: str, edits: list[tuple[str, int, str]]) -> None:
    code = valid_code
    for operation, where, char in edits:
        position = where % (len(code) + 1)
        if operation == "replace" and position < len(code):
            code = code[:position] + char + code[position + 1 :]
        elif operation == "insert":
            code = code[:position] + char + code[position:]
        else:
            code = code[:position] + code[position + 1 :]
    assert_no_false_accept(world, valid_code, code)


@BOUNDED
@given(data=st.data())
def test_mangled_cose_bytes(world: World, valid_code: str, data: st.DataObject) -> None:
    cose = bytearray(decode_code(valid_code))
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(cose) - 1))
        cose[position] = data.draw(st.integers(0, 255))
    code = encode_code(bytes(cose))
    assert_no_false_accept(world, valid_code, code)


@BOUNDED
@given(text=st.text(alphabet=ALPHABET, max_size=3000))
def test_random_base45_after_prefix(world: World, text: str) -> None:
    assert not run(world, PREFIX_V1 + text).valid


@BOUNDED
@given(payload=st.binary(max_size=2000))
def test_random_bytes_wrapped_as_code(world: World, payload: bytes) -> None:
    assert run(world, encode_code(payload)).reason == "malformed"
    assert not run(world, PREFIX_V1 + b45encode(payload)).valid


@BOUNDED
@given(value=st.one_of(st.text(max_size=500), st.binary(max_size=500), st.none(), st.integers()))
def test_arbitrary_values(world: World, value: object) -> None:
    assert not run(world, value).valid


@BOUNDED
@given(
    item=st.recursive(
        st.one_of(st.integers(), st.binary(max_size=80), st.text(max_size=20), st.none(), st.booleans()),
        lambda children: st.one_of(
            st.lists(children, max_size=5), st.dictionaries(st.integers(-70000, 70000), children, max_size=5)
        ),
        max_leaves=20,
    )
)
def test_random_cbor_structures(world: World, item: object) -> None:
    """Well-formed CBOR of the wrong shape, tagged as COSE_Sign1 or not."""
    for candidate in (item, cbor2.CBORTag(18, item)):
        assert run(world, encode_code(cbor2.dumps(candidate))).reason == "malformed"


@BOUNDED
@given(data=st.binary(max_size=3000))
def test_fast_base45_matches_reference(data: bytes) -> None:
    import base45 as reference

    encoded = fast_encode(data)
    assert encoded == reference.b45encode(data).decode("ascii")
    assert b45decode(encoded) == data


@BOUNDED
@given(text=st.text(alphabet=ALPHABET, max_size=60))
def test_fast_base45_rejects_what_the_reference_rejects(text: str) -> None:
    import base45 as reference

    try:
        expected: bytes | None = reference.b45decode(text)
    except ValueError:
        expected = None
    try:
        got: bytes | None = b45decode(text)
    except ValueError:
        got = None
    assert got == expected


@BOUNDED
@given(data=st.binary(max_size=400))
def test_status_list_parser_never_crashes(data: bytes) -> None:
    for candidate in (data, zlib.compress(data)):
        try:
            parse_status_list_token(candidate)
        except ValueError:
            pass
