"""The QR code as the card PDF prints it: its size and quiet zone, measured in the PDF's own drawing
operators, are the ones docs/credential-format.md states (issue 23: they had drifted apart)."""

from __future__ import annotations

import base64
import json
import re
import zlib
from datetime import date
from pathlib import Path

import pytest

from sanspeur.cards import pdf as card_pdf_module
from sanspeur.cards.faces import face_jpeg
from sanspeur.credential import qr

ROOT = Path(__file__).resolve().parents[2]
FORMAT_DOC = ROOT / "docs" / "credential-format.md"
VECTORS = ROOT / "tests" / "credential" / "vectors" / "vectors.json"
MM_PER_POINT = 25.4 / 72
PROFILE = {"given_names": "Amina Sofía", "family_names": "Haddad Pérez", "date_of_birth": "1988-11-23"}


def _content_streams(document: bytes) -> list[bytes]:
    streams = []
    for match in re.finditer(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", document, re.S):
        head, data = match.group(1), match.group(2).strip()
        if b"/Subtype" in head or b"/Length1" in head:  # images and embedded fonts
            continue
        if b"ASCII85Decode" in head:
            data = base64.a85decode(data.removesuffix(b"~>"))
        if b"FlateDecode" in head:
            data = zlib.decompress(data)
        streams.append(data)
    return streams


def printed_qr(document: bytes) -> dict:
    """The back page's code: the white square (quiet zone included) and the dark modules in it."""
    back = next(s for s in _content_streams(document) if b"1 1 1 rg\nn " in s and b"MediaBox" not in s)
    white = re.search(rb"1 1 1 rg\nn ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re f", back)
    assert white, "no white square under the code"
    x, y, side = float(white.group(1)), float(white.group(2)), float(white.group(3))
    dark_block = back[white.end() :].split(b"0 0 0 rg\nn ", 1)[1].split(b" f", 1)[0]
    rects = [tuple(map(float, m)) for m in re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re", dark_block)]
    module = min(h for _x, _y, _w, h in rects)
    left = min(rx for rx, _y, _w, _h in rects)
    right = max(rx + w for rx, _y, w, _h in rects)
    bottom = min(ry for _x, ry, _w, _h in rects)
    top = max(ry + h for _x, ry, _w, h in rects)
    return {
        "x_mm": x * MM_PER_POINT,
        "y_mm": y * MM_PER_POINT,
        "side_mm": side * MM_PER_POINT,
        "module_mm": module * MM_PER_POINT,
        "symbol_modules": (top - bottom) / module,
        "quiet_left": (left - x) / module,
        "quiet_right": (x + side - right) / module,
        "quiet_bottom": (bottom - y) / module,
        "quiet_top": (y + side - top) / module,
    }


def documented() -> dict:
    """The sentence of the format document that states the printed size (section 14)."""
    text = FORMAT_DOC.read_text()
    match = re.search(r"printed as a \*\*([\d.]+) mm square\*\*, its \*\*(\d+)-module quiet zone\*\* included", text)
    assert match, "docs/credential-format.md no longer states the printed size in the expected sentence"
    return {"side_mm": float(match.group(1)), "quiet": int(match.group(2))}


@pytest.fixture
def vector_code() -> str:
    cases = json.loads(VECTORS.read_text())["cases"]
    return next(case["code"] for case in cases if case["name"] == "valid")


def _pdf(code: str) -> bytes:
    return card_pdf_module.card_pdf(
        code=code, profile=PROFILE, photo_jpeg=face_jpeg(2), number="0NX2A-KS4J3", expires_at=date(2031, 12, 7)
    )


def test_printed_code_matches_the_format_document(vector_code: str) -> None:
    measured = printed_qr(_pdf(vector_code))
    stated = documented()
    assert measured["side_mm"] == pytest.approx(stated["side_mm"], abs=0.01)
    assert measured["side_mm"] == pytest.approx(card_pdf_module.QR_SIZE_MM, abs=0.01)
    for side in ("quiet_left", "quiet_right", "quiet_bottom", "quiet_top"):
        assert measured[side] == pytest.approx(stated["quiet"], abs=0.01), side
    # Inside the card, with the printer's margin, and the module size that follows from the symbol.
    assert measured["x_mm"] == pytest.approx(card_pdf_module.QR_MARGIN_MM, abs=0.01)
    assert measured["y_mm"] + measured["side_mm"] <= 54 - card_pdf_module.QR_MARGIN_MM + 0.01
    symbol = qr.make_qr(vector_code)
    assert measured["symbol_modules"] == pytest.approx(17 + 4 * symbol.version, abs=0.01)
    assert measured["module_mm"] == pytest.approx(stated["side_mm"] / (17 + 4 * symbol.version + 2 * stated["quiet"]))


def test_documented_level_is_the_printed_level(vector_code: str) -> None:
    text = FORMAT_DOC.read_text()
    match = re.search(r"error correction level \*\*([LMQH])\*\*", text)
    assert match, "docs/credential-format.md no longer states the error-correction level"
    assert qr.make_qr(vector_code, boost_error=False).error == match.group(1)
    assert qr.CARD_LEVELS[0] == match.group(1).lower()


def test_the_measure_sees_a_change_of_size(vector_code: str, monkeypatch) -> None:
    """The measure is not vacuous: a card printed at 48 mm is caught."""
    monkeypatch.setattr(card_pdf_module, "QR_SIZE_MM", 48.0)
    measured = printed_qr(_pdf(vector_code))
    assert measured["side_mm"] == pytest.approx(48.0, abs=0.01)
    assert measured["side_mm"] != pytest.approx(documented()["side_mm"], abs=0.01)


def test_longest_card_the_issuer_makes_fits_version_19() -> None:
    """The decision's figure (docs/decisions/0007): a 100-character name, the longest borough and a
    photo that fills its byte budget still print as version 19-L, 0.495 mm modules at 50 mm."""
    import random
    from datetime import UTC, datetime

    from PIL import Image, ImageFilter

    from sanspeur.cards import keys
    from sanspeur.credential import CardClaims, LocalSigner, issue, make_photo, new_card_number

    rng = random.Random(23)
    grain = Image.frombytes("L", (300, 375), rng.randbytes(300 * 375)).filter(ImageFilter.GaussianBlur(1.0))
    photo = make_photo(grain)
    assert len(photo) > 330  # the budget is used up: the worst case
    given = "Marie-Éloïse Anne-Sophie Évangéline Zoë"
    family = "Tremblay-Nguyễn de la Fontaine Villanueva-Santamaría Ó Briain"
    assert len(given) + len(family) == 100
    claims = CardClaims(
        issuer=keys.issuer(),
        card_number=new_card_number(),
        given_names=given,
        family_names=family,
        date_of_birth="1988-11-23",
        city="Montréal",
        borough="Villeray–Saint-Michel–Parc-Extension",
        photo=photo,
        status_list_uri=keys.status_list_uri("12"),
        status_index=131_071,
        issued_at=datetime(2026, 12, 7, tzinfo=UTC),
        expires_at=datetime(2031, 12, 7, tzinfo=UTC),
    )
    symbol = qr.make_qr(issue(claims, LocalSigner.generate()))
    assert symbol.version <= 19
    assert card_pdf_module.QR_SIZE_MM / (17 + 4 * 19 + 2 * card_pdf_module.QR_BORDER) >= 0.49
