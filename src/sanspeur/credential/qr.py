"""QR rendering (segno) and reading (zxing-cpp) for card codes.

Codes are rendered in QR alphanumeric mode at error-correction level Q (25% of the
symbol can be damaged), falling back to M when the data does not fit Q. Bitmaps are
sized for a given print size and resolution: 40 mm at 300 dpi is 472 pixels square.
"""

from __future__ import annotations

import io

import segno
import zxingcpp
from PIL import Image

DEFAULT_SIZE_MM = 40.0
DEFAULT_DPI = 300
DEFAULT_BORDER = 4  # quiet zone in modules, as ISO/IEC 18004 asks
_MM_PER_INCH = 25.4


class QRCodeError(ValueError):
    """The code does not fit in any QR symbol we are willing to print."""


def make_qr(code: str) -> segno.QRCode:
    """Best symbol for ``code``: level Q when it fits in version 40, else M."""
    for level in ("q", "m"):
        try:
            return segno.make_qr(code, error=level, boost_error=False)
        except segno.DataOverflowError:
            continue
    raise QRCodeError("code too long for a QR code at error level M")


def _pixels(size_mm: float, dpi: int) -> int:
    return round(size_mm / _MM_PER_INCH * dpi)


def render_image(
    code: str, *, size_mm: float = DEFAULT_SIZE_MM, dpi: int = DEFAULT_DPI, border: int = DEFAULT_BORDER
) -> Image.Image:
    """1-bit-looking grayscale image exactly ``size_mm`` wide at ``dpi``.

    Modules are mapped to pixels with nearest-neighbour scaling, so at 300 dpi each module
    is 2 or 3 printer dots wide; a printer reproduces that without resampling.
    """
    qr = make_qr(code)
    rows = list(qr.matrix_iter(scale=1, border=border))
    width = len(rows[0])
    raw = bytes(0 if dark else 255 for row in rows for dark in row)
    matrix = Image.frombytes("L", (width, len(rows)), raw)
    target = _pixels(size_mm, dpi)
    if target < width:
        raise QRCodeError(f"{size_mm} mm at {dpi} dpi is less than one dot per module ({width} modules)")
    image = matrix.resize((target, target), Image.Resampling.NEAREST)
    image.info["dpi"] = (dpi, dpi)
    return image


def render_png(
    code: str, *, size_mm: float = DEFAULT_SIZE_MM, dpi: int = DEFAULT_DPI, border: int = DEFAULT_BORDER
) -> bytes:
    """PNG bytes with the physical resolution recorded, so it prints at ``size_mm``."""
    image = render_image(code, size_mm=size_mm, dpi=dpi, border=border).convert("1")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


def render_svg(code: str, *, size_mm: float = DEFAULT_SIZE_MM, border: int = DEFAULT_BORDER) -> str:
    """Vector SVG whose width and height are ``size_mm`` millimetres."""
    qr = make_qr(code)
    modules = qr.symbol_size(scale=1, border=border)[0]
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=size_mm / modules, unit="mm", border=border, xmldecl=False)
    return buffer.getvalue().decode("utf-8")


def qr_version(code: str) -> tuple[int, str]:
    """(version, error level) the code would be printed with; useful to track QR growth."""
    qr = make_qr(code)
    return int(qr.version), str(qr.error)


def read_qr(image: Image.Image) -> str | None:
    """Text of the first QR code zxing-cpp finds in ``image``, or None."""
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=True)
    for result in results:
        if result.valid and result.text:
            return result.text
    return None
