"""The printable card, made on the fly (never stored): CR-80 front and back, and an A4 sheet.

The back is mostly QR code (a 50 mm square, its 4-module quiet zone included): verifiers scan it
offline, and its size is what sets how far from the card a phone reads it (bench/capture_bench.py,
docs/decisions/0007-a-code-that-scans-at-arms-length.md). The card says nothing about
immigration status: it is an ordinary municipal identity and residence card.
"""

from __future__ import annotations

import io
from datetime import date

from django.conf import settings
from PIL import Image
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from sanspeur.credential import qr

from .printing import (
    BOLD,
    CARD_H,
    CARD_W,
    LEADING,
    NAME_FONT,
    NAME_LEFT,
    NAME_SIZE,
    NAME_WIDTH,
    REGULAR,
    fonts,
    name_layout_any,
    printed_family_names,
    visual,
)

# The code's square on the back, quiet zone included: as large as the 54 mm card height allows with
# 2 mm left at the edges for the card printer's registration. ISO/IEC 18004 asks a 4-module quiet
# zone; the card's white is not enough on its own, since a clerk may hold it against a dark desk.
QR_SIZE_MM = 50.0
QR_MARGIN_MM = 2.0
QR_BORDER = 4
BLUE = Color(0.0, 0.27, 0.55)


def _front(canvas: Canvas, x: float, y: float, card: dict) -> None:
    canvas.saveState()
    canvas.translate(x, y)
    canvas.setFillColor(BLUE)
    canvas.rect(0, CARD_H - 11 * mm, CARD_W, 11 * mm, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(BOLD, 9)
    canvas.drawString(3 * mm, CARD_H - 5 * mm, visual(card["city"]))
    canvas.setFont(REGULAR, 5.2)
    canvas.drawString(3 * mm, CARD_H - 9 * mm, "Carte d'identité et de résidence / Identity and residence card")
    photo = Image.open(io.BytesIO(card["photo"])).convert("RGB")
    canvas.drawImage(ImageReader(photo), 3 * mm, 5 * mm, width=25 * mm, height=32 * mm, preserveAspectRatio=True)
    canvas.setFillColor(black)
    fields = [
        ("Nom / Name", printed_family_names(card["family_names"]), NAME_SIZE),
        ("Prénoms / Given names", card["given_names"], NAME_SIZE),
        ("Date de naissance / Date of birth", card["date_of_birth"], 7.5),
        ("No de carte / Card number", card["number"], 7.5),
        ("Valide jusqu'au / Valid until", card["expires"], 7.5),
    ]
    if card.get("gender"):
        fields.append(("Genre / Gender", card["gender"], 7.5))
    blocks = [(label, name_layout_any(value, size=size)) for label, value, size in fields]
    # From the first label's baseline (under the blue band) to the last value's baseline (3 mm
    # above the edge), what the blocks leave is shared out between them, at most 3.4 mm each.
    # Names get room above for stacked accents (Vietnamese capitals: Ễ) and Arabic letters.
    top = CARD_H - 13.8 * mm
    drop = [1 * mm + (1.0 if index < 2 else 0.8) * layout.size for index, (_label, layout) in enumerate(blocks)]
    extra = [(len(layout.lines) - 1) * layout.size * LEADING for _label, layout in blocks]
    used = sum(drop) + sum(extra)
    gap = min(3.4 * mm, (top - 3 * mm - used) / (len(blocks) - 1))
    for (label, layout), d in zip(blocks, drop, strict=True):
        canvas.setFont(REGULAR, 4.6)
        canvas.drawString(NAME_LEFT, top, label)
        top -= d
        canvas.setFont(NAME_FONT, layout.size)
        for line in layout.lines:
            shown = visual(line)
            if shown != line:  # right-to-left script: aligned on the right of the column
                canvas.drawRightString(NAME_LEFT + NAME_WIDTH, top, shown)
            else:
                canvas.drawString(NAME_LEFT, top, line)
            top -= layout.size * LEADING
        top += layout.size * LEADING - gap
    canvas.setFont(REGULAR, 4.5)
    canvas.drawString(3 * mm, 2 * mm, visual(card["borough"]))
    canvas.restoreState()


def _back(canvas: Canvas, x: float, y: float, card: dict) -> None:
    canvas.saveState()
    canvas.translate(x, y)
    _draw_qr(canvas, card["code"], QR_MARGIN_MM * mm, QR_MARGIN_MM * mm, QR_SIZE_MM * mm)
    text_x = (QR_MARGIN_MM + QR_SIZE_MM + 1.5) * mm
    text = [
        (BOLD, 6.5, visual(card["city"])),
        (REGULAR, 5, "Carte municipale"),
        (REGULAR, 5, "Municipal card"),
        (REGULAR, 4.6, ""),
        (REGULAR, 4.6, "Vérifiez le code QR"),
        (REGULAR, 4.6, "hors ligne avec l'appli"),
        (REGULAR, 4.6, "de vérification de la Ville."),
        (REGULAR, 4.6, ""),
        (REGULAR, 4.6, "Scan the QR code offline"),
        (REGULAR, 4.6, "with the City's verifier app."),
        (REGULAR, 4.6, ""),
        (BOLD, 6, card["number"]),
        (REGULAR, 4.6, "Si trouvée : tout bureau de"),
        (REGULAR, 4.6, "la Ville / If found: any"),
        (REGULAR, 4.6, "City office."),
    ]
    top = CARD_H - 6 * mm
    for font, size, line in text:
        canvas.setFont(font, size)
        canvas.drawString(text_x, top, line)
        top -= 2.9 * mm
    canvas.restoreState()


def qr_modules(code: str, *, border: int = QR_BORDER, levels: tuple[str, ...] = qr.CARD_LEVELS) -> list[list[bool]]:
    """The card's code as printed, quiet zone included: True for a dark module.

    The capture benchmark renders its frames from this, so it measures the card as printed."""
    return [[bool(dark) for dark in row] for row in qr.make_qr(code, levels=levels).matrix_iter(scale=1, border=border)]


def _draw_qr(canvas: Canvas, code: str, x: float, y: float, size: float) -> None:
    """Vector modules: crisp at any printer or scanner resolution."""
    rows = qr_modules(code)
    module = size / len(rows)
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(black)
    path = canvas.beginPath()
    for row_number, row in enumerate(rows):
        top = y + size - (row_number + 1) * module
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                path.rect(x + start * module, top, (column - start) * module, module)
            else:
                column += 1
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _outline(canvas: Canvas, x: float, y: float) -> None:
    canvas.saveState()
    canvas.setStrokeColor(Color(0.75, 0.75, 0.75))
    canvas.setLineWidth(0.3)
    canvas.roundRect(x, y, CARD_W, CARD_H, 3 * mm, stroke=1, fill=0)
    canvas.restoreState()


def _cut_marks(canvas: Canvas, x: float, y: float) -> None:
    canvas.saveState()
    canvas.setLineWidth(0.25)
    length, gap = 5 * mm, 2 * mm
    for cx in (x, x + CARD_W):
        for cy in (y, y + CARD_H):
            dx = -1 if cx == x else 1
            dy = -1 if cy == y else 1
            canvas.line(cx + dx * gap, cy, cx + dx * (gap + length), cy)
            canvas.line(cx, cy + dy * gap, cx, cy + dy * (gap + length))
    canvas.restoreState()


def card_pdf(*, code: str, profile: dict, photo_jpeg: bytes, number: str, expires_at) -> bytes:
    expiry = expires_at.date() if hasattr(expires_at, "date") else expires_at
    card = {
        "city": settings.SANSPEUR_CITY_NAME,
        "code": code,
        "photo": photo_jpeg,
        "given_names": profile["given_names"],
        "family_names": profile["family_names"],
        "date_of_birth": date.fromisoformat(profile["date_of_birth"]).isoformat(),
        "number": number,
        "expires": expiry.isoformat(),
        "borough": profile.get("borough") or "",
        "gender": profile.get("gender_marker") if profile.get("print_gender") else "",
    }
    fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(CARD_W, CARD_H), pageCompression=1, initialFontName=REGULAR)
    canvas.setTitle(f"Carte {number}")
    canvas.setAuthor(card["city"])
    canvas.setCreator("Sans peur")
    _front(canvas, 0, 0, card)
    canvas.showPage()
    _back(canvas, 0, 0, card)
    canvas.showPage()
    # A4 sheet: front and back one above the other, with cut marks, for an ordinary printer.
    canvas.setPageSize(A4)
    page_w, page_h = A4
    x = (page_w - CARD_W) / 2
    canvas.setFont(REGULAR, 9)
    canvas.drawCentredString(page_w / 2, page_h - 20 * mm, "Découpez le long des repères / Cut along the marks")
    for y, draw in ((page_h - 40 * mm - CARD_H, _front), (page_h - 60 * mm - 2 * CARD_H, _back)):
        _outline(canvas, x, y)
        draw(canvas, x, y, card)
        _cut_marks(canvas, x, y)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
