"""Against bulk booking, without third-party CAPTCHAs and without the client's address.

- a server-signed token carrying the form's issue time and a small sum to solve; the form must be
  at least ``SANSPEUR_CLINICS_MIN_FORM_SECONDS`` (3) old, at most 2 hours, and each token is
  accepted once (remembered in the cache);
- a honeypot field people never see;
- rate limits in the Django cache, keyed by time slot and by a global bucket (never by person).
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

SALT = "sanspeur.clinics.human-check"
MAX_AGE = 2 * 60 * 60


def min_seconds() -> float:
    return settings.SANSPEUR_CLINICS_MIN_FORM_SECONDS


def issue() -> tuple[str, int, int]:
    """A fresh token and the two numbers of its question."""
    a, b = secrets.randbelow(8) + 2, secrets.randbelow(8) + 1
    token = signing.dumps({"a": a, "b": b, "t": time.time(), "n": secrets.token_hex(8)}, salt=SALT)
    return token, a, b


def question_numbers(token: str) -> tuple[int, int] | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return data["a"], data["b"]


def check(token: str, answer: str, honeypot: str) -> str | None:
    """None when the submission looks human, else a reason code: honeypot, token, fast, answer, replay."""
    if honeypot:
        return "honeypot"
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return "token"
    if time.time() - float(data["t"]) < min_seconds():
        return "fast"
    if (answer or "").strip() != str(data["a"] + data["b"]):
        return "answer"
    if not cache.add(f"clinics:token:{data['n']}", 1, timeout=MAX_AGE):
        return "replay"
    return None


def rate_limited(session_id: int) -> bool:
    """Count one booking attempt; True when the slot's or the global bucket is over its limit."""
    window = int(time.time() // 60)
    limits = (
        (f"clinics:rl:slot:{session_id}:{window}", settings.SANSPEUR_CLINICS_RATE_PER_SLOT),
        (f"clinics:rl:all:{window}", settings.SANSPEUR_CLINICS_RATE_GLOBAL),
    )
    over = False
    for key, limit in limits:
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:
            count = 1
        over = over or count > limit
    return over


def lookup_misses_exceeded(*, record_miss: bool = False) -> bool:
    """Guessing codes: count unknown codes (globally, per minute); True once over the limit."""
    key = f"clinics:rl:miss:{int(time.time() // 60)}"
    limit = settings.SANSPEUR_CLINICS_LOOKUP_MISSES
    if record_miss:
        cache.add(key, 0, timeout=120)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=120)
    return int(cache.get(key, 0)) > limit
