"""The small grayscale face photo embedded in each card.

A verifier compares this thumbnail with the person in front of them; it has to survive
in a few hundred bytes, so we crop to a 4:5 portrait, drop colour and lower the WebP
quality until the bytes fit.
"""

from __future__ import annotations

import io

from PIL import Image, ImageFilter, ImageOps

PHOTO_SIZE = (60, 75)
# 350 bytes keeps the longest card (100-character name, longest borough) at QR version 19-L:
# 0.495 mm modules on the card's 50 mm square, which a 1080p phone camera reads from 9 to 27 cm
# (bench/capture_bench.py). At 700 bytes (cards before issue 23) the same card needed version
# 24-L and read to 21 cm only. The photo loses 0.06 of SSIM against its uncompressed thumbnail
# (0.84 instead of 0.90): docs/decisions/0007-a-code-that-scans-at-arms-length.md.
DEFAULT_MAX_BYTES = 350
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
