"""Independent implementations agree with ours: pycose for COSE, plain zlib for status lists."""

from __future__ import annotations

import json
import zlib

import cbor2
from credential_helpers import INDEX_REVOKED, INDEX_SUSPENDED, NOW, World
from pycose.headers import KID, Algorithm
from pycose.keys import EC2Key
from pycose.keys.curves import P256
from pycose.messages import Sign1Message

from sanspeur.credential import (
    LocalSigner,
    b45decode,
    decode_code,
    encode_code,
    verify,
)
from sanspeur.credential.claims import claims_to_cbor
from sanspeur.credential.jwk import b64url_decode, b64url_encode
from sanspeur.credential.signing import P256_ORDER, normalize_s
from sanspeur.credential.trustlist import TrustedKey, create_trust_list, load_trust_list


def pycose_decode(data: bytes) -> Sign1Message:
    """``CoseMessage.decode`` from pycose 1.1 expects cbor2 to return a list inside the tag;
    cbor2 6 returns an immutable tuple there. Unwrap the tag ourselves and let pycose do
    everything else (headers, Sig_structure, signature check)."""
    tagged = cbor2.loads(data)
    assert isinstance(tagged, cbor2.CBORTag) and tagged.tag == 18
    protected, unprotected, payload, signature = tagged.value
    message = Sign1Message.from_cose_obj([protected, dict(unprotected), payload, signature], True)
    assert isinstance(message, Sign1Message)
    return message


def _published_keys(trust_jws: str) -> list[dict]:
    """Read the trust list payload the way a third party would: split, base64url, JSON."""
    payload = trust_jws.split(".")[1]
    return json.loads(b64url_decode(payload))["keys"]


def _pycose_key(jwk: dict) -> EC2Key:
    return EC2Key(crv=P256, x=b64url_decode(jwk["x"]), y=b64url_decode(jwk["y"]))


def test_card_verifies_with_pycose_using_only_the_published_trust_list(world: World, valid_code: str) -> None:
    cose = decode_code(valid_code)
    message = pycose_decode(cose)
    kid = message.phdr[KID]
    jwk = next(k for k in _published_keys(world.trust_jws) if b64url_decode(k["kid"]) == kid)
    message.key = _pycose_key(jwk)
    assert message.verify_signature()
    claims = cbor2.loads(message.payload)
    assert claims[1] == world.claims().issuer
    assert claims[65535]["status_list"]["uri"] == world.status_list.uri


def test_tampered_card_fails_in_pycose_too(world: World, valid_code: str) -> None:
    cose = bytearray(decode_code(valid_code))
    cose[-1] ^= 0x01
    message = pycose_decode(bytes(cose))
    jwk = next(k for k in _published_keys(world.trust_jws) if b64url_decode(k["kid"]) == message.phdr[KID])
    message.key = _pycose_key(jwk)
    assert not message.verify_signature()


def test_status_list_token_verifies_with_pycose(world: World) -> None:
    message = pycose_decode(world.status_token_bytes)
    jwk = next(k for k in _published_keys(world.trust_jws) if b64url_decode(k["kid"]) == message.phdr[KID])
    message.key = _pycose_key(jwk)
    assert message.verify_signature()


def test_token_signed_by_pycose_verifies_with_us(world: World) -> None:
    """Our verifier accepts a card produced by another COSE implementation, once its
    signature is in the low-s form MTL1 requires (pycose, like most, leaves s as it comes)."""
    private = LocalSigner.generate()
    numbers = private._private_key.private_numbers()
    key = EC2Key(
        crv=P256,
        x=numbers.public_numbers.x.to_bytes(32, "big"),
        y=numbers.public_numbers.y.to_bytes(32, "big"),
        d=numbers.private_value.to_bytes(32, "big"),
    )
    message = Sign1Message(phdr={Algorithm: "ES256", KID: private.kid}, payload=claims_to_cbor(world.claims()))
    message.key = key
    protected, unprotected, payload, signature = cbor2.loads(message.encode(tag=True)).value
    assert dict(unprotected) == {}

    def code_with(sig: bytes) -> str:
        return encode_code(cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, sig])))

    low = normalize_s(signature)
    high = low[:32] + (P256_ORDER - int.from_bytes(low[32:], "big")).to_bytes(32, "big")
    trust_jws = create_trust_list(
        [
            TrustedKey(private.kid, private.public_key(), frozenset({"card"})),
            TrustedKey(world.status_key.kid, world.status_key.public_key(), frozenset({"status-list"})),
        ],
        world.root,
        issuer="test",
        issued_at=NOW,
    )
    trust = load_trust_list(trust_jws, [world.root.public_key()], now=NOW)
    result = verify(code_with(low), trust, world.status_list, NOW)
    assert result.valid, result
    # The other form of the very same signature: valid ECDSA, but not the MTL1 encoding.
    twin = verify(code_with(high), trust, world.status_list, NOW)
    assert (twin.reason, twin.detail) == ("malformed", "high_s_signature")


def test_status_list_decodes_with_plain_zlib(world: World) -> None:
    assert world.status_list.message.typ == "application/statuslist+cwt"
    payload = cbor2.loads(pycose_decode(world.status_token_bytes).payload)
    status_list = payload[65533]
    assert status_list["bits"] == 2
    raw = zlib.decompress(status_list["lst"])  # plain zlib, nothing custom
    assert len(raw) * 4 >= 131_072

    def entry(index: int) -> int:
        return (raw[index // 4] >> (2 * (index % 4))) & 0b11

    assert entry(INDEX_REVOKED) == 1
    assert entry(INDEX_SUSPENDED) == 2
    assert sum(1 for byte in raw if byte) == 2


def test_code_layers_decode_with_reference_base45(valid_code: str) -> None:
    import base45 as reference

    body = valid_code.split(":", 1)[1]
    assert reference.b45decode(body) == b45decode(body)
    assert zlib.decompress(reference.b45decode(body)) == decode_code(valid_code)


def test_trust_list_is_a_standard_compact_jws(world: World) -> None:
    """Any JOSE library can check it: verify the ES256 signature with cryptography directly."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from sanspeur.credential import raw_to_der

    header, payload, signature = world.trust_jws.split(".")
    assert json.loads(b64url_decode(header))["alg"] == "ES256"
    world.root.public_key().verify(
        raw_to_der(b64url_decode(signature)), f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256())
    )
    assert b64url_encode(world.card_key.kid) in {k["kid"] for k in _published_keys(world.trust_jws)}
