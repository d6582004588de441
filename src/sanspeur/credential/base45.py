"""Base45 (RFC 9285) with a decoder fast enough not to dominate verification.

A card code is ~1,400 Base45 characters. Two decoders give the same answers:

- the compiled one (``_base45.c``, built when the package is installed with a C compiler)
  takes well under a microsecond. It only says "these bytes" or "not valid";
- the pure-Python one below is the reference and the fallback. A per-triple Python loop
  would cost a few hundred microseconds, several ES256 verifications, so it works on
  whole strings at once: it maps characters to digit values with ``bytes.translate``
  and does the base-45 arithmetic for every triple simultaneously inside one big integer
  (each triple gets its own 24-bit lane, wide enough that lanes never carry into each
  other, even for invalid input). It takes ~6 us, which alone kept verify() under its
  throughput goal (docs/decisions/0004-compiled-base45.md).

When the compiled decoder rejects a text, the Python one runs on it to raise the exact
``Base45Error``: one source of truth for every accept/reject decision and message.
"""

from __future__ import annotations

try:
    from ._base45 import b45decode as _compiled_b45decode
except ImportError:  # installed without a C compiler: the pure-Python decoder does it all
    _compiled_b45decode = None

COMPILED = _compiled_b45decode is not None

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INVALID = 0xFF
_DECODE_TABLE = bytes(ALPHABET.index(chr(c)) if chr(c) in ALPHABET else _INVALID for c in range(256))


class Base45Error(ValueError):
    """The text is not canonical Base45."""


def b45encode(data: bytes) -> str:
    """Encode bytes as Base45 text (issuing side; speed matters less here)."""
    out: list[str] = []
    alphabet = ALPHABET
    length = len(data)
    for i in range(0, length - 1, 2):
        value = (data[i] << 8) | data[i + 1]
        high, rest = divmod(value, 45 * 45)
        mid, low = divmod(rest, 45)
        out.append(alphabet[low] + alphabet[mid] + alphabet[high])
    if length % 2:
        mid, low = divmod(data[-1], 45)
        out.append(alphabet[low] + alphabet[mid])
    return "".join(out)


# Masks selecting the low byte / high byte of every 3-byte lane, built once for the longest
# input we accept and cut to size with a shift (the pattern repeats every 24 bits).
_MAX_TRIPLES = 4096
_LOW_BYTES = int.from_bytes(b"\x00\x00\xff" * _MAX_TRIPLES, "big")
_HIGH_BYTES = int.from_bytes(b"\xff\x00\x00" * _MAX_TRIPLES, "big")


def b45decode(text: str | bytes) -> bytes:
    """Decode Base45 text; raise Base45Error on any character or value outside RFC 9285."""
    if _compiled_b45decode is not None:
        decoded = _compiled_b45decode(text)
        if decoded is not None:
            return decoded
    return b45decode_python(text)


def b45decode_python(text: str | bytes) -> bytes:
    """The pure-Python decoder (reference and fallback; same contract as ``b45decode``)."""
    if isinstance(text, str):
        try:
            raw = text.encode("ascii")
        except UnicodeEncodeError as exc:
            raise Base45Error("non-ASCII character") from exc
    elif isinstance(text, bytes | bytearray | memoryview):
        raw = bytes(text)
    else:
        raise Base45Error(f"cannot decode {type(text).__name__}")

    digits = raw.translate(_DECODE_TABLE)
    if _INVALID in digits:
        raise Base45Error("character outside the Base45 alphabet")
    triples, remainder = divmod(len(digits), 3)
    if remainder == 1:
        raise Base45Error("length is 1 modulo 3")

    out = bytearray(2 * triples + (1 if remainder else 0))
    if triples:
        if triples > _MAX_TRIPLES:
            raise Base45Error("input too long")
        # Read the digits as one big integer: each triple (c, d, e) is a 3-byte lane.
        # Pull c, d and e out of every lane with masks, and combine all lanes at once:
        # value = c + 45*d + 2025*e. Lanes never carry into each other (max 91,124 < 2**24).
        digits_int = int.from_bytes(digits[: 3 * triples], "big")
        shift = 24 * (_MAX_TRIPLES - triples)
        low = _LOW_BYTES >> shift
        values = ((digits_int >> 16) & low) + 45 * ((digits_int >> 8) & low) + 2025 * (digits_int & low)
        # A lane's top byte is non-zero only when the triple encodes more than 0xFFFF.
        if values & (_HIGH_BYTES >> shift):
            raise Base45Error("triple value above 65535")
        lanes = values.to_bytes(3 * triples, "big")
        out[0 : 2 * triples : 2] = lanes[1::3]
        out[1 : 2 * triples : 2] = lanes[2::3]
    if remainder:
        value = digits[-2] + 45 * digits[-1]
        if value > 0xFF:
            raise Base45Error("final pair value above 255")
        out[-1] = value
    return bytes(out)
