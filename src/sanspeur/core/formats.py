"""Dates, times, ranges, lists and isolated values in the page language: one place for every app.

The per-language values live in the format modules (``sanspeur/formats/<lang>/formats.py``,
``FORMAT_MODULE_PATH``); templates use them through the ``sanspeur`` template library
(``|ltr``, ``|bdi``, ``{% time_range %}``, ``|long_date``, ``|listing``). See docs/design.md.

Isolation: a value inserted in a sentence (a code, an address, a time, a name) must not take part
in the sentence's bidirectional ordering, or an Arabic page shows ``870H-WCKN-*`` as ``*-870H-WCKN``
and "355 avenue du Parc" as "avenue du Parc 355". In HTML it goes in ``<bdi>`` (direction from its
own first strong letter) or ``<bdi dir="ltr">`` (codes, times, numbers with signs); in plain text
(e-mails, attributes) between the Unicode isolates FSI/LRI … PDI.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
# A "j" of a date format that is not escaped by a backslash: the day of the month.
_DAY = re.compile(r"(?<!\\)j")


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def fmt(name: str) -> str:
    """A named format of the page language (the format modules define every name)."""
    return get_format(name)


def date_text(value, name: str = "LONG_DATE_FORMAT") -> str:
    """``value`` in a named format, the first of the month as an ordinal where the language says
    so ("lundi 1er décembre 2026")."""
    if not isinstance(value, datetime.date):  # a datetime is a date too
        return "" if value in (None, "") else str(value)
    value = _local(value)
    pattern = fmt(name)
    first = fmt("FIRST_DAY")
    if getattr(value, "day", None) == 1 and first != "1":
        literal = "".join("\\" + char for char in first)
        pattern = _DAY.sub(lambda _match: literal, pattern)
    return dateformat.format(value, pattern)


def time_text(value) -> str:
    if not isinstance(value, datetime.time | datetime.datetime):
        return "" if value in (None, "") else str(value)
    return dateformat.time_format(_local(value), fmt("TIME_FORMAT"))


def range_text(start: str, end: str) -> str:
    return f"{start}{fmt('RANGE_SEPARATOR')}{end}"


def join_list(items: Iterable) -> str:
    """Plain-text list with the language's separator (the Arabic comma in Arabic)."""
    return fmt("LIST_SEPARATOR").join(str(item) for item in items)


def ltr_html(value) -> SafeString:
    """A code, time or number kept left-to-right and isolated from the sentence around it."""
    if value in (None, ""):
        return mark_safe("")  # noqa: S308 - empty
    return format_html('<bdi dir="ltr">{}</bdi>', value)


def bdi_html(value) -> SafeString:
    """A name or address isolated, its direction taken from its own first letter."""
    if value in (None, ""):
        return mark_safe("")  # noqa: S308 - empty
    return format_html("<bdi>{}</bdi>", value)


def ltr_plain(value) -> str:
    return f"{LRI}{value}{PDI}" if value not in (None, "") else ""


def bdi_plain(value) -> str:
    return f"{FSI}{value}{PDI}" if value not in (None, "") else ""


def list_html(items: Iterable, *, isolate: bool = True) -> SafeString:
    """Items joined with the language's separator, each isolated (escaped unless already safe)."""
    separator = conditional_escape(fmt("LIST_SEPARATOR"))
    parts = [bdi_html(item) if isolate else conditional_escape(item) for item in items]
    return mark_safe(separator.join(str(part) for part in parts))  # noqa: S308 - parts escaped above


def languages_html(pairs: Iterable[tuple[str, str]]) -> SafeString:
    """Language names, each marked with its own ``lang`` (and isolated), in a list of the page."""
    separator = conditional_escape(fmt("LIST_SEPARATOR"))
    parts = [format_html('<bdi lang="{}">{}</bdi>', code, name) for code, name in pairs]
    return mark_safe(separator.join(str(part) for part in parts))  # noqa: S308 - parts escaped above


def percent_text(value) -> str:
    """A share in the page language ("12,5 %" in French, "12.5%" in English)."""
    from django.utils.formats import number_format

    return fmt("PERCENT_FORMAT").format(number_format(value))
