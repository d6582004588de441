"""Multilingual texts stored as {"fr": ..., "en": ...} (the pretix i18nfield idea)."""

import unicodedata
from dataclasses import dataclass

from django.utils.translation import get_language

FALLBACK = "fr"
REQUIRED = ("fr", "en")
OPTIONAL = ("es", "ar", "ht")


@dataclass(frozen=True)
class Text:
    """A text picked for the visitor; ``fallback`` is True when French was shown instead."""

    value: str
    lang: str
    fallback: bool

    def __str__(self):
        return self.value


def pick(texts: dict | None, language: str | None = None) -> Text:
    texts = texts or {}
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
