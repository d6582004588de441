"""The verifier's decisions at their edges: which bytes are a card, a status list and a trust
list, from which instant a card or a list stops counting, which list is believed, and the
stable details a result gives (docs/credential-format.md, sections 6 to 13).

Written against the mutants scripts/mutation found alive (docs/benchmarks.md, "Mutation
testing of the guards"); each test states the behaviour, not the mutant."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo

import cbor2
import pytest
from credential_helpers import INDEX_VALID, ISSUER, NOW, STATUS_URI, World, make_world

from sanspeur.credential import (
    DEFAULT_LEEWAY,
    PURPOSE_CARD,
    PURPOSE_STATUS_LIST,
    LocalSigner,
    StatusListBuilder,
    StatusListError,
    TrustedKey,
    TrustList,
    TrustListError,
    create_trust_list,
    encode_code,
    load_public_keys_pem,
    load_trust_list,
    parse_status_list_token,
    sign_trust_list,
    trust_list_payload,
    verify,
)
from sanspeur.credential.claims import claims_to_cbor
from sanspeur.credential.cose import (
    CoseError,
    _bstr_head,
    _head_length,
    encode_protected,
    parse_sign1,
    sig_structure,
    sign1,
    strict_cbor_loads,
)
from sanspeur.credential.jwk import b64url_encode
from sanspeur.credential.signing import HALF_ORDER_BYTES, normalize_s
from sanspeur.credential.statuslist import (
    CWT_EXP,
    CWT_IAT,
    CWT_ISS,
    CWT_STATUS_LIST,
    CWT_SUB,
    CWT_TTL,
    STATUS_LIST_TYP,
)
from sanspeur.credential.trustlist import MAX_TRUST_LIST_BYTES, TRUST_LIST_TYP


def signed(payload: bytes, signer: LocalSigner, protected: bytes | None = None, unprotected: object = None) -> bytes:
    """COSE_Sign1 bytes with exactly the given protected header bytes, validly signed."""
    protected = encode_protected(signer.kid) if protected is None else protected
    signature = normalize_s(signer.sign(sig_structure(protected, payload)))
    return cbor2.dumps(cbor2.CBORTag(18, [protected, {} if unprotected is None else unprotected, payload, signature]))


def card(world: World, **changes) -> bytes:
    return claims_to_cbor(world.claims(**changes))


LST = StatusListBuilder(131_072).compressed()


def status_payload(changes: dict | None = None) -> dict:
    lst = LST
    payload = {
        CWT_SUB: STATUS_URI,
        CWT_IAT: int((NOW - timedelta(hours=2)).timestamp()),
        CWT_TTL: 86_400,
        CWT_STATUS_LIST: {"bits": 2, "lst": lst},
        CWT_ISS: ISSUER,
    }
    for key, value in (changes or {}).items():
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


def status_token(world: World, payload: dict | bytes, signer: LocalSigner | None = None) -> bytes:
    data = payload if isinstance(payload, bytes) else cbor2.dumps(payload, canonical=True)
    return sign1(data, signer or world.status_key, typ=STATUS_LIST_TYP)


def nested(depth: int) -> object:
    value: object = 0
    for _ in range(depth):
        value = [value]
    return value


# --- COSE_Sign1: one accepted encoding ---------------------------------------------------------
def test_a_protected_header_is_one_definite_map_without_repeated_labels(world: World) -> None:
    kid = cbor2.dumps(world.card_key.kid)
    indefinite = b"\xbf\x01\x26\x04" + kid + b"\xff"
    repeated = b"\xa3\x01\x26\x04" + kid + b"\x04" + kid
    for protected in (indefinite, repeated):
        code = encode_code(signed(card(world), world.card_key, protected))
        result = verify(code, world.trust_list, world.status_list, NOW)
        assert result.reason == "malformed", protected
    assert verify(encode_code(signed(card(world), world.card_key)), world.trust_list, world.status_list, NOW).valid


@pytest.mark.parametrize("kid", [b"", "text-kid", b"k" * 65], ids=["empty", "text", "65-bytes"])
def test_a_kid_is_one_to_64_bytes(kid: object) -> None:
    signer = LocalSigner.generate()
    protected = cbor2.dumps({1: -7, 4: kid})
    with pytest.raises(CoseError):
        parse_sign1(signed(b"\xa0", signer, protected))


@pytest.mark.parametrize("length", [1, 64])
def test_kids_of_one_and_64_bytes_verify(length: int) -> None:
    signer = LocalSigner(LocalSigner.generate()._private_key, kid=bytes(range(1, length + 1)))
    world = make_world(extra_trusted=[TrustedKey(signer.kid, signer.public_key(), frozenset({PURPOSE_CARD}))])
    assert verify(world.issue(signer), world.trust_list, world.status_list, NOW).valid


@pytest.mark.parametrize(
    "items",
    [
        lambda p, s: [p, {}, b"payload"],  # three items
        lambda p, s: [p, {}, "payload", s],  # text payload
        lambda p, s: ["protected", {}, b"payload", s],  # text protected header
        lambda p, s: [p, {}, b"payload", "s" * 64],  # text signature
        lambda p, s: [p, [], b"payload", s],  # an empty array is not the empty map
    ],
    ids=["three-items", "text-payload", "text-protected", "text-signature", "array-header"],
)
def test_the_four_items_have_their_one_type(world: World, items) -> None:
    protected = encode_protected(world.card_key.kid)
    signature = normalize_s(world.card_key.sign(sig_structure(protected, b"payload")))
    with pytest.raises(CoseError):
        parse_sign1(cbor2.dumps(cbor2.CBORTag(18, items(protected, signature))))


def test_an_empty_array_for_the_unprotected_header_is_a_second_encoding_and_refused(world: World) -> None:
    code = encode_code(signed(card(world), world.card_key, unprotected=[]))
    assert verify(code, world.trust_list, world.status_list, NOW).reason == "malformed"


def test_s_equal_to_half_the_order_is_the_low_form() -> None:
    """The low-s rule is s <= n/2 (signing.is_low_s): n/2 itself is accepted, n/2 + 1 is not."""
    signer = LocalSigner.generate()
    protected = encode_protected(signer.kid)
    half = int.from_bytes(HALF_ORDER_BYTES, "big")
    for s, accepted in ((half, True), (half + 1, False)):
        data = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, b"p", b"\x01" * 32 + s.to_bytes(32, "big")]))
        if accepted:
            parse_sign1(data)
        else:
            with pytest.raises(CoseError, match="above n/2"):
                parse_sign1(data)


@pytest.mark.parametrize("length", [0, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**40])
def test_byte_string_heads_are_the_minimal_cbor_ones(length: int) -> None:
    """The Sig_structure's heads (RFC 8949 section 3), at every boundary, including lengths no
    test can allocate."""
    if length < 24:
        expected = bytes([0x40 + length])
    elif length < 2**8:
        expected = b"\x58" + length.to_bytes(1, "big")
    elif length < 2**16:
        expected = b"\x59" + length.to_bytes(2, "big")
    elif length < 2**32:
        expected = b"\x5a" + length.to_bytes(4, "big")
    else:
        expected = b"\x5b" + length.to_bytes(8, "big")
    assert _bstr_head(length) == expected
    assert _head_length(length) == len(expected)


def test_cose_errors_keep_their_message() -> None:
    error = CoseError("the message", code="a_code")
    assert (str(error), error.code) == ("the message", "a_code")


# --- the signed payloads ----------------------------------------------------------------------------
def test_a_card_payload_is_definite_without_repeated_keys_and_shallow(world: World) -> None:
    good = card(world)
    assert good[0] >> 5 == 5  # a map
    count = good[0] & 0x1F
    indefinite = bytes([0xBF]) + good[1:] + b"\xff"
    repeated = bytes([0xA0 + count + 1]) + good[1:] + cbor2.dumps(1) + cbor2.dumps(ISSUER)  # iss twice
    deep = cbor2.dumps({**cbor2.loads(good), 99: nested(40)}, canonical=True)
    for payload in (indefinite, repeated, deep):
        result = verify(encode_code(signed(payload, world.card_key)), world.trust_list, world.status_list, NOW)
        assert result.reason == "malformed" and result.detail.startswith("claims: "), payload[:4]


def test_a_status_list_payload_is_definite_without_repeated_keys_and_shallow(world: World) -> None:
    good = cbor2.dumps(status_payload(), canonical=True)
    count = good[0] & 0x1F
    indefinite = bytes([0xBF]) + good[1:] + b"\xff"
    repeated = bytes([0xA0 + count + 1]) + good[1:] + cbor2.dumps(CWT_TTL) + cbor2.dumps(60)
    deep = cbor2.dumps({**status_payload(), 99: nested(40)}, canonical=True)
    parse_status_list_token(status_token(world, good))
    for payload in (indefinite, repeated, deep):
        with pytest.raises(StatusListError):
            parse_status_list_token(status_token(world, payload))
    assert strict_cbor_loads(cbor2.dumps(nested(14))) == nested(14)


# --- status list tokens -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "changes",
    [
        {CWT_SUB: ""},
        {CWT_SUB: 7},
        {CWT_TTL: 0},
        {CWT_TTL: "86400"},
        {CWT_STATUS_LIST: {"bits": True, "lst": LST}},
        {CWT_STATUS_LIST: {"bits": 3, "lst": LST}},
        {CWT_STATUS_LIST: {"bits": 5, "lst": LST}},
        {CWT_STATUS_LIST: {"bits": 9, "lst": LST}},
        {CWT_STATUS_LIST: {"bits": 2, "lst": "text"}},
    ],
    ids=["empty-sub", "int-sub", "ttl-0", "text-ttl", "bool-bits", "bits-3", "bits-5", "bits-9", "text-lst"],
)
def test_a_status_list_with_a_bad_claim_is_refused(world: World, changes: dict) -> None:
    parse_status_list_token(status_token(world, status_payload()))  # the same claims, unchanged, are fine
    with pytest.raises(StatusListError):
        parse_status_list_token(status_token(world, status_payload(changes)))


@pytest.mark.parametrize(("changes", "name"), [({CWT_IAT: "x"}, "iat"), ({CWT_EXP: 10**20}, "exp")])
def test_a_status_list_time_error_names_the_claim(world: World, changes: dict, name: str) -> None:
    with pytest.raises(StatusListError, match=f"^{name} "):
        parse_status_list_token(status_token(world, status_payload(changes)))


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_every_allowed_width_reads_each_entry_alone(world: World, bits: int) -> None:
    """Entry i is bits wide at offset i * bits, least significant first; a neighbour never leaks in."""
    import zlib

    per_byte = 8 // bits
    top = (1 << bits) - 1
    entries = bytearray(131_072 // per_byte)
    entries[1 // per_byte] |= top << (1 % per_byte * bits)  # entry 0 valid, entry 1 at its maximum
    token = parse_status_list_token(
        status_token(world, status_payload({CWT_STATUS_LIST: {"bits": bits, "lst": zlib.compress(bytes(entries))}}))
    )
    assert token.size == len(entries) * per_byte
    assert (token.status(0), token.status(1)) == (0, top)
    assert token.status(token.size - 1) == 0
    for outside in (-1, token.size):
        with pytest.raises(IndexError):
            token.status(outside)


def test_a_ttl_of_one_second_is_allowed(world: World) -> None:
    assert parse_status_list_token(status_token(world, status_payload({CWT_TTL: 1}))).ttl == timedelta(seconds=1)


# --- which status list is believed -----------------------------------------------------------------
def test_a_forged_list_among_several_is_never_believed(world: World, valid_code: str) -> None:
    stranger = LocalSigner.generate()
    revoked_code = world.issue(status_index=20_002)
    forged = parse_status_list_token(status_token(world, status_payload({CWT_IAT: int(NOW.timestamp())}), stranger))
    impostor = LocalSigner(stranger._private_key, kid=world.status_key.kid)
    lying = parse_status_list_token(status_token(world, status_payload({CWT_IAT: int(NOW.timestamp())}), impostor))
    for forgery, detail in ((forged, "status_list_unknown_issuer"), (lying, "status_list_bad_signature")):
        alone = verify(valid_code, world.trust_list, [forgery], NOW)
        assert (alone.reason, alone.detail) == ("status_list_stale", detail)
        # Newer than the genuine list, and saying "valid": still ignored.
        assert verify(revoked_code, world.trust_list, [forgery, world.status_list], NOW).reason == "revoked"


def test_a_verified_list_is_checked_again_against_another_key_for_the_same_kid(world: World, valid_code: str) -> None:
    """A parsed list remembers which public key verified it; a trust list that maps the same kid
    to another key must not inherit that result."""
    token = parse_status_list_token(world.status_token_bytes)
    assert verify(valid_code, world.trust_list, token, NOW).valid
    other = LocalSigner.generate()
    keys = dict(world.trust_list.keys)
    keys[world.status_key.kid] = TrustedKey(world.status_key.kid, other.public_key(), frozenset({PURPOSE_STATUS_LIST}))
    swapped = replace(world.trust_list, keys=keys)
    for given in (token, [token]):
        result = verify(valid_code, swapped, given, NOW)
        assert (result.reason, result.detail) == ("status_list_stale", "status_list_bad_signature")


def test_a_list_signed_by_a_status_key_trusted_until_a_date_counts_until_then(valid_code: str) -> None:
    world = make_world()
    retiring = TrustedKey(
        world.status_key.kid, world.status_key.public_key(), frozenset({PURPOSE_STATUS_LIST}), NOW + timedelta(days=1)
    )
    keys = {**world.trust_list.keys, world.status_key.kid: retiring}
    trust = replace(world.trust_list, keys=keys)
    code = world.issue()
    assert verify(code, trust, [world.status_list], NOW).valid
    late = verify(code, trust, [world.status_list], NOW + timedelta(days=1, seconds=1))
    assert (late.reason, late.detail) == ("status_list_stale", "status_list_unknown_issuer")


def test_a_tie_with_a_list_too_short_for_the_card_cannot_confirm_it(world: World) -> None:
    """Same iat: a list the card's index is outside of ranks above a list that says valid."""
    code = world.issue(status_index=200_000)
    short = parse_status_list_token(status_token(world, status_payload()))
    builder = StatusListBuilder(262_144)
    long = parse_status_list_token(
        builder.to_token(
            uri=STATUS_URI, signer=world.status_key, issued_at=short.issued_at, ttl=timedelta(days=1), issuer=ISSUER
        )
    )
    for order in ([short, long], [long, short]):
        result = verify(code, world.trust_list, order, NOW)
        assert (result.reason, result.detail) == ("status_list_stale", "status_index_out_of_range")


def test_status_details_name_what_was_missing(world: World, valid_code: str) -> None:
    for given, detail in (
        (None, "no_status_list"),
        ([], "no_status_list"),
        (b"not a token", "status_list_malformed"),
        ([b"not a token"], "status_list_malformed"),
        ("text", "status_list_malformed"),
    ):
        result = verify(valid_code, world.trust_list, given, NOW)  # type: ignore[arg-type]
        assert (result.reason, result.detail) == ("status_list_stale", detail), given


# --- instants ----------------------------------------------------------------------------------
def test_a_card_expires_at_exp_plus_the_leeway(world: World) -> None:
    exp = NOW + timedelta(days=1)
    code = world.issue(expires_at=exp)
    assert verify(code, world.trust_list, world.status_list, exp).valid
    assert verify(code, world.trust_list, world.status_list, exp + DEFAULT_LEEWAY - timedelta(seconds=1)).valid
    assert verify(code, world.trust_list, world.status_list, exp + DEFAULT_LEEWAY).reason == "expired"


def test_a_card_is_valid_from_nbf_minus_the_leeway(world: World) -> None:
    nbf = NOW + timedelta(hours=1)
    code = world.issue(not_before=nbf)
    assert verify(code, world.trust_list, world.status_list, nbf - DEFAULT_LEEWAY).valid
    early = verify(code, world.trust_list, world.status_list, nbf - DEFAULT_LEEWAY - timedelta(seconds=1))
    assert early.reason == "not_yet_valid"


def test_a_status_list_counts_until_its_exp_plus_the_leeway(world: World, valid_code: str) -> None:
    exp = NOW + timedelta(minutes=1)
    token = parse_status_list_token(status_token(world, status_payload({CWT_EXP: int(exp.timestamp())})))
    assert verify(valid_code, world.trust_list, token, NOW).valid
    assert verify(valid_code, world.trust_list, token, exp + DEFAULT_LEEWAY).valid
    late = verify(valid_code, world.trust_list, token, exp + DEFAULT_LEEWAY + timedelta(seconds=1))
    assert (late.reason, late.detail) == ("status_list_stale", "status_list_expired")


def test_a_status_list_is_too_old_only_past_the_maximum_age(world: World, valid_code: str) -> None:
    issued = world.status_list.issued_at
    at_limit = verify(valid_code, world.trust_list, world.status_list, issued + timedelta(days=7))
    assert at_limit.valid and at_limit.warnings == ("status_list_old",)
    past = verify(valid_code, world.trust_list, world.status_list, issued + timedelta(days=7, seconds=1))
    assert (past.reason, past.detail) == ("status_list_stale", "status_list_too_old")


def test_a_status_list_is_old_only_past_its_ttl(world: World, valid_code: str) -> None:
    issued = world.status_list.issued_at
    assert verify(valid_code, world.trust_list, world.status_list, issued + timedelta(days=1)).warnings == ()
    later = verify(valid_code, world.trust_list, world.status_list, issued + timedelta(days=1, seconds=1))
    assert later.warnings == ("status_list_old",)


def test_durations_may_be_given_in_seconds_and_anything_else_means_the_default(world: World, valid_code: str) -> None:
    issued = world.status_list.issued_at
    at = issued + timedelta(minutes=2)
    assert verify(valid_code, world.trust_list, world.status_list, at, max_status_age=60).detail == (
        "status_list_too_old"
    )
    assert verify(valid_code, world.trust_list, world.status_list, at, max_status_age=180.0).valid
    exp = NOW + timedelta(days=1)
    code = world.issue(expires_at=exp)
    assert verify(code, world.trust_list, world.status_list, exp + timedelta(seconds=30), leeway=60).valid
    for junk in ("5 minutes", None, [1]):
        assert verify(valid_code, world.trust_list, world.status_list, NOW, leeway=junk, max_status_age=junk).valid


class Floating(tzinfo):
    """A tzinfo that knows no offset: Python treats such a datetime as naive."""

    def utcoffset(self, dt):
        return None

    def dst(self, dt):
        return None


def test_now_in_any_time_zone_is_the_same_instant(world: World) -> None:
    exp = NOW + timedelta(days=1)
    code = world.issue(expires_at=exp)
    after = exp + timedelta(hours=1)
    for zone in (timezone(timedelta(hours=-5)), timezone(timedelta(hours=9)), UTC):
        assert verify(code, world.trust_list, world.status_list, after.astimezone(zone)).reason == "expired", zone
    naive = (exp - timedelta(hours=1)).replace(tzinfo=None)
    assert verify(code, world.trust_list, world.status_list, naive).valid
    assert verify(code, world.trust_list, world.status_list, naive.replace(tzinfo=Floating())).valid
    assert verify(code, world.trust_list, world.status_list, after.replace(tzinfo=Floating())).reason == "expired"


# --- details and the result --------------------------------------------------------------------
def test_stable_details_of_refusals(world: World, valid_code: str) -> None:
    assert (verify(valid_code, world.trust_list, world.status_list, "today").detail) == "invalid_now"
    assert verify(valid_code, None, world.status_list, NOW).detail == "no_trust_list"  # type: ignore[arg-type]
    assert verify(valid_code, world.trust_list, world.status_list, NOW).detail is None
    suspended = verify(world.issue(status_index=30_003), world.trust_list, world.status_list, NOW)
    assert (suspended.reason, suspended.detail) == ("suspended", None)
    three = parse_status_list_token(
        status_token(world, status_payload({CWT_STATUS_LIST: {"bits": 2, "lst": _entries({INDEX_VALID: 3})}}))
    )
    assert (verify(valid_code, world.trust_list, three, NOW).detail) == "status_value_3"
    assert verify("MTL1:%%%%", world.trust_list, world.status_list, NOW).detail.startswith("code: ")


def _entries(statuses: dict[int, int]) -> bytes:
    builder = StatusListBuilder(131_072)
    builder.update(statuses)
    return builder.compressed()


def test_a_retired_card_key_is_unknown_with_its_own_detail(world: World) -> None:
    retired = TrustedKey(world.card_key.kid, world.card_key.public_key(), frozenset({PURPOSE_CARD}), NOW)
    trust = replace(world.trust_list, keys={**world.trust_list.keys, world.card_key.kid: retired})
    code = world.issue()
    assert verify(code, trust, world.status_list, NOW).valid  # trusted up to and including its date
    later = verify(code, trust, world.status_list, NOW + timedelta(seconds=1))
    assert (later.reason, later.detail) == ("unknown_issuer", "kid_not_trusted_now")
    stranger = verify(world.issue(LocalSigner.generate()), world.trust_list, world.status_list, NOW)
    assert (stranger.reason, stranger.detail) == ("unknown_issuer", "kid_unknown")


def test_a_bug_behind_verify_gives_malformed_not_an_exception(world: World, valid_code: str) -> None:
    class Broken(TrustList):
        def find(self, kid, purpose, now):
            raise RuntimeError("bug")

    broken = Broken(ISSUER, NOW, None, world.trust_list.keys, world.trust_list.signed_by)
    result = verify(valid_code, broken, world.status_list, NOW)
    assert (result.valid, result.reason, result.detail) == (False, "malformed", "internal_error")


def test_the_json_result_carries_the_decision(world: World, valid_code: str) -> None:
    valid = verify(valid_code, world.trust_list, world.status_list, NOW).to_json_dict(include_photo=True)
    assert (valid["valid"], valid["reason"], valid["warnings"], valid["detail"]) == (True, "valid", [], None)
    assert valid["claims"]["card_number"] and valid["photo"] == "data:image/webp;base64," + base64.b64encode(
        world.photo
    ).decode("ascii")
    refused = verify(world.issue(status_index=20_002), world.trust_list, world.status_list, NOW)
    as_json = refused.to_json_dict(include_photo=True)
    assert (as_json["valid"], as_json["reason"], as_json["claims"], as_json["photo"]) == (False, "revoked", None, None)
    assert "photo" not in refused.to_json_dict()


# --- trust lists ---------------------------------------------------------------------------------
def jws(header: dict, payload: dict, root: LocalSigner) -> str:
    def part(value: dict) -> str:
        return b64url_encode(json.dumps(value, separators=(",", ":"), sort_keys=True).encode())

    signing_input = f"{part(header)}.{part(payload)}"
    return f"{signing_input}.{b64url_encode(normalize_s(root.sign(signing_input.encode('ascii'))))}"


def payload_of(world: World, **changes) -> dict:
    keys = [TrustedKey(world.card_key.kid, world.card_key.public_key(), frozenset({PURPOSE_CARD}))]
    return {**trust_list_payload(keys, issuer=ISSUER, issued_at=NOW - timedelta(hours=1)), **changes}


def header_of(world: World, **changes) -> dict:
    return {"alg": "ES256", "kid": b64url_encode(world.root.kid), "typ": TRUST_LIST_TYP, **changes}


@pytest.mark.parametrize("changes", [{"typ": "JWT"}, {"alg": "ES384"}, {"crit": ["exp"]}], ids=["typ", "alg", "crit"])
def test_a_trust_list_needs_its_own_header(world: World, changes: dict) -> None:
    roots = [world.root.public_key()]
    load_trust_list(jws(header_of(world), payload_of(world), world.root), roots, now=NOW)
    with pytest.raises(TrustListError):
        load_trust_list(jws(header_of(world, **changes), payload_of(world), world.root), roots, now=NOW)


def test_a_trust_list_payload_is_an_object_with_a_keys_array(world: World) -> None:
    roots = [world.root.public_key()]
    for payload in ({"iss": ISSUER, "iat": 1}, {"iss": ISSUER, "iat": 1, "keys": {}}):
        with pytest.raises(TrustListError):
            load_trust_list(jws(header_of(world), payload, world.root), roots, now=NOW)


def test_trust_list_keys_are_es256_with_a_1_to_64_byte_kid(world: World) -> None:
    roots = [world.root.public_key()]
    payload = payload_of(world)
    entry = payload["keys"][0]
    no_alg = {k: v for k, v in entry.items() if k != "alg"}  # alg may be left out: ES256
    trust = load_trust_list(jws(header_of(world), {**payload, "keys": [no_alg]}, world.root), roots, now=NOW)
    assert world.card_key.kid in trust.keys
    for kid_length in (1, 64):
        key = {**entry, "kid": b64url_encode(bytes(kid_length))}
        loaded = load_trust_list(jws(header_of(world), {**payload, "keys": [key]}, world.root), roots, now=NOW)
        assert bytes(kid_length) in loaded.keys
    for bad in ({**entry, "alg": "ES384"}, {**entry, "kid": b64url_encode(bytes(65))}, {**entry, "kid": ""}):
        with pytest.raises(TrustListError):
            load_trust_list(jws(header_of(world), {**payload, "keys": [bad]}, world.root), roots, now=NOW)


@pytest.mark.parametrize(
    ("changes", "name"),
    [({"iat": "x"}, "iat"), ({"exp": "x"}, "exp"), ({"keys": "trusted_until"}, "trusted_until")],
)
def test_a_trust_list_time_error_names_the_field(world: World, changes: dict, name: str) -> None:
    payload = payload_of(world)
    if changes.get("keys") == "trusted_until":
        changes = {"keys": [{**payload["keys"][0], "trusted_until": "soon"}]}
    with pytest.raises(TrustListError, match=f"^{name} "):
        load_trust_list(jws(header_of(world), {**payload, **changes}, world.root), [world.root.public_key()], now=NOW)


def test_a_trust_list_counts_until_its_exp_and_the_default_now_is_the_current_time(world: World) -> None:
    roots = [world.root.public_key()]
    exp = NOW + timedelta(days=1)
    text = jws(header_of(world), payload_of(world, exp=int(exp.timestamp())), world.root)
    loaded = load_trust_list(text, roots, now=exp)
    assert (loaded.issuer, loaded.issued_at, loaded.expires_at) == (ISSUER, NOW - timedelta(hours=1), exp)
    with pytest.raises(TrustListError, match="expired"):
        load_trust_list(text, roots, now=exp + timedelta(seconds=1))
    future = datetime.now(UTC) + timedelta(days=1)
    assert load_trust_list(
        jws(header_of(world), payload_of(world, exp=int(future.timestamp())), world.root), roots
    ).expires_at == future.replace(microsecond=0)


def test_a_trust_list_is_read_from_text_or_ascii_bytes(world: World) -> None:
    roots = [world.root.public_key()]
    assert set(load_trust_list(world.trust_jws.encode("ascii"), roots, now=NOW).keys) == set(world.trust_list.keys)
    with pytest.raises(TrustListError):
        load_trust_list(world.trust_jws.encode("ascii") + "é".encode(), roots, now=NOW)


def test_a_trust_list_may_be_up_to_a_million_characters(world: World) -> None:
    roots = [world.root.public_key()]
    text = create_trust_list([], world.root, issuer=ISSUER, issued_at=NOW)
    padded = text + " " * (MAX_TRUST_LIST_BYTES - len(text))
    assert load_trust_list(padded, roots, now=NOW).issuer == ISSUER
    with pytest.raises(TrustListError):
        load_trust_list(padded + " ", roots, now=NOW)


def test_root_keys_are_read_from_pem_text_or_bytes(world: World) -> None:
    from cryptography.hazmat.primitives import serialization

    pem = world.root.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for given in (pem, pem.decode("ascii")):
        [key] = load_public_keys_pem(given)
        assert key.public_numbers() == world.root.public_key().public_numbers()
    assert sign_trust_list  # the signing side is covered by test_credential_keys
