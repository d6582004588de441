"""issue -> verify round trips and every failure reason."""

from __future__ import annotations

import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import cbor2
import pytest
from credential_helpers import (
    INDEX_REVOKED,
    INDEX_SUSPENDED,
    INDEX_VALID,
    ISSUER,
    NOW,
    World,
)

from sanspeur.credential import (
    PREFIX_V1,
    REASONS,
    STATUS_REVOKED,
    STATUS_SUSPENDED,
    WARNING_STATUS_LIST_OLD,
    LocalSigner,
    StatusListBuilder,
    StatusListToken,
    VerificationResult,
    b45decode,
    b45encode,
    decode_code,
    decode_unverified,
    encode_code,
    parse_status_list_token,
    verify,
)
from sanspeur.credential.claims import CARD_PHOTO, CWT_CARD
from sanspeur.credential.cose import parse_sign1
from sanspeur.credential.signing import is_low_s

STRUCTURAL_REASONS = {"malformed", "unknown_issuer", "bad_signature"}


def check(world: World, code: object, now: datetime = NOW, **kwargs: object) -> VerificationResult:
    result = verify(code, world.trust_list, world.status_list, now, **kwargs)  # type: ignore[arg-type]
    assert result.reason in REASONS
    assert result.valid == (result.reason == "valid")
    if not result.valid:
        assert result.claims is None and result.photo is None
    return result


def test_round_trip(world: World) -> None:
    claims = world.claims(address="1234 rue Saint-Denis, app. 5", postal_code="H2J 2K9")
    from sanspeur.credential import issue

    code = issue(claims, world.card_key)
    assert code.startswith(PREFIX_V1)
    result = check(world, code)
    assert result.valid and result.reason == "valid" and result.warnings == ()
    assert result.photo == world.photo
    assert result.claims is not None
    assert result.claims.card_number == claims.card_number
    assert result.claims.given_names == "Marie-Claire Anne"
    assert result.claims.city == "Montréal"
    assert result.claims.borough == claims.borough
    assert result.claims.address == claims.address
    assert result.claims.postal_code == "H2J 2K9"
    assert result.claims.status_index == claims.status_index
    assert result.claims.expires_at == claims.expires_at.replace(microsecond=0)
    assert result.claims.issuer == ISSUER


def test_code_uses_only_qr_alphanumeric_characters(valid_code: str) -> None:
    alphanumeric = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert set(valid_code) <= alphanumeric


def test_bytes_input_and_trailing_newline_are_accepted(world: World, valid_code: str) -> None:
    assert check(world, valid_code.encode("ascii")).valid
    assert check(world, valid_code + "\n").valid


def test_expired_and_not_yet_valid(world: World) -> None:
    expired = world.issue(issued_at=NOW - timedelta(days=800), expires_at=NOW - timedelta(days=1))
    assert check(world, expired).reason == "expired"
    future = world.issue(not_before=NOW + timedelta(days=1))
    assert check(world, future).reason == "not_yet_valid"
    # The same card becomes valid once nbf has passed...
    assert check(world, future, NOW + timedelta(days=1, minutes=1)).valid
    # ...and a clock a little behind is tolerated by the default 5-minute leeway.
    assert check(world, future, NOW + timedelta(days=1) - timedelta(minutes=4)).valid
    assert check(world, future, NOW + timedelta(days=1) - timedelta(minutes=4), leeway=timedelta(0)).reason == (
        "not_yet_valid"
    )


def test_revoked_and_suspended(world: World) -> None:
    assert check(world, world.issue(status_index=INDEX_REVOKED)).reason == "revoked"
    assert check(world, world.issue(status_index=INDEX_SUSPENDED)).reason == "suspended"


def test_status_list_staleness_policy(world: World, valid_code: str) -> None:
    # The list was issued 2 hours before NOW with a 1-day ttl.
    assert check(world, valid_code).warnings == ()
    old = check(world, valid_code, NOW + timedelta(days=2))
    assert old.valid and old.warnings == (WARNING_STATUS_LIST_OLD,)
    stale = check(world, valid_code, NOW + timedelta(days=8))
    assert stale.reason == "status_list_stale"
    assert check(world, valid_code, NOW + timedelta(days=8), max_status_age=timedelta(days=30)).valid
    # Revocation is irreversible, so even a stale list is believed about it.
    revoked = world.issue(status_index=INDEX_REVOKED)
    assert check(world, revoked, NOW + timedelta(days=8)).reason == "revoked"


def test_status_list_missing_or_for_another_list(world: World, valid_code: str) -> None:
    assert verify(valid_code, world.trust_list, None, NOW).reason == "status_list_stale"
    assert verify(valid_code, world.trust_list, [], NOW).reason == "status_list_stale"
    other = world.issue(status_list_uri="https://sanspeur.example/mtl/status/8")
    result = check(world, other)
    assert result.reason == "status_list_stale" and result.detail == "no_status_list_for_uri"
    assert check(world, world.issue(status_index=131_072)).detail == "status_index_out_of_range"


def test_status_list_must_be_signed_by_a_trusted_status_key(world: World, valid_code: str) -> None:
    builder = StatusListBuilder()
    forged = parse_status_list_token(
        builder.to_token(
            uri=world.status_list.uri, signer=LocalSigner.generate(), issued_at=NOW, ttl=3600, issuer=ISSUER
        )
    )
    result = verify(valid_code, world.trust_list, forged, NOW)
    assert result.reason == "status_list_stale" and result.detail == "status_list_unknown_issuer"
    # A card key is not a status-list key, even though it is trusted for cards.
    signed_by_card_key = parse_status_list_token(
        builder.to_token(uri=world.status_list.uri, signer=world.card_key, issued_at=NOW, ttl=3600)
    )
    assert verify(valid_code, world.trust_list, signed_by_card_key, NOW).reason == "status_list_stale"
    # Tampering with a genuine list (un-revoking an entry) breaks its signature.
    message = world.status_list.message
    payload = cbor2.loads(message.payload)
    payload[65533]["lst"] = zlib.compress(bytes(131_072 // 4), 9)
    tampered = parse_status_list_token(replace(message, payload=cbor2.dumps(payload, canonical=True)).encode())
    revoked = world.issue(status_index=INDEX_REVOKED)
    result = verify(revoked, world.trust_list, tampered, NOW)
    assert result.reason == "status_list_stale" and result.detail == "status_list_bad_signature"
    # Given both, the genuine list wins.
    assert verify(revoked, world.trust_list, [tampered, world.status_list], NOW).reason == "revoked"


def _list(
    world: World,
    statuses: dict[int, int],
    *,
    issued_at: datetime = NOW - timedelta(hours=2),
    ttl: timedelta = timedelta(days=1),
    issuer: str | None = ISSUER,
    signer: LocalSigner | None = None,
) -> StatusListToken:
    builder = StatusListBuilder(131_072)
    builder.update(statuses)
    token = builder.to_token(
        uri=world.status_list.uri, signer=signer or world.status_key, issued_at=issued_at, ttl=ttl, issuer=issuer
    )
    return parse_status_list_token(token)


def test_status_list_from_another_issuer_is_refused(world: World, valid_code: str) -> None:
    """Signed by the trusted status-list key, for the card's uri, but naming another issuer:
    it says nothing about this issuer's cards. (Fails if the issuer check is removed.)"""
    foreign = _list(world, {}, issuer="https://other.example")
    for given in (foreign, [foreign], foreign.message.encode()):
        result = verify(valid_code, world.trust_list, given, NOW)  # type: ignore[arg-type]
        assert (result.reason, result.detail) == ("status_list_stale", "status_list_issuer_mismatch"), given
    # A list without iss is the card issuer's own (iss is optional in the token).
    assert verify(valid_code, world.trust_list, _list(world, {}, issuer=None), NOW).valid


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        ({INDEX_VALID: STATUS_REVOKED}, {}, "revoked"),
        ({INDEX_VALID: STATUS_SUSPENDED}, {}, "suspended"),
        ({INDEX_VALID: STATUS_REVOKED}, {INDEX_VALID: STATUS_SUSPENDED}, "revoked"),
        ({INDEX_VALID: 3}, {INDEX_VALID: STATUS_SUSPENDED}, "suspended"),
    ],
)
def test_status_list_ties_take_the_most_restrictive_answer(
    world: World, valid_code: str, first: dict[int, int], second: dict[int, int], reason: str
) -> None:
    """Two genuine lists for one uri with the same iat: the answer must not depend on the
    order they are given in, and the stricter one wins."""
    a, b = _list(world, first), _list(world, second)
    assert a.issued_at == b.issued_at and a.message.payload != b.message.payload
    forward = verify(valid_code, world.trust_list, [a, b], NOW)
    backward = verify(valid_code, world.trust_list, [b, a], NOW)
    assert forward == backward
    assert forward.reason == reason


def test_status_list_ties_are_decided_the_same_way_when_equally_severe(world: World, valid_code: str) -> None:
    # Both say valid, but only one is past its ttl at this time: the payload bytes decide.
    short, long = _list(world, {}, ttl=timedelta(hours=1)), _list(world, {}, ttl=timedelta(days=1))
    forward = verify(valid_code, world.trust_list, [short, long], NOW)
    assert forward == verify(valid_code, world.trust_list, [long, short], NOW)
    assert forward.valid
    # Another issuer's list ranks above a valid answer: it cannot confirm the card.
    foreign = _list(world, {}, issuer="https://other.example")
    mine = _list(world, {})
    assert verify(valid_code, world.trust_list, [mine, foreign], NOW) == verify(
        valid_code, world.trust_list, [foreign, mine], NOW
    )
    assert verify(valid_code, world.trust_list, [mine, foreign], NOW).detail == "status_list_issuer_mismatch"


def test_a_newer_list_still_wins_over_a_stricter_older_one(world: World, valid_code: str) -> None:
    suspended = _list(world, {INDEX_VALID: STATUS_SUSPENDED}, issued_at=NOW - timedelta(hours=3))
    lifted = _list(world, {}, issued_at=NOW - timedelta(hours=2))
    assert verify(valid_code, world.trust_list, [lifted, suspended], NOW).valid
    assert verify(valid_code, world.trust_list, [suspended, lifted], NOW).valid


def test_raw_status_list_bytes_are_accepted(world: World, valid_code: str) -> None:
    assert verify(valid_code, world.trust_list, world.status_token_bytes, NOW).valid
    assert verify(valid_code, world.trust_list, {"x": world.status_list}, NOW).valid
    assert verify(valid_code, world.trust_list, b"garbage", NOW).reason == "status_list_stale"


def test_unknown_kid_and_wrong_key(world: World) -> None:
    stranger = LocalSigner.generate()
    assert check(world, world.issue(signer=stranger)).reason == "unknown_issuer"
    # An attacker's key that claims the trusted kid: the signature does not verify.
    impostor = LocalSigner(LocalSigner.generate()._private_key, kid=world.card_key.kid)
    assert check(world, world.issue(signer=impostor)).reason == "bad_signature"
    # The status-list key is trusted, but not for cards.
    assert check(world, world.issue(signer=world.status_key)).reason == "unknown_issuer"


def test_swapped_photo_is_a_bad_signature(world: World, valid_code: str) -> None:
    message = decode_unverified(valid_code)
    payload = cbor2.loads(message.payload)
    from credential_helpers import face_image

    from sanspeur.credential import make_photo

    payload[CWT_CARD][CARD_PHOTO] = make_photo(face_image(seed=7).rotate(180))
    assert payload[CWT_CARD][CARD_PHOTO] != world.photo
    swapped = encode_code(replace(message, payload=cbor2.dumps(payload, canonical=True)).encode())
    assert check(world, swapped).reason == "bad_signature"


def test_every_flipped_cose_byte_is_rejected(world: World, valid_code: str) -> None:
    cose = decode_code(valid_code)
    message = parse_sign1(cose)
    payload_start = cose.index(message.payload)
    payload_region = range(payload_start, payload_start + len(message.payload))
    signature_region = range(len(cose) - 64, len(cose))
    for position in range(len(cose)):
        mangled = bytearray(cose)
        mangled[position] ^= 0x01
        result = check(world, encode_code(bytes(mangled)))
        assert not result.valid, position
        assert result.reason in STRUCTURAL_REASONS, (position, result)
        if position in signature_region and not is_low_s(bytes(mangled[-64:])):
            # A flip in s that lands above n/2 is refused as an encoding before any key is used.
            assert (result.reason, result.detail) == ("malformed", "high_s_signature"), (position, result)
        elif position in payload_region or position in signature_region:
            assert result.reason == "bad_signature", (position, result)


def test_every_flipped_compressed_byte_is_rejected_or_harmless(world: World, valid_code: str) -> None:
    """DEFLATE ignores the padding bits after its final block, so a flip there inflates
    to the very same COSE bytes. That is not a false accept (the signed content is
    unchanged); everything else must be rejected."""
    original_cose = decode_code(valid_code)
    compressed = b45decode(valid_code[len(PREFIX_V1) :])
    harmless = []
    for position in range(len(compressed)):
        for bit in (0x01, 0x80):
            mangled = bytearray(compressed)
            mangled[position] ^= bit
            code = PREFIX_V1 + b45encode(bytes(mangled))
            result = check(world, code)
            if result.valid:
                assert decode_code(code) == original_cose, (position, bit)
                harmless.append(position)
            else:
                assert result.reason in STRUCTURAL_REASONS, (position, result)
    # Only padding bits of the last deflate byte (just before the 4-byte Adler-32) qualify.
    assert set(harmless) <= {len(compressed) - 5}


def test_every_changed_code_character_is_rejected(world: World, valid_code: str) -> None:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    for position in range(len(valid_code)):
        original = valid_code[position]
        replacement = alphabet[(alphabet.index(original) + 1) % 45] if original in alphabet else "0"
        code = valid_code[:position] + replacement + valid_code[position + 1 :]
        result = check(world, code)
        if result.valid:  # only possible through DEFLATE's ignored padding bits (see above)
            assert decode_code(code) == decode_code(valid_code), position
        else:
            assert result.reason in STRUCTURAL_REASONS, (position, result)


@pytest.mark.parametrize(
    "bad",
    [
        None,
        "",
        "MTL1:",
        "MTL2:ABC",
        "HC1:ABC",
        "mtl1:ABC",
        "MTL1:abc",
        "MTL1:A",
        "MTL1:GGW",  # a triple above 65535
        "MTL1:\u00e9\u00e9\u00e9",
        "MTL1:" + "0" * 5000,
        b"\xff\xfe",
        12345,
        3.5,
        ["MTL1:"],
        {"code": "MTL1:"},
        object(),
        "\x00" * 10,
    ],
)
def test_garbage_is_malformed_and_never_raises(world: World, bad: object) -> None:
    result = check(world, bad)
    assert result.reason == "malformed"


def test_truncated_codes_are_rejected(world: World, valid_code: str) -> None:
    for length in range(0, len(valid_code), 7):
        result = check(world, valid_code[:length])
        assert not result.valid and result.reason == "malformed", length


def test_crafted_cose_variants(world: World, valid_code: str) -> None:
    message = decode_unverified(valid_code)
    untagged = cbor2.dumps([message.protected_bytes, {}, message.payload, message.signature])
    assert check(world, encode_code(untagged)).reason == "malformed"
    trailing = message.encode() + b"\x00"
    assert check(world, encode_code(trailing)).reason == "malformed"
    other_alg = cbor2.dumps({1: -35, 4: message.kid})
    assert check(world, encode_code(replace(message, protected_bytes=other_alg).encode())).reason == "malformed"
    # kid only in the unprotected header is not accepted: it would not be signed.
    no_kid = replace(message, protected_bytes=cbor2.dumps({1: -7}), unprotected={4: message.kid})
    assert check(world, encode_code(no_kid.encode())).reason == "malformed"
    # Unsigned data riding along in the unprotected header: refused (one encoding per card).
    extra = check(world, encode_code(replace(message, unprotected={99: "hello"}).encode()))
    assert (extra.reason, extra.detail) == ("malformed", "unprotected_header_not_empty")
    # Same items, but the payload length written in a longer-than-needed head: rejected,
    # so that one signed card has exactly one accepted COSE encoding.
    minimal = message.encode()
    head = cbor2.dumps(message.payload)[: -len(message.payload)]
    assert head[0] == 0x59  # 2-byte length head
    long_head = bytes([0x5A]) + len(message.payload).to_bytes(4, "big")
    stretched = minimal.replace(head + message.payload, long_head + message.payload)
    assert cbor2.loads(stretched).value[2] == message.payload
    assert check(world, encode_code(stretched)).reason == "malformed"
    # A zip bomb is refused before it is inflated.
    bomb = zlib.compress(b"\x00" * 10_000_000, 9)
    assert check(world, PREFIX_V1 + b45encode(bomb)).reason == "malformed"


def test_signed_but_malformed_claims(world: World) -> None:
    from sanspeur.credential.cose import sign1

    for payload in (b"\xa0", cbor2.dumps([1, 2]), b"not cbor", cbor2.dumps({1: "x", 4: "soon"})):
        code = encode_code(sign1(payload, world.card_key))
        assert check(world, code).reason == "malformed"


def test_strange_arguments_never_raise(world: World, valid_code: str) -> None:
    assert verify(valid_code, None, world.status_list, NOW).reason == "unknown_issuer"  # type: ignore[arg-type]
    assert verify(valid_code, "trust", world.status_list, NOW).reason == "unknown_issuer"  # type: ignore[arg-type]
    assert verify(valid_code, world.trust_list, 42, NOW).reason == "malformed"  # type: ignore[arg-type]
    assert verify(valid_code, world.trust_list, "x", NOW).reason == "status_list_stale"  # type: ignore[arg-type]
    assert verify(valid_code, world.trust_list, world.status_list, "now").reason == "malformed"  # type: ignore[arg-type]
    naive = datetime(2026, 3, 1, 12, 0)  # noqa: DTZ001 - naive on purpose: taken as UTC
    assert verify(valid_code, world.trust_list, world.status_list, naive).valid
    assert verify(valid_code, world.trust_list, world.status_list, NOW, max_status_age="x").valid  # type: ignore[arg-type]


def test_now_defaults_to_current_time(world: World) -> None:
    code = world.issue(
        issued_at=datetime.now(UTC) - timedelta(days=1), expires_at=datetime.now(UTC) + timedelta(days=1)
    )
    # The fixture's status list is from 2026; relative to the real clock it may be stale or
    # in the future, but the card itself must pass the time checks.
    result = verify(code, world.trust_list, world.status_list)
    assert result.reason in ("valid", "status_list_stale")


def test_result_json_has_no_photo_unless_asked(world: World, valid_code: str) -> None:
    result = check(world, valid_code)
    data = result.to_json_dict()
    assert "photo" not in data and data["claims"]["photo_bytes"] == len(world.photo)
    assert result.to_json_dict(include_photo=True)["photo"].startswith("data:image/webp;base64,")


def test_decode_claims_unverified_is_for_support_only(world: World) -> None:
    from sanspeur.credential import decode_claims_unverified

    stranger_card = world.issue(signer=LocalSigner.generate(), given_names="Not Trusted")
    assert decode_claims_unverified(stranger_card).given_names == "Not Trusted"
    assert check(world, stranger_card).reason == "unknown_issuer"
