"""Staff sign-in lockout with device cookies (OWASP, "Slow Down Online Guessing Attacks with Device
Cookies"), so that someone who knows a username cannot lock its owner out.

- A browser that completes a sign-in (password and second factor) gets a **device cookie**: signed
  with the site's secret key, it names the account (by a keyed hash) and a random id for this
  browser. A browser keeps the cookies of the last few accounts signed in from it.
- Failed passwords are counted **per account and per class of browser**: each browser that holds a
  valid device cookie for the account has its own counter; every other browser shares one.
- After ``SANSPEUR_LOGIN_FAILURE_LIMIT`` failures in a row, that counter is locked for
  ``SANSPEUR_LOGIN_COOLOFF_HOURS``: someone guessing from their own machine locks out only the
  browsers that never signed in to the account; its owner, from a browser they signed in with,
  signs in as usual. A stolen device cookie buys its thief the same few guesses, for that cookie
  only.
- Nothing here reads or keeps an address; the typed username is kept only as a keyed hash (people
  sometimes type their password into the username field), and unknown usernames lock like real
  ones, so the answer does not tell whether an account exists.
- A browser's id is stored only as a keyed hash too (``device_key``): a copy of the database does
  not give anyone the cookie that would let them pass for that browser.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import SignInThrottle, User

COOKIE = "sp_device"
COOKIE_DAYS = 180
COOKIE_ACCOUNTS = 8  # a shared front-desk computer: the last few accounts signed in from it
_SALT = "sanspeur.accounts.device-cookie"


def _limit() -> int:
    return settings.SANSPEUR_LOGIN_FAILURE_LIMIT


def _cooloff() -> timedelta:
    return timedelta(hours=settings.SANSPEUR_LOGIN_COOLOFF_HOURS)


def account_key(username: str) -> str:
    """A keyed hash of the username as typed, folded so that "Agent.X " counts as "agent.x"."""
    folded = " ".join((username or "").split()).casefold()
    return salted_hmac(_SALT, folded, algorithm="sha256").hexdigest()


def device_key(device_id: str) -> str:
    """What the counters keep of a browser's id: a keyed hash (the id itself is in its cookie only)."""
    return salted_hmac(_SALT + ".browser", device_id, algorithm="sha256").hexdigest()


def _read_cookie(request) -> dict[str, str]:
    """account key -> device id, from a valid cookie (anything else: nothing)."""
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return {}
    try:
        entries = signing.loads(raw, salt=_SALT, max_age=timedelta(days=COOKIE_DAYS))
    except signing.BadSignature:
        return {}
    if not isinstance(entries, list):
        return {}
    found = {}
    for entry in entries[:COOKIE_ACCOUNTS]:
        if isinstance(entry, list) and len(entry) == 2 and all(isinstance(part, str) for part in entry):
            found[entry[0]] = entry[1]
    return found


@dataclass
class Gate:
    """One sign-in attempt's counter: this account, from this browser (or from untrusted ones)."""

    account: str
    device: str  # a keyed hash of the browser's id; "" for browsers without a device cookie for this account

    @property
    def trusted(self) -> bool:
        return bool(self.device)

    def locked(self) -> bool:
        now = timezone.now()
        return SignInThrottle.objects.filter(account=self.account, device=self.device, locked_until__gt=now).exists()

    def failed(self, *, username: str) -> bool:
        """Count a wrong password; True when this failure starts a lock."""
        now = timezone.now()
        with transaction.atomic():
            row, _created = SignInThrottle.objects.select_for_update().get_or_create(
                account=self.account, device=self.device
            )
            if row.last_failure_at is None or row.last_failure_at <= now - _cooloff():
                row.failures = 0  # an old streak is forgotten
            row.failures += 1
            row.last_failure_at = now
            locking = row.failures >= _limit()
            if locking:
                row.failures = 0
                row.locked_until = now + _cooloff()
            row.save()
        if locking:
            # The counter is bookkeeping, not an action; the lock it ends in is one, recorded once
            # the lock holds (a failure here leaves the lock in place: the safer side).
            from .services import signin_lock_record

            signin_lock_record(acting_user=None, username=username, trusted=self.trusted)
        _forget_old(now)
        return locking

    def succeeded(self) -> None:
        """The right password: this counter's streak ends (a lock, checked first, stays)."""
        SignInThrottle.objects.filter(account=self.account, device=self.device).exclude(
            locked_until__gt=timezone.now()
        ).delete()


def gate_for(request, username: str) -> Gate:
    account = account_key(username)
    device_id = _read_cookie(request).get(account, "")
    return Gate(account=account, device=device_key(device_id) if device_id else "")


def remember_device(request, response, user: User) -> None:
    """After a complete sign-in: give (or renew) this browser's device cookie for the account."""
    account = account_key(user.get_username())
    entries = [[key, device] for key, device in _read_cookie(request).items() if key != account]
    entries.insert(0, [account, secrets.token_hex(16)])
    response.set_cookie(
        COOKIE,
        signing.dumps(entries[:COOKIE_ACCOUNTS], salt=_SALT, compress=True),
        max_age=COOKIE_DAYS * 24 * 3600,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure() or bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
    )


def _forget_old(now) -> None:
    """Rows of streaks and locks that ended more than a cool-off ago hold nothing useful."""
    horizon = now - _cooloff()
    SignInThrottle.objects.filter(last_failure_at__lt=horizon).exclude(locked_until__gt=now).delete()
