"""The browser's zlib decoder (inflate.js) accepts and rejects exactly what Python's zlib does."""

from __future__ import annotations

import base64
import random
import zlib

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIMIT = 1 << 20


def _python(data: bytes):
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, LIMIT)
    except zlib.error:
        return None
    if inflater.unconsumed_tail or not inflater.eof or inflater.unused_data:
        return None
    return out


def _streams() -> list[bytes]:
    rng = random.Random(20261124)
    samples = [
        b"",
        b"a",
        bytes(range(256)) * 3,
        b"MTL1 card " * 300,
        rng.randbytes(3000),
        bytes(rng.choice(b"ACGT") for _ in range(5000)),
    ]
    streams = []
    for sample in samples:
        for level in (0, 1, 6, 9):
            streams.append(zlib.compress(sample, level))
        for strategy in (zlib.Z_FIXED, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE):
            c = zlib.compressobj(9, zlib.DEFLATED, 15, 9, strategy)
            streams.append(c.compress(sample) + c.flush())
        # sync flushes put empty stored blocks in the middle of the stream
        c = zlib.compressobj(6)
        half = len(sample) // 2
        streams.append(c.compress(sample[:half]) + c.flush(zlib.Z_SYNC_FLUSH) + c.compress(sample[half:]) + c.flush())
    corrupted = []
    for stream in streams[:40]:
        for _ in range(4):
            broken = bytearray(stream)
            broken[rng.randrange(len(broken))] ^= 1 << rng.randrange(8)
            corrupted.append(bytes(broken))
        corrupted.append(stream[:-1])  # truncated
        corrupted.append(stream + b"\x00")  # trailing byte
    corrupted.append(b"\x78\xbb" + streams[3][2:])  # preset dictionary flag
    return streams + corrupted


def test_inflate_matches_python_zlib(page):
    streams = _streams()
    page.goto(page.base_url + "/verify/")
    results = page.evaluate(
        """
        async ({streams, limit}) => {
          const z = await import('/static/verify/inflate.js');
          const m = await import('/static/verify/mtl1.js');
          return streams.map((s) => {
            try { return m.b64urlEncode(z.zlibInflate(m.base64Decode(s), limit)); }
            catch (e) { if (e instanceof z.InflateError) return null; return 'crash: ' + e; }
          });
        }
        """,
        {"streams": [base64.b64encode(s).decode() for s in streams], "limit": LIMIT},
    )
    assert len(results) == len(streams)
    accepted = 0
    for stream, got in zip(streams, results, strict=True):
        want = _python(stream)
        expected = None if want is None else base64.urlsafe_b64encode(want).decode().rstrip("=")
        assert got == expected, stream.hex()[:80]
        accepted += want is not None
    assert 40 < accepted < len(streams)  # both outcomes exercised


def test_inflate_output_limit(page):
    page.goto(page.base_url + "/verify/")
    bomb = base64.b64encode(zlib.compress(b"\x00" * 9000, 9)).decode()
    message = page.evaluate(
        """
        async (bomb) => {
          const z = await import('/static/verify/inflate.js');
          const m = await import('/static/verify/mtl1.js');
          try { z.zlibInflate(m.base64Decode(bomb), 8192); return 'accepted'; } catch (e) { return e.message; }
        }
        """,
        bomb,
    )
    assert message == "decompressed data too large"
