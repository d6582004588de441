"""Booking codes.

New codes: 9 characters from ``secrets`` in Crockford's base-32 alphabet (digits and capital
letters without I, L, O and U: no symbol, nothing to confuse when it is read aloud or typed on a
phone's letter keyboard) plus one check character from the same alphabet (Luhn mod 32: catches
every single wrong character and most swapped neighbours before any database look-up). Shown in
three groups like a phone number, ``XXX-XXX-XXXX``, easy to read aloud.

Old codes (before issue 17): 8 characters plus Crockford's mod-37 check symbol, which can be one of
``* ~ $ = U``; shown ``XXXX-XXXX-C``. They keep working for look-up, cancelling and check-in:
the two kinds differ by length.

Typing is forgiving: case, spaces and hyphens are ignored, I and L read as 1, O as 0.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 9  # new codes: 45 random bits
LENGTH = BODY_LENGTH + 1
_TRANSLATE = str.maketrans({"I": "1", "L": "1", "O": "0"})
LOOK_ALIKES = _TRANSLATE  # also read by the posters' short codes (views.public_list)

# Old codes (still accepted).
OLD_CHECK_ALPHABET = ALPHABET + "*~$=U"
OLD_BODY_LENGTH = 8
CHECK_ALPHABET = OLD_CHECK_ALPHABET  # the name older callers and tests use


def _check_char(body: str) -> str:
    """The old codes' check symbol (Crockford mod 37)."""
    value = 0
    for char in body:
        value = value * 32 + ALPHABET.index(char)
    return OLD_CHECK_ALPHABET[value % 37]


def _luhn_char(body: str) -> str:
    """The new codes' check character: Luhn mod N over the alphabet (N = 32)."""
    base, factor, total = len(ALPHABET), 2, 0
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // base + addend % base
    return ALPHABET[(base - total % base) % base]


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + _luhn_char(body)


def normalise(raw: str) -> str | None:
    """The canonical code (10 characters, or 9 for an old code), or None when it cannot be one."""
    text = "".join((raw or "").split()).replace("-", "").upper().translate(_TRANSLATE)
    if len(text) == LENGTH:
        body, check = text[:BODY_LENGTH], text[BODY_LENGTH]
        if all(char in ALPHABET for char in text) and _luhn_char(body) == check:
            return text
        return None
    if len(text) == OLD_BODY_LENGTH + 1:
        body, check = text[:OLD_BODY_LENGTH], text[OLD_BODY_LENGTH]
        if all(char in ALPHABET for char in body) and _check_char(body) == check:
            return text
    return None


def display(code: str) -> str:
    """``XXX-XXX-XXXX`` (new) or ``XXXX-XXXX-C`` (old)."""
    if len(code) == LENGTH:
        return f"{code[:3]}-{code[3:6]}-{code[6:]}"
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


# What a code looks like in text: displayed (any case, with its hyphens, as a person types it), or
# its characters as the server writes them (capitals of the alphabet, no I, L, O or U in the
# body: most words have one of them, so plain words in capitals are left alone; an old code's
# check character may be U, the 37th symbol, or a symbol).
_CODE_LIKE = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?:[0-9A-Za-z]{3}-[0-9A-Za-z]{3}-[0-9A-Za-z]{4}"
    r"|[0-9A-HJKMNP-TV-Z]{10}"
    r"|[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z*~$=]"
    r"|[0-9A-HJKMNP-TV-Z]{8}[0-9A-HJKMNP-Z*~$=])"
    r"(?![0-9A-Za-z])"
)


def scrub_codes(text: str) -> str:
    """``text`` with every valid booking code (its check character right) blanked: the log filter
    (core/privacy.py) calls it on every line."""
    return _CODE_LIKE.sub(lambda match: "…" if normalise(match.group(0)) else match.group(0), text)
