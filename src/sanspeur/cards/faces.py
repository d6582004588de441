"""Synthetic faces for demo data and tests: coloured ovals with eyes, mouth and hair. No real person."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

SKIN = [(255, 224, 189), (241, 194, 125), (224, 172, 105), (198, 134, 66), (141, 85, 36), (94, 56, 26)]
HAIR = [(20, 20, 20), (80, 50, 20), (150, 100, 40), (200, 170, 90), (120, 120, 120), (160, 40, 30)]
BACKGROUND = [(225, 235, 245), (235, 235, 235), (220, 240, 225), (245, 235, 220)]


def face_image(seed: int, size: tuple[int, int] = (480, 600)) -> Image.Image:
    rng = random.Random(seed)  # noqa: S311 - synthetic drawing, not security
    width, height = size
    image = Image.new("RGB", size, rng.choice(BACKGROUND))
    draw = ImageDraw.Draw(image)
    skin, hair = rng.choice(SKIN), rng.choice(HAIR)
    cx, cy = width // 2, int(height * 0.47)
    fw, fh = int(width * rng.uniform(0.30, 0.36)), int(height * rng.uniform(0.32, 0.37))
    # shoulders, hair behind, face, hair on top
    draw.ellipse((cx - width * 0.55, height * 0.82, cx + width * 0.55, height * 1.4), fill=rng.choice(HAIR[:3]))
    draw.ellipse((cx - fw - 20, cy - fh - 30, cx + fw + 20, cy + fh * rng.uniform(0.2, 0.9)), fill=hair)
    draw.rectangle((cx - fw * 0.35, cy + fh * 0.8, cx + fw * 0.35, cy + fh * 1.3), fill=skin)
    draw.ellipse((cx - fw, cy - fh, cx + fw, cy + fh), fill=skin)
    draw.chord((cx - fw - 5, cy - fh - 25, cx + fw + 5, cy - fh * 0.1), 180, 360, fill=hair)
    eye_y, eye_dx = cy - fh * 0.12, fw * 0.42
    for side in (-1, 1):
        ex = cx + side * eye_dx
        draw.ellipse((ex - 22, eye_y - 12, ex + 22, eye_y + 12), fill=(255, 255, 255))
        draw.ellipse(
            (ex - 9, eye_y - 9, ex + 9, eye_y + 9), fill=rng.choice([(60, 40, 20), (40, 80, 120), (30, 30, 30)])
        )
        draw.line((ex - 24, eye_y - 26, ex + 24, eye_y - 30 + side * 2), fill=hair, width=7)
    draw.polygon(
        [(cx, cy), (cx - 14, cy + fh * 0.3), (cx + 14, cy + fh * 0.3)], fill=tuple(max(0, c - 30) for c in skin)
    )
    mouth_y = cy + fh * 0.52
    draw.arc((cx - fw * 0.4, mouth_y - 30, cx + fw * 0.4, mouth_y + 20), 20, 160, fill=(150, 40, 50), width=8)
    return image


def face_jpeg(seed: int, size: tuple[int, int] = (480, 600)) -> bytes:
    out = io.BytesIO()
    face_image(seed, size).save(out, format="JPEG", quality=90)
    return out.getvalue()
