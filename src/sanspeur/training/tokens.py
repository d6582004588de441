"""The check-in code a trainer shows as a QR: signed, bound to one session, expiring.

    <session id>.<expiry, unix seconds>.<HMAC-SHA256 of both and the session's nonce, base64url>

The key is derived from ``SECRET_KEY`` for this purpose only (never the key itself). The session's
nonce is part of what is signed, so the coordinator voids every code already shown by changing it.
A code holds no personal data. Checking costs one HMAC and one primary-key look-up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from django.utils.crypto import salted_hmac

LIFETIME_SECONDS = 3 * 3600  # a session's length, with margin; the trainer's page draws a fresh one
MAX_LENGTH = 120


def _key() -> bytes:
    return salted_hmac("sanspeur.training.checkin.v1", "key", algorithm="sha256").digest()


def _mac(session_id: int, expires: int, nonce: str) -> str:
    message = f"{session_id}.{expires}.{nonce}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue(session, *, now: float | None = None, lifetime: int = LIFETIME_SECONDS) -> str:
    expires = int((now if now is not None else time.time()) + lifetime)
    return f"{session.pk}.{expires}.{_mac(session.pk, expires, session.token_nonce)}"


def session_for(token: str, *, now: float | None = None):
    """The session a genuine, unexpired code was issued for; None for anything else."""
    from .models import Session

    if not isinstance(token, str) or len(token) > MAX_LENGTH or token.count(".") != 2:
        return None
    session_part, expires_part, mac = token.split(".")
    if not (session_part.isdigit() and expires_part.isdigit()) or len(session_part) > 18 or len(expires_part) > 12:
        return None
    expires = int(expires_part)
    if expires < (now if now is not None else time.time()):
        return None
    session = Session.objects.filter(pk=int(session_part)).first()
    if session is None or not hmac.compare_digest(mac, _mac(session.pk, expires, session.token_nonce)):
        return None
    return session
