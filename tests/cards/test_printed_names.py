"""The printed card shows the signed name whole, in every script (issue 16, item 5).

Each card is rendered to PDF, its text extracted with poppler's ``pdftotext`` and compared with the
name that is signed in the QR code; the word boxes must lie on the card. The enrollment form asks
the same layout code, so what it accepts prints.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
from datetime import date

import pytest

from sanspeur.cards import printing
from sanspeur.cards.faces import face_jpeg
from sanspeur.cards.forms import _printable
from sanspeur.cards.pdf import card_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

LONG_GIVEN = "Maria de los Angeles Guadalupe Esperanza Concepcion del Carmen Inmaculada Rosario Fernandez"
NAMES = [
    ("Nguyễn Thị Minh Khai", "Nguyễn"),
    ("Łucja Şükran", "Öztürk-Wiśniewska"),
    ("Анна Сергеевна", "Дьяченко-Жуковская"),
    ("محمد عبد الرحمن", "الهاشمي"),
    ("Ἀλέξανδρος", "Παπαδόπουλος"),
    (LONG_GIVEN, "Quasimodo-Lavoie"),  # 90 characters
    ("Jean-Baptiste Marie Ange", "Quasimodo-Lavoie de la Fontaine-Saint-Exupéry Montmorency du Plessis"),  # 100 in all
]


def _pdf(given: str, family: str) -> bytes:
    profile = {
        "given_names": given,
        "family_names": family,
        "date_of_birth": "1987-03-14",
        "borough": "Verdun",
        "gender_marker": "X",
        "print_gender": True,
    }
    return card_pdf(
        code="HC1:TEST", profile=profile, photo_jpeg=face_jpeg(1), number="1234 5678", expires_at=date(2031, 1, 1)
    )


def _letters(text: str) -> str:
    """Letters and digits only, compatibility-normalised (Arabic presentation forms → letters) and
    case-folded: the extraction's line breaks, dropped end-of-line hyphens and bidi marks do not count."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def _pdftotext(pdf: bytes, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode(
        "utf-8"
    )


@pytest.mark.parametrize(("given", "family"), NAMES)
def test_extracted_text_is_the_signed_name(given, family):
    assert printing.name_layout(given) is not None
    assert printing.name_layout(printing.printed_family_names(family)) is not None
    front = _pdftotext(_pdf(given, family), "-f", "1", "-l", "1")
    assert "\N{BLACK SQUARE}" not in front and "\ufffd" not in front
    assert _letters(given) in _letters(front)
    assert _letters(family) in _letters(front)


PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
WORD = re.compile(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)</word>')


@pytest.mark.parametrize(("given", "family"), NAMES)
def test_nothing_is_drawn_outside_the_card(given, family):
    pages = PAGE.findall(_pdftotext(_pdf(given, family), "-bbox", "-f", "1", "-l", "2"))
    assert len(pages) == 2  # front and back, each the size of the card
    for width, height, body in pages:
        words = WORD.findall(body)
        assert words
        for x_min, y_min, x_max, y_max, text in words:
            assert float(x_min) >= 0 and float(y_min) >= 0, text
            assert float(x_max) <= float(width) + 0.5 and float(y_max) <= float(height) + 0.5, text
    names = set(html.unescape(given + " " + printing.printed_family_names(family)).split())
    for _x_min, _y_min, x_max, _y_max, text in WORD.findall(pages[0][2]):
        if html.unescape(text) in names:
            assert float(x_max) <= printing.NAME_LEFT + printing.NAME_WIDTH + 0.5, text


def test_fonts_are_embedded_and_cover_every_glyph():
    pdf = _pdf("Nguyễn Thị Minh Khai", "محمد")
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Helvetica" not in fonts  # not embedded: a printer would substitute it
    assert fonts.count("DejaVu") >= 2
    for given, family in NAMES:
        assert printing.missing_glyphs(given) == []
        assert printing.missing_glyphs(printing.printed_family_names(family)) == []


def test_long_names_shrink_then_wrap_down_to_the_floor():
    short = printing.name_layout("Ana")
    assert short.lines == ("Ana",) and short.size == printing.NAME_SIZE
    long = printing.name_layout(LONG_GIVEN)
    assert len(long.lines) == 2 and long.size >= printing.NAME_FLOOR
    assert " ".join(long.lines) == LONG_GIVEN
    for line in long.lines:
        assert printing.width(line, printing.NAME_FONT, long.size) <= printing.NAME_WIDTH


def test_arabic_is_shaped_and_in_visual_order():
    shown = printing.visual("محمد")
    assert all("\ufe70" <= c <= "\ufeff" for c in shown)  # joined forms, not isolated letters
    assert unicodedata.normalize("NFKC", shown)[::-1] == "محمد"


def test_the_form_refuses_only_what_cannot_print():
    from django.core.exceptions import ValidationError

    assert _printable(LONG_GIVEN) == LONG_GIVEN
    assert _printable("Nguyễn Thị Minh Khai")
    with pytest.raises(ValidationError) as too_long:
        _printable("W" * 100)
    assert too_long.value.code == "too_long_to_print"
    with pytest.raises(ValidationError) as unprintable:
        _printable("\N{EGYPTIAN HIEROGLYPH A001}")
    assert unprintable.value.code == "unprintable"


def test_holder_form_refuses_a_family_name_too_long_in_capitals():
    from sanspeur.cards.forms import HolderFieldsForm

    data = {"given_names": LONG_GIVEN, "family_names": "W" * 100, "date_of_birth": "1987-03-14"}
    form = HolderFieldsForm(data=data)
    assert not form.is_valid()
    assert "given_names" not in form.errors
    assert form.errors.as_data()["family_names"][0].code == "too_long_to_print"
