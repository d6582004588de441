"""The signing interface shared by file keys, tests and (later) a KMS/HSM.

Everything that signs in this package (cards, status lists, trust lists) goes through
``Signer``. An implementation only has to produce a raw ES256 signature, i.e. the
64-byte ``r || s`` concatenation COSE and JWS both use, for bytes it is given. It never
sees claims, so a remote key service can implement it without knowing the card format.
"""

from __future__ import annotations

import hashlib
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

KID_LENGTH = 8
_COORDINATE_BYTES = 32
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
# ECDSA is malleable: if (r, s) verifies, so does (r, n - s). MTL1 accepts only the form with
# s <= n/2 ("low s"), so that each signed object has exactly one accepted encoding. n is odd,
# so s <= n/2 is s <= (n - 1) / 2. As 32 big-endian bytes, s compares like the number it is:
# one bytes comparison per verification.
_HALF_ORDER = P256_ORDER // 2
HALF_ORDER_BYTES = _HALF_ORDER.to_bytes(_COORDINATE_BYTES, "big")


@runtime_checkable
class Signer(Protocol):
    """Produces ES256 (ECDSA P-256 with SHA-256) signatures.

    ``kid`` is the key identifier written into signed objects; ``sign`` returns the raw
    64-byte ``r || s`` form (not DER). KMS APIs usually return DER: convert it with
    :func:`der_to_raw`. Either value of ``s`` will do: the package writes the low-s form
    (:func:`normalize_s`) into everything it signs.
    """

    @property
    def kid(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes: ...

    def public_key(self) -> ec.EllipticCurvePublicKey: ...


def kid_for_public_key(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """Key id = first 8 bytes of SHA-256 over the DER SubjectPublicKeyInfo.

    Short, because it is inside every QR code; derived, so that anyone holding the public
    key (a JavaScript verifier, an auditor) can recompute it.
    """
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).digest()[:KID_LENGTH]


def is_low_s(signature: bytes) -> bool:
    """True when the raw 64-byte ``r || s`` has s <= n/2, the only form MTL1 accepts."""
    return len(signature) == 2 * _COORDINATE_BYTES and signature[_COORDINATE_BYTES:] <= HALF_ORDER_BYTES


def normalize_s(signature: bytes) -> bytes:
    """The low-s form of a raw ES256 signature: (r, n - s) when s > n/2, else unchanged.

    Both forms verify; issuers publish only the low one. Applied to whatever a
    :class:`Signer` returns (a KMS or HSM usually does not normalise), and idempotent.
    """
    if len(signature) != 2 * _COORDINATE_BYTES:
        raise ValueError("signer must return a raw 64-byte r||s signature")
    s = int.from_bytes(signature[_COORDINATE_BYTES:], "big")
    if not 0 < s < P256_ORDER:
        raise ValueError("s is outside 1..n-1: not an ES256 signature")
    if s <= _HALF_ORDER:
        return bytes(signature)
    return bytes(signature[:_COORDINATE_BYTES]) + (P256_ORDER - s).to_bytes(_COORDINATE_BYTES, "big")


def raw_to_der(signature: bytes) -> bytes:
    """Convert a 64-byte ``r || s`` signature into the DER form cryptography expects.

    Built from the bytes directly (same output as ``encode_dss_signature``, which a test
    checks, in half the time: this runs once per verification). Each DER INTEGER is the
    big-endian value without leading zero bytes, plus one zero byte when the top bit is set
    (else it would read as negative); zero itself is the single byte 00. The SEQUENCE is at
    most 70 bytes long, so every length fits in one byte.
    """
    if len(signature) != 2 * _COORDINATE_BYTES:
        raise ValueError("ES256 signatures are exactly 64 bytes")
    r = signature[:_COORDINATE_BYTES].lstrip(b"\x00")
    s = signature[_COORDINATE_BYTES:].lstrip(b"\x00")
    if not r or r[0] & 0x80:
        r = b"\x00" + r
    if not s or s[0] & 0x80:
        s = b"\x00" + s
    return bytes((0x30, len(r) + len(s) + 4, 0x02, len(r))) + r + bytes((0x02, len(s))) + s


def der_to_raw(signature: bytes) -> bytes:
    """Convert a DER ECDSA signature (what KMS APIs return) into 64-byte ``r || s``."""
    r, s = decode_dss_signature(signature)
    return r.to_bytes(_COORDINATE_BYTES, "big") + s.to_bytes(_COORDINATE_BYTES, "big")


_ES256 = ec.ECDSA(hashes.SHA256())  # stateless; reused to keep verification overhead low


def es256_verify(public_key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` (raw ``r || s``, low s) is a valid ES256 signature of ``data``.

    The parsers reject high s earlier with a precise reason; refusing it here too keeps
    every caller of this function to the one accepted form.
    """
    if len(signature) != 2 * _COORDINATE_BYTES or signature[_COORDINATE_BYTES:] > HALF_ORDER_BYTES:
        return False
    try:
        public_key.verify(raw_to_der(signature), data, _ES256)
    except (InvalidSignature, ValueError):
        return False
    return True


def check_p256(public_key: object) -> ec.EllipticCurvePublicKey:
    """Return the key if it is a P-256 public key, else raise ValueError."""
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(public_key.curve, ec.SECP256R1):
        raise ValueError("only EC P-256 keys are supported")
    return public_key


class LocalSigner:
    """A signer holding a private key in memory (tests, vectors, the file key store).

    ``deterministic=True`` uses RFC 6979 nonces so that test vectors regenerate
    byte-for-byte; production keys keep the default randomized nonces. Signatures come
    back in low-s form (:func:`normalize_s`).
    """

    def __init__(
        self,
        private_key: ec.EllipticCurvePrivateKey,
        *,
        kid: bytes | None = None,
        deterministic: bool = False,
    ) -> None:
        check_p256(private_key.public_key())
        self._private_key = private_key
        self._public_key = private_key.public_key()
        self._kid = kid if kid is not None else kid_for_public_key(self._public_key)
        self._algorithm = ec.ECDSA(hashes.SHA256(), deterministic_signing=deterministic)

    @classmethod
    def generate(cls) -> LocalSigner:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @property
    def kid(self) -> bytes:
        return self._kid

    def sign(self, data: bytes) -> bytes:
        return normalize_s(der_to_raw(self._private_key.sign(data, self._algorithm)))

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._public_key

    def __repr__(self) -> str:  # never print key material
        return f"LocalSigner(kid={self._kid.hex()})"
