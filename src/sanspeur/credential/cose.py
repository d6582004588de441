"""Minimal COSE_Sign1 (RFC 9052) with ES256 only.

We deliberately implement just the slice we need rather than a general COSE library:
one algorithm, the key id in the *protected* header (so it is covered by the signature),
and strict, bounded CBOR parsing because the input comes from a QR code anyone can print.
Interoperability with a general implementation (pycose) is checked in the tests.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2

from .signing import HALF_ORDER_BYTES, Signer, es256_verify, normalize_s

COSE_SIGN1_TAG = 18
HEADER_ALG = 1
HEADER_CRIT = 2
HEADER_KID = 4
HEADER_TYP = 16  # RFC 9596
ALG_ES256 = -7
MAX_KID_LENGTH = 64


# Stable codes (the verifier's ``detail``) for the two rules that keep one encoding per card.
ERROR_HIGH_S = "high_s_signature"
ERROR_UNPROTECTED_HEADER = "unprotected_header_not_empty"


class CoseError(ValueError):
    """The bytes are not a COSE_Sign1 message of the shape this package accepts.

    ``code`` is a stable machine-readable name for errors that have one (``ERROR_*``).
    """

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


def strict_cbor_loads(data: bytes, *, max_depth: int = 16) -> Any:
    """Decode exactly one CBOR item, refusing what an honest encoder never produces.

    Indefinite lengths, duplicate map keys, deep nesting and trailing bytes all raise,
    which keeps one signed object from having several accepted byte encodings.
    """
    stream = io.BytesIO(data)
    try:
        decoder = cbor2.CBORDecoder(stream, allow_indefinite=False, allow_duplicate_keys=False, max_depth=max_depth)
        item = decoder.decode()
    except Exception as exc:  # cbor2 raises several types on hostile input
        raise CoseError(f"invalid CBOR: {exc}") from exc
    if stream.tell() != len(data):
        raise CoseError("trailing bytes after CBOR item")
    return item


@dataclass(slots=True)
class Sign1:
    """A parsed (not yet verified) COSE_Sign1 message. Treat it as read-only (not frozen
    only because frozen dataclasses cost microseconds per instance on the hot path)."""

    protected_bytes: bytes
    protected: dict[Any, Any]
    unprotected: dict[Any, Any]
    payload: bytes
    signature: bytes

    @property
    def kid(self) -> bytes:
        return self.protected[HEADER_KID]

    @property
    def typ(self) -> Any:
        return self.protected.get(HEADER_TYP)

    def to_be_signed(self) -> bytes:
        """The Sig_structure (RFC 9052 section 4.4) with empty external AAD."""
        return sig_structure(self.protected_bytes, self.payload)

    def verify(self, public_key: Any) -> bool:
        return es256_verify(public_key, self.signature, self.to_be_signed())

    def encode(self) -> bytes:
        return cbor2.dumps(
            cbor2.CBORTag(COSE_SIGN1_TAG, [self.protected_bytes, self.unprotected, self.payload, self.signature])
        )


# CBOR array(4) head and the text string "Signature1": the fixed start of every Sig_structure.
_SIG_STRUCTURE_START = b"\x84\x6aSignature1"


def _bstr_head(length: int) -> bytes:
    """Minimal CBOR head of a byte string of ``length`` bytes (major type 2)."""
    if length < 24:
        return bytes((0x40 | length,))
    if length < 0x100:
        return bytes((0x58, length))
    if length < 0x10000:
        return b"\x59" + length.to_bytes(2, "big")
    if length < 0x100000000:
        return b"\x5a" + length.to_bytes(4, "big")
    return b"\x5b" + length.to_bytes(8, "big")


def sig_structure(protected_bytes: bytes, payload: bytes) -> bytes:
    """CBOR of ["Signature1", protected, h'', payload], assembled by hand.

    Byte for byte what ``cbor2.dumps`` gives (a test compares them over many lengths),
    at a third of the cost: it is built once per verification.
    """
    return (
        _SIG_STRUCTURE_START
        + _bstr_head(len(protected_bytes))
        + protected_bytes
        + b"\x40"
        + _bstr_head(len(payload))
        + payload
    )


def encode_protected(kid: bytes, typ: str | None = None) -> bytes:
    header: dict[int, Any] = {HEADER_ALG: ALG_ES256, HEADER_KID: bytes(kid)}
    if typ is not None:
        header[HEADER_TYP] = typ
    return cbor2.dumps(header, canonical=True)


def sign1(payload: bytes, signer: Signer, *, typ: str | None = None) -> bytes:
    """Sign ``payload`` and return the tagged COSE_Sign1 bytes."""
    protected_bytes = encode_protected(signer.kid, typ)
    # Low s whatever the signer returned (a KMS does not normalise): the only accepted form.
    signature = normalize_s(signer.sign(sig_structure(protected_bytes, payload)))
    return Sign1(protected_bytes, {}, {}, payload, signature).encode()


# Every card signed by one key carries the same protected header bytes, so a verifier
# sees only a handful of distinct values: remember the parsed (validated) ones.
_PROTECTED_CACHE: dict[bytes, dict[Any, Any]] = {}
_PROTECTED_CACHE_SIZE = 64


def _parse_protected(protected_bytes: bytes) -> dict[Any, Any]:
    protected = strict_cbor_loads(protected_bytes) if protected_bytes else {}
    if not isinstance(protected, dict):
        raise CoseError("protected header must be a map")
    alg = protected.get(HEADER_ALG)
    if type(alg) is not int or alg != ALG_ES256:
        raise CoseError("unsupported algorithm (only ES256)")
    if HEADER_CRIT in protected:
        raise CoseError("critical header parameters are not supported")
    kid = protected.get(HEADER_KID)
    if not isinstance(kid, bytes) or not 1 <= len(kid) <= MAX_KID_LENGTH:
        raise CoseError("protected header needs a kid byte string")
    return protected


_FROZENDICT = type(cbor2.loads(b"\xd2\xa0").value)  # the map type cbor2 returns inside a tag


def _head_length(length: int) -> int:
    """Bytes CBOR needs for the head of a string of ``length`` bytes (minimal encoding)."""
    if length < 24:
        return 1
    if length < 0x100:
        return 2
    if length < 0x10000:
        return 3
    return 5 if length < 0x100000000 else 9


def parse_sign1(data: bytes) -> Sign1:
    """Parse tagged COSE_Sign1 bytes; raise CoseError unless alg is ES256 and a kid is present.

    One signed object has exactly one accepted encoding: the unprotected header must be
    the empty map (anything there would be unsigned data riding along), the signature
    must be in low-s form (its twin (r, n - s) verifies too), and all lengths minimal.

    Hot path: the C decoder reads the outer structure, and instead of a second pass for
    trailing bytes we recompute the size the four items occupy when minimally encoded.
    Any difference (trailing bytes, indefinite or over-long lengths) is rejected.
    """
    try:
        item = cbor2.loads(data, allow_indefinite=False, allow_duplicate_keys=False, max_depth=8)
    except Exception as exc:  # cbor2 raises several types on hostile input
        raise CoseError(f"invalid CBOR: {exc}") from exc
    if type(item) is not cbor2.CBORTag or item.tag != COSE_SIGN1_TAG:
        raise CoseError("not a tagged COSE_Sign1")
    value = item.value
    if type(value) not in (tuple, list) or len(value) != 4:
        raise CoseError("COSE_Sign1 must be an array of four items")
    protected_bytes, unprotected, payload, signature = value
    if type(protected_bytes) is not bytes or type(payload) is not bytes:
        raise CoseError("protected header and payload must be byte strings")
    if type(signature) is not bytes or len(signature) != 64:
        raise CoseError("ES256 signature must be 64 bytes")
    # cbor2 decodes the content of a tag as immutable types (tuple, frozendict); the type
    # test first because the ABC check costs more than the rest of this function.
    if type(unprotected) is not _FROZENDICT and not isinstance(unprotected, Mapping):
        raise CoseError("unprotected header must be a map")
    if unprotected:
        raise CoseError("unprotected header must be an empty map", code=ERROR_UNPROTECTED_HEADER)
    if signature[32:] > HALF_ORDER_BYTES:
        raise CoseError("signature s is above n/2 (only the low-s form is accepted)", code=ERROR_HIGH_S)
    expected_size = (
        2  # tag 18 and array(4) heads
        + _head_length(len(protected_bytes))
        + len(protected_bytes)
        + 1  # the empty map, A0
        + _head_length(len(payload))
        + len(payload)
        + 2  # head of the 64-byte signature string
        + 64
    )
    if len(data) != expected_size:
        raise CoseError("trailing bytes or non-minimal encoding")
    protected = _PROTECTED_CACHE.get(protected_bytes)
    if protected is None:
        protected = _parse_protected(protected_bytes)
        if len(_PROTECTED_CACHE) >= _PROTECTED_CACHE_SIZE:
            _PROTECTED_CACHE.clear()
        _PROTECTED_CACHE[protected_bytes] = protected
    return Sign1(protected_bytes, protected, {}, payload, signature)
