"""The small grayscale face photo embedded in each card.

A verifier compares this thumbnail with the person in front of them; it has to survive
in well under a kilobyte, so we crop to a 4:5 portrait, drop colour and lower the WebP
quality until the bytes fit.
"""

from __future__ import annotations

import io

from PIL import Image, ImageFilter, ImageOps

PHOTO_SIZE = (60, 75)
# 700 bytes keeps a card with long names and an address at QR version <= 33-Q, i.e. at
# least 3 printer dots per module at 40 mm / 300 dpi. Callers may allow up to ~900.
DEFAULT_MAX_BYTES = 700
# Tried from best to worst; the first quality that fits wins.
_QUALITIES = (80, 70, 60, 50, 45, 40, 35, 30, 25, 20, 15, 10, 5, 1)
_BLUR_RADII = (0.0, 0.6, 1.0, 1.5, 2.5, 4.0)


class PhotoError(ValueError):
    """The image cannot be turned into a card photo within the byte budget."""


def make_photo(
    image: Image.Image,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    size: tuple[int, int] = PHOTO_SIZE,
) -> bytes:
    """Return a grayscale WebP thumbnail of ``image`` no larger than ``max_bytes``.

    Accepts any Pillow image (any mode, any size, EXIF-rotated or not). No metadata is
    written: WebP from Pillow carries EXIF/ICC only when asked to.
    """
    if not isinstance(image, Image.Image):
        raise PhotoError("expected a PIL.Image.Image")
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        # Flatten transparency onto white so it does not turn black in grayscale.
        background = Image.new("RGBA", upright.size, (255, 255, 255, 255))
        background.alpha_composite(upright.convert("RGBA"))
        upright = background
    gray = upright.convert("L")
    # Faces sit in the upper part of ID-style photos: crop slightly above centre.
    thumbnail = ImageOps.fit(gray, size, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    # Stretch contrast: poorly lit phone photos otherwise lose detail at low quality.
    thumbnail = ImageOps.autocontrast(thumbnail, cutoff=1)

    # Lower the quality first; only for unusually noisy images (grain, patterned
    # backgrounds) smooth them too, since WebP spends its bytes on fine detail.
    for blur_radius in _BLUR_RADII:
        candidate = thumbnail.filter(ImageFilter.GaussianBlur(blur_radius)) if blur_radius else thumbnail
        for quality in _QUALITIES:
            buffer = io.BytesIO()
            candidate.save(buffer, "WEBP", quality=quality, method=6)
            data = buffer.getvalue()
            if len(data) <= max_bytes:
                return data
    raise PhotoError(f"cannot fit the photo in {max_bytes} bytes")


def open_photo(data: bytes) -> Image.Image:
    """Decode card photo bytes for display (grayscale)."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.convert("L")
