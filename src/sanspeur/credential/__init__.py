"""Sans peur identity-and-residence card credential (format ``MTL1``).

Pure Python, no Django: the same package runs in the web app (issuing), in the
``sanspeur-verify`` CLI and in tests. docs/credential-format.md is the byte-level spec.

Issuing::

    signer = KeyStore(keydir).active_signer(PURPOSE_CARD)
    code = issue(CardClaims(...), signer)          # text for the QR code

Verifying (offline)::

    trust = load_trust_list(trust_jws, load_public_keys_pem(root_pem))
    status = parse_status_list_token(status_bytes)
    result = verify(code, trust, status, now)       # never raises
"""

from .base45 import Base45Error, b45decode, b45encode
from .claims import (
    FORBIDDEN_FIELDS,
    CardClaims,
    ClaimsError,
    format_card_number,
    is_valid_card_number,
    new_card_number,
    normalize_card_number,
)
from .code import (
    PREFIX_V1,
    CodeError,
    decode_claims_unverified,
    decode_code,
    decode_unverified,
    encode,
    encode_code,
    issue,
)
from .keys import (
    PURPOSE_CARD,
    PURPOSE_STATUS_LIST,
    PURPOSE_TRUST_LIST,
    FileSigner,
    KeyMetadata,
    KeyStore,
    KeyStoreError,
)
from .photo import PhotoError, make_photo, open_photo
from .signing import LocalSigner, Signer, der_to_raw, kid_for_public_key, raw_to_der
from .statuslist import (
    MIN_SIZE,
    STATUS_REVOKED,
    STATUS_SUSPENDED,
    STATUS_VALID,
    StatusListBuilder,
    StatusListError,
    StatusListFullError,
    StatusListToken,
    allocate_index,
    build_status_list_token,
    parse_status_list_token,
)
from .trustlist import (
    TrustedKey,
    TrustList,
    TrustListError,
    create_trust_list,
    load_public_keys_pem,
    load_trust_list,
    sign_trust_list,
    trust_list_payload,
)
from .verify import (
    DEFAULT_LEEWAY,
    DEFAULT_MAX_STATUS_AGE,
    REASONS,
    WARNING_STATUS_LIST_OLD,
    Reason,
    VerificationResult,
    verify,
)

__all__ = [
    "DEFAULT_LEEWAY",
    "DEFAULT_MAX_STATUS_AGE",
    "FORBIDDEN_FIELDS",
    "MIN_SIZE",
    "PREFIX_V1",
    "PURPOSE_CARD",
    "PURPOSE_STATUS_LIST",
    "PURPOSE_TRUST_LIST",
    "REASONS",
    "STATUS_REVOKED",
    "STATUS_SUSPENDED",
    "STATUS_VALID",
    "WARNING_STATUS_LIST_OLD",
    "Base45Error",
    "CardClaims",
    "ClaimsError",
    "CodeError",
    "FileSigner",
    "KeyMetadata",
    "KeyStore",
    "KeyStoreError",
    "LocalSigner",
    "PhotoError",
    "Reason",
    "Signer",
    "StatusListBuilder",
    "StatusListError",
    "StatusListFullError",
    "StatusListToken",
    "TrustList",
    "TrustListError",
    "TrustedKey",
    "VerificationResult",
    "allocate_index",
    "b45decode",
    "b45encode",
    "build_status_list_token",
    "create_trust_list",
    "decode_claims_unverified",
    "decode_code",
    "decode_unverified",
    "der_to_raw",
    "encode",
    "encode_code",
    "format_card_number",
    "is_valid_card_number",
    "issue",
    "kid_for_public_key",
    "load_public_keys_pem",
    "load_trust_list",
    "make_photo",
    "new_card_number",
    "normalize_card_number",
    "open_photo",
    "parse_status_list_token",
    "raw_to_der",
    "sign_trust_list",
    "trust_list_payload",
    "verify",
]
