"""A test sheet a city prints to check, in a few seconds, that a phone model reads its cards from far
enough (issue 23, decision 0007): ``sanspeur cards_test_sheet test-sheet.pdf``.

Its code is as long as the longest card the issuer makes (a 100-character name, the longest
borough, a photo that fills its byte budget), laid out by the card's own back-page code, so a phone
that reads the sheet at a distance reads every card at that distance. It is signed by a key made
for the sheet and thrown away, which no trust list holds: the verifier answers "NOT VALID — key not
trusted" ("This card was not issued by a key that this verifier trusts"), which proves it read
the code, and can never show the sheet as a valid card.
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime

from django.conf import settings
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from sanspeur.credential import CardClaims, LocalSigner, issue, make_photo, new_card_number

from . import keys
from .pdf import QR_SIZE_MM, _back, _cut_marks, _outline
from .printing import BOLD, CARD_H, CARD_W, REGULAR, fonts

# The longest name the enrollment form lets through in practice: 100 characters with accents,
# one of them three bytes long in UTF-8.
LONGEST_GIVEN_NAMES = "Marie-Éloïse Anne-Sophie Évangéline Zoë"
LONGEST_FAMILY_NAMES = "Tremblay-Nguyễn de la Fontaine Villanueva-Santamaría Ó Briain"
LONGEST_BOROUGH = "Villeray–Saint-Michel–Parc-Extension"


def grainy_photo(seed: int = 23) -> bytes:
    """A photo that uses the whole byte budget: blurred random grain, the hardest input for WebP."""
    rng = random.Random(seed)  # noqa: S311 - a fixed picture, not a secret
    grain = Image.frombytes("L", (300, 375), rng.randbytes(300 * 375)).filter(ImageFilter.GaussianBlur(1.0))
    return make_photo(grain)


def longest_claims(*, photo: bytes, issuer: str, status_list_uri: str, card_number: str | None = None) -> CardClaims:
    """The claims of the longest card the issuer makes (what ``services._signed_code`` signs)."""
    return CardClaims(
        issuer=issuer,
        card_number=card_number or new_card_number(),
        given_names=LONGEST_GIVEN_NAMES,
        family_names=LONGEST_FAMILY_NAMES,
        date_of_birth="1988-11-23",
        city="Montréal",
        borough=LONGEST_BOROUGH,
        photo=photo,
        status_list_uri=status_list_uri,
        status_index=131_071,
        issued_at=datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
        expires_at=datetime(2031, 12, 7, 9, 0, tzinfo=UTC),
    )


def sheet_code() -> str:
    claims = longest_claims(photo=grainy_photo(), issuer=keys.issuer(), status_list_uri=keys.status_list_uri("12"))
    return issue(claims, LocalSigner.generate())  # a throw-away key: no verifier trusts it


INSTRUCTIONS = [
    (BOLD, 13, "Feuille d'essai du vérificateur / Verifier test sheet"),
    (REGULAR, 9, ""),
    (BOLD, 9, "Français"),
    (REGULAR, 9, f"1. Imprimez à 100 % (jamais « ajuster à la page ») : le carré du code mesure {QR_SIZE_MM:g} mm."),
    (REGULAR, 9, "    Vérifiez-le avec une règle. Ou imprimez la page 2 sur l'imprimante à cartes."),
    (REGULAR, 9, "2. Sur le téléphone, ouvrez le vérificateur et touchez « Lire avec la caméra »."),
    (REGULAR, 9, "3. Tenez le téléphone à 25 cm au-dessus du code, puis à 10 cm : chaque fois, la réponse"),
    (REGULAR, 9, "    doit s'afficher en moins de 5 secondes."),
    (REGULAR, 9, "4. La réponse attendue est « NON VALIDE » : « Cette carte n'a pas été émise avec une clé"),
    (REGULAR, 9, "    reconnue par ce vérificateur. » Le code d'essai n'est signé par aucune clé de la Ville :"),
    (REGULAR, 9, "    cette réponse prouve que le code a été lu. Si rien ne s'affiche à 25 cm, ce modèle lit"),
    (REGULAR, 9, "    les cartes de moins loin."),
    (REGULAR, 9, ""),
    (BOLD, 9, "English"),
    (REGULAR, 9, f'1. Print at 100 % (never "fit to page"): the code\'s square measures {QR_SIZE_MM:g} mm.'),
    (REGULAR, 9, "    Check it with a ruler. Or print page 2 on the card printer."),
    (REGULAR, 9, '2. On the phone, open the verifier and tap "Scan with the camera".'),
    (REGULAR, 9, "3. Hold the phone 25 cm above the code, then 10 cm: each time the answer must appear"),
    (REGULAR, 9, "    within 5 seconds."),
    (REGULAR, 9, '4. The expected answer is "NOT VALID": "This card was not issued by a key that this verifier'),
    (REGULAR, 9, '    trusts." The test code is signed by no City key: that answer proves the code was read.'),
    (REGULAR, 9, "    If nothing appears at 25 cm, this phone model reads cards from less far."),
]


def sheet_pdf(code: str | None = None) -> bytes:
    """Page 1: A4 with the instructions and the test card's back; page 2: the back alone, CR-80."""
    code = code or sheet_code()
    card = {"city": settings.SANSPEUR_CITY_NAME, "code": code, "number": "TEST0-00000"}
    fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=REGULAR)
    canvas.setTitle("Feuille d'essai du vérificateur / Verifier test sheet")
    canvas.setCreator("Sans peur")
    page_w, page_h = A4
    top = page_h - 25 * mm
    for font, size, line in INSTRUCTIONS:
        canvas.setFont(font, size)
        canvas.drawString(20 * mm, top, line)
        top -= size * 1.45
    x, y = (page_w - CARD_W) / 2, top - 20 * mm - CARD_H
    _outline(canvas, x, y)
    _back(canvas, x, y, card)
    _cut_marks(canvas, x, y)
    canvas.showPage()
    canvas.setPageSize((CARD_W, CARD_H))
    _back(canvas, 0, 0, card)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
