"""The printable card, made on the fly (never stored): CR-80 front and back, and an A4 sheet.

The back is mostly QR code (48 mm square): verifiers scan it offline. The card says nothing about
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

CARD_W = 85.6 * mm
CARD_H = 54 * mm
QR_MM = 48
BLUE = Color(0.0, 0.27, 0.55)


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    while size > 5 and canvas.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _front(canvas: Canvas, x: float, y: float, card: dict) -> None:
    canvas.saveState()
    canvas.translate(x, y)
    canvas.setFillColor(BLUE)
    canvas.rect(0, CARD_H - 11 * mm, CARD_W, 11 * mm, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(3 * mm, CARD_H - 5 * mm, card["city"])
    canvas.setFont("Helvetica", 5.6)
    canvas.drawString(3 * mm, CARD_H - 9 * mm, "Carte d'identité et de résidence / Identity and residence card")
    photo = Image.open(io.BytesIO(card["photo"])).convert("RGB")
    canvas.drawImage(ImageReader(photo), 3 * mm, 5 * mm, width=25 * mm, height=32 * mm, preserveAspectRatio=True)
    canvas.setFillColor(black)
    left, width = 31 * mm, CARD_W - 34 * mm
    lines = [
        ("Nom / Name", card["family_names"].upper(), 8.5),
        ("Prénoms / Given names", card["given_names"], 8.5),
        ("Date de naissance / Date of birth", card["date_of_birth"], 7.5),
        ("No de carte / Card number", card["number"], 7.5),
        ("Valide jusqu'au / Valid until", card["expires"], 7.5),
    ]
    if card.get("gender"):
        lines.append(("Genre / Gender", card["gender"], 7.5))
    top = CARD_H - 15 * mm
    step = 35 * mm / len(lines)
    for label, value, size in lines:
        canvas.setFont("Helvetica", 4.8)
        canvas.drawString(left, top, label)
        canvas.setFont("Helvetica-Bold", _fit(canvas, value, "Helvetica-Bold", size, width))
        canvas.drawString(left, top - 3.3 * mm, value)
        top -= step
    canvas.setFont("Helvetica", 4.5)
    canvas.drawString(3 * mm, 2 * mm, card["borough"])
    canvas.restoreState()


def _back(canvas: Canvas, x: float, y: float, card: dict) -> None:
    canvas.saveState()
    canvas.translate(x, y)
    _draw_qr(canvas, card["code"], 3 * mm, 3 * mm, QR_MM * mm)
    text_x = (QR_MM + 5) * mm
    text = [
        ("Helvetica-Bold", 6.5, card["city"]),
        ("Helvetica", 5, "Carte municipale"),
        ("Helvetica", 5, "Municipal card"),
        ("Helvetica", 4.6, ""),
        ("Helvetica", 4.6, "Vérifiez le code QR"),
        ("Helvetica", 4.6, "hors ligne avec l'appli"),
        ("Helvetica", 4.6, "de vérification de la Ville."),
        ("Helvetica", 4.6, ""),
        ("Helvetica", 4.6, "Scan the QR code offline"),
        ("Helvetica", 4.6, "with the City's verifier app."),
        ("Helvetica", 4.6, ""),
        ("Helvetica-Bold", 6, card["number"]),
        ("Helvetica", 4.6, "Si trouvée : tout bureau de"),
        ("Helvetica", 4.6, "la Ville / If found: any"),
        ("Helvetica", 4.6, "City office."),
    ]
    top = CARD_H - 6 * mm
    for font, size, line in text:
        canvas.setFont(font, size)
        canvas.drawString(text_x, top, line)
        top -= 2.9 * mm
    canvas.restoreState()


def _draw_qr(canvas: Canvas, code: str, x: float, y: float, size: float) -> None:
    """Vector modules: crisp at any printer or scanner resolution."""
    rows = list(qr.make_qr(code).matrix_iter(scale=1, border=2))
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
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(CARD_W, CARD_H), pageCompression=1)
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
    canvas.setFont("Helvetica", 9)
    canvas.drawCentredString(page_w / 2, page_h - 20 * mm, "Découpez le long des repères / Cut along the marks")
    for y, draw in ((page_h - 40 * mm - CARD_H, _front), (page_h - 60 * mm - 2 * CARD_H, _back)):
        _outline(canvas, x, y)
        draw(canvas, x, y, card)
        _cut_marks(canvas, x, y)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
