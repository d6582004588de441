"""Attachments from the public: checked in memory, images re-encoded without metadata."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_FILES = 3


def max_bytes() -> int:
    return settings.SANSPEUR_PROTECTION_ATTACHMENT_MAX_BYTES


def clean_attachment(upload) -> tuple[str, bytes]:
    """(kind, bytes) ready to encrypt; raises ValidationError with a translated message."""
    if upload.size > max_bytes():
        raise ValidationError(
            _("The file is too large: the limit is %(mb)s MB per file.") % {"mb": max_bytes() // (1024 * 1024)}
        )
    data = upload.read()
    if data.startswith(b"%PDF-"):
        return "pdf", data
    if data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                fmt = image.format
                if image.width * image.height > 40_000_000:
                    raise ValidationError(_("This image is too large."))
                # Copy the pixels only: EXIF (location, device), ICC, text chunks are left behind.
                clean = Image.new(image.mode if image.mode in ("RGB", "RGBA", "L") else "RGB", image.size)
                clean.paste(image.convert(clean.mode))
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as error:
            raise ValidationError(_("This image could not be read. Please send a JPEG, PNG or PDF file.")) from error
        out = io.BytesIO()
        if fmt == "PNG":
            clean.save(out, format="PNG", optimize=True)
            return "png", out.getvalue()
        clean.convert("RGB").save(out, format="JPEG", quality=88)
        return "jpeg", out.getvalue()
    raise ValidationError(_("Only JPEG or PNG photos and PDF documents are accepted."))
