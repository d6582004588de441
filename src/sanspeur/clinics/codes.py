"""Booking codes: 8 Crockford base-32 characters from ``secrets`` plus one check character.

Shown as ``XXXX-XXXX-C``. Typing is forgiving: case, spaces and hyphens are ignored, I and L read
as 1, O as 0. The check character (Crockford's mod-37 symbol) catches a mistyped character before
any database look-up.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
BODY_LENGTH = 8
_TRANSLATE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _check_char(body: str) -> str:
    value = 0
    for char in body:
        value = value * 32 + ALPHABET.index(char)
    return CHECK_ALPHABET[value % 37]


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + _check_char(body)


def normalise(raw: str) -> str | None:
    """The canonical 9-character code, or None when it cannot be a valid code."""
    text = "".join((raw or "").split()).replace("-", "").upper().translate(_TRANSLATE)
    if len(text) != BODY_LENGTH + 1:
        return None
    body, check = text[:BODY_LENGTH], text[BODY_LENGTH]
    if any(char not in ALPHABET for char in body) or _check_char(body) != check:
        return None
    return text


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


# What a code looks like in text: displayed (any case, with its hyphens, as a person types it), or
# its 9 characters as the server writes them (capitals of the alphabet, no I, L, O or U in the
# body: most words have one of them, so plain words in capitals are left alone; the check
# character may be U, the 37th symbol).
_CODE_LIKE = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?:[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z*~$=]|[0-9A-HJKMNP-TV-Z]{8}[0-9A-HJKMNP-Z*~$=])"
    r"(?![0-9A-Za-z])"
)


def scrub_codes(text: str) -> str:
    """``text`` with every valid booking code (its check character right) blanked: the log filter
    (core/privacy.py) calls it on every line."""
    return _CODE_LIKE.sub(lambda match: "…" if normalise(match.group(0)) else match.group(0), text)
