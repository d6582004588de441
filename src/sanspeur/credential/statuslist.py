"""Token Status List (draft-ietf-oauth-status-list), CWT form, 2 bits per card.

Status values: 0 valid, 1 revoked (irreversible), 2 suspended (reversible); 3 is left
to applications and treated as "not valid" by our verifier.

Entry ``i`` lives in byte ``i // 4`` at bit offset ``2 * (i % 4)``, least significant
bits first, as the draft specifies. The byte array is compressed with plain zlib
(RFC 1950) and published inside a COSE_Sign1-signed CWT.

Indexes are allocated uniformly at random among free slots (``allocate_index``) and
lists have at least 131,072 entries, so a list fetch reveals nothing about which card
is being checked, and neighbouring indexes say nothing about issue order.
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2

from .cose import CoseError, Sign1, parse_sign1, sign1, strict_cbor_loads
from .signing import Signer

STATUS_VALID = 0
STATUS_REVOKED = 1  # "INVALID" in the draft
STATUS_SUSPENDED = 2

BITS = 2
ENTRIES_PER_BYTE = 8 // BITS
MIN_SIZE = 131_072  # herd privacy: 2**17 entries, 32 KiB uncompressed
MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024

STATUS_LIST_TYP = "application/statuslist+cwt"
CWT_ISS = 1
CWT_SUB = 2
CWT_EXP = 4
CWT_IAT = 6
CWT_TTL = 65534
CWT_STATUS_LIST = 65533


class StatusListError(ValueError):
    """A status list token is malformed or fails a check."""


class StatusListFullError(StatusListError):
    """Every index of the list is allocated."""


def padded_size(size: int) -> int:
    """At least MIN_SIZE entries, rounded up to whole bytes."""
    size = max(int(size), MIN_SIZE)
    return -(-size // ENTRIES_PER_BYTE) * ENTRIES_PER_BYTE


def allocate_index(used: Collection[int], size: int) -> int:
    """Pick an index uniformly at random among those not in ``used``.

    Rejection sampling with ``secrets`` is exactly uniform over free indexes and O(1)
    while the list is not nearly full; past 64 misses (list >~ 90% full) we fall back
    to enumerating the free slots, which is still uniform.
    """
    if size <= 0:
        raise ValueError("size must be positive")
    if len(used) >= size and all(0 <= i < size for i in used):
        raise StatusListFullError("status list is full")
    for _ in range(64):
        candidate = secrets.randbelow(size)
        if candidate not in used:
            return candidate
    free = [i for i in range(size) if i not in used]
    if not free:
        raise StatusListFullError("status list is full")
    return secrets.choice(free)


class StatusListBuilder:
    """Mutable 2-bit array; memory is ``size / 4`` bytes (500 KB for 2 million cards)."""

    def __init__(self, size: int = MIN_SIZE) -> None:
        self.size = padded_size(size)
        self._bytes = bytearray(self.size // ENTRIES_PER_BYTE)

    def set(self, index: int, status: int) -> None:
        if not 0 <= index < self.size:
            raise IndexError(f"index {index} outside 0..{self.size - 1}")
        if not 0 <= status <= 3:
            raise ValueError("status must fit in 2 bits")
        shift = (index & 3) << 1
        position = index >> 2
        self._bytes[position] = (self._bytes[position] & ~(3 << shift) & 0xFF) | (status << shift)

    def update(self, statuses: Mapping[int, int] | Iterable[tuple[int, int]]) -> None:
        """Set many entries. Only non-valid entries need to be given (the rest are 0)."""
        items = statuses.items() if isinstance(statuses, Mapping) else statuses
        data = self._bytes
        size = self.size
        # One loop over the (few) non-zero entries; the zero-filled bytearray covers the rest.
        for index, status in items:
            if not 0 <= index < size:
                raise IndexError(f"index {index} outside 0..{size - 1}")
            if not 0 <= status <= 3:
                raise ValueError("status must fit in 2 bits")
            shift = (index & 3) << 1
            data[index >> 2] = (data[index >> 2] & ~(3 << shift) & 0xFF) | (status << shift)

    def get(self, index: int) -> int:
        return (self._bytes[index >> 2] >> ((index & 3) << 1)) & 3

    def to_bytes(self) -> bytes:
        return bytes(self._bytes)

    def compressed(self) -> bytes:
        return zlib.compress(self._bytes, 9)

    def to_token(
        self,
        *,
        uri: str,
        signer: Signer,
        issued_at: datetime,
        ttl: timedelta | int,
        expires_at: datetime | None = None,
        issuer: str | None = None,
    ) -> bytes:
        """Sign the list as a Status List Token in CWT form (COSE_Sign1 bytes)."""
        if not isinstance(uri, str) or not uri:
            raise ValueError("uri must be a non-empty string")
        ttl_seconds = int(ttl.total_seconds()) if isinstance(ttl, timedelta) else int(ttl)
        if ttl_seconds <= 0:
            raise ValueError("ttl must be positive")
        payload: dict[int, Any] = {
            CWT_SUB: uri,
            CWT_IAT: _numeric(issued_at),
            CWT_TTL: ttl_seconds,
            CWT_STATUS_LIST: {"bits": BITS, "lst": self.compressed()},
        }
        if expires_at is not None:
            payload[CWT_EXP] = _numeric(expires_at)
        if issuer is not None:
            payload[CWT_ISS] = issuer
        return sign1(cbor2.dumps(payload, canonical=True), signer, typ=STATUS_LIST_TYP)


def _numeric(moment: datetime) -> int:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return int(moment.timestamp())


def build_status_list_token(
    statuses: Mapping[int, int],
    *,
    size: int,
    uri: str,
    signer: Signer,
    issued_at: datetime,
    ttl: timedelta | int,
    expires_at: datetime | None = None,
    issuer: str | None = None,
) -> bytes:
    """One-shot: ``{index: status}`` (non-zero entries) to signed token bytes."""
    builder = StatusListBuilder(size)
    builder.update(statuses)
    return builder.to_token(uri=uri, signer=signer, issued_at=issued_at, ttl=ttl, expires_at=expires_at, issuer=issuer)


@dataclass(eq=False)
class StatusListToken:
    """A parsed Status List Token. Its signature is checked by the verifier, against the
    trust list, the first time it is used (and the result cached per public key)."""

    message: Sign1
    uri: str
    issued_at: datetime
    ttl: timedelta
    bits: int
    entries: bytes = field(repr=False)
    expires_at: datetime | None = None
    issuer: str | None = None
    _verified_with: set[bytes] = field(default_factory=set, repr=False)
    # Derived once from ``bits`` and ``entries``: status() runs on every verification.
    size: int = field(init=False, repr=False)
    _per_byte: int = field(init=False, repr=False)
    _mask: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._per_byte = 8 // self.bits
        self._mask = (1 << self.bits) - 1
        self.size = len(self.entries) * self._per_byte

    @property
    def kid(self) -> bytes:
        return self.message.kid

    def status(self, index: int) -> int:
        """Status value at ``index``; IndexError when the list is shorter."""
        if type(index) is not int or not 0 <= index < self.size:
            raise IndexError("status index outside the list")
        per_byte = self._per_byte
        return (self.entries[index // per_byte] >> ((index % per_byte) * self.bits)) & self._mask


def _decompress(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_DECOMPRESSED_BYTES)
    except zlib.error as exc:
        raise StatusListError(f"lst is not zlib data: {exc}") from exc
    if inflater.unconsumed_tail:
        raise StatusListError("status list too large")
    if not inflater.eof:
        raise StatusListError("truncated zlib data")
    return out


def parse_status_list_token(data: bytes | bytearray | memoryview) -> StatusListToken:
    """Parse (not verify) a Status List Token; raise StatusListError on malformed input."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise StatusListError("status list token must be bytes")
    try:
        message = parse_sign1(bytes(data))
    except CoseError as exc:
        raise StatusListError(f"not a COSE_Sign1 status list: {exc}") from exc
    if message.typ != STATUS_LIST_TYP:
        raise StatusListError("wrong typ header for a status list token")
    try:
        payload = strict_cbor_loads(message.payload)
    except CoseError as exc:
        raise StatusListError(str(exc)) from exc
    if not isinstance(payload, dict):
        raise StatusListError("payload must be a map")
    uri = payload.get(CWT_SUB)
    ttl = payload.get(CWT_TTL)
    status_list = payload.get(CWT_STATUS_LIST)
    if not isinstance(uri, str) or not uri:
        raise StatusListError("sub (list uri) missing")
    if type(ttl) is not int or ttl <= 0:
        raise StatusListError("ttl must be a positive integer")
    if not isinstance(status_list, dict):
        raise StatusListError("status_list claim missing")
    bits = status_list.get("bits")
    lst = status_list.get("lst")
    if bits not in (1, 2, 4, 8) or type(bits) is not int:
        raise StatusListError("bits must be 1, 2, 4 or 8")
    if not isinstance(lst, bytes):
        raise StatusListError("lst must be a byte string")
    issuer = payload.get(CWT_ISS)
    if issuer is not None and not isinstance(issuer, str):
        raise StatusListError("iss must be a string")
    return StatusListToken(
        message=message,
        uri=uri,
        issued_at=_time(payload.get(CWT_IAT), "iat"),
        ttl=timedelta(seconds=ttl),
        bits=bits,
        entries=_decompress(lst),
        expires_at=_time(payload[CWT_EXP], "exp") if CWT_EXP in payload else None,
        issuer=issuer,
    )


def _time(value: Any, name: str) -> datetime:
    if type(value) is not int:
        raise StatusListError(f"{name} must be an integer NumericDate")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise StatusListError(f"{name} out of range") from exc
