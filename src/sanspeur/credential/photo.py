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
# From best to worst; the best quality that fits wins (found by bisection: bytes fall with quality).
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
    if image.format == "JPEG":
        # Let the JPEG decoder scale down (1/2, 1/4, 1/8) and drop colour while it decodes, never
        # below four times the thumbnail: a phone photo decodes in a fraction of the time, and the
        # resampling below still has plenty of pixels (docs/benchmarks.md, city scale).
        image.draft("L", (size[0] * 4, size[1] * 4))
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
        data = _best_quality_that_fits(candidate, max_bytes)
        if data is not None:
            return data
    raise PhotoError(f"cannot fit the photo in {max_bytes} bytes")


def _webp(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=quality, method=6)
    return buffer.getvalue()


def _best_quality_that_fits(image: Image.Image, max_bytes: int) -> bytes | None:
    """The encoding at the best quality of ``_QUALITIES`` that fits, found by bisection: at most
    six encodes instead of up to fourteen. None when not even the lowest quality fits.

    A lower quality gives fewer bytes for a face or any detailed picture; for a nearly flat one the
    bytes can wobble by a few between neighbouring qualities, and the bisection then returns a
    quality whose better neighbour does not fit, perhaps not the best of all. The best quality is
    tried first, which is where such flat pictures usually fit anyway."""
    encoded: dict[int, bytes] = {}

    def fits(index: int) -> bool:
        if index not in encoded:
            encoded[index] = _webp(image, _QUALITIES[index])
        return len(encoded[index]) <= max_bytes

    if fits(0):
        return encoded[0]
    low, high = 1, len(_QUALITIES) - 1
    if not fits(high):
        return None
    while low < high:  # the first index that fits lies in [low, high], and ``high`` fits
        middle = (low + high) // 2
        if fits(middle):
            high = middle
        else:
            low = middle + 1
    return encoded[high]


def open_photo(data: bytes) -> Image.Image:
    """Decode card photo bytes for display (grayscale)."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.convert("L")
