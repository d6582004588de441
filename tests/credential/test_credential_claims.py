"""Card numbers, claim validation, the photo helper, and the no-Django rule."""

from __future__ import annotations

import ast
import io
from dataclasses import fields
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from credential_helpers import NOW, World, face_image
from PIL import Image, ImageOps

from sanspeur.credential import (
    FORBIDDEN_FIELDS,
    CardClaims,
    ClaimsError,
    PhotoError,
    format_card_number,
    is_valid_card_number,
    issue,
    make_photo,
    new_card_number,
    normalize_card_number,
    open_photo,
)
from sanspeur.credential.claims import CROCKFORD_ALPHABET

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "sanspeur" / "credential"


def test_card_numbers_are_random_and_checked() -> None:
    numbers = {new_card_number() for _ in range(2000)}
    assert len(numbers) == 2000
    for number in list(numbers)[:200]:
        assert len(number) == 10 and set(number) <= set(CROCKFORD_ALPHABET)
        assert is_valid_card_number(number)
        assert is_valid_card_number(format_card_number(number).lower())


def test_check_symbol_catches_single_typos_and_adjacent_swaps() -> None:
    number = new_card_number()
    for position in range(10):
        for symbol in CROCKFORD_ALPHABET:
            if symbol != number[position]:
                typo = number[:position] + symbol + number[position + 1 :]
                assert not is_valid_card_number(typo), typo
    # Luhn mod 32 misses exactly one kind of adjacent swap: "0" <-> "Z" (values 0 and 31).
    for position in range(9):
        pair = {number[position], number[position + 1]}
        if len(pair) == 2 and pair != {"0", "Z"}:
            swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
            assert not is_valid_card_number(swapped), swapped


def test_normalisation_follows_crockford() -> None:
    assert normalize_card_number("abcde-fghij") == "ABCDEFGH1J"
    assert normalize_card_number("O0 Il") == "0011"
    assert not is_valid_card_number("")
    assert not is_valid_card_number("UUUUUUUUUU")  # U is not in the alphabet
    assert not is_valid_card_number(None)  # type: ignore[arg-type]


def test_no_field_for_immigration_status_nationality_or_birthplace() -> None:
    names = {field.name for field in fields(CardClaims)}
    assert not names & set(FORBIDDEN_FIELDS)
    assert not {name for name in names if "nation" in name or "immigr" in name or "birth_place" in name}
    with pytest.raises(TypeError):
        CardClaims(immigration_status="x")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"card_number": "ABCDEFGHJK"}, "check symbol"),
        ({"given_names": ""}, "given_names"),
        ({"family_names": "x" * 121}, "family_names"),
        ({"date_of_birth": "17/05/1990"}, "YYYY-MM-DD"),
        ({"date_of_birth": "1990-02-30"}, "calendar"),
        ({"photo": b"\x89PNG...."}, "WebP"),
        ({"photo": b""}, "photo"),
        ({"status_index": -1}, "status_index"),
        ({"status_index": True}, "status_index"),
        ({"issued_at": datetime(2026, 1, 1)}, "timezone-aware"),  # noqa: DTZ001 - the point of the test
        ({"expires_at": NOW - timedelta(days=365)}, "after"),
        ({"borough": ""}, "borough"),
    ],
)
def test_issue_rejects_bad_claims(world: World, change: dict, message: str) -> None:
    with pytest.raises(ClaimsError, match=message):
        issue(world.claims(**change), world.card_key)


def test_issue_rejects_non_claims(world: World) -> None:
    with pytest.raises(ClaimsError):
        issue({"card_number": "x"}, world.card_key)  # type: ignore[arg-type]


def test_make_photo_fits_the_budget_for_any_input() -> None:
    inputs = [
        face_image(),
        Image.effect_noise((1200, 1600), 90),  # grainy: needs the smoothing fallback
        Image.new("RGBA", (50, 50), (255, 0, 0, 0)),  # transparent and smaller than the target
        Image.new("P", (800, 300)),  # landscape palette image
        Image.new("1", (601, 751), 1),
    ]
    for image in inputs:
        data = make_photo(image)
        assert len(data) <= 700
        assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
        decoded = open_photo(data)
        assert decoded.size == (60, 75) and decoded.mode == "L"
    assert len(make_photo(Image.effect_noise((200, 250), 90), max_bytes=900)) <= 900


def test_make_photo_strips_metadata_and_respects_exif_orientation() -> None:
    image = face_image(size=(600, 480))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees
    exif[0x010F] = "Camera maker that must not leak"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    data = make_photo(Image.open(io.BytesIO(buffer.getvalue())))
    assert b"Camera maker" not in data and b"EXIF" not in data.upper()
    assert open_photo(data).size == (60, 75)


def test_make_photo_rejects_non_images_and_impossible_budgets() -> None:
    with pytest.raises(PhotoError):
        make_photo(b"not an image")  # type: ignore[arg-type]
    with pytest.raises(PhotoError):
        make_photo(Image.effect_noise((60, 75), 90), max_bytes=20)


def test_package_never_imports_django() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            assert not any(m == "django" or m.startswith("django.") for m in modules), path


def test_the_bisection_finds_the_quality_the_full_scan_would_and_with_fewer_encodes(monkeypatch) -> None:
    """``make_photo`` bisects the quality list. On faces and noise (bytes fall with quality) it
    returns what trying every quality from the best down would; on flat pictures, whose bytes wobble,
    a quality that fits whose better neighbour does not. At most six encodes instead of fourteen."""
    from sanspeur.credential import photo as module

    real = module._webp

    def full_scan(image, max_bytes):
        for quality in module._QUALITIES:
            data = real(image, quality)
            if len(data) <= max_bytes:
                return data
        return None

    def thumbnail(image):
        return ImageOps.autocontrast(ImageOps.fit(image.convert("L"), module.PHOTO_SIZE), cutoff=1)

    detailed = [thumbnail(i) for i in (face_image(), face_image(size=(300, 200)), Image.effect_noise((120, 150), 60))]
    flat = [thumbnail(i) for i in (Image.linear_gradient("L"), Image.radial_gradient("L"), Image.new("L", (9, 9)))]
    encodes = []
    monkeypatch.setattr(module, "_webp", lambda image, quality: encodes.append(quality) or real(image, quality))
    for picture in detailed + flat:
        for budget in (100, 120, 200, 214, 350, 700, 2200):
            expected = full_scan(picture, budget)
            encodes.clear()
            found = module._best_quality_that_fits(picture, budget)
            assert len(encodes) <= 6
            if picture in detailed:
                assert found == expected
            elif found is None:
                assert expected is None
            else:
                index = next(i for i, q in enumerate(module._QUALITIES) if real(picture, q) == found)
                assert len(found) <= budget
                assert index == 0 or len(real(picture, module._QUALITIES[index - 1])) > budget
