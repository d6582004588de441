"""QR codes survive printing at the card's 50 mm / 300 dpi, mild blur, noise and a 3 degree tilt;
old cards (level Q at 40 mm) still read. How far a phone reads them: bench/capture_bench.py."""

from __future__ import annotations

import io
import random

import pytest
from credential_helpers import NOW, World
from PIL import Image, ImageFilter

from sanspeur.credential import make_photo, verify
from sanspeur.credential.qr import (
    LEGACY_LEVELS,
    make_qr,
    qr_version,
    read_qr,
    render_image,
    render_png,
    render_svg,
)

SIZE_PX = 591  # 50 mm at 300 dpi


def degrade(image: Image.Image, *, angle: float, blur: float, seed: int) -> Image.Image:
    """Roughly what a phone camera sees of a printed card."""
    tilted = image.convert("L").rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    blurred = tilted.filter(ImageFilter.GaussianBlur(blur))
    rng = random.Random(seed)
    noise = Image.frombytes("L", blurred.size, bytes(rng.randrange(256) for _ in range(blurred.width * blurred.height)))
    return Image.blend(blurred, noise, 0.12)


def long_card(world: World) -> str:
    """Worst realistic case: long names, borough and address, and a full-budget photo."""
    return world.issue(
        given_names="Marie-Claire Anne-Sophie Évangéline",
        family_names="Tremblay-Nguyen de la Fontaine",
        borough="Villeray–Saint-Michel–Parc-Extension",
        address="12345 boulevard Saint-Laurent, appartement 1203",
        postal_code="H2R 2N1",
        # Grainy input uses the whole default photo budget (350 bytes).
        photo=make_photo(Image.effect_noise((120, 150), 80)),
    )


def test_png_is_50mm_at_300dpi(valid_code: str) -> None:
    png = render_png(valid_code)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (SIZE_PX, SIZE_PX)
        assert round(image.info["dpi"][0]) == 300
        assert read_qr(image.convert("L")) == valid_code


def test_smallest_version_at_level_l_then_raised_as_far_as_it_allows(valid_code: str) -> None:
    import segno

    version, level = qr_version(valid_code)
    assert version == segno.make_qr(valid_code, error="l", boost_error=False).version
    assert level in {"L", "M", "Q", "H"}
    assert make_qr("MTL1:ABC").error == "H"  # a tiny code gets the most error correction for free
    assert make_qr("MTL1:" + "A" * 4000).error == "L"  # only L holds 4,000 characters


def test_legacy_levels_are_what_old_cards_printed(valid_code: str) -> None:
    assert make_qr(valid_code, levels=LEGACY_LEVELS).error == "Q"
    too_big_for_q = "MTL1:" + "A" * 2500  # Q holds at most 1,852 alphanumeric characters
    assert make_qr(too_big_for_q, levels=LEGACY_LEVELS).error == "M"


def test_old_card_png_at_40mm_level_q_still_reads(valid_code: str) -> None:
    image = render_image(valid_code, size_mm=40.0, levels=LEGACY_LEVELS)
    assert image.size == (472, 472)
    assert read_qr(degrade(image, angle=3, blur=0.6, seed=4)) == valid_code


@pytest.mark.parametrize(("angle", "blur", "seed"), [(3, 0.6, 1), (-3, 0.8, 2), (3, 1.0, 3)])
def test_decodes_after_blur_noise_and_rotation(world: World, angle: float, blur: float, seed: int) -> None:
    code = long_card(world)
    image = degrade(render_image(code), angle=angle, blur=blur, seed=seed)
    decoded = read_qr(image)
    assert decoded == code
    assert verify(decoded, world.trust_list, world.status_list, NOW).valid


def test_svg_is_sized_in_millimetres(valid_code: str) -> None:
    svg = render_svg(valid_code)
    assert 'width="50.0mm"' in svg and 'height="50.0mm"' in svg
    assert svg.lstrip().startswith("<svg")


def test_read_qr_returns_none_without_a_code() -> None:
    assert read_qr(Image.new("L", (200, 200), 255)) is None
