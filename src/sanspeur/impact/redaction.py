"""The redaction check of a testimony (docs/impact.md, "Testimonies").

A moderator takes names, places and days out of a testimony by hand; the two moderators' eyes are
the safeguard. This module helps them: it refuses a text that still carries a day-precise date (a
published testimony is dated to the month at most) and lists what still looks like a name, a place,
a number or an address, for both moderators to look at before the text is published. Pure Python,
no network, no model of language: it errs on the side of showing too much.
"""

from __future__ import annotations

import re

from sanspeur.core.boroughs import BOROUGHS

_MONTHS = (
    # fr, en, es, ht (Arabic month names are in the second list)
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
    "|january|february|march|april|may|june|july|august|september|october|november|december"
    "|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
    "|janvye|fevriye|mas|avril|me|jen|jiyè|jiye|out|septanm|oktòb|oktob|novanm|desanm"
    "|يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر|نوفمبر|ديسمبر"
    "|كانون الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|تشرين الثاني|كانون الأول"
)
_DIGIT = r"[0-9٠-٩]"
# 12/03/2025, 2025-03-12, 12.03.25; "12 mars", "le 1er mars", "March 12", "12 de marzo", "12 مارس".
DAY_DATE = re.compile(
    rf"\b{_DIGIT}{{1,4}}[/.\-]{_DIGIT}{{1,2}}[/.\-]{_DIGIT}{{1,4}}\b"
    rf"|\b{_DIGIT}{{1,2}}(?:er|e|st|nd|rd|th)?\s+(?:de\s+)?(?:{_MONTHS})\b"
    rf"|\b(?:{_MONTHS})\s+{_DIGIT}{{1,2}}\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(rf"{_DIGIT}[{_DIGIT[1:-1]}\s\-]*")
_CAPITALISED = re.compile(r"(?<![.!?:«\"'\n]\s)(?<!^)\b[A-ZÀ-ÖØ-Þ][\w'’\-]+", re.MULTILINE)
_STREET = re.compile(r"\b(?:rue|avenue|av\.|boulevard|boul\.|chemin|place|street|st\.|calle|ri)\s+\S+", re.IGNORECASE)


def day_dates(text: str) -> list[str]:
    """The day-precise dates still in the text (each one refuses the redaction)."""
    return sorted({match.group(0).strip() for match in DAY_DATE.finditer(text or "")})


def suspects(text: str) -> list[str]:
    """What still looks like a name, a place, a number or an address (for the moderators to look
    at): capitalised words inside a sentence, numbers, street names, the city's boroughs."""
    text = text or ""
    found: set[str] = set()
    found.update(match.group(0) for match in _CAPITALISED.finditer(text))
    found.update(match.group(0).strip() for match in _NUMBER.finditer(text) if match.group(0).strip())
    found.update(match.group(0) for match in _STREET.finditer(text))
    folded = text.casefold()
    found.update(name for name in BOROUGHS if name.casefold() in folded)
    return sorted(found, key=str.casefold)
