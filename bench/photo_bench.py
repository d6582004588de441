"""The card photo (``credential.photo.make_photo``) at issuance, from the JPEG that enrollment keeps
(at most 1,200 px a side, ``cards.photos``): the present code against the code before issue 24's
change (full decode, every quality tried from the best down), kept here as the baseline, and one
WebP encode of the thumbnail as the floor. Same inputs, same process, best of several rounds.

    .venv/bin/python bench/photo_bench.py [--json] [--rounds 7]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from PIL import Image, ImageDraw, ImageFilter, ImageOps  # noqa: E402

from sanspeur.credential import photo  # noqa: E402


def before(image: Image.Image, *, max_bytes: int = photo.DEFAULT_MAX_BYTES, size=photo.PHOTO_SIZE) -> bytes:
    """``make_photo`` as it was (commit 0167e5d): no draft decode, a linear scan of the qualities."""
    upright = ImageOps.exif_transpose(image)
    gray = upright.convert("L")
    thumbnail = ImageOps.fit(gray, size, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    thumbnail = ImageOps.autocontrast(thumbnail, cutoff=1)
    for blur_radius in photo._BLUR_RADII:
        candidate = thumbnail.filter(ImageFilter.GaussianBlur(blur_radius)) if blur_radius else thumbnail
        for quality in photo._QUALITIES:
            buffer = io.BytesIO()
            candidate.save(buffer, "WEBP", quality=quality, method=6)
            if len(buffer.getvalue()) <= max_bytes:
                return buffer.getvalue()
    raise photo.PhotoError("does not fit")


def portrait(width: int, height: int) -> bytes:
    """A synthetic ID-style portrait: a face-like oval on a textured background, as a camera JPEG."""
    image = Image.effect_noise((width, height), 25).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.25, height * 0.15, width * 0.75, height * 0.7), fill=(205, 160, 130))
    draw.rectangle((width * 0.1, height * 0.72, width * 0.9, height), fill=(40, 60, 90))
    for k in range(8):
        draw.line((0, k * height / 8, width, k * height / 8 + 30), fill=(90 + 10 * k, 90, 90), width=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def best_ms(func, data: bytes, rounds: int, repeat: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(repeat):
            with Image.open(io.BytesIO(data)) as image:
                func(image)
        times.append((time.perf_counter() - started) * 1000 / repeat)
    return min(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args(argv)
    results = {}
    for label, (width, height) in {"enrolled 900x1200": (900, 1200), "small 240x300": (240, 300)}.items():
        data = portrait(width, height)
        with Image.open(io.BytesIO(data)) as image:
            floor_image = ImageOps.fit(image.convert("L"), photo.PHOTO_SIZE)
        now_ms = best_ms(photo.make_photo, data, options.rounds, 10)
        before_ms = best_ms(before, data, options.rounds, 10)
        started = time.perf_counter()
        for _ in range(50):
            photo._webp(floor_image, 40)
        encode_ms = (time.perf_counter() - started) * 1000 / 50
        results[label] = {
            "before_ms": round(before_ms, 2),
            "now_ms": round(now_ms, 2),
            "now_vs_before": round(now_ms / before_ms, 2),
            "one_encode_ms": round(encode_ms, 2),
            "now_in_encodes": round(now_ms / encode_ms, 1) if encode_ms else math.nan,
        }
    if options.json:
        print(json.dumps(results, indent=1))
    else:
        for label, row in results.items():
            print(
                f"{label}: before {row['before_ms']} ms, now {row['now_ms']} ms ({row['now_vs_before']}x); "
                f"one WebP encode {row['one_encode_ms']} ms (now = {row['now_in_encodes']} encodes)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
