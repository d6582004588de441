"""Capture benchmark: from how far does a phone read the card's code? (issue 23)

    .venv/bin/python bench/capture_bench.py                 # the before/after table, ~3 min on 2 cores
    .venv/bin/python bench/capture_bench.py --full          # 40 frames per point, 0.5 cm steps
    .venv/bin/python bench/capture_bench.py --variants after-L,after-M --conditions key
    .venv/bin/python bench/capture_bench.py --damage        # what a scratched card loses per QR level
    .venv/bin/python bench/capture_bench.py --photo         # photo bytes vs SSIM

The code is the longest the issuer produces (a 100-character name, the longest borough, a photo
that fills the byte budget), laid out by the card PDF's own code (``sanspeur.cards.pdf.qr_modules``
and its size, margin and quiet-zone constants) and printed either as vector modules or by a 300 dpi
card printer whose ink spreads 0.02 mm. Frames are what a phone sees: a pinhole camera with a 65°
horizontal field of view at 1280 × 720 or 1920 × 1080, the card at 8–35 cm, tilted, turned any
way, on a dark desk, under uneven light, defocused (Gaussian σ in pixels), with sensor noise and
JPEG compression. Each frame is decoded whole by zxing-cpp (the engine of the verifier's zxing-wasm
fallback) with its default options; a frame counts only when the exact code comes back. The
reliable band is the longest run of distances where at least 95 % of the frames decode.

Only Pillow: no numpy, no OpenCV (the perspective is eight numbers, see ``_homography``).
Deterministic: every frame's randomness comes from a seed made of its parameters.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import platform
import random
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import zxingcpp  # noqa: E402
from PIL import Image, ImageChops, ImageDraw, ImageFilter  # noqa: E402

from sanspeur.cards import pdf  # noqa: E402
from sanspeur.cards.printing import CARD_H, CARD_W  # noqa: E402
from sanspeur.cards.testsheet import longest_claims  # noqa: E402
from sanspeur.credential import issue, make_photo, photo  # noqa: E402
from sanspeur.credential.claims import card_check_symbol  # noqa: E402
from sanspeur.credential.vectors import test_signer  # noqa: E402

MM_PER_POINT = 25.4 / 72
CARD_W_MM = CARD_W * MM_PER_POINT
CARD_H_MM = CARD_H * MM_PER_POINT
FIELD_OF_VIEW_DEGREES = 65.0
WIDTHS = (1280, 1920)
GOAL = 0.95
ISSUER = "https://sanspeur.montreal.ca"  # SANSPEUR_CARD_ISSUER's default

# ----------------------------------------------------------------------------- the codes


def _card_number(seed: str) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    body = "".join(alphabet[b % 32] for b in hashlib.sha256(seed.encode()).digest()[:9])
    return body + card_check_symbol(body)


def _grainy_face(seed: int) -> Image.Image:
    """A face-like picture with texture everywhere: the kind of photo that fills the byte budget."""
    from sanspeur.cards.faces import face_image

    face = face_image(seed).convert("L")
    rng = random.Random(seed)
    grain = Image.frombytes("L", face.size, rng.randbytes(face.width * face.height))
    grain = grain.filter(ImageFilter.GaussianBlur(1.2))
    return Image.blend(face, grain, 0.35)


def worst_photo(max_bytes: int) -> bytes:
    """The largest of a few grainy photos the issuer would accept under ``max_bytes``."""
    candidates = [make_photo(_grainy_face(seed), max_bytes=max_bytes) for seed in range(4)]
    rng = random.Random(max_bytes)
    for radius in (0.5, 1.0, 2.0):
        grain = Image.frombytes("L", (300, 375), rng.randbytes(300 * 375)).filter(ImageFilter.GaussianBlur(radius))
        candidates.append(make_photo(grain, max_bytes=max_bytes))
    return max(candidates, key=len)


def _tiny_photo() -> bytes:
    return make_photo(Image.new("L", (60, 75), 128), size=(1, 1))


def card_code(*, photo_bytes: bytes) -> str:
    """What ``cards.services._signed_code`` signs for the longest card (``cards.testsheet``)."""
    claims = longest_claims(
        photo=photo_bytes,
        issuer=ISSUER,
        status_list_uri=f"{ISSUER}/.well-known/sanspeur/status/12",
        card_number=_card_number("capture"),
    )
    return issue(claims, test_signer("capture-bench"))


@dataclass(frozen=True)
class Layout:
    """Where and how the card prints its code (the card PDF's constants, or the old ones)."""

    size_mm: float  # the square, quiet zone included
    border: int  # quiet zone in modules
    levels: tuple[str, ...]
    margin_mm: float


BEFORE = Layout(size_mm=48.0, border=2, levels=("q", "m"), margin_mm=3.0)


def current_layout(levels: tuple[str, ...] | None = None) -> Layout:
    from sanspeur.credential import qr

    return Layout(pdf.QR_SIZE_MM, pdf.QR_BORDER, levels or qr.CARD_LEVELS, pdf.QR_MARGIN_MM)


@dataclass(frozen=True)
class Variant:
    name: str
    layout: Layout
    photo_budget: int | None  # None: the no-photo reference (same claims, a 1 x 1 photo)
    print_mode: str  # "vector" or "300dpi"


def variants() -> dict[str, Variant]:
    after = current_layout()
    found = {
        "before": Variant("before", BEFORE, 700, "300dpi"),
        "before-nophoto": Variant("before-nophoto", BEFORE, None, "300dpi"),
        "after": Variant("after", after, photo.DEFAULT_MAX_BYTES, "300dpi"),
        "after-vector": Variant("after-vector", after, photo.DEFAULT_MAX_BYTES, "vector"),
        "after-nophoto": Variant("after-nophoto", after, None, "300dpi"),
    }
    # For the decision: the new layout at each level and photo budget.
    for level in ("l", "m", "q"):
        for budget in (700, 500, 400, 350, 300):
            name = f"new-{level.upper()}-{budget}"
            found[name] = Variant(name, current_layout((level,)), budget, "300dpi")
    return found


DEFAULT_VARIANTS = ("before", "before-nophoto", "after", "after-vector", "after-nophoto")


@dataclass(frozen=True)
class Condition:
    name: str
    sigma: float  # defocus, pixels
    tilt: float  # degrees, about a random axis in the card's plane
    noise: float  # sensor noise, grey levels (standard deviation)
    jpeg: int
    light: float  # darkest corner of the light gradient, relative to the brightest


CONDITIONS = {
    "key": Condition("key", sigma=1.0, tilt=15.0, noise=5.0, jpeg=70, light=0.7),
    "hard": Condition("hard", sigma=1.5, tilt=30.0, noise=5.0, jpeg=70, light=0.7),
}


# ----------------------------------------------------------------------------- printing

MASTER_PX_PER_MM = 47.244  # 300 dpi x 4: the printer's dots, each in 4 x 4 sub-dots
_codes: dict[tuple, str] = {}
_masters: dict[tuple, Image.Image] = {}


def code_for(variant: Variant) -> str:
    key = (variant.photo_budget,)
    if key not in _codes:
        photo_bytes = _tiny_photo() if variant.photo_budget is None else worst_photo(variant.photo_budget)
        _codes[key] = card_code(photo_bytes=photo_bytes)
    return _codes[key]


def master(variant: Variant) -> Image.Image:
    """The code's square as printed, at 47 px/mm, grey levels of ink (25) on white card (235)."""
    key = (variant.layout, variant.photo_budget, variant.print_mode)
    if key in _masters:
        return _masters[key]
    rows = pdf.qr_modules(code_for(variant), border=variant.layout.border, levels=variant.layout.levels)
    modules = len(rows)
    matrix = Image.frombytes("L", (modules, modules), bytes(0 if dark else 255 for row in rows for dark in row))
    side = round(variant.layout.size_mm * MASTER_PX_PER_MM)
    if variant.print_mode == "vector":
        image = matrix.resize((side, side), Image.Resampling.NEAREST)
    else:
        # Each 300 dpi dot is inked when its centre falls in a dark module; ink spreads one sub-dot
        # (0.02 mm) past the dot's edge and its edge is soft.
        dots = matrix.resize((side // 4,) * 2, Image.Resampling.NEAREST)
        image = dots.resize((side // 4 * 4,) * 2, Image.Resampling.NEAREST).filter(ImageFilter.MinFilter(3))
        image = image.filter(ImageFilter.GaussianBlur(0.8)).resize((side, side), Image.Resampling.BILINEAR)
    image = image.point(lambda value: 25 + value * 210 // 255)
    _masters[key] = image
    return image


# ----------------------------------------------------------------------------- the camera


def focal_px(width: int) -> float:
    return (width / 2) / math.tan(math.radians(FIELD_OF_VIEW_DEGREES / 2))


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (8 x 8)."""
    size = len(vector)
    rows = [row[:] + [value] for row, value in zip(matrix, vector, strict=True)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(rows[r][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        for r in range(size):
            if r != column:
                factor = rows[r][column] / rows[column][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[column], strict=True)]
    return [rows[r][size] / rows[r][r] for r in range(size)]


def _homography(source: list[tuple[float, float]], target: list[tuple[float, float]]) -> list[float]:
    """The 8 coefficients Pillow's PERSPECTIVE transform wants: ``target`` = H(``source``)."""
    matrix, vector = [], []
    for (x, y), (u, v) in zip(source, target, strict=True):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        vector.append(u)
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        vector.append(v)
    return _solve(matrix, vector)


def _rotation(tilt: float, axis: float, roll: float) -> list[list[float]]:
    """Turn the card by ``roll`` in its plane, then tilt it by ``tilt`` about an in-plane axis."""

    def multiply(a, b):
        return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]

    def about_z(angle):
        c, s = math.cos(angle), math.sin(angle)
        return [[c, -s, 0], [s, c, 0], [0, 0, 1]]

    c, s = math.cos(tilt), math.sin(tilt)
    about_x = [[1, 0, 0], [0, c, -s], [0, s, c]]
    return multiply(about_z(axis), multiply(about_x, multiply(about_z(-axis), about_z(roll))))


_noise_banks: dict[tuple, Image.Image] = {}
_BANK_SLACK = 64


def _noise(width: int, height: int, sigma: float, rng: random.Random) -> Image.Image:
    """Gaussian sensor noise around 128: a seeded bank per frame size, cropped at a random offset
    (Pillow's effect_noise is slower and draws from the C library's unseeded rand())."""
    key = (width, height, sigma)
    if key not in _noise_banks:
        bank = random.Random(repr(key))
        size = (width + _BANK_SLACK) * (height + _BANK_SLACK)
        values = bytes(min(255, max(0, round(bank.gauss(128, sigma)))) for _ in range(size))
        _noise_banks[key] = Image.frombytes("L", (width + _BANK_SLACK, height + _BANK_SLACK), values)
    x, y = rng.randrange(_BANK_SLACK), rng.randrange(_BANK_SLACK)
    return _noise_banks[key].crop((x, y, x + width, y + height))


def frame(variant: Variant, condition: Condition, width: int, distance_mm: float, seed: int) -> Image.Image:
    rng = random.Random(seed)
    height = width * 9 // 16
    focal = focal_px(width)
    layout = variant.layout
    # Card coordinates in mm, origin at the code's centre, y up; the card's lower-left corner:
    centre = layout.margin_mm + layout.size_mm / 2
    card = [(-centre, -centre), (CARD_W_MM - centre, -centre), (CARD_W_MM - centre, CARD_H_MM - centre)]
    card.append((-centre, CARD_H_MM - centre))
    # The card lies any way up, roughly square to the phone (within 20 degrees), tilted about a
    # random axis in its plane.
    roll = math.radians(90 * rng.randrange(4) + rng.uniform(-20, 20))
    rotation = _rotation(math.radians(condition.tilt), rng.uniform(0, 2 * math.pi), roll)

    def project(x: float, y: float, aim: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float]:
        px = rotation[0][0] * x + rotation[0][1] * y
        py = rotation[1][0] * x + rotation[1][1] * y
        pz = rotation[2][0] * x + rotation[2][1] * y + distance_mm
        return width / 2 + aim[0] + focal * px / pz, height / 2 + aim[1] - focal * py / pz

    # The clerk aims roughly at the middle: the code's centre lands within 8 % of the frame's centre,
    # and the whole code in the frame when it fits.
    half = layout.size_mm / 2
    square = [project(x, y) for x, y in ((-half, -half), (half, -half), (half, half), (-half, half))]
    room = []
    for axis, extent in ((0, width), (1, height)):
        low, high = min(p[axis] for p in square), max(p[axis] for p in square)
        room.append((max(-0.08 * extent, min(0.0, -low)), min(0.08 * extent, max(0.0, extent - high))))
    aim = (rng.uniform(*room[0]), rng.uniform(*room[1]))
    corners = [project(x, y, aim) for x, y in card]
    # The printed card at about twice the frame's resolution, so the perspective shrinks it.
    scale = min(MASTER_PX_PER_MM, 2 * focal / distance_mm)
    code = master(variant)
    code_px = max(1, round(layout.size_mm * scale))
    texture = Image.new("L", (round(CARD_W_MM * scale), round(CARD_H_MM * scale)), 235)
    texture.paste(
        code.resize((code_px, code_px), Image.Resampling.BOX),
        (round(layout.margin_mm * scale), round((CARD_H_MM - layout.margin_mm - layout.size_mm) * scale)),
    )
    texture_corners = [(0, texture.height), (texture.width, texture.height), (texture.width, 0), (0, 0)]
    left = max(0, math.floor(min(x for x, _ in corners)))
    top = max(0, math.floor(min(y for _, y in corners)))
    right = min(width, math.ceil(max(x for x, _ in corners)))
    bottom = min(height, math.ceil(max(y for _, y in corners)))
    desk = 70
    image = Image.new("L", (width, height), desk)
    if right > left and bottom > top:
        local = [(x - left, y - top) for x, y in corners]
        coefficients = _homography(local, texture_corners)
        seen = texture.transform(
            (right - left, bottom - top),
            Image.Transform.PERSPECTIVE,
            coefficients,
            Image.Resampling.BILINEAR,
            fillcolor=desk,
        )
        image.paste(seen, (left, top))
    # Uneven light: a linear gradient from full to ``light`` in a random direction.
    gradient = Image.linear_gradient("L").resize((512, 512)).rotate(rng.uniform(0, 360), Image.Resampling.BILINEAR)
    gradient = gradient.crop((76, 76, 436, 436)).resize((width, height), Image.Resampling.BILINEAR)
    gradient = gradient.point(lambda value: round(255 * (condition.light + (1 - condition.light) * value / 255)))
    image = ImageChops.multiply(image, gradient)
    if condition.sigma:
        image = image.filter(ImageFilter.GaussianBlur(condition.sigma))
    if condition.noise:
        image = ImageChops.add(image, _noise(width, height, condition.noise, rng), scale=1.0, offset=-128)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=condition.jpeg)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def decodes(image: Image.Image, code: str) -> bool:
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return any(result.valid and result.text == code for result in results)


# ----------------------------------------------------------------------------- the sweep


def _seed(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "big")


def sweep(task: tuple) -> dict:
    """Decode rates from near to far; stops after two distances past 12 cm where nothing decodes."""
    variant, condition, width, distances, frames = task
    code = code_for(variant)
    rates: dict[float, float] = {}
    misses = 0
    for distance_cm in distances:
        hits = sum(
            decodes(
                frame(
                    variant,
                    condition,
                    width,
                    distance_cm * 10,
                    _seed(variant.name, condition.name, width, distance_cm, n),
                ),
                code,
            )
            for n in range(frames)
        )
        rates[distance_cm] = hits / frames
        misses = misses + 1 if hits == 0 and distance_cm > 12 else 0
        if misses == 2:
            break
    return {"variant": variant.name, "condition": condition.name, "width": width, "rates": rates}


def band(rates: dict[float, float]) -> tuple[float, float] | None:
    """The longest run of consecutive distances at >= 95 %."""
    best, run = None, []
    for distance in sorted(rates):
        if rates[distance] >= GOAL:
            run.append(distance)
            if best is None or run[-1] - run[0] > best[1] - best[0]:
                best = (run[0], run[-1])
        else:
            run = []
    return best


def describe(variant: Variant) -> dict:
    from sanspeur.credential import qr

    code = code_for(variant)
    symbol = qr.make_qr(code, levels=variant.layout.levels)
    modules = symbol.symbol_size(scale=1, border=variant.layout.border)[0]
    return {
        "characters": len(code),
        "version": f"{symbol.version}-{symbol.error}",
        "module_mm": round(variant.layout.size_mm / modules, 3),
        "square_mm": variant.layout.size_mm,
        "quiet_zone": variant.layout.border,
        "photo_bytes": None if variant.photo_budget is None else len(worst_photo(variant.photo_budget)),
    }


def _fmt_band(found: tuple[float, float] | None) -> str:
    return "none" if found is None else f"{found[0]:g}–{found[1]:g} cm"


def run(selected: list[Variant], conditions: list[Condition], frames: int, step: float, workers: int) -> dict:
    count = round((35 - 8) / step) + 1
    distances = [round(8 + index * step, 2) for index in range(count)]
    tasks = [(v, c, w, distances, frames) for v in selected for c in conditions for w in WIDTHS]
    started = time.perf_counter()
    with Pool(workers) as pool:
        results = pool.map(sweep, tasks, chunksize=1)
    elapsed = time.perf_counter() - started
    for result in results:
        result["band"] = band(result["rates"])
    return {"results": results, "seconds": round(elapsed, 1), "frames_per_point": frames, "step_cm": step}


def table(selected: list[Variant], conditions: list[Condition], report: dict) -> str:
    lines = []
    header = "| variant | characters | QR | module | photo | " + " | ".join(
        f"{c.name} @ {w}" for c in conditions for w in WIDTHS
    )
    lines.append(header + " |")
    lines.append("|" + "---|" * (5 + len(conditions) * len(WIDTHS)))
    by_key = {(r["variant"], r["condition"], r["width"]): r for r in report["results"]}
    for variant in selected:
        info = describe(variant)
        cells = [
            f"{variant.name} ({variant.print_mode})",
            str(info["characters"]),
            f"{info['version']}, {info['square_mm']:g} mm, quiet {info['quiet_zone']}",
            f"{info['module_mm']} mm",
            "none" if info["photo_bytes"] is None else f"{info['photo_bytes']} B",
        ]
        cells += [_fmt_band(by_key[(variant.name, c.name, w)]["band"]) for c in conditions for w in WIDTHS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- damage


def damage_rates(frames: int, workers: int) -> str:
    """Scratches and dirt over the code at a comfortable distance, per error-correction level."""
    levels = ("l", "m", "q")
    amounts = (0, 4, 8, 12, 16)
    tasks = [(level, amount, frames) for level in levels for amount in amounts]
    with Pool(workers) as pool:
        rates = dict(zip(tasks, pool.map(_damaged, tasks, chunksize=1), strict=True))
    lines = ["| level | " + " | ".join(f"{a} marks" for a in amounts) + " |", "|" + "---|" * (1 + len(amounts))]
    for level in levels:
        cells = [f"{rates[(level, a, frames)]:.0%}" for a in amounts]
        lines.append(f"| {level.upper()} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _damaged(task: tuple) -> float:
    """Marks: a scratch (white, 0.4 mm wide, 8-20 mm long) or a smudge (dark blot, 2-4 mm)."""
    level, amount, frames = task
    variant = Variant(f"damage-{level}", current_layout((level,)), photo.DEFAULT_MAX_BYTES, "300dpi")
    clean = master(variant)
    code = code_for(variant)
    hits = 0
    for n in range(frames):
        rng = random.Random(_seed("damage", level, amount, n))
        marked = clean.copy()
        draw = ImageDraw.Draw(marked)
        side = marked.width
        for _mark in range(amount):
            x, y = rng.uniform(0.1, 0.9) * side, rng.uniform(0.1, 0.9) * side
            if rng.random() < 0.5:
                angle, length = rng.uniform(0, math.pi), rng.uniform(8, 20) * MASTER_PX_PER_MM
                end = (x + length * math.cos(angle), y + length * math.sin(angle))
                draw.line((x, y, *end), fill=235, width=round(0.4 * MASTER_PX_PER_MM))
            else:
                radius = rng.uniform(1, 2) * MASTER_PX_PER_MM
                draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=60)
        _masters[(variant.layout, variant.photo_budget, variant.print_mode)] = marked
        image = frame(variant, CONDITIONS["key"], 1920, 120, _seed("damage-frame", n))
        hits += decodes(image, code)
    return hits / frames


# ----------------------------------------------------------------------------- photo


def _ssim(first: Image.Image, second: Image.Image, window: int = 7) -> float:
    """Mean SSIM over sliding 7 x 7 windows (Wang et al. 2004 constants), pure Python."""
    a, b = first.tobytes(), second.tobytes()
    width, height = first.size
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    total, count, n = 0.0, 0, window * window
    for top in range(height - window + 1):
        for left in range(width - window + 1):
            xs = [a[(top + j) * width + left + i] for j in range(window) for i in range(window)]
            ys = [b[(top + j) * width + left + i] for j in range(window) for i in range(window)]
            mx, my = sum(xs) / n, sum(ys) / n
            vx = sum((x - mx) ** 2 for x in xs) / (n - 1)
            vy = sum((y - my) ** 2 for y in ys) / (n - 1)
            cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (n - 1)
            total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
            count += 1
    return total / count


def photo_table(budgets: tuple[int, ...] = (900, 700, 500, 400, 350, 300, 250)) -> str:
    """SSIM of the card photo against its uncompressed 60 x 75 thumbnail, for faces with grain."""
    from PIL import ImageOps

    lines = ["| budget | bytes (mean) | SSIM mean | SSIM worst |", "|---|---|---|---|"]
    faces = [_grainy_face(seed) for seed in range(6)]
    references = [
        ImageOps.autocontrast(ImageOps.fit(face, photo.PHOTO_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.4)), 1)
        for face in faces
    ]
    for budget in budgets:
        sizes, scores = [], []
        for face, reference in zip(faces, references, strict=True):
            data = make_photo(face, max_bytes=budget)
            sizes.append(len(data))
            scores.append(_ssim(reference, photo.open_photo(data)))
        lines.append(
            f"| {budget} | {sum(sizes) / len(sizes):.0f} | {sum(scores) / len(scores):.3f} | {min(scores):.3f} |"
        )
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = f"zxing-cpp {metadata.version('zxing-cpp')}, Pillow {metadata.version('pillow')}"
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {versions}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="40 frames per point, 0.5 cm steps (slow)")
    parser.add_argument("--frames", type=int, help="frames per distance (default 10, --full 40)")
    parser.add_argument("--step", type=float, help="distance step in cm (default 1, --full 0.5)")
    parser.add_argument("--variants", help=f"comma-separated (default {','.join(DEFAULT_VARIANTS)})")
    parser.add_argument("--conditions", default="key,hard", help="comma-separated: key, hard")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--damage", action="store_true", help="decode rate of marked codes per QR level")
    parser.add_argument("--photo", action="store_true", help="photo bytes vs SSIM")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    frames = args.frames or (40 if args.full else 10)
    step = args.step or (0.5 if args.full else 1.0)
    print(f"machine: {machine()}")
    if args.photo:
        print(photo_table())
        return 0
    if args.damage:
        started = time.perf_counter()
        print(damage_rates(frames * 4, args.workers))
        print(f"({frames * 4} frames per cell at 12 cm, 1920 px, key condition; {time.perf_counter() - started:.0f} s)")
        return 0
    known = variants()
    names = args.variants.split(",") if args.variants else list(DEFAULT_VARIANTS)
    selected = [known[name] for name in names]
    conditions = [CONDITIONS[name] for name in args.conditions.split(",")]
    report = run(selected, conditions, frames, step, args.workers)
    if args.json:
        print(json.dumps(report, default=str, indent=1))
        return 0
    print(table(selected, conditions, report))
    print(
        f"({frames} frames per distance, {step:g} cm steps, {report['seconds']} s with {args.workers} workers; "
        "band = longest run of distances decoded >= 95 %)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
