"""Attachments of an application, checked like the other uploads of the project (protection's):
the size before anything is read, then the magic bytes; a PDF is kept as it is, a JPEG or PNG is
decoded within a pixel limit (``core.images``) and re-encoded, which leaves EXIF (location, device)
and text chunks behind. Anything else is refused with a translated message; nothing is saved."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

from sanspeur.core import images

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 16_000_000
MAX_FILES = 10
FORMATS = {"JPEG", "PNG"}


def _too_large() -> ValidationError:
    return ValidationError(_("The file is too large: the limit is %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})


def _unreadable() -> ValidationError:
    return ValidationError(_("Only PDF documents and JPEG or PNG images are accepted."))


def clean_attachment(upload) -> tuple[str, bytes]:
    """(kind, bytes) ready to seal; raises ValidationError with a translated message."""
    if upload.size > MAX_BYTES:
        raise _too_large()
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_large()
    if data.startswith(b"%PDF-"):
        return "pdf", data
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        raise _unreadable()
    try:
        with images.opened(data, formats=FORMATS) as image:
            width, height = image.size
            if image.format == "PNG" and width * height > MAX_PIXELS:
                raise images.Refused("pixels")
            images.decode(image, max_pixels=MAX_PIXELS)
            fmt = image.format
            mode = image.mode if image.mode in ("RGB", "RGBA", "L") else "RGB"
            clean = Image.new(mode, image.size)
            clean.paste(image if image.mode == mode else image.convert(mode))
    except images.Refused:
        raise _unreadable() from None
    out = io.BytesIO()
    if fmt == "PNG":
        clean.save(out, format="PNG")
        return "png", out.getvalue()
    clean.save(out, format="JPEG", quality=88)
    return "jpeg", out.getvalue()


CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
