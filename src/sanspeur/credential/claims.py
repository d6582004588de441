"""Card claims: the data model, its CWT (RFC 8392) encoding, and card numbers.

The claim set is closed on purpose. ``CardClaims`` has no field where immigration status,
nationality or place of birth could go, so no caller can put them on a card by accident;
new optional fields need a code change, a new key in ``CARD_KEYS`` and a docs update.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import cbor2

# Standard CWT claim keys (RFC 8392 section 4).
CWT_ISS = 1
CWT_EXP = 4
CWT_NBF = 5
CWT_IAT = 6
# Token Status List (draft-ietf-oauth-status-list): reference from a token to its status entry.
CWT_STATUS = 65535
# One private-use claim (RFC 8392 reserves integers below -65536 for private use) holding
# all card-specific fields in a nested map with one-byte keys. Using a private-use key
# for each field would cost 5 bytes per key in a QR code that is already large.
CWT_CARD = -65537

# Keys inside the CWT_CARD map.
CARD_NUMBER = 1
CARD_GIVEN_NAMES = 2
CARD_FAMILY_NAMES = 3
CARD_DATE_OF_BIRTH = 4
CARD_CITY = 5
CARD_BOROUGH = 6
CARD_PHOTO = 7
CARD_ADDRESS = 8
CARD_POSTAL_CODE = 9

# Optional fields the city may switch on; everything else is mandatory.
OPTIONAL_CARD_FIELDS = ("borough", "address", "postal_code")
# Never on a card, whatever a configuration says. Kept here so tests can assert it.
FORBIDDEN_FIELDS = ("immigration_status", "nationality", "citizenship", "place_of_birth", "country_of_birth")

MAX_TEXT_LENGTH = 120
MAX_PHOTO_BYTES = 2048
_DOB_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CARD_NUMBER_LENGTH = 10  # 9 random symbols (45 bits) + 1 check symbol
_CROCKFORD_VALUES = {ch: i for i, ch in enumerate(CROCKFORD_ALPHABET)}
_CROCKFORD_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class ClaimsError(ValueError):
    """Claims are missing, of the wrong type, or not allowed."""


# --- card numbers -------------------------------------------------------------------


def _luhn_mod32_sum(symbols: str, *, start_factor: int) -> int:
    """Luhn mod N over Crockford base32: catches every single-symbol typo and most swaps."""
    factor = start_factor
    total = 0
    for ch in reversed(symbols):
        addend = factor * _CROCKFORD_VALUES[ch]
        total += addend // 32 + addend % 32
        factor = 3 - factor  # alternate 2, 1, 2, 1 ...
    return total


def card_check_symbol(body: str) -> str:
    total = _luhn_mod32_sum(body, start_factor=2)
    return CROCKFORD_ALPHABET[(32 - total % 32) % 32]


def new_card_number() -> str:
    """A random, non-sequential card number: 9 CSPRNG Crockford symbols + a check symbol.

    Uniqueness is the caller's job (database constraint); 45 random bits make a guessed
    number almost never belong to a real card.
    """
    body = "".join(secrets.choice(CROCKFORD_ALPHABET) for _ in range(CARD_NUMBER_LENGTH - 1))
    return body + card_check_symbol(body)


def normalize_card_number(text: str) -> str:
    """Uppercase, drop separators and apply Crockford's aliases (O->0, I/L->1)."""
    return text.upper().replace("-", "").replace(" ", "").translate(_CROCKFORD_ALIASES)


def is_valid_card_number(text: str) -> bool:
    if not isinstance(text, str):
        return False
    number = normalize_card_number(text)
    if len(number) != CARD_NUMBER_LENGTH or any(ch not in _CROCKFORD_VALUES for ch in number):
        return False
    return _luhn_mod32_sum(number, start_factor=1) % 32 == 0


def format_card_number(text: str) -> str:
    """Human form printed on the card: ``XXXXX-XXXXX``."""
    number = normalize_card_number(text)
    return f"{number[:5]}-{number[5:]}"


# --- claims -------------------------------------------------------------------------


@dataclass(slots=True)
class CardClaims:
    """Everything printed into a card's QR code. Datetimes must be timezone-aware.

    A plain value object (not frozen: frozen dataclasses cost ~2 us per instance, which
    shows in the verifier's budget). Changing an instance never changes a signed card.
    """

    issuer: str
    card_number: str
    given_names: str
    family_names: str
    date_of_birth: str  # ISO "YYYY-MM-DD"
    city: str
    photo: bytes = field(repr=False)
    status_list_uri: str
    status_index: int
    issued_at: datetime
    expires_at: datetime
    not_before: datetime | None = None  # defaults to issued_at when encoding
    borough: str | None = None
    address: str | None = None
    postal_code: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-friendly view without the photo (CLI output, logs never get the photo)."""
        data: dict[str, Any] = {
            "issuer": self.issuer,
            "card_number": self.card_number,
            "given_names": self.given_names,
            "family_names": self.family_names,
            "date_of_birth": self.date_of_birth,
            "city": self.city,
            "status_list_uri": self.status_list_uri,
            "status_index": self.status_index,
            "issued_at": _iso(self.issued_at),
            "not_before": _iso(self.not_before or self.issued_at),
            "expires_at": _iso(self.expires_at),
            "photo_bytes": len(self.photo),
        }
        for name in OPTIONAL_CARD_FIELDS:
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _numeric_date(moment: datetime, name: str) -> int:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ClaimsError(f"{name} must be a timezone-aware datetime")
    return int(moment.timestamp())


def _text(value: Any, name: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ClaimsError(f"{name} must be a non-empty string")
    if len(value) > MAX_TEXT_LENGTH:
        raise ClaimsError(f"{name} is longer than {MAX_TEXT_LENGTH} characters")
    return value


def _date_of_birth(value: Any) -> str:
    if not isinstance(value, str) or not _DOB_PATTERN.fullmatch(value):
        raise ClaimsError("date_of_birth must be YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise ClaimsError("date_of_birth is not a calendar date") from exc
    return value


def _photo(value: Any) -> bytes:
    if not isinstance(value, bytes) or not 0 < len(value) <= MAX_PHOTO_BYTES:
        raise ClaimsError(f"photo must be 1..{MAX_PHOTO_BYTES} bytes")
    if value[:4] != b"RIFF" or value[8:12] != b"WEBP":
        raise ClaimsError("photo must be WebP")
    return value


def _uint(value: Any, name: str) -> int:
    if type(value) is not int or value < 0:
        raise ClaimsError(f"{name} must be a non-negative integer")
    return value


def claims_to_cbor(claims: CardClaims) -> bytes:
    """Validate and encode claims as the CWT payload (deterministic CBOR)."""
    if not isinstance(claims, CardClaims):
        raise ClaimsError("claims must be a CardClaims")
    if not is_valid_card_number(claims.card_number):
        raise ClaimsError("card_number is not a valid card number (check symbol)")
    iat = _numeric_date(claims.issued_at, "issued_at")
    exp = _numeric_date(claims.expires_at, "expires_at")
    nbf = _numeric_date(claims.not_before or claims.issued_at, "not_before")
    if exp <= nbf:
        raise ClaimsError("expires_at must be after not_before")

    card: dict[int, Any] = {
        CARD_NUMBER: normalize_card_number(claims.card_number),
        CARD_GIVEN_NAMES: _text(claims.given_names, "given_names"),
        CARD_FAMILY_NAMES: _text(claims.family_names, "family_names"),
        CARD_DATE_OF_BIRTH: _date_of_birth(claims.date_of_birth),
        CARD_CITY: _text(claims.city, "city"),
        CARD_PHOTO: _photo(claims.photo),
    }
    for key, name in ((CARD_BOROUGH, "borough"), (CARD_ADDRESS, "address"), (CARD_POSTAL_CODE, "postal_code")):
        value = _text(getattr(claims, name), name, required=False)
        if value is not None:
            card[key] = value

    payload = {
        CWT_ISS: _text(claims.issuer, "issuer"),
        CWT_EXP: exp,
        CWT_NBF: nbf,
        CWT_IAT: iat,
        CWT_STATUS: {
            "status_list": {
                "idx": _uint(claims.status_index, "status_index"),
                "uri": _text(claims.status_list_uri, "status_list_uri"),
            }
        },
        CWT_CARD: card,
    }
    return cbor2.dumps(payload, canonical=True)


def _timestamp(payload: dict[Any, Any], key: int, name: str) -> datetime:
    value = payload.get(key)
    if type(value) is not int:
        raise ClaimsError(f"{name} must be an integer NumericDate")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ClaimsError(f"{name} is out of range") from exc


def _require_text(value: Any, name: str) -> str:
    if type(value) is not str or not value:
        raise ClaimsError(f"{name} must be a non-empty string")
    return value


def _get_optional_text(mapping: dict[Any, Any], key: Any, name: str) -> str | None:
    value = mapping.get(key)
    if value is not None and (type(value) is not str or not value):
        raise ClaimsError(f"{name} must be a non-empty string when present")
    return value


_REQUIRED_TEXT_NAMES = ("iss", "card number", "given_names", "family_names", "date_of_birth", "city", "status uri")


def _texts_are_present(values: tuple[Any, ...]) -> bool:
    """True when every value is a non-empty str, in two C calls (this runs on every
    verification): ``str.join`` refuses anything that is not a string, ``all`` empty ones."""
    try:
        "".join(values)
    except TypeError:
        return False
    return all(values)


def _raise_for_missing_text(values: tuple[Any, ...]) -> None:
    for value, name in zip(values, _REQUIRED_TEXT_NAMES, strict=True):
        _require_text(value, name)


def claims_from_payload(payload: Any) -> CardClaims:
    """Turn a decoded, signature-checked CWT payload into CardClaims.

    Checks types and presence only (raises ClaimsError): the content's meaning (check
    symbol, calendar date, lengths) was validated by ``claims_to_cbor`` when the issuer
    signed it, and re-checking it here would only slow down every verification.
    Unknown keys are ignored so that a later version of the same format can add optional
    fields without breaking deployed verifiers.
    """
    if type(payload) is not dict:
        raise ClaimsError("payload must be a map")
    card = payload.get(CWT_CARD)
    status = payload.get(CWT_STATUS)
    if type(card) is not dict:
        raise ClaimsError("card claim missing")
    if type(status) is not dict or type(status.get("status_list")) is not dict:
        raise ClaimsError("status claim missing")
    status_list = status["status_list"]
    index = status_list.get("idx")
    if type(index) is not int or index < 0:
        raise ClaimsError("status idx must be a non-negative integer")
    photo = card.get(CARD_PHOTO)
    if type(photo) is not bytes or not photo:
        raise ClaimsError("photo must be a byte string")
    required = (
        payload.get(CWT_ISS),
        card.get(CARD_NUMBER),
        card.get(CARD_GIVEN_NAMES),
        card.get(CARD_FAMILY_NAMES),
        card.get(CARD_DATE_OF_BIRTH),
        card.get(CARD_CITY),
        status_list.get("uri"),
    )
    if not _texts_are_present(required):
        _raise_for_missing_text(required)
    issuer, number, given_names, family_names, date_of_birth, city, status_list_uri = required
    if len(number) != CARD_NUMBER_LENGTH or len(date_of_birth) != 10:
        raise ClaimsError("card number or date of birth has the wrong length")
    issued_at = _timestamp(payload, CWT_IAT, "iat")
    # Issuers write nbf = iat unless told otherwise: reuse the datetime instead of a second conversion.
    nbf = payload.get(CWT_NBF)
    same_as_iat = CWT_NBF not in payload or (type(nbf) is int and nbf == payload[CWT_IAT])
    return CardClaims(
        issuer=issuer,
        card_number=number,
        given_names=given_names,
        family_names=family_names,
        date_of_birth=date_of_birth,
        city=city,
        photo=photo,
        status_list_uri=status_list_uri,
        status_index=index,
        issued_at=issued_at,
        expires_at=_timestamp(payload, CWT_EXP, "exp"),
        not_before=issued_at if same_as_iat else _timestamp(payload, CWT_NBF, "nbf"),
        borough=_get_optional_text(card, CARD_BOROUGH, "borough"),
        address=_get_optional_text(card, CARD_ADDRESS, "address"),
        postal_code=_get_optional_text(card, CARD_POSTAL_CODE, "postal_code"),
    )
