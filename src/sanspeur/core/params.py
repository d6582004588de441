"""Parameters from a request, parsed before they reach the database.

Whatever a person or a script types into a URL or a hidden field — not a number, a number larger
than the database's integers, not an id, a NUL character (PostgreSQL refuses it in text) — is a
404 or a default, never a server error.
"""

from __future__ import annotations

import unicodedata
import uuid

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

# Larger than any real page or count, far below the 64-bit limit of an SQL OFFSET.
MAX_PAGE = 1_000_000


def bounded_int(value, *, default: int, minimum: int = 1, maximum: int = MAX_PAGE) -> int:
    """An integer from a query parameter, within [minimum, maximum]; ``default`` when it is not one."""
    try:
        number = int(str(value).strip()) if value is not None and len(str(value)) <= 20 else default
    except ValueError:
        return default
    return min(max(number, minimum), maximum)


def clean_text(value, *, max_length: int = 200) -> str:
    """Text from a query parameter, at most ``max_length`` characters, stripped, without the
    control characters (NUL among them) that a database refuses and a page never needs."""
    if value is None:
        return ""
    text = "".join(ch for ch in str(value)[: max_length * 2] if unicodedata.category(ch) != "Cc" or ch in "\t\n")
    return text.strip()[:max_length]


def uuid_or_none(value) -> uuid.UUID | None:
    """A UUID from a request parameter, or None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip()) if value is not None and len(str(value)) <= 64 else None
    except ValueError:
        return None


def object_or_404(klass, **lookups):
    """``get_object_or_404`` for lookups that come from the request: a value that is not a valid id
    for the field (text for an integer, not a UUID, out of the database's range) is a 404."""
    try:
        return get_object_or_404(klass, **lookups)
    except (ValueError, TypeError, OverflowError, ValidationError) as error:
        raise Http404 from error
