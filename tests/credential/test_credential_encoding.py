"""One encoding per signed object: low-s signatures only, an empty unprotected header only.

ECDSA signatures are malleable: (r, n - s) verifies whenever (r, s) does. Issuers write the
low form (s <= n/2) and verifiers refuse the other, for cards, status lists and trust lists.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from credential_helpers import NOW, World
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from sanspeur.credential import (
    LocalSigner,
    StatusListBuilder,
    StatusListError,
    TrustListError,
    decode_unverified,
    encode_code,
    load_trust_list,
    parse_status_list_token,
    raw_to_der,
    verify,
)
from sanspeur.credential.cose import CoseError, parse_sign1, sign1
from sanspeur.credential.jwk import b64url_decode, b64url_encode
from sanspeur.credential.signing import (
    HALF_ORDER_BYTES,
    P256_ORDER,
    es256_verify,
    is_low_s,
    normalize_s,
)


def twin(signature: bytes) -> bytes:
    """(r, s) -> (r, n - s): the other signature that verifies for the same data and key."""
    return signature[:32] + (P256_ORDER - int.from_bytes(signature[32:], "big")).to_bytes(32, "big")


class HighSigner:
    """A signer that returns whatever form of s it got, like most KMS and HSM APIs, and
    always the high one here so that the test does not depend on luck."""

    def __init__(self) -> None:
        self._inner = LocalSigner.generate()
        self.kid = self._inner.kid

    def sign(self, data: bytes) -> bytes:
        signature = self._inner.sign(data)
        return twin(signature) if is_low_s(signature) else signature

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._inner.public_key()


def test_half_order_constant() -> None:
    assert int.from_bytes(HALF_ORDER_BYTES, "big") == (P256_ORDER - 1) // 2
    assert P256_ORDER % 2 == 1  # so no s equals n/2 exactly, and s and n - s are never both low


def test_both_forms_are_valid_ecdsa_but_only_low_s_is_accepted() -> None:
    signer = LocalSigner.generate()
    data = b"any bytes"
    low = signer.sign(data)
    high = twin(low)
    assert is_low_s(low) and not is_low_s(high)
    algorithm = ec.ECDSA(hashes.SHA256())
    signer.public_key().verify(raw_to_der(low), data, algorithm)
    signer.public_key().verify(raw_to_der(high), data, algorithm)  # plain ECDSA accepts both
    assert es256_verify(signer.public_key(), low, data)
    assert not es256_verify(signer.public_key(), high, data)


def test_normalize_s() -> None:
    signer = LocalSigner.generate()
    low = signer.sign(b"x")
    assert normalize_s(low) == low
    assert normalize_s(twin(low)) == low
    assert normalize_s(normalize_s(twin(low))) == low
    for bad in (b"", bytes(63), bytes(64), low[:32] + P256_ORDER.to_bytes(32, "big")):
        with pytest.raises(ValueError):
            normalize_s(bad)


def test_local_signatures_are_always_low_s() -> None:
    signer = LocalSigner.generate()
    assert all(is_low_s(signer.sign(i.to_bytes(2, "big"))) for i in range(200))
    deterministic = LocalSigner(signer._private_key, deterministic=True)
    assert all(is_low_s(deterministic.sign(i.to_bytes(2, "big"))) for i in range(200))


def test_issuing_normalises_whatever_the_signer_returns(world: World) -> None:
    """Cards, status lists and trust lists from a signer that only returns high s."""
    signer = HighSigner()
    message = parse_sign1(sign1(b"\xa0", signer))  # type: ignore[arg-type]
    assert is_low_s(message.signature) and message.verify(signer.public_key())
    token = StatusListBuilder().to_token(uri="u", signer=signer, issued_at=NOW, ttl=60)  # type: ignore[arg-type]
    assert is_low_s(parse_status_list_token(token).message.signature)
    from sanspeur.credential import create_trust_list

    jws = create_trust_list([], signer, issuer="x", issued_at=NOW)  # type: ignore[arg-type]
    assert is_low_s(b64url_decode(jws.split(".")[2]))
    assert load_trust_list(jws, [signer.public_key()], now=NOW).keys == {}


def test_issued_cards_are_low_s_and_their_twins_are_refused(world: World) -> None:
    for _ in range(24):  # about half of the raw signatures were high s before normalising
        code = world.issue()
        message = decode_unverified(code)
        assert is_low_s(message.signature)
        twin_code = encode_code(replace(message, signature=twin(message.signature)).encode())
        result = verify(twin_code, world.trust_list, world.status_list, NOW)
        assert (result.reason, result.detail) == ("malformed", "high_s_signature")


def test_high_s_is_refused_before_the_key_is_looked_up(world: World) -> None:
    """An encoding rule: the same answer whether or not the signer is trusted."""
    stranger_card = world.issue(signer=LocalSigner.generate())
    message = decode_unverified(stranger_card)
    twin_code = encode_code(replace(message, signature=twin(message.signature)).encode())
    assert verify(twin_code, world.trust_list, world.status_list, NOW).detail == "high_s_signature"
    with pytest.raises(CoseError) as caught:
        parse_sign1(replace(message, signature=twin(message.signature)).encode())
    assert caught.value.code == "high_s_signature"


@pytest.mark.parametrize("header", [{99: "hello"}, {4: b"12345678"}, {1: -7}, {"note": ""}])
def test_unprotected_header_must_be_empty(world: World, valid_code: str, header: dict) -> None:
    message = decode_unverified(valid_code)
    result = verify(
        encode_code(replace(message, unprotected=header).encode()), world.trust_list, world.status_list, NOW
    )
    assert (result.reason, result.detail) == ("malformed", "unprotected_header_not_empty")
    with pytest.raises(CoseError) as caught:
        parse_sign1(replace(message, unprotected=header).encode())
    assert caught.value.code == "unprotected_header_not_empty"


def test_status_lists_follow_the_same_rules(world: World, valid_code: str) -> None:
    message = world.status_list.message
    for variant in (replace(message, signature=twin(message.signature)), replace(message, unprotected={99: 1})):
        with pytest.raises(StatusListError):
            parse_status_list_token(variant.encode())
        result = verify(valid_code, world.trust_list, variant.encode(), NOW)
        assert (result.reason, result.detail) == ("status_list_stale", "status_list_malformed")


def test_trust_list_with_high_s_is_refused(world: World) -> None:
    header, payload, signature = world.trust_jws.split(".")
    high = f"{header}.{payload}.{b64url_encode(twin(b64url_decode(signature)))}"
    with pytest.raises(TrustListError, match="low-s"):
        load_trust_list(high, [world.root.public_key()], now=NOW)
    assert load_trust_list(world.trust_jws, [world.root.public_key()], now=NOW).keys
