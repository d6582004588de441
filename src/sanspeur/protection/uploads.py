"""Attachments from the public: checked in memory, images re-encoded without metadata.

Nothing is decoded before it is known to be safe to decode: first the size in bytes (before the
file is read), then the magic bytes, then the format and the pixel count from the image header
(``core.images``). Only then are the pixels decoded — a JPEG over the limit at half, quarter or
eighth scale by libjpeg, a PNG over it never — and copied into a new image, which leaves EXIF
(location, device), ICC profiles and text chunks behind.

Memory: one image is handled at a time; its decoded pixels (4 bytes each) and their copy are the
peak, about 8 × ``SANSPEUR_PROTECTION_IMAGE_MAX_PIXELS`` bytes (128 MB at 16 million pixels);
bench/upload_memory_bench.py measures it (docs/benchmarks.md).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

from sanspeur.core import images

MAX_FILES = 3
FORMATS = {"JPEG", "PNG"}


def max_bytes() -> int:
    return settings.SANSPEUR_PROTECTION_ATTACHMENT_MAX_BYTES


def max_pixels() -> int:
    return settings.SANSPEUR_PROTECTION_IMAGE_MAX_PIXELS


def _too_large() -> ValidationError:
    return ValidationError(
        _("The file is too large: the limit is %(mb)s MB per file.") % {"mb": max_bytes() // (1024 * 1024)}
    )


def _refusal(reason: str) -> ValidationError:
    if reason == "pixels":
        return ValidationError(_("This image has too many pixels. Please send a smaller photo or a screenshot."))
    if reason == "format":
        return ValidationError(_("Only JPEG or PNG photos and PDF documents are accepted."))
    return ValidationError(_("This image could not be read. Please send a JPEG, PNG or PDF file."))


def clean_attachment(upload) -> tuple[str, bytes]:
    """(kind, bytes) ready to encrypt; raises ValidationError with a translated message."""
    if upload.size > max_bytes():
        raise _too_large()
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise _too_large()
    if data.startswith(b"%PDF-"):
        return "pdf", data
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        raise _refusal("format")
    try:
        with images.opened(data, formats=FORMATS) as image:
            width, height = image.size  # from the header: nothing decoded yet
            if image.format == "PNG" and width * height > max_pixels():
                raise images.Refused("pixels")
            images.decode(image, max_pixels=max_pixels())
            fmt = image.format
            mode = image.mode if image.mode in ("RGB", "RGBA", "L") else "RGB"
            # Copy the pixels only: EXIF (location, device), ICC, text chunks are left behind.
            clean = Image.new(mode, image.size)
            clean.paste(image if image.mode == mode else image.convert(mode))
    except images.Refused as refused:
        raise _refusal(refused.reason) from None
    out = io.BytesIO()
    if fmt == "PNG":
        clean.save(out, format="PNG")
        return "png", out.getvalue()
    clean.save(out, format="JPEG", quality=88)
    return "jpeg", out.getvalue()
