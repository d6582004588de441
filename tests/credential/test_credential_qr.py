"""QR codes survive printing at 40 mm / 300 dpi, mild blur, noise and a 3 degree tilt."""

from __future__ import annotations

import io
import random

import pytest
from credential_helpers import NOW, World
from PIL import Image, ImageFilter

from sanspeur.credential import make_photo, verify
from sanspeur.credential.qr import make_qr, qr_version, read_qr, render_image, render_png, render_svg

SIZE_PX = 472  # 40 mm at 300 dpi


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
        # Grainy input uses the whole default photo budget (~700 bytes).
        photo=make_photo(Image.effect_noise((120, 150), 80)),
    )


def test_png_is_40mm_at_300dpi(valid_code: str) -> None:
    png = render_png(valid_code)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (SIZE_PX, SIZE_PX)
        assert round(image.info["dpi"][0]) == 300
        assert read_qr(image.convert("L")) == valid_code


def test_level_q_when_it_fits_else_m(valid_code: str) -> None:
    version, level = qr_version(valid_code)
    assert level == "Q" and version <= 33  # >= 3 printer dots per module at 40 mm
    too_big_for_q = "MTL1:" + "A" * 2500  # Q holds at most 1,852 alphanumeric characters
    assert make_qr(too_big_for_q).error == "M"


@pytest.mark.parametrize(("angle", "blur", "seed"), [(3, 0.6, 1), (-3, 0.8, 2), (3, 1.0, 3)])
def test_decodes_after_blur_noise_and_rotation(world: World, angle: float, blur: float, seed: int) -> None:
    code = long_card(world)
    assert qr_version(code)[1] == "Q"
    image = degrade(render_image(code), angle=angle, blur=blur, seed=seed)
    decoded = read_qr(image)
    assert decoded == code
    assert verify(decoded, world.trust_list, world.status_list, NOW).valid


def test_svg_is_sized_in_millimetres(valid_code: str) -> None:
    svg = render_svg(valid_code)
    assert 'width="40.0mm"' in svg and 'height="40.0mm"' in svg
    assert svg.lstrip().startswith("<svg")


def test_read_qr_returns_none_without_a_code() -> None:
    assert read_qr(Image.new("L", (200, 200), 255)) is None
