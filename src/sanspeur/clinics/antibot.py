"""Against bulk booking and code guessing, without CAPTCHA, cookie or the client's address.

- **Proof of work** (``core.antiabuse``): the booking form's widget solves a challenge signed by
  the server, about a second of a mid-range phone's time; each challenge is accepted once.
  Browsers without JavaScript answer a small sum instead, whose token holds only an HMAC of the
  answer (``issue``/``check``), at least ``SANSPEUR_CLINICS_MIN_FORM_SECONDS`` after it was shown.
- **A honeypot** field people never see.
- **Limits per time slot**, never global: a share of the slot's places per minute
  (``SANSPEUR_CLINICS_SLOT_SHARE_PER_MINUTE``, at least what one code may hold), verified attempts
  per minute (``SANSPEUR_CLINICS_RATE_PER_SLOT``) and, tighter, bookings made through the question
  (``SANSPEUR_CLINICS_FALLBACK_PER_SLOT`` per 10 minutes). A flood on one slot never refuses a
  person on another.
- **Guessing codes**: wrong codes are counted per bucket (1/1024 of all codes, chosen by a keyed
  HMAC of the code), with delays that double; look-ups, the calendar file, cancelling and moving
  all go through the same count (``GUESSES``).
"""

from __future__ import annotations

import math

from django.conf import settings

from sanspeur.core import antiabuse

SCOPE = "clinics.book"
SALT = antiabuse.QUESTION_SALT
FALLBACK_WINDOW = 10 * 60
GUESSES = antiabuse.GuessLimit("clinics.code")
BUCKET_BITS = 10


def min_seconds() -> float:
    return settings.SANSPEUR_CLINICS_MIN_FORM_SECONDS


def issue() -> tuple[str, int, int]:
    """A fresh question: its token (which does not hold the answer) and its two numbers."""
    return antiabuse.question_issue(scope=SCOPE)


def check(token: str, answer: str, honeypot: str) -> str | None:
    """None when the question was answered by a person, else a reason code: honeypot, token, fast,
    answer, replay. Each token is accepted once (remembered in the shared cache)."""
    if honeypot:
        return "honeypot"
    return antiabuse.question_check(token, answer, scope=SCOPE, min_seconds=min_seconds())


def places_per_minute(session) -> int:
    """The most places of one time slot that can be booked in one minute."""
    share = math.ceil(session.capacity * settings.SANSPEUR_CLINICS_SLOT_SHARE_PER_MINUTE)
    return max(session.service.max_places_per_code, share)


def slot_take(session, places: int, *, path: str) -> int:
    """Count one verified booking attempt for ``places``; 0 when it may go on, else the seconds
    to wait (the slot is busy). ``path`` is "pow" or "question" (no JavaScript: tighter)."""
    wait = antiabuse.budget_take(
        f"clinics:try:{session.pk}", 1, limit=settings.SANSPEUR_CLINICS_RATE_PER_SLOT, window=60
    )
    if wait:
        return wait
    if path == "question":
        wait = antiabuse.budget_take(
            f"clinics:question:{session.pk}",
            1,
            limit=settings.SANSPEUR_CLINICS_FALLBACK_PER_SLOT,
            window=FALLBACK_WINDOW,
        )
        if wait:
            return wait
    wait = antiabuse.budget_take(f"clinics:places:{session.pk}", places, limit=places_per_minute(session), window=60)
    if wait and path == "question":
        antiabuse.budget_give_back(f"clinics:question:{session.pk}", 1, window=FALLBACK_WINDOW)
    return wait


def slot_give_back(session, places: int, *, path: str) -> None:
    """The booking did not happen (refused by the service): its places go back to the budget."""
    antiabuse.budget_give_back(f"clinics:places:{session.pk}", places, window=60)
    if path == "question":
        antiabuse.budget_give_back(f"clinics:question:{session.pk}", 1, window=FALLBACK_WINDOW)


def guess_bucket(code: str) -> str:
    """The bucket of a normalised booking code (three hex digits; the code itself is never kept)."""
    return antiabuse.bucket_of(code, purpose="clinics.code", bits=BUCKET_BITS)
