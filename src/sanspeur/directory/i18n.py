"""Multilingual texts stored as {"fr": ..., "en": ...} (the pretix i18nfield idea).

The one way public content is multilingual, in the directory and in the clinics: French is the
source every other language is translated from, and the visible fallback. Who translated what,
and from which version of the French, is kept beside the texts (``models.Translation``).
"""

import hashlib
import unicodedata
from dataclasses import dataclass

from django.utils.translation import get_language

FALLBACK = "fr"
REQUIRED = ("fr", "en")
OPTIONAL = ("es", "ar", "ht")
LANGUAGES = (FALLBACK, "en", *OPTIONAL)  # every language public content is written in
TARGETS = LANGUAGES[1:]  # what the French source is translated into


@dataclass(frozen=True)
class Text:
    """A text picked for the visitor; ``fallback`` is True when French was shown instead."""

    value: str
    lang: str
    fallback: bool

    def __str__(self):
        return self.value


def pick(texts: dict | str | None, language: str | None = None) -> Text:
    texts = as_texts(texts)
    language = (language or get_language() or FALLBACK).split("-")[0]
    if texts.get(language):
        return Text(texts[language], language, False)
    if texts.get(FALLBACK):
        return Text(texts[FALLBACK], FALLBACK, language != FALLBACK)
    for code, value in texts.items():
        if value:
            return Text(value, code, True)
    return Text("", language, False)


def plain(value: str) -> str:
    """Lower-case, accents removed: the portable search form of a text."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def all_values(texts: dict | None) -> list[str]:
    return [v for v in (texts or {}).values() if v]


def as_texts(value) -> dict:
    """A multilingual value as a dict: a bare string (older callers, a form's French field) is
    the French source."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
    return {FALLBACK: value} if isinstance(value, str) and value else {}


def source_hash(text: str) -> str:
    """What a translation was made from: a hash of the French source (blanks normalised), so a
    later edit of the French makes the translation stale."""
    return hashlib.sha256(" ".join((text or "").split()).encode()).hexdigest()
