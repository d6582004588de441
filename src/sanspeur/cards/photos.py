"""Photos from the camera or an upload: checked in memory, re-encoded without any metadata.

No pixel is decoded before the bytes, the format, the size and the pixel count are checked from
the header (``core.images``). A JPEG (what cameras give) is then decoded by libjpeg at the
smallest scale that still covers the kept size (1200 px), so a 40-megapixel photo never exists
at full size in memory; a PNG or WebP is decoded whole, so it is held to fewer pixels.
"""

from __future__ import annotations

import base64
import binascii
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from sanspeur.core import images

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a JPEG's header; it is decoded at a reduced scale
DECODE_MAX_PIXELS = 16_000_000  # what may be decoded at full size (PNG, WebP): 64 MB
MIN_SIDE = 120
OUTPUT_MAX_SIDE = 1200
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


def decode_data_url(text: str) -> bytes:
    """The camera's capture: ``data:image/jpeg;base64,...``."""
    header, _sep, payload = text.partition(",")
    if not header.startswith("data:image/") or ";base64" not in header:
        raise ValidationError(_("The camera photo could not be read. Please take it again."))
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError(_("The camera photo could not be read. Please take it again.")) from error


def _kept_size(width: int, height: int) -> tuple[int, int] | None:
    """The size the photo will be kept at, when smaller than its own."""
    side = max(width, height)
    if side <= OUTPUT_MAX_SIDE:
        return None
    return max(1, width * OUTPUT_MAX_SIDE // side), max(1, height * OUTPUT_MAX_SIDE // side)


def clean_photo(data: bytes) -> bytes:
    """JPEG bytes of the image's pixels only; raises ValidationError with a translated message."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The photo is too large: the limit is 8 MB."))
    try:
        with images.opened(data, formats=ACCEPTED_FORMATS) as image:
            width, height = image.size  # from the header: nothing decoded yet
            if width * height > (MAX_PIXELS if image.format == "JPEG" else DECODE_MAX_PIXELS):
                raise images.Refused("pixels")
            if min(width, height) < MIN_SIDE:
                raise ValidationError(_("The photo is too small: take it closer or at a higher resolution."))
            images.decode(image, max_pixels=DECODE_MAX_PIXELS, reducible_to=_kept_size(width, height))
            image.thumbnail((OUTPUT_MAX_SIDE, OUTPUT_MAX_SIDE), Image.Resampling.LANCZOS)  # in place
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except images.Refused as refused:
        if refused.reason == "pixels":
            raise ValidationError(_("This image has too many pixels to be a photo.")) from None
        raise ValidationError(_("This file is not a photo. Please use a JPEG, PNG or WebP image.")) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError(_("This file is not a photo. Please use a JPEG, PNG or WebP image.")) from error
    # A new image holds the pixels only: EXIF (location, device), ICC and text chunks stay behind.
    clean = Image.new("RGB", upright.size)
    clean.paste(upright)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=88)
    return out.getvalue()


def jpeg_data_url(data: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
