"""Photos from the camera or an upload: checked in memory, re-encoded without any metadata."""

from __future__ import annotations

import base64
import binascii
import io
import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # checked from the header, before any pixel is decoded
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


def clean_photo(data: bytes) -> bytes:
    """JPEG bytes of the image's pixels only; raises ValidationError with a translated message."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The photo is too large: the limit is 8 MB."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise ValidationError(_("This file is not a photo. Please use a JPEG, PNG or WebP image."))
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ValidationError(_("This image has too many pixels to be a photo."))
                if min(width, height) < MIN_SIDE:
                    raise ValidationError(_("The photo is too small: take it closer or at a higher resolution."))
                image.load()
                upright = ImageOps.exif_transpose(image).convert("RGB")
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        raise ValidationError(_("This image has too many pixels to be a photo.")) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(_("This file is not a photo. Please use a JPEG, PNG or WebP image.")) from error
    upright.thumbnail((OUTPUT_MAX_SIDE, OUTPUT_MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image holds the pixels only: EXIF (location, device), ICC and text chunks stay behind.
    clean = Image.new("RGB", upright.size)
    clean.paste(upright)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=88)
    return out.getvalue()


def jpeg_data_url(data: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
