"""Status list encoding, random index allocation, and the signed token."""

from __future__ import annotations

import secrets
import time
import zlib
from datetime import timedelta

import pytest
from credential_helpers import NOW

from sanspeur.credential import (
    MIN_SIZE,
    STATUS_REVOKED,
    STATUS_SUSPENDED,
    LocalSigner,
    StatusListBuilder,
    StatusListError,
    StatusListFullError,
    allocate_index,
    build_status_list_token,
    parse_status_list_token,
)


def test_bit_layout_matches_the_draft_example() -> None:
    # draft-ietf-oauth-status-list, 2-bit example: statuses of 12 tokens -> C9 44 F9.
    statuses = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]
    builder = StatusListBuilder()
    builder.update(dict(enumerate(statuses)))
    assert builder.to_bytes()[:3] == bytes([0xC9, 0x44, 0xF9])
    assert [builder.get(i) for i in range(12)] == statuses


def test_size_is_padded_for_herd_privacy() -> None:
    assert StatusListBuilder(10).size == MIN_SIZE
    assert StatusListBuilder(MIN_SIZE + 1).size == MIN_SIZE + 4
    assert len(StatusListBuilder(2_000_000).to_bytes()) == 500_000


def test_set_and_overwrite() -> None:
    builder = StatusListBuilder()
    builder.set(5, STATUS_SUSPENDED)
    builder.set(5, STATUS_REVOKED)
    builder.set(6, STATUS_SUSPENDED)
    builder.set(6, 0)  # suspension lifted
    assert (builder.get(5), builder.get(6), builder.get(4)) == (1, 0, 0)
    with pytest.raises(IndexError):
        builder.set(MIN_SIZE, 1)
    with pytest.raises(ValueError):
        builder.set(1, 4)
    with pytest.raises(IndexError):
        builder.update({-1: 1})


def test_token_round_trip() -> None:
    signer = LocalSigner.generate()
    statuses = {secrets.randbelow(MIN_SIZE): secrets.choice([1, 2]) for _ in range(500)}
    data = build_status_list_token(
        statuses,
        size=MIN_SIZE,
        uri="https://x.example/status/1",
        signer=signer,
        issued_at=NOW,
        ttl=timedelta(hours=6),
        expires_at=NOW + timedelta(days=2),
        issuer="https://x.example",
    )
    token = parse_status_list_token(data)
    assert token.uri == "https://x.example/status/1"
    assert token.issued_at == NOW and token.expires_at == NOW + timedelta(days=2)
    assert token.ttl == timedelta(hours=6) and token.bits == 2 and token.size == MIN_SIZE
    assert token.kid == signer.kid and token.issuer == "https://x.example"
    assert token.message.verify(signer.public_key())
    for index, status in statuses.items():
        assert token.status(index) == status
    with pytest.raises(IndexError):
        token.status(MIN_SIZE)
    with pytest.raises(IndexError):
        token.status(-1)


@pytest.mark.parametrize(
    "bad",
    [b"", b"\x00", b"not cbor at all", zlib.compress(b"x"), bytes(64)],
)
def test_parser_rejects_garbage(bad: bytes) -> None:
    with pytest.raises(StatusListError):
        parse_status_list_token(bad)


def test_parser_rejects_wrong_typ_and_bombs() -> None:
    import cbor2

    from sanspeur.credential.cose import sign1

    signer = LocalSigner.generate()
    payload = {2: "u", 6: 0, 65534: 60, 65533: {"bits": 2, "lst": zlib.compress(bytes(32))}}
    untyped = sign1(cbor2.dumps(payload), signer)
    with pytest.raises(StatusListError, match="typ"):
        parse_status_list_token(untyped)
    payload[65533]["lst"] = zlib.compress(bytes(64 * 1024 * 1024), 9)
    bomb = sign1(cbor2.dumps(payload), signer, typ="application/statuslist+cwt")
    with pytest.raises(StatusListError, match="too large"):
        parse_status_list_token(bomb)


def test_allocation_is_random_unique_and_uniform() -> None:
    size = 1000
    used: set[int] = set()
    order = []
    for _ in range(size):
        index = allocate_index(used, size)
        assert 0 <= index < size and index not in used
        used.add(index)
        order.append(index)
    assert used == set(range(size))  # fills completely, including the enumeration fallback
    # Not sequential: consecutive allocations are rarely neighbours.
    neighbours = sum(1 for a, b in zip(order, order[1:], strict=False) if abs(a - b) == 1)
    assert neighbours < 20
    with pytest.raises(StatusListFullError):
        allocate_index(used, size)


def test_allocation_only_picks_free_slots() -> None:
    size = 64
    used = set(range(size)) - {7, 42}
    seen = {allocate_index(used, size) for _ in range(200)}
    assert seen == {7, 42}


def test_allocation_distribution_is_flat() -> None:
    counts = [0] * 8
    for _ in range(4000):
        counts[allocate_index({0, 1}, 10) - 2] += 1
    # Each of 8 free slots expects 500; 5 sigma is about +-110.
    assert all(380 < count < 620 for count in counts), counts


def test_two_million_entries_one_percent_revoked_is_small_and_fast() -> None:
    size = 2_000_000
    revoked = {index: STATUS_REVOKED for index in secrets.SystemRandom().sample(range(size), size // 100)}
    start = time.perf_counter()
    builder = StatusListBuilder(size)
    builder.update(revoked)
    compressed = builder.compressed()
    elapsed = time.perf_counter() - start
    assert len(compressed) <= 64 * 1024, len(compressed)
    assert elapsed < 5.0, elapsed  # typically ~0.1 s; generous for slow CI machines
    raw = zlib.decompress(compressed)
    assert len(raw) == size // 4
