"""Offline verification of a card code. ``verify`` never raises.

Check order (first failure wins; docs/credential-format.md explains each step):

1. ``malformed``        input is not text/bytes, wrong or unknown prefix, bad Base45,
                         bad zlib, not a COSE_Sign1 with ES256 and a kid, a non-empty
                         unprotected header or a high-s signature (one encoding per card)
2. ``unknown_issuer``   kid not in the trust list as a card key, or past its trusted_until
3. ``bad_signature``    ES256 signature does not verify with that key
4. ``malformed``        signed payload is not a well-formed card claim set
5. ``expired``          now - leeway >= exp
6. ``not_yet_valid``    now + leeway < nbf
7. status list: no list for the card's ``uri``, list not signed by a trusted
   status-list key, list ``iss`` differs from the card's, or index outside the list
   -> ``status_list_stale``. Of several authentic lists the newest is used; lists with
   the same ``iat`` are ranked by ``_tie_rank`` (most restrictive answer first), so the
   answer never depends on the order they were given in.
8. ``revoked``          entry is 1 (irreversible, so even an old list is believed)
9. ``status_list_stale`` list older than ``max_status_age`` or past its own exp
10. ``suspended``       entry is 2 (or the unassigned value 3)
11. ``valid``           with warning ``status_list_old`` when the list is older than its ttl
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2

from .claims import CardClaims, ClaimsError, claims_from_payload
from .code import CodeError, decode_code
from .cose import CoseError, parse_sign1
from .keys import PURPOSE_CARD, PURPOSE_STATUS_LIST
from .statuslist import (
    STATUS_REVOKED,
    STATUS_VALID,
    StatusListError,
    StatusListToken,
    parse_status_list_token,
)
from .trustlist import TrustList

DEFAULT_MAX_STATUS_AGE = timedelta(days=7)
DEFAULT_LEEWAY = timedelta(minutes=5)


class Reason(enum.StrEnum):
    VALID = "valid"
    MALFORMED = "malformed"
    UNKNOWN_ISSUER = "unknown_issuer"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    STATUS_LIST_STALE = "status_list_stale"


REASONS = tuple(reason.value for reason in Reason)
_VALID = Reason.VALID.value  # an enum member's .value is a property: read it once
WARNING_STATUS_LIST_OLD = "status_list_old"


@dataclass(slots=True)
class VerificationResult:
    """Outcome of ``verify``. ``claims`` and ``photo`` are set only when ``valid``.

    ``detail`` is a short machine-readable hint for logs and support (e.g.
    ``invalid_base45``); show people ``reason``, which is one of ``REASONS``.
    """

    valid: bool
    reason: str
    warnings: tuple[str, ...] = ()
    claims: CardClaims | None = None
    photo: bytes | None = None
    detail: str | None = None

    def to_json_dict(self, *, include_photo: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "valid": self.valid,
            "reason": self.reason,
            "warnings": list(self.warnings),
            "detail": self.detail,
            "claims": self.claims.to_json_dict() if self.claims is not None else None,
        }
        if include_photo:
            data["photo"] = (
                "data:image/webp;base64," + base64.b64encode(self.photo).decode("ascii") if self.photo else None
            )
        return data


def _fail(reason: Reason, detail: str | None = None) -> VerificationResult:
    return VerificationResult(valid=False, reason=reason.value, detail=detail)


def _moment(now: object) -> datetime | None:
    if type(now) is datetime and now.tzinfo is UTC:  # the usual argument, checked cheaply
        return now
    if now is None:
        return datetime.now(UTC)
    if not isinstance(now, datetime):
        return None
    if now.tzinfo is None or now.utcoffset() is None:
        return now.replace(tzinfo=UTC)  # documented: naive means UTC
    return now


def _duration(value: object, default: timedelta) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if type(value) in (int, float):
        return timedelta(seconds=value)  # type: ignore[arg-type]
    return default


def _status_tokens(status_list: object) -> tuple[list[StatusListToken], str | None]:
    """Accept one token, raw token bytes, or any iterable/mapping of those."""
    if status_list is None:
        return [], "no_status_list"
    if isinstance(status_list, StatusListToken):
        return [status_list], None
    if isinstance(status_list, bytes | bytearray | memoryview):
        try:
            return [parse_status_list_token(status_list)], None
        except StatusListError:
            return [], "status_list_malformed"
    if isinstance(status_list, str):
        return [], "status_list_malformed"
    items: Iterable[Any] = status_list.values() if isinstance(status_list, Mapping) else status_list  # type: ignore[assignment]
    tokens: list[StatusListToken] = []
    problem = None
    for item in items:
        found, item_problem = _status_tokens(item)
        tokens.extend(found)
        problem = problem or item_problem
    return tokens, (problem if not tokens else None)


def _authentic(token: StatusListToken, trust_list: TrustList, now: datetime) -> str | None:
    """None when the token is signed by a status-list key trusted at ``now``."""
    key = trust_list.find(token.kid, PURPOSE_STATUS_LIST, now)
    if key is None:
        return "status_list_unknown_issuer"
    fingerprint = key.fingerprint
    if fingerprint in token._verified_with:
        return None
    if not token.message.verify(key.public_key):
        return "status_list_bad_signature"
    # Cache per public key: the same list object is reused for thousands of cards.
    token._verified_with.add(fingerprint)
    return None


# Tie-break between authentic lists for one uri with the same iat: what the card's entry
# would lead to, most restrictive first. Two genuine lists can only disagree this way if
# the issuer signed twice within a second (or a key was misused); believing the stricter
# one means whoever picks which of the two a verifier holds cannot lift a revocation or a
# suspension that the other records.
_SEVERITY_REVOKED = 3
_SEVERITY_SUSPENDED = 2
_SEVERITY_UNCONFIRMED = 1  # another issuer's list, or index outside it: status_list_stale
_SEVERITY_VALID = 0


def _tie_rank(token: StatusListToken, claims: CardClaims) -> tuple[int, bytes, bytes]:
    """Total order on tied lists: severity for this card, then the signed payload bytes,
    then the signature bytes (so even equally severe lists, e.g. with different ttl, are
    chosen the same way by every verifier)."""
    if token.issuer is not None and token.issuer != claims.issuer:
        severity = _SEVERITY_UNCONFIRMED
    else:
        try:
            status = token.status(claims.status_index)
        except IndexError:
            severity = _SEVERITY_UNCONFIRMED
        else:
            if status == STATUS_REVOKED:
                severity = _SEVERITY_REVOKED
            elif status == STATUS_VALID:
                severity = _SEVERITY_VALID
            else:  # suspended (2), or the unassigned value 3, answered as suspended
                severity = _SEVERITY_SUSPENDED
    return severity, token.message.payload, token.message.signature


def _status_token_for(
    claims: CardClaims, status_list: object, trust_list: TrustList, now: datetime
) -> tuple[StatusListToken | None, str | None]:
    """The newest authentic status list published for the card's uri, or why there is none.

    Lists with the same (newest) ``iat`` are decided by ``_tie_rank``: the highest wins.
    """
    uri = claims.status_list_uri
    tokens, problem = _status_tokens(status_list)
    candidates = [token for token in tokens if token.uri == uri]
    if tokens and not candidates:
        problem = "no_status_list_for_uri"
    authentic: list[StatusListToken] = []
    for token in candidates:
        token_problem = _authentic(token, trust_list, now)
        if token_problem is None:
            authentic.append(token)
        else:
            problem = token_problem
    if not authentic:
        return None, problem
    newest = max(token.issued_at for token in authentic)
    tied = [token for token in authentic if token.issued_at == newest]
    if len(tied) == 1:
        return tied[0], None
    return max(tied, key=lambda token: _tie_rank(token, claims)), None


def verify(
    code: object,
    trust_list: TrustList,
    status_list: StatusListToken | bytes | Iterable[StatusListToken] | None,
    now: datetime | None = None,
    *,
    max_status_age: timedelta = DEFAULT_MAX_STATUS_AGE,
    leeway: timedelta = DEFAULT_LEEWAY,
) -> VerificationResult:
    """Verify a card code offline. Never raises, whatever the arguments.

    ``status_list``: a parsed :class:`StatusListToken` (parse once, verify many: its
    signature check is cached), raw token bytes, or several tokens (any iterable or
    mapping); the newest authentic one whose ``sub`` matches the card is used.
    ``now`` defaults to the current time; a naive datetime is taken as UTC.
    ``max_status_age``: older status lists make the result ``status_list_stale``.
    ``leeway`` absorbs clock drift of offline devices for exp/nbf.
    """
    try:
        return _verify(code, trust_list, status_list, now, max_status_age, leeway)
    except Exception:  # last line of defence: a bug must not crash a service desk
        return _fail(Reason.MALFORMED, "internal_error")


def _verify(
    code: object,
    trust_list: object,
    status_list: object,
    now_arg: object,
    max_status_age_arg: object,
    leeway_arg: object,
) -> VerificationResult:
    now = _moment(now_arg)
    if now is None:
        return _fail(Reason.MALFORMED, "invalid_now")
    max_status_age = _duration(max_status_age_arg, DEFAULT_MAX_STATUS_AGE)
    leeway = _duration(leeway_arg, DEFAULT_LEEWAY)

    # 1. Structure.
    try:
        message = parse_sign1(decode_code(code))
    except CodeError as exc:
        return _fail(Reason.MALFORMED, f"code: {exc}")
    except CoseError as exc:
        return _fail(Reason.MALFORMED, exc.code or f"cose: {exc}")

    # 2-3. Issuer key and signature.
    if not isinstance(trust_list, TrustList):
        return _fail(Reason.UNKNOWN_ISSUER, "no_trust_list")
    key = trust_list.find(message.kid, PURPOSE_CARD, now)
    if key is None:
        detail = "kid_not_trusted_now" if message.kid in trust_list.keys else "kid_unknown"
        return _fail(Reason.UNKNOWN_ISSUER, detail)
    if not message.verify(key.public_key):
        return _fail(Reason.BAD_SIGNATURE)

    # 4. Claims (only parsed once we know the issuer signed them).
    try:
        # The payload is signed, so only the issuer could have shaped it: no need for the
        # trailing-bytes pass of strict_cbor_loads, just bounded, strict C decoding.
        payload = cbor2.loads(message.payload, allow_indefinite=False, allow_duplicate_keys=False, max_depth=8)
        claims = claims_from_payload(payload)
    except (ClaimsError, cbor2.CBORError, ValueError, TypeError, RecursionError) as exc:
        return _fail(Reason.MALFORMED, f"claims: {exc}")

    # 5-6. Validity period.
    if now - leeway >= claims.expires_at:
        return _fail(Reason.EXPIRED)
    if now + leeway < (claims.not_before or claims.issued_at):
        return _fail(Reason.NOT_YET_VALID)

    # 7. Find an authentic status list for this card.
    if type(status_list) is StatusListToken and status_list.uri == claims.status_list_uri:
        token = status_list  # the usual call: the one parsed list, reused for every card
        problem = _authentic(token, trust_list, now)
        if problem is not None:
            return _fail(Reason.STATUS_LIST_STALE, problem)
    else:
        found, problem = _status_token_for(claims, status_list, trust_list, now)
        if found is None:
            return _fail(Reason.STATUS_LIST_STALE, problem or "no_status_list")
        token = found
    if token.issuer is not None and token.issuer != claims.issuer:
        return _fail(Reason.STATUS_LIST_STALE, "status_list_issuer_mismatch")
    try:
        status = token.status(claims.status_index)
    except IndexError:
        return _fail(Reason.STATUS_LIST_STALE, "status_index_out_of_range")

    # 8-10. Status, freshness.
    if status == STATUS_REVOKED:
        return _fail(Reason.REVOKED)
    age = now - token.issued_at
    if age > max_status_age:
        return _fail(Reason.STATUS_LIST_STALE, "status_list_too_old")
    if token.expires_at is not None and now - leeway > token.expires_at:
        return _fail(Reason.STATUS_LIST_STALE, "status_list_expired")
    if status != STATUS_VALID:
        return _fail(Reason.SUSPENDED, None if status == 2 else f"status_value_{status}")

    warnings = (WARNING_STATUS_LIST_OLD,) if age > token.ttl else ()
    # Positional: keyword arguments cost measurably here, once per verified card.
    return VerificationResult(True, _VALID, warnings, claims, claims.photo)
