// MTL1 card verifier for the browser: a line-by-line port of sanspeur.credential.verify
// (docs/credential-format.md). Pure: no DOM, no network. Every public function takes the
// current time explicitly (seconds since the epoch) so tests can replay the shared vectors.
//
// Reasons are exactly those of the Python library: valid, malformed, unknown_issuer,
// bad_signature, expired, not_yet_valid, revoked, suspended, status_list_stale.

import { InflateError, zlibInflate } from "./inflate.js";

export const REASONS = [
  "valid", "malformed", "unknown_issuer", "bad_signature", "expired",
  "not_yet_valid", "revoked", "suspended", "status_list_stale",
];
export const WARNING_STATUS_LIST_OLD = "status_list_old";
export const DEFAULT_MAX_STATUS_AGE = 7 * 24 * 3600;
export const DEFAULT_LEEWAY = 300;

const PREFIX_V1 = "MTL1:";
const MAX_CODE_LENGTH = 4400;
const MAX_COSE_BYTES = 8192;
const MAX_STATUS_BYTES = 16 * 1024 * 1024;
const MAX_TRUST_LIST_CHARS = 1024 * 1024;
const TRUST_LIST_TYP = "sanspeur-trust-list+jws";
const STATUS_LIST_TYP = "application/statuslist+cwt";
const PURPOSE_CARD = "card";
const PURPOSE_STATUS_LIST = "status-list";
const ECDSA = { name: "ECDSA", hash: "SHA-256" };
const EC_IMPORT = { name: "ECDSA", namedCurve: "P-256" };

// `code`: the stable detail for errors that have one (the same strings as the Python library).
class FormatError extends Error {
  constructor(message, code = null) {
    super(message);
    this.code = code;
  }
}
export class TrustListError extends Error {}
export class StatusListError extends Error {}

// ---------------------------------------------------------------- bytes helpers

export function hex(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += bytes[i].toString(16).padStart(2, "0");
  return out;
}

// Bytewise order, shorter first on a common prefix: Python's comparison of bytes.
function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

export function b64urlDecode(text) {
  if (typeof text !== "string" || !B64URL.test(text) || text.length % 4 === 1) {
    throw new FormatError("invalid base64url");
  }
  const std = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  const bin = atob(std);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  if (b64urlEncode(out) !== text) throw new FormatError("non-canonical base64url");
  return out;
}

export function b64urlEncode(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function base64Decode(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// ---------------------------------------------------------------- Base45 (RFC 9285)

const B45_VALUES = new Int8Array(128).fill(-1);
"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".split("").forEach((c, i) => {
  B45_VALUES[c.charCodeAt(0)] = i;
});

export function b45decode(text) {
  const n = text.length;
  if (n % 3 === 1) throw new FormatError("invalid Base45 length");
  const out = new Uint8Array(Math.floor(n / 3) * 2 + (n % 3 === 2 ? 1 : 0));
  let o = 0;
  const digit = (i) => {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B45_VALUES[c] : -1;
    if (v < 0) throw new FormatError("invalid Base45 character");
    return v;
  };
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = digit(i) + digit(i + 1) * 45 + digit(i + 2) * 2025;
    if (v > 0xffff) throw new FormatError("invalid Base45 triple");
    out[o++] = v >> 8;
    out[o++] = v & 0xff;
  }
  if (i < n) {
    const v = digit(i) + digit(i + 1) * 45;
    if (v > 0xff) throw new FormatError("invalid Base45 pair");
    out[o++] = v;
  }
  return out;
}

// ---------------------------------------------------------------- zlib (RFC 1950)

// Cards: the small synchronous decoder (inflate.js). Status lists (large, parsed once per
// download): the browser's DecompressionStream.
function inflateCard(data, limit) {
  try {
    return zlibInflate(data, limit);
  } catch (exc) {
    if (exc instanceof InflateError) throw new FormatError(exc.message);
    throw exc;
  }
}

async function inflate(data, limit) {
  // DecompressionStream("deflate") is the zlib format; it rejects bad checksums,
  // truncated streams and trailing bytes. We stop reading past `limit` bytes.
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate"));
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        reader.cancel().catch(() => {});
        throw new FormatError("decompressed data too large");
      }
      chunks.push(value);
    }
  } catch (exc) {
    if (exc instanceof FormatError) throw exc;
    throw new FormatError("invalid zlib data");
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

// ---------------------------------------------------------------- CBOR (RFC 8949), strict subset

export class Tagged {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}
export class CborFloat {
  constructor(value) {
    this.value = value;
  }
}
const UNDEFINED = Symbol("undefined");

function mapKey(key) {
  // Map keys as JS primitives; integers and text keep their natural form.
  if (typeof key === "number" || typeof key === "string" || typeof key === "bigint") return key;
  if (key instanceof Uint8Array) return "\u0000b:" + hex(key);
  return "\u0000o:" + JSON.stringify(String(key));
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

// Decode exactly one item. minimal=true also refuses non-minimal heads (used for the outer
// COSE structure, where Python recomputes the minimal size).
// allowTrailing=true ignores bytes after the item, as cbor2.loads does for the signed card
// payload in the Python verifier.
export function cborDecode(bytes, { minimal = false, maxDepth = 16, allowTrailing = false } = {}) {
  let pos = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n) => {
    if (pos + n > bytes.length) throw new FormatError("truncated CBOR");
  };
  const readArg = (info) => {
    if (info < 24) return info;
    let v;
    if (info === 24) {
      need(1);
      v = bytes[pos];
      pos += 1;
      if (minimal && v < 24) throw new FormatError("non-minimal CBOR");
    } else if (info === 25) {
      need(2);
      v = view.getUint16(pos);
      pos += 2;
      if (minimal && v < 0x100) throw new FormatError("non-minimal CBOR");
    } else if (info === 26) {
      need(4);
      v = view.getUint32(pos);
      pos += 4;
      if (minimal && v < 0x10000) throw new FormatError("non-minimal CBOR");
    } else if (info === 27) {
      need(8);
      const big = view.getBigUint64(pos);
      pos += 8;
      if (minimal && big < 0x100000000n) throw new FormatError("non-minimal CBOR");
      v = big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    } else {
      throw new FormatError("indefinite or reserved CBOR length");
    }
    return v;
  };
  const item = (depth) => {
    if (depth > maxDepth) throw new FormatError("CBOR nested too deep");
    need(1);
    const ib = bytes[pos++];
    const major = ib >> 5;
    const info = ib & 31;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      if (info === 23) return UNDEFINED;
      if (info === 25) {
        need(2);
        const h = view.getUint16(pos);
        pos += 2;
        return new CborFloat(halfToFloat(h));
      }
      if (info === 26) {
        need(4);
        const f = view.getFloat32(pos);
        pos += 4;
        return new CborFloat(f);
      }
      if (info === 27) {
        need(8);
        const f = view.getFloat64(pos);
        pos += 8;
        return new CborFloat(f);
      }
      if (info === 24) {
        need(1);
        pos += 1;
        return UNDEFINED;
      }
      if (info < 20) return UNDEFINED;
      throw new FormatError("invalid CBOR simple value");
    }
    const arg = readArg(info);
    switch (major) {
      case 0:
        return arg;
      case 1:
        return typeof arg === "bigint" ? -1n - arg : -1 - arg;
      case 2: {
        if (typeof arg !== "number") throw new FormatError("CBOR string too long");
        need(arg);
        const out = bytes.subarray(pos, pos + arg);
        pos += arg;
        return out;
      }
      case 3: {
        if (typeof arg !== "number") throw new FormatError("CBOR string too long");
        need(arg);
        let text;
        try {
          text = utf8.decode(bytes.subarray(pos, pos + arg));
        } catch {
          throw new FormatError("invalid UTF-8 in CBOR");
        }
        pos += arg;
        return text;
      }
      case 4: {
        if (typeof arg !== "number" || arg > bytes.length) throw new FormatError("CBOR array too long");
        const out = new Array(arg);
        for (let i = 0; i < arg; i++) out[i] = item(depth + 1);
        return out;
      }
      case 5: {
        if (typeof arg !== "number" || arg > bytes.length) throw new FormatError("CBOR map too long");
        const out = new Map();
        for (let i = 0; i < arg; i++) {
          const k = mapKey(item(depth + 1));
          if (out.has(k)) throw new FormatError("duplicate CBOR map key");
          out.set(k, item(depth + 1));
        }
        return out;
      }
      default: // 6: tag
        return new Tagged(arg, item(depth + 1));
    }
  };
  const result = item(1);
  if (pos !== bytes.length && !allowTrailing) throw new FormatError("trailing bytes after CBOR item");
  return result;
}

function halfToFloat(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

const isInt = (v) => (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint";
const isText = (v) => typeof v === "string";
const isBytes = (v) => v instanceof Uint8Array;

function head(major, length) {
  if (length < 24) return [(major << 5) | length];
  if (length < 0x100) return [(major << 5) | 24, length];
  if (length < 0x10000) return [(major << 5) | 25, length >> 8, length & 0xff];
  return [(major << 5) | 26, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff];
}

const SIGNATURE1 = new TextEncoder().encode("Signature1");

function sigStructure(protectedBytes, payload) {
  const parts = [
    [0x84], head(3, SIGNATURE1.length), SIGNATURE1,
    head(2, protectedBytes.length), protectedBytes,
    [0x40],
    head(2, payload.length), payload,
  ];
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------- COSE_Sign1

// ECDSA is malleable: (r, n - s) verifies whenever (r, s) does. Only s <= n/2 is accepted, so
// that a signed object has one encoding. n/2 rounded down, big-endian: comparing s byte by
// byte with it compares the numbers.
const HALF_ORDER = new Uint8Array([
  0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8,
]);

export function isLowS(signature) {
  return signature.length === 64 && compareBytes(signature.subarray(32), HALF_ORDER) <= 0;
}

const protectedCache = new Map();

function parseProtected(protectedBytes) {
  const cacheKey = hex(protectedBytes);
  const cached = protectedCache.get(cacheKey);
  if (cached) return cached;
  const header = protectedBytes.length ? cborDecode(protectedBytes) : new Map();
  if (!(header instanceof Map)) throw new FormatError("protected header must be a map");
  const alg = header.get(1);
  if (typeof alg !== "number" || alg !== -7) throw new FormatError("unsupported algorithm (only ES256)");
  if (header.has(2)) throw new FormatError("critical header parameters are not supported");
  const kid = header.get(4);
  if (!isBytes(kid) || kid.length < 1 || kid.length > 64) throw new FormatError("protected header needs a kid");
  if (protectedCache.size >= 64) protectedCache.clear();
  protectedCache.set(cacheKey, header);
  return header;
}

export function parseSign1(data) {
  const item = cborDecode(data, { minimal: true, maxDepth: 8 });
  if (!(item instanceof Tagged) || item.tag !== 18) throw new FormatError("not a tagged COSE_Sign1");
  const value = item.value;
  if (!Array.isArray(value) || value.length !== 4) throw new FormatError("COSE_Sign1 must be an array of four items");
  const [protectedBytes, unprotected, payload, signature] = value;
  if (!isBytes(protectedBytes) || !isBytes(payload)) throw new FormatError("protected header and payload must be byte strings");
  if (!isBytes(signature) || signature.length !== 64) throw new FormatError("ES256 signature must be 64 bytes");
  if (!(unprotected instanceof Map)) throw new FormatError("unprotected header must be a map");
  if (unprotected.size !== 0) {
    throw new FormatError("unprotected header must be an empty map", "unprotected_header_not_empty");
  }
  if (!isLowS(signature)) {
    throw new FormatError("signature s is above n/2 (only the low-s form is accepted)", "high_s_signature");
  }
  const header = parseProtected(protectedBytes);
  return { protectedBytes, header, kid: header.get(4), typ: header.get(16), payload, signature };
}

async function verifySign1(message, cryptoKey) {
  if (!isLowS(message.signature)) return false; // parseSign1 refuses it already; never accept it here
  return crypto.subtle.verify(ECDSA, cryptoKey, message.signature, sigStructure(message.protectedBytes, message.payload));
}

// ---------------------------------------------------------------- the code text

// Python's str.strip() set of white space (not quite JavaScript's trim(): \x1c-\x1f and \x85
// are white space in Python, \ufeff is not), so both verifiers see the same text.
const PY_WS = "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_SPACE = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, "g");

function decodeCode(code) {
  if (typeof code !== "string") throw new FormatError("code must be text");
  const text = code.replace(PY_SPACE, "");
  if (text.length > MAX_CODE_LENGTH) throw new FormatError("code too long");
  if (!text.startsWith(PREFIX_V1)) {
    if (text.slice(0, 8).includes(":") && text.slice(0, 3) === PREFIX_V1.slice(0, 3)) {
      throw new FormatError("unsupported code version");
    }
    throw new FormatError("missing MTL1: prefix");
  }
  const compressed = b45decode(text.slice(PREFIX_V1.length));
  return inflateCard(compressed, MAX_COSE_BYTES);
}

// ---------------------------------------------------------------- keys and trust list

function pemBlocks(pemText) {
  const blocks = [];
  const re = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/g;
  let m;
  while ((m = re.exec(pemText || ""))) blocks.push(base64Decode(m[1].replace(/\s+/g, "")));
  return blocks;
}

// Roots: the pinned trust-list root keys (PEM), indexed by kid = SHA-256(SPKI DER)[:8].
export async function loadRoots(pemText) {
  const roots = new Map();
  for (const der of pemBlocks(pemText)) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
    const key = await crypto.subtle.importKey("spki", der, EC_IMPORT, false, ["verify"]);
    roots.set(hex(digest.subarray(0, 8)), key);
  }
  return roots;
}

// Python's datetime covers years 1 to 9999; outside that its verifier refuses the value.
const MIN_TIME = -62135596800;
const MAX_TIME = 253402300799;

function numericTime(value, name, ErrorType) {
  if (!isInt(value)) throw new ErrorType(`${name} must be an integer NumericDate`);
  const seconds = Number(value);
  if (seconds < MIN_TIME || seconds > MAX_TIME) throw new ErrorType(`${name} is out of range`);
  return seconds;
}

async function parseTrustedKey(jwk) {
  if (jwk === null || typeof jwk !== "object" || Array.isArray(jwk)) throw new TrustListError("key entries must be objects");
  if (jwk.kty !== "EC" || jwk.crv !== "P-256") throw new TrustListError("only EC P-256 JWKs are supported");
  if ("d" in jwk) throw new TrustListError("refusing a JWK that contains a private key");
  let x;
  let y;
  let kid;
  try {
    x = b64urlDecode(jwk.x);
    y = b64urlDecode(jwk.y);
    kid = b64urlDecode(jwk.kid);
  } catch {
    throw new TrustListError("bad key entry");
  }
  if (x.length !== 32 || y.length !== 32) throw new TrustListError("bad key coordinates");
  if (kid.length < 1 || kid.length > 64) throw new TrustListError("kid must be 1..64 bytes");
  if ((jwk.alg ?? "ES256") !== "ES256") throw new TrustListError("only ES256 keys are supported");
  const purposes = jwk.purposes;
  if (!Array.isArray(purposes) || !purposes.length || !purposes.every((p) => typeof p === "string")) {
    throw new TrustListError("purposes must be a non-empty list of strings");
  }
  let cryptoKey;
  try {
    cryptoKey = await crypto.subtle.importKey(
      "jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, ext: true }, EC_IMPORT, false, ["verify"],
    );
  } catch {
    throw new TrustListError("public key is not a point on P-256");
  }
  const until = jwk.trusted_until;
  return {
    kid,
    kidHex: hex(kid),
    purposes: new Set(purposes),
    trustedUntil: until === null || until === undefined ? null : numericTime(until, "trusted_until", TrustListError),
    cryptoKey,
  };
}

function parseJSON(bytes) {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    throw new TrustListError("not JSON");
  }
}

// Verify a compact JWS trust list against the pinned roots, then parse it. Throws
// TrustListError; callers keep their previous trust list in that case.
export async function loadTrustList(jwsText, roots, now) {
  if (typeof jwsText !== "string" || jwsText.length > MAX_TRUST_LIST_CHARS) throw new TrustListError("not a compact JWS");
  const parts = jwsText.trim().split(".");
  if (parts.length !== 3) throw new TrustListError("not a compact JWS");
  let header;
  let payloadBytes;
  let signature;
  try {
    header = parseJSON(b64urlDecode(parts[0]));
    payloadBytes = b64urlDecode(parts[1]);
    signature = b64urlDecode(parts[2]);
  } catch {
    throw new TrustListError("bad JWS encoding");
  }
  if (header === null || typeof header !== "object" || header.alg !== "ES256" || header.typ !== TRUST_LIST_TYP) {
    throw new TrustListError("JWS header must have alg ES256 and the trust-list typ");
  }
  if ("crit" in header) throw new TrustListError("critical JWS headers are not supported");
  let headerKid;
  try {
    headerKid = b64urlDecode(header.kid);
  } catch {
    throw new TrustListError("JWS header needs a kid");
  }
  const root = roots.get(hex(headerKid));
  if (!root) throw new TrustListError("trust list signed by an unknown root key");
  const signingInput = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  if (signature.length === 64 && !isLowS(signature)) throw new TrustListError("trust list signature is not in low-s form");
  if (signature.length !== 64 || !(await crypto.subtle.verify(ECDSA, root, signature, signingInput))) {
    throw new TrustListError("trust list signature is invalid");
  }
  const payload = parseJSON(payloadBytes);
  if (payload === null || typeof payload !== "object" || !Array.isArray(payload.keys)) {
    throw new TrustListError("payload must be an object with a keys array");
  }
  if (typeof payload.iss !== "string") throw new TrustListError("iss must be a string");
  const issuedAt = numericTime(payload.iat, "iat", TrustListError);
  const expiresAt = payload.exp === null || payload.exp === undefined ? null : numericTime(payload.exp, "exp", TrustListError);
  if (expiresAt !== null && now > expiresAt) throw new TrustListError("trust list has expired");
  const keys = new Map();
  for (const jwk of payload.keys) {
    const key = await parseTrustedKey(jwk);
    if (keys.has(key.kidHex)) throw new TrustListError("duplicate kid in trust list");
    keys.set(key.kidHex, key);
  }
  return { issuer: payload.iss, issuedAt, expiresAt, keys, signedBy: hex(headerKid) };
}

function findKey(trustList, kid, purpose, now) {
  const key = trustList.keys.get(hex(kid));
  if (!key || !key.purposes.has(purpose)) return null;
  if (key.trustedUntil !== null && !(now <= key.trustedUntil)) return null;
  return key;
}

// ---------------------------------------------------------------- status list token

export async function parseStatusList(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new StatusListError("status list token must be bytes");
  let message;
  let payload;
  try {
    message = parseSign1(bytes);
  } catch {
    throw new StatusListError("not a COSE_Sign1 status list");
  }
  if (message.typ !== STATUS_LIST_TYP) throw new StatusListError("wrong typ header for a status list token");
  try {
    payload = cborDecode(message.payload);
  } catch {
    throw new StatusListError("payload is not CBOR");
  }
  if (!(payload instanceof Map)) throw new StatusListError("payload must be a map");
  const uri = payload.get(2);
  const ttl = payload.get(65534);
  const statusList = payload.get(65533);
  if (!isText(uri) || !uri) throw new StatusListError("sub (list uri) missing");
  if (!isInt(ttl) || ttl <= 0) throw new StatusListError("ttl must be a positive integer");
  if (!(statusList instanceof Map)) throw new StatusListError("status_list claim missing");
  const bits = statusList.get("bits");
  const lst = statusList.get("lst");
  if (![1, 2, 4, 8].includes(bits)) throw new StatusListError("bits must be 1, 2, 4 or 8");
  if (!isBytes(lst)) throw new StatusListError("lst must be a byte string");
  const issuer = payload.get(1);
  if (issuer !== undefined && issuer !== null && !isText(issuer)) throw new StatusListError("iss must be a string");
  const issuedAt = numericTime(payload.get(6), "iat", StatusListError);
  const expiresAt = payload.has(4) ? numericTime(payload.get(4), "exp", StatusListError) : null;
  let entries;
  try {
    entries = await inflate(lst, MAX_STATUS_BYTES);
  } catch {
    throw new StatusListError("lst is not zlib data");
  }
  return {
    message, uri, issuedAt, ttl: Number(ttl), bits, entries, expiresAt,
    issuer: issuer ?? null, verifiedWith: new Set(),
    size: (entries.length * 8) / bits,
  };
}

function statusAt(token, index) {
  if (!isInt(index) || index < 0 || index >= token.size) return null;
  const i = Number(index);
  const perByte = 8 / token.bits;
  const byte = token.entries[Math.floor(i / perByte)];
  return (byte >> ((i % perByte) * token.bits)) & ((1 << token.bits) - 1);
}

async function authentic(token, trustList, now) {
  const key = findKey(trustList, token.message.kid, PURPOSE_STATUS_LIST, now);
  if (!key) return "status_list_unknown_issuer";
  if (token.verifiedWith.has(key.kidHex)) return null;
  if (!(await verifySign1(token.message, key.cryptoKey))) return "status_list_bad_signature";
  token.verifiedWith.add(key.kidHex);
  return null;
}

// Lists for one uri with the same iat: the most restrictive answer for this card wins
// (revoked, suspended, cannot confirm, valid), then the larger payload bytes, then the larger
// signature bytes. Python's verify._tie_rank, so that the order of the lists never matters.
function tieSeverity(token, claims) {
  if (token.issuer !== null && token.issuer !== claims.issuer) return 1;
  const status = statusAt(token, claims.status_index);
  if (status === null) return 1;
  if (status === 1) return 3;
  return status === 0 ? 0 : 2;
}

function compareTieRank(a, b, claims) {
  return (
    tieSeverity(a, claims) - tieSeverity(b, claims) ||
    compareBytes(a.message.payload, b.message.payload) ||
    compareBytes(a.message.signature, b.message.signature)
  );
}

// ---------------------------------------------------------------- claims

class ClaimsError extends Error {}

function getText(map, key, name) {
  const v = map.get(key);
  if (!isText(v) || !v) throw new ClaimsError(`${name} must be a non-empty string`);
  return v;
}

function getOptionalText(map, key, name) {
  const v = map.get(key);
  if (v === undefined || v === null) return null;
  if (!isText(v) || !v) throw new ClaimsError(`${name} must be a non-empty string when present`);
  return v;
}

function timestamp(map, key, name) {
  return numericTime(map.get(key), name, ClaimsError);
}

function claimsFromPayload(payload) {
  if (!(payload instanceof Map)) throw new ClaimsError("payload must be a map");
  const card = payload.get(-65537);
  const status = payload.get(65535);
  if (!(card instanceof Map)) throw new ClaimsError("card claim missing");
  if (!(status instanceof Map) || !(status.get("status_list") instanceof Map)) throw new ClaimsError("status claim missing");
  const statusList = status.get("status_list");
  const index = statusList.get("idx");
  if (!isInt(index) || index < 0) throw new ClaimsError("status idx must be a non-negative integer");
  const photo = card.get(7);
  if (!isBytes(photo) || !photo.length) throw new ClaimsError("photo must be a byte string");
  const number = getText(card, 1, "card number");
  const dateOfBirth = getText(card, 4, "date_of_birth");
  if (number.length !== 10 || dateOfBirth.length !== 10) throw new ClaimsError("card number or date of birth has the wrong length");
  const issuedAt = timestamp(payload, 6, "iat");
  return {
    issuer: getText(payload, 1, "iss"),
    card_number: number,
    given_names: getText(card, 2, "given_names"),
    family_names: getText(card, 3, "family_names"),
    date_of_birth: dateOfBirth,
    city: getText(card, 5, "city"),
    photo,
    status_list_uri: getText(statusList, "uri", "status uri"),
    status_index: index,
    issued_at: issuedAt,
    expires_at: timestamp(payload, 4, "exp"),
    not_before: payload.has(5) ? timestamp(payload, 5, "nbf") : issuedAt,
    borough: getOptionalText(card, 6, "borough"),
    address: getOptionalText(card, 8, "address"),
    postal_code: getOptionalText(card, 9, "postal_code"),
  };
}

// ---------------------------------------------------------------- verify

function fail(reason, detail = null) {
  return { valid: false, reason, warnings: [], claims: null, photo: null, detail };
}

// verify(code, trustList, statusTokens, now, {maxStatusAge, leeway}) -> result; never throws.
// trustList: the object from loadTrustList (or null). statusTokens: parsed tokens (array).
// now: seconds since the epoch.
export async function verify(code, trustList, statusTokens, now, options = {}) {
  try {
    return await verifyInner(code, trustList, statusTokens, now, options);
  } catch {
    return fail("malformed", "internal_error");
  }
}

async function verifyInner(code, trustList, statusTokens, now, options) {
  if (typeof now !== "number" || !Number.isFinite(now)) return fail("malformed", "invalid_now");
  const maxStatusAge = typeof options.maxStatusAge === "number" ? options.maxStatusAge : DEFAULT_MAX_STATUS_AGE;
  const leeway = typeof options.leeway === "number" ? options.leeway : DEFAULT_LEEWAY;

  // 1. Structure.
  let message;
  try {
    message = parseSign1(decodeCode(code));
  } catch (exc) {
    if (exc instanceof FormatError) return fail("malformed", exc.code ?? `code: ${exc.message}`);
    throw exc;
  }

  // 2-3. Issuer key and signature.
  if (!trustList || !(trustList.keys instanceof Map)) return fail("unknown_issuer", "no_trust_list");
  const key = findKey(trustList, message.kid, PURPOSE_CARD, now);
  if (!key) return fail("unknown_issuer", trustList.keys.has(hex(message.kid)) ? "kid_not_trusted_now" : "kid_unknown");
  if (!(await verifySign1(message, key.cryptoKey))) return fail("bad_signature");

  // 4. Claims, only once the issuer's signature is known to cover them.
  let claims;
  try {
    claims = claimsFromPayload(cborDecode(message.payload, { maxDepth: 8, allowTrailing: true }));
  } catch (exc) {
    if (exc instanceof FormatError || exc instanceof ClaimsError) return fail("malformed", `claims: ${exc.message}`);
    throw exc;
  }

  // 5-6. Validity period.
  if (now - leeway >= claims.expires_at) return fail("expired");
  if (now + leeway < claims.not_before) return fail("not_yet_valid");

  // 7. An authentic status list for this card.
  const tokens = Array.isArray(statusTokens) ? statusTokens.filter(Boolean) : [];
  let problem = tokens.length ? null : "no_status_list";
  const candidates = tokens.filter((t) => t.uri === claims.status_list_uri);
  if (tokens.length && !candidates.length) problem = "no_status_list_for_uri";
  const good = [];
  for (const token of candidates) {
    const tokenProblem = await authentic(token, trustList, now);
    if (tokenProblem === null) good.push(token);
    else problem = tokenProblem;
  }
  if (!good.length) return fail("status_list_stale", problem || "no_status_list");
  const newest = Math.max(...good.map((t) => t.issuedAt));
  const tied = good.filter((t) => t.issuedAt === newest);
  const token = tied.length === 1 ? tied[0] : tied.reduce((a, b) => (compareTieRank(b, a, claims) > 0 ? b : a));
  if (token.issuer !== null && token.issuer !== claims.issuer) return fail("status_list_stale", "status_list_issuer_mismatch");
  const status = statusAt(token, claims.status_index);
  if (status === null) return fail("status_list_stale", "status_index_out_of_range");

  // 8-10. Status, freshness.
  if (status === 1) return fail("revoked");
  const age = now - token.issuedAt;
  if (age > maxStatusAge) return fail("status_list_stale", "status_list_too_old");
  if (token.expiresAt !== null && now - leeway > token.expiresAt) return fail("status_list_stale", "status_list_expired");
  if (status !== 0) return fail("suspended", status === 2 ? null : `status_value_${status}`);

  return {
    valid: true,
    reason: "valid",
    warnings: age > token.ttl ? [WARNING_STATUS_LIST_OLD] : [],
    claims,
    photo: claims.photo,
    detail: null,
    statusListIssuedAt: token.issuedAt,
  };
}
