"""The printable card code: ``MTL1:`` + Base45(zlib(COSE_Sign1(CWT))).

The prefix names the format version. A verifier dispatches on it, so a later ``MTL2:``
can change any layer below while cards already in wallets keep verifying.
Everything in the code is in the QR alphanumeric character set (digits, upper-case
letters, space and ``$%*+-./:``), which QR stores at 5.5 bits per character.
"""

from __future__ import annotations

import zlib

from .base45 import Base45Error, b45decode, b45encode
from .claims import CardClaims, claims_from_payload, claims_to_cbor
from .cose import Sign1, parse_sign1, sign1, strict_cbor_loads
from .signing import Signer

PREFIX_V1 = "MTL1:"
SUPPORTED_PREFIXES = (PREFIX_V1,)
# The biggest QR code (version 40-L) holds 4,296 alphanumeric characters; anything longer
# cannot have come from a card, and capping it bounds the work done on hostile input.
MAX_CODE_LENGTH = 4400
# A card's COSE bytes are ~1 KB; the cap stops decompression bombs.
MAX_COSE_BYTES = 8192


class CodeError(ValueError):
    """The text is not a well-formed card code (wrong prefix, Base45 or zlib)."""


# Deflate is used only when it saves at least this many bytes; otherwise the zlib stream
# holds the data in stored (uncompressed) blocks. A card's payload is mostly its WebP photo,
# already entropy-coded: deflate saves nothing on it and usually adds a few bytes, while
# inflating Huffman-coded data costs every verifier ~2 us per card (a tenth of everything
# verify() adds to the ES256 check); stored data inflates as a plain copy. 16 bytes are 24
# Base45 characters, well under the ~70 characters between two QR versions at this size.
# Verifiers accept both forms: this is the issuer's choice, not a format change.
DEFLATE_MIN_SAVING = 16


def _zlib_stream(data: bytes) -> bytes:
    compressed = zlib.compress(data, 9)
    stored = zlib.compress(data, 0)
    return compressed if len(stored) - len(compressed) >= DEFLATE_MIN_SAVING else stored


def encode_code(cose_bytes: bytes) -> str:
    """Wrap COSE_Sign1 bytes into the printable, versioned code."""
    return PREFIX_V1 + b45encode(_zlib_stream(cose_bytes))


def issue(claims: CardClaims, signer: Signer) -> str:
    """Sign ``claims`` with ``signer`` and return the text to put in the QR code."""
    return encode_code(sign1(claims_to_cbor(claims), signer))


encode = issue  # the name used in the format description


def _as_text(code: object) -> str:
    if isinstance(code, bytes | bytearray | memoryview):
        try:
            return bytes(code).decode("ascii")
        except UnicodeDecodeError as exc:
            raise CodeError("code is not ASCII") from exc
    if not isinstance(code, str):
        raise CodeError(f"code must be text, not {type(code).__name__}")
    return code


def decode_code(code: object) -> bytes:
    """Undo prefix, Base45 and zlib; return the COSE_Sign1 bytes (no signature check)."""
    # Scanners often add a trailing newline. Stripping spaces is safe too: space is a
    # Base45 digit (36), but a valid code never starts or ends with one (the prefix comes
    # first, and a final digit is at most 32, since 65535 // 2025 == 32).
    text = (code if type(code) is str else _as_text(code)).strip()
    if len(text) > MAX_CODE_LENGTH:
        raise CodeError("code too long")
    if not text.startswith(PREFIX_V1):
        if ":" in text[:8] and text[:3] == PREFIX_V1[:3]:
            raise CodeError(f"unsupported code version {text.split(':', 1)[0]!r}")
        raise CodeError("missing MTL1: prefix")
    try:
        compressed = b45decode(text[len(PREFIX_V1) :])
    except Base45Error as exc:
        raise CodeError(f"invalid Base45: {exc}") from exc
    inflater = zlib.decompressobj()
    try:
        cose_bytes = inflater.decompress(compressed, MAX_COSE_BYTES)
    except zlib.error as exc:
        raise CodeError(f"invalid zlib data: {exc}") from exc
    if inflater.unconsumed_tail:
        raise CodeError("decompressed data too large")
    if not inflater.eof or inflater.unused_data:
        raise CodeError("truncated or padded zlib stream")
    return cose_bytes


def decode_unverified(code: object) -> Sign1:
    """Parse a code down to its COSE_Sign1 structure without checking the signature.

    For debugging and tests. Anything shown to a person must go through ``verify``.
    """
    return parse_sign1(decode_code(code))


def decode_claims_unverified(code: object) -> CardClaims:
    """Claims of a code WITHOUT any signature, trust or status check (support tooling,
    e.g. to see which card a rejected code claims to be). Never use it to accept a card."""
    return claims_from_payload(strict_cbor_loads(decode_unverified(code).payload))
