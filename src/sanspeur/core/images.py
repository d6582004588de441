"""Images from the public, opened without being decoded until their size is known to be safe.

Pillow's ``Image.open`` reads only the header: the format, the mode and the size are known before
a single pixel is decoded (``load``). A 500 kB PNG can declare 400 million pixels (1.6 GB once
decoded), so every caller checks the bytes, the format and the pixel count from the header
first, and only then decodes, at a reduced scale when the format allows it (JPEG).

Importing this module also lowers Pillow's own process-wide guard (``Image.MAX_IMAGE_PIXELS``,
89 million by default) to the largest header any public form accepts, and turns its
``DecompressionBombWarning`` into a refusal inside :func:`opened`.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, PngImagePlugin, UnidentifiedImageError

# The largest image header accepted anywhere (a 64-megapixel camera JPEG, decoded at half scale).
PILLOW_MAX_PIXELS = 64_000_000
Image.MAX_IMAGE_PIXELS = PILLOW_MAX_PIXELS
# Text chunks (tEXt, zTXt, iTXt) are dropped when we re-encode: never let them grow large first.
PngImagePlugin.MAX_TEXT_CHUNK = 256 * 1024
PngImagePlugin.MAX_TEXT_MEMORY = 1024 * 1024


class Refused(Exception):
    """``reason``: unreadable, format, pixels or small."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@contextmanager
def opened(data: bytes, *, formats: set[str]) -> Iterator[Image.Image]:
    """The image with only its header read; Refused when Pillow cannot read it or calls it a bomb."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise Refused("pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Refused("unreadable") from None
    with image:
        if image.format not in formats:
            raise Refused("format")
        yield image


def decode(image: Image.Image, *, max_pixels: int, reducible_to: tuple[int, int] | None = None) -> None:
    """Decode the pixels, never more than ``max_pixels`` of them.

    A JPEG over the limit is decoded at 1/2, 1/4 or 1/8 scale by libjpeg itself (``draft``): the
    full-size bitmap never exists. ``reducible_to`` asks for that reduction down to a size the
    caller will keep anyway (a card photo kept at 1200 px needs no 24 megapixels decoded).
    Anything still over the limit is refused before decoding.
    """
    width, height = image.size
    if image.format == "JPEG":
        target = reducible_to
        if target is None and width * height > max_pixels:
            scale = 2
            while scale < 8 and -(-width // scale) * -(-height // scale) > max_pixels:
                scale *= 2
            target = (-(-width // scale), -(-height // scale))
        if target:
            image.draft(image.mode, target)
    if image.size[0] * image.size[1] > max_pixels:
        raise Refused("pixels")
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Refused("unreadable") from None
