"""QR rendering (segno) and reading (zxing-cpp) for card codes.

Codes are rendered in QR alphanumeric mode at error-correction level L, raised to M, Q or H
when the same symbol version holds the code at that level anyway. L gives the smallest symbol,
hence the largest modules at the card's fixed printed size and the longest reading distance; the
signature already detects any change, so the error correction only buys damage tolerance
(measured in bench/capture_bench.py --damage; docs/decisions/0007-a-code-that-scans-at-arms-length.md).
Cards printed before that decision used Q (M when Q could not hold the code): ``LEGACY_LEVELS``.
Bitmaps are sized for a given print size and resolution: the card's 50 mm at 300 dpi is 591 pixels
square, quiet zone included.
"""

from __future__ import annotations

import io

import segno
import zxingcpp
from PIL import Image, ImageFilter

DEFAULT_SIZE_MM = 50.0  # the card's square, quiet zone included (cards/pdf.py QR_SIZE_MM)
DEFAULT_DPI = 300
DEFAULT_BORDER = 4  # quiet zone in modules, as ISO/IEC 18004 asks
_MM_PER_INCH = 25.4


class QRCodeError(ValueError):
    """The code does not fit in any QR symbol we are willing to print."""


# Error-correction levels tried in order; the first that holds the code in version 40 wins.
CARD_LEVELS = ("l",)
LEGACY_LEVELS = ("q", "m")  # cards printed before issue 23, and the committed test vectors


def make_qr(code: str, *, levels: tuple[str, ...] = CARD_LEVELS, boost_error: bool | None = None) -> segno.QRCode:
    """Symbol for ``code``: the first of ``levels`` that fits in version 40.

    With the card's levels the error correction is then raised as far as the same version allows
    (free damage tolerance); the legacy levels are exactly what old cards printed."""
    boost = levels == CARD_LEVELS if boost_error is None else boost_error
    for level in levels:
        try:
            return segno.make_qr(code, error=level, boost_error=boost)
        except segno.DataOverflowError:
            continue
    raise QRCodeError(f"code too long for a QR code at error level {levels[-1].upper()}")


def _pixels(size_mm: float, dpi: int) -> int:
    return round(size_mm / _MM_PER_INCH * dpi)


def render_image(
    code: str,
    *,
    size_mm: float = DEFAULT_SIZE_MM,
    dpi: int = DEFAULT_DPI,
    border: int = DEFAULT_BORDER,
    levels: tuple[str, ...] = CARD_LEVELS,
) -> Image.Image:
    """Grayscale image of exactly ``size_mm`` at ``dpi`` (591 x 591 px for 50 mm at 300 dpi).

    When a whole number of dots per module fills at least 90% of the target, modules are
    drawn that many dots wide and the rest is white margin (crisp, uniform modules read
    best). Otherwise modules are mapped with nearest-neighbour scaling (2 or 3 dots
    each), which scans better than shrinking the symbol to 2 dots per module.
    """
    qr = make_qr(code, levels=levels)
    rows = list(qr.matrix_iter(scale=1, border=border))
    width = len(rows[0])
    raw = bytes(0 if dark else 255 for row in rows for dark in row)
    matrix = Image.frombytes("L", (width, len(rows)), raw)
    target = _pixels(size_mm, dpi)
    dots_per_module = target // width
    if dots_per_module < 1:
        raise QRCodeError(f"{size_mm} mm at {dpi} dpi is less than one dot per module ({width} modules)")
    if dots_per_module * width >= 0.9 * target:
        symbol = matrix.resize((dots_per_module * width,) * 2, Image.Resampling.NEAREST)
        image = Image.new("L", (target, target), 255)
        offset = (target - symbol.width) // 2
        image.paste(symbol, (offset, offset))
    else:
        image = matrix.resize((target, target), Image.Resampling.NEAREST)
    image.info["dpi"] = (dpi, dpi)
    return image


def render_png(
    code: str,
    *,
    size_mm: float = DEFAULT_SIZE_MM,
    dpi: int = DEFAULT_DPI,
    border: int = DEFAULT_BORDER,
    levels: tuple[str, ...] = CARD_LEVELS,
) -> bytes:
    """PNG bytes with the physical resolution recorded, so it prints at ``size_mm``."""
    image = render_image(code, size_mm=size_mm, dpi=dpi, border=border, levels=levels).convert("1")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


def render_svg(
    code: str, *, size_mm: float = DEFAULT_SIZE_MM, border: int = DEFAULT_BORDER, levels: tuple[str, ...] = CARD_LEVELS
) -> str:
    """Vector SVG whose width and height are ``size_mm`` millimetres."""
    qr = make_qr(code, levels=levels)
    modules = qr.symbol_size(scale=1, border=border)[0]
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=size_mm / modules, unit="mm", border=border, xmldecl=False)
    return buffer.getvalue().decode("utf-8")


def qr_version(code: str) -> tuple[int, str]:
    """(version, error level) the code would be printed with; useful to track QR growth."""
    qr = make_qr(code)
    return int(qr.version), str(qr.error)


def read_qr(image: Image.Image) -> str | None:
    """Text of the first QR code zxing-cpp finds in ``image``, or None.

    zxing's default local-average binarizer occasionally loses a blurred, dense symbol
    that a global threshold reads fine (and vice versa), so on failure we retry with the
    global histogram binarizer and then on a median-filtered copy (which removes noise).
    """
    gray = image if image.mode == "L" else image.convert("L")

    def first_text(candidate: Image.Image, binarizer: zxingcpp.Binarizer) -> str | None:
        results = zxingcpp.read_barcodes(
            candidate, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=True, binarizer=binarizer
        )
        return next((result.text for result in results if result.valid and result.text), None)

    return (
        first_text(gray, zxingcpp.Binarizer.LocalAverage)
        or first_text(gray, zxingcpp.Binarizer.GlobalHistogram)
        or first_text(gray.filter(ImageFilter.MedianFilter(3)), zxingcpp.Binarizer.LocalAverage)
    )
