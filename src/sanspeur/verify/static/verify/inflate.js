// Synchronous, strict zlib (RFC 1950) + DEFLATE (RFC 1951) decoder for small inputs.
// Why not DecompressionStream: for a ~900-byte card its stream machinery costs ~0.8 ms,
// five times an ES256 verification; this decoder takes a few microseconds. It accepts and
// rejects what zlib accepts and rejects (header check, no preset dictionary, complete
// Huffman codes except a single one-bit code, distances within the output, Adler-32,
// nothing after the stream), stopping as soon as the output would exceed `limit`.

export class InflateError extends Error {}

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

// Canonical Huffman table: counts per length and symbols sorted by code.
function buildTable(lengths, kind) {
  const counts = new Uint16Array(16);
  for (const len of lengths) counts[len]++;
  counts[0] = 0;
  let left = 1;
  let max = 0;
  for (let len = 1; len <= 15; len++) {
    left <<= 1;
    left -= counts[len];
    if (left < 0) throw new InflateError("over-subscribed Huffman code");
    if (counts[len]) max = len;
  }
  // zlib: an incomplete code is an error, except a lone one-bit code for lengths/distances.
  if (left > 0 && (kind === "codes" || max !== 1)) throw new InflateError("incomplete Huffman code");
  const offs = new Uint16Array(16);
  for (let len = 1; len < 15; len++) offs[len + 1] = offs[len] + counts[len];
  const symbols = new Uint16Array(lengths.length);
  for (let sym = 0; sym < lengths.length; sym++) if (lengths[sym]) symbols[offs[lengths[sym]]++] = sym;
  // Fast path: codes of up to FAST_BITS bits looked up in one step, indexed by the next
  // FAST_BITS input bits (DEFLATE stores Huffman codes most significant bit first, so the
  // index is the bit-reversed code). Entry = (length << 16) | symbol; 0 = use the slow path.
  const fast = new Uint32Array(1 << FAST_BITS);
  let code = 0;
  let index = 0;
  for (let len = 1; len <= FAST_BITS; len++) {
    for (let i = 0; i < counts[len]; i++, code++, index++) {
      let reversed = 0;
      for (let b = 0; b < len; b++) reversed |= ((code >> b) & 1) << (len - 1 - b);
      for (let fill = reversed; fill < 1 << FAST_BITS; fill += 1 << len) fast[fill] = (len << 16) | symbols[index];
    }
    code <<= 1;
  }
  return { counts, symbols, fast };
}

const FAST_BITS = 9;

let FIXED = null;
function fixedTables() {
  if (!FIXED) {
    const lit = new Uint8Array(288);
    lit.fill(8, 0, 144);
    lit.fill(9, 144, 256);
    lit.fill(7, 256, 280);
    lit.fill(8, 280, 288);
    FIXED = { lit: buildTable(lit, "lens"), dist: buildTable(new Uint8Array(32).fill(5), "dists") };
  }
  return FIXED;
}

export function zlibInflate(data, limit) {
  if (data.length < 6) throw new InflateError("truncated zlib stream");
  const cmf = data[0];
  const flg = data[1];
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0) throw new InflateError("bad zlib header");
  if (flg & 0x20) throw new InflateError("preset dictionary not supported");
  let pos = 2;
  let bitBuf = 0;
  let bitCount = 0;
  let out = new Uint8Array(Math.min(limit, Math.max(1024, data.length * 4)));
  let outLen = 0;

  const bits = (n) => {
    while (bitCount < n) {
      if (pos >= data.length) throw new InflateError("truncated deflate data");
      bitBuf |= data[pos++] << bitCount;
      bitCount += 8;
    }
    const v = bitBuf & ((1 << n) - 1);
    bitBuf >>>= n;
    bitCount -= n;
    return v;
  };
  const decode = (table) => {
    while (bitCount < FAST_BITS && pos < data.length) {
      bitBuf |= data[pos++] << bitCount;
      bitCount += 8;
    }
    const entry = table.fast[bitBuf & ((1 << FAST_BITS) - 1)];
    const len = entry >>> 16;
    if (entry && len <= bitCount) {
      bitBuf >>>= len;
      bitCount -= len;
      return entry & 0xffff;
    }
    return decodeSlow(table);
  };
  const decodeSlow = (table) => {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= 15; len++) {
      code |= bits(1);
      const count = table.counts[len];
      if (code - count < first) return table.symbols[index + (code - first)];
      index += count;
      first += count;
      first <<= 1;
      code <<= 1;
    }
    throw new InflateError("invalid Huffman code");
  };
  const ensure = (n) => {
    if (outLen + n > limit) throw new InflateError("decompressed data too large");
    if (outLen + n > out.length) {
      const bigger = new Uint8Array(Math.min(limit, Math.max(out.length * 2, outLen + n)));
      bigger.set(out.subarray(0, outLen));
      out = bigger;
    }
  };

  let final = 0;
  while (!final) {
    final = bits(1);
    const type = bits(2);
    if (type === 0) {
      // stored block: drop the partial byte, give back whole bytes read ahead
      pos -= bitCount >> 3;
      bitBuf = 0;
      bitCount = 0;
      if (pos + 4 > data.length) throw new InflateError("truncated stored block");
      const len = data[pos] | (data[pos + 1] << 8);
      const nlen = data[pos + 2] | (data[pos + 3] << 8);
      pos += 4;
      if (len !== (~nlen & 0xffff)) throw new InflateError("invalid stored block lengths");
      if (pos + len > data.length) throw new InflateError("truncated stored block");
      ensure(len);
      out.set(data.subarray(pos, pos + len), outLen);
      outLen += len;
      pos += len;
      continue;
    }
    let lit;
    let dist;
    if (type === 1) {
      ({ lit, dist } = fixedTables());
    } else if (type === 2) {
      const hlit = bits(5) + 257;
      const hdist = bits(5) + 1;
      const hclen = bits(4) + 4;
      if (hlit > 286 || hdist > 30) throw new InflateError("too many length or distance symbols");
      const clLengths = new Uint8Array(19);
      for (let i = 0; i < hclen; i++) clLengths[CL_ORDER[i]] = bits(3);
      const clTable = buildTable(clLengths, "codes");
      const lengths = new Uint8Array(hlit + hdist);
      let n = 0;
      while (n < hlit + hdist) {
        const sym = decode(clTable);
        if (sym < 16) {
          lengths[n++] = sym;
          continue;
        }
        let repeat;
        let value = 0;
        if (sym === 16) {
          if (n === 0) throw new InflateError("repeat with no first length");
          value = lengths[n - 1];
          repeat = 3 + bits(2);
        } else if (sym === 17) {
          repeat = 3 + bits(3);
        } else {
          repeat = 11 + bits(7);
        }
        if (n + repeat > hlit + hdist) throw new InflateError("too many lengths");
        lengths.fill(value, n, n + repeat);
        n += repeat;
      }
      if (lengths[256] === 0) throw new InflateError("missing end-of-block code");
      lit = buildTable(lengths.subarray(0, hlit), "lens");
      dist = buildTable(lengths.subarray(hlit), "dists");
    } else {
      throw new InflateError("invalid block type");
    }
    for (;;) {
      const sym = decode(lit);
      if (sym < 256) {
        ensure(1);
        out[outLen++] = sym;
      } else if (sym === 256) {
        break;
      } else {
        const li = sym - 257;
        if (li >= 29) throw new InflateError("invalid length code");
        const length = LENGTH_BASE[li] + bits(LENGTH_EXTRA[li]);
        const di = decode(dist);
        if (di >= 30) throw new InflateError("invalid distance code");
        const distance = DIST_BASE[di] + bits(DIST_EXTRA[di]);
        if (distance > outLen) throw new InflateError("invalid distance too far back");
        ensure(length);
        for (let i = 0; i < length; i++, outLen++) out[outLen] = out[outLen - distance];
      }
    }
  }
  // Adler-32 (big-endian) right after the last block's byte.
  pos -= bitCount >> 3;
  if (pos + 4 > data.length) throw new InflateError("truncated zlib checksum");
  const expected = ((data[pos] << 24) | (data[pos + 1] << 16) | (data[pos + 2] << 8) | data[pos + 3]) >>> 0;
  pos += 4;
  let a = 1;
  let b = 0;
  for (let i = 0; i < outLen; ) {
    const end = Math.min(outLen, i + 3800);
    for (; i < end; i++) {
      a += out[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  if ((((b << 16) | a) >>> 0) !== expected) throw new InflateError("incorrect data check");
  if (pos !== data.length) throw new InflateError("trailing bytes after zlib stream");
  return out.subarray(0, outLen);
}
