"""Abuse resistance for the anonymous public forms, without identifying anyone.

Nothing here reads an address, sets a cookie or calls another service. Three tools, all kept in
the shared cache (Redis in production, so that every worker sees the same state):

- **Proof of work** (ALTCHA v2, ``PBKDF2/SHA-256``): the server signs a challenge with a key
  derived from ``SECRET_KEY``; the browser finds the counter the server drew (the widget, in a
  Web Worker); the server checks the signature, the expiry, the form the challenge was made for,
  and that it is spent **once** (the challenge's signature is remembered until it expires).
  A challenge carries no data about the person: a random nonce and salt, an expiry, a scope.
- **A question** for browsers that run no script: a small sum rendered in the page, whose token
  holds only an HMAC of the answer (nothing readable), a time and a nonce; single use.
- **Limits keyed by their target** (a time slot, a slice of the possible codes): a budget per
  window, and progressive delays for wrong guesses. No limit is global, so a flood on one target
  never refuses a person on another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import secrets
import time

import altcha
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import salted_hmac

ALGORITHM = "PBKDF2/SHA-256"
MAX_PAYLOAD = 4096  # a genuine payload is about 700 characters
_PREFIX = "aa"


def _now() -> float:
    return time.time()


# --- keys -----------------------------------------------------------------------------------------
def _derived(purpose: str) -> bytes:
    """A key for one purpose, from SECRET_KEY (never SECRET_KEY itself)."""
    return salted_hmac("sanspeur.core.antiabuse.v1", purpose, algorithm="sha256").digest()


def pow_keys() -> tuple[bytes, bytes]:
    """(key that signs challenges, key that signs the expected answer) for ALTCHA."""
    return _derived("pow.challenge"), _derived("pow.derived-key")


def bucket_of(value: str, *, purpose: str, bits: int) -> str:
    """A slice of all possible values (a code, a codename): ``bits`` bits of a keyed HMAC, in hex.

    Keyed so that nobody can aim a flood at the slice that holds a given person's code, and so
    that the cache never holds any part of a code.
    """
    digest = hmac.new(_derived(f"bucket.{purpose}"), value.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:4], "big") >> (32 - bits)
    return f"{number:0{(bits + 3) // 4}x}"


# --- proof of work ----------------------------------------------------------------------------------
class ProofRefused(Exception):
    """``reason``: missing, invalid, expired or replay."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def challenge_create(*, scope: str) -> dict:
    """A signed challenge for the form ``scope``, as the widget fetches it (JSON-ready dict).

    The counter is drawn uniformly between a third of ``SANSPEUR_POW_COUNTER_MAX`` and it, and the
    challenge keeps half the derived key as its prefix: the browser must find exactly that counter,
    so the work is bounded (no unlucky person waits ten times longer than the average).
    """
    top = settings.SANSPEUR_POW_COUNTER_MAX
    low = max(1, top // 3)
    signing_key, key_key = pow_keys()
    challenge = altcha.create_challenge(
        ALGORITHM,
        settings.SANSPEUR_POW_COST,
        counter=low + secrets.randbelow(top - low + 1),
        expires_at=int(_now()) + settings.SANSPEUR_POW_TTL_SECONDS,
        data={"scope": scope},
        hmac_secret=signing_key,
        hmac_key_secret=key_key,
    )
    return challenge.to_dict()


def proof_verify(payload: str, *, scope: str) -> None:
    """Accept a solved challenge once, for its own form; raises ProofRefused otherwise.

    Costs two HMACs (the signed derived key spares re-deriving it): junk is cheap to refuse.
    """
    if not payload:
        raise ProofRefused("missing")
    if len(payload) > MAX_PAYLOAD:
        raise ProofRefused("invalid")
    try:
        parsed = json.loads(base64.b64decode(payload, validate=True))
        parameters = parsed["challenge"]["parameters"]
        signature = str(parsed["challenge"]["signature"])
        made_for = parameters.get("data", {}).get("scope")
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error, UnicodeDecodeError):
        raise ProofRefused("invalid") from None
    signing_key, key_key = pow_keys()
    result = altcha.verify_solution(payload, signing_key, hmac_key_secret=key_key)
    if result.expired:
        raise ProofRefused("expired")
    if not result.verified or made_for != scope or parameters.get("algorithm") != ALGORITHM:
        raise ProofRefused("invalid")
    expires_at = parameters.get("expiresAt")
    if not isinstance(expires_at, int):
        raise ProofRefused("invalid")
    remaining = max(1, int(expires_at - _now()) + 60)
    if not cache.add(f"{_PREFIX}:pow:{signature}", 1, timeout=remaining):
        raise ProofRefused("replay")


# --- the question, for browsers without JavaScript --------------------------------------------------------
QUESTION_SALT = "sanspeur.core.antiabuse.question"
QUESTION_MAX_AGE = 2 * 60 * 60


def _answer_mac(nonce: str, scope: str, answer: str) -> str:
    return hmac.new(_derived("question"), f"{scope}|{nonce}|{answer}".encode(), hashlib.sha256).hexdigest()[:32]


def question_issue(*, scope: str, salt: str = QUESTION_SALT) -> tuple[str, int, int]:
    """A token and the two numbers of its sum. The token says neither the numbers nor the answer."""
    a, b = secrets.randbelow(8) + 2, secrets.randbelow(8) + 1
    nonce = secrets.token_hex(8)
    token = signing.dumps(
        {"t": math.floor(_now() * 10) / 10, "n": nonce, "h": _answer_mac(nonce, scope, str(a + b))}, salt=salt
    )
    return token, a, b


def question_check(token: str, answer: str, *, scope: str, min_seconds: float, salt: str = QUESTION_SALT) -> str | None:
    """None when right, else a reason: token, fast, answer, replay."""
    try:
        data = signing.loads(token or "", salt=salt, max_age=QUESTION_MAX_AGE)
        issued, nonce, expected = float(data["t"]), str(data["n"]), str(data["h"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return "token"
    given = (answer or "").strip()[:4]
    if not hmac.compare_digest(_answer_mac(nonce, scope, given), expected):
        # Also when the scope differs: a token made for another form never matches.
        if not any(hmac.compare_digest(_answer_mac(nonce, scope, str(n)), expected) for n in range(3, 18)):
            return "token"
        return "answer"
    if _now() - issued < min_seconds:
        return "fast"
    if not cache.add(f"{_PREFIX}:q:{nonce}", 1, timeout=QUESTION_MAX_AGE):
        return "replay"
    return None


# --- budgets per target -------------------------------------------------------------------------------------
def budget_take(key: str, amount: int, *, limit: int, window: int) -> int:
    """Take ``amount`` from the budget of ``key`` for the current window (fixed windows).

    Returns 0 when taken, else the seconds until the window ends (what is refused is given back,
    so a refusal never eats the budget of the next person).
    """
    now = _now()
    number = int(now // window)
    name = f"{_PREFIX}:b:{key}:{window}:{number}"
    cache.add(name, 0, timeout=window * 2)
    try:
        total = cache.incr(name, amount)
    except ValueError:  # evicted between add and incr
        cache.set(name, amount, timeout=window * 2)
        total = amount
    if total <= limit:
        return 0
    budget_give_back(key, amount, window=window, at=now)
    return max(1, math.ceil((number + 1) * window - now))


def budget_give_back(key: str, amount: int, *, window: int, at: float | None = None) -> None:
    """Return what was taken for a request that did not happen after all (a refused booking)."""
    number = int((_now() if at is None else at) // window)
    try:
        cache.decr(f"{_PREFIX}:b:{key}:{window}:{number}", amount)
    except ValueError:
        pass


# --- progressive delays for wrong guesses ---------------------------------------------------------------------
class GuessLimit:
    """Wrong guesses (booking codes, codenames) counted per bucket, with delays that double.

    The first ``SANSPEUR_GUESS_FREE_MISSES`` misses in a bucket cost nothing; after that each miss
    makes the bucket wait 1 s, 2 s, 4 s … up to ``SANSPEUR_GUESS_MAX_DELAY`` before the next try,
    and only one try gets through each time the wait ends (requests sent at once do not slip
    through together). A bucket with no miss for ``forget_after`` seconds starts again from zero.
    A right guess changes nothing: nobody can reset a bucket with a code they hold.
    """

    def __init__(self, name: str):
        self.name = name

    @property
    def free(self) -> int:
        return settings.SANSPEUR_GUESS_FREE_MISSES

    @property
    def ceiling(self) -> int:
        return settings.SANSPEUR_GUESS_MAX_DELAY

    @property
    def forget_after(self) -> int:
        return 4 * self.ceiling

    def _key(self, bucket: str) -> str:
        return f"{_PREFIX}:g:{self.name}:{bucket}"

    def _state(self, bucket: str) -> tuple[int, float]:
        count = cache.get(self._key(bucket) + ":n") or 0
        last = cache.get(self._key(bucket) + ":t") or 0.0
        if count and _now() - last >= self.forget_after:
            return 0, 0.0
        return int(count), float(last)

    def misses(self, bucket: str) -> int:
        return self._state(bucket)[0]

    def delay(self, count: int) -> int:
        """The wait after ``count`` misses: none for the free ones, then 1 s, 2 s, 4 s …"""
        if count <= self.free:
            return 0
        return min(self.ceiling, 2 ** min(count - self.free - 1, 30))

    def wait(self, bucket: str) -> int:
        """Seconds before this bucket may try again; 0 lets this one request try now."""
        count, last = self._state(bucket)
        delay = self.delay(count)
        if not delay:
            return 0
        remaining = last + delay - _now()
        if remaining > 0:
            return math.ceil(remaining)
        # The wait is over: one request gets this opening, the others wait one more step.
        if cache.add(f"{self._key(bucket)}:gate:{count}", 1, timeout=delay):
            return 0
        return delay

    def miss(self, bucket: str) -> None:
        key = self._key(bucket)
        if self._state(bucket)[0] == 0:  # nothing yet, or forgotten
            cache.set(key + ":n", 0, timeout=self.forget_after)
        try:
            cache.incr(key + ":n")
        except ValueError:
            cache.set(key + ":n", 1, timeout=self.forget_after)
        cache.set(key + ":t", _now(), timeout=self.forget_after)
        cache.touch(key + ":n", self.forget_after)
