"""How text is set on the printed card: the fonts, Arabic shaping, and the fitting of names.

One module for the PDF (``pdf.py``) and for the enrollment form (``forms.py``): a name the form
accepts is a name the card prints whole and legibly, because both ask ``name_layout``.

- Fonts: DejaVu Sans (Bitstream Vera licence, ``data/fonts/LICENSE-DejaVu.txt``), shipped in the
  package and embedded (subset) in every PDF: full Latin including Vietnamese, Greek, Cyrillic,
  Arabic with its presentation forms. The PDF keeps a ToUnicode map, so the printed text can be
  extracted and compared with the signed name.
- Arabic script: PDF draws glyphs left to right, one after the other; ``arabic_reshaper`` picks
  each letter's joined form and ``python-bidi`` puts the runs in visual order (Unicode bidi
  algorithm, paragraph direction from the first strong letter).
- Long names: the size goes down by half-points to ``NAME_FLOOR``; then the name is wrapped on two
  lines (at a space or after a hyphen), again down to the floor. What does not fit then is refused
  at enrollment, never cut on the card.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import arabic_reshaper
from bidi import get_display
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "data" / "fonts"
REGULAR = "SansPeur"
BOLD = "SansPeur-Bold"
NAME_FONT = "SansPeur-Name"  # condensed bold: long names keep a larger size
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", NAME_FONT: "DejaVuSansCondensed-Bold.ttf"}

CARD_W = 85.6 * mm
CARD_H = 54 * mm
NAME_LEFT = 31 * mm
NAME_WIDTH = CARD_W - NAME_LEFT - 3 * mm
NAME_SIZE = 8.5
NAME_FLOOR = 5.0  # points; a capital letter of 5 pt condensed bold is 1.3 mm high
NAME_MAX_LINES = 2
LEADING = 1.15

_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_BREAK = re.compile(r"(?<=-)|(?<=\s)")


@cache
def fonts() -> None:
    """Registers the card's fonts with reportlab (once per process)."""
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))


def visual(text: str) -> str:
    """``text`` as glyphs to draw left to right: Arabic script shaped and reordered."""
    if not _ARABIC.search(text):
        return text
    return get_display(arabic_reshaper.reshape(text))


def missing_glyphs(text: str, font: str = NAME_FONT) -> list[str]:
    """Characters of ``text`` the font cannot draw (they would print as an empty box)."""
    fonts()
    cmap = pdfmetrics.getFont(font).face.charToGlyph
    shown = visual(text)
    return sorted({c for c in shown if ord(c) not in cmap and unicodedata.category(c)[0] not in "CZ"})


def width(text: str, font: str, size: float) -> float:
    fonts()
    return pdfmetrics.stringWidth(visual(text), font, size)


@dataclass(frozen=True)
class Layout:
    lines: tuple[str, ...]  # logical order; ``visual`` is applied when drawing
    size: float

    @property
    def height(self) -> float:
        return self.size * LEADING * len(self.lines)


def _two_lines(text: str, font: str, size: float, limit: float) -> tuple[str, str] | None:
    """The most balanced break of ``text`` into two lines that both fit, or None."""
    best = None
    for match in _BREAK.finditer(text):
        cut = match.start()
        if cut <= 0 or cut >= len(text):
            continue
        first, second = text[:cut].rstrip(), text[cut:].lstrip()
        if not first or not second:
            continue
        widths = (width(first, font, size), width(second, font, size))
        if max(widths) <= limit and (best is None or max(widths) < best[0]):
            best = (max(widths), first, second)
    return None if best is None else (best[1], best[2])


def name_layout(
    text: str, *, font: str = NAME_FONT, size: float = NAME_SIZE, limit: float = NAME_WIDTH
) -> Layout | None:
    """How ``text`` is printed in a width of ``limit`` points, or None if it cannot be, legibly."""
    if missing_glyphs(text, font):
        return None
    floor = min(NAME_FLOOR, size)
    steps = [size - 0.5 * i for i in range(int((size - floor) / 0.5) + 1)]
    for step in steps:
        if width(text, font, step) <= limit:
            return Layout((text,), step)
    if NAME_MAX_LINES >= 2:
        for step in steps:
            lines = _two_lines(text, font, step, limit)
            if lines:
                return Layout(lines, step)
    return None


def printed_family_names(family_names: str) -> str:
    """Family names as the card prints them (capitals, as on travel documents)."""
    return family_names.upper()


def name_layout_any(text: str, *, size: float = NAME_SIZE, limit: float = NAME_WIDTH) -> Layout:
    """``name_layout``, or for a record enrolled before the check: at the floor, as many lines as
    it takes (a word too long for a line shrinks further). Never cut at the card's edge."""
    layout = name_layout(text, size=size, limit=limit)
    if layout is not None:
        return layout
    floor = min(NAME_FLOOR, size)
    words = text.split()
    floor = min([floor, *(floor * limit / width(word, NAME_FONT, floor) for word in words if word)])
    lines: list[str] = []
    for word in words:
        if lines and width(f"{lines[-1]} {word}", NAME_FONT, floor) <= limit:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return Layout(tuple(lines) or ("",), floor)
