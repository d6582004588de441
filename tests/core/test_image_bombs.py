"""Card photos and protection attachments: no image is decoded before its bytes, dimensions and
pixel count are checked (issue 15)."""

import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageFile

from sanspeur.cards import photos
from sanspeur.protection import uploads


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def png_bomb(width: int, height: int, mode: str = "RGB") -> bytes:
    channels, colour = {"L": (1, 0), "RGB": (3, 2)}[mode]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + width * channels)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, colour, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg(width: int, height: int, **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 60)).save(out, "JPEG", quality=40, **options)
    return out.getvalue()


@pytest.fixture
def decoded(monkeypatch):
    """Sizes of the images Pillow decodes (ImageFile.load), with the decoding still done."""
    sizes = []
    real = ImageFile.ImageFile.load

    def load(self):
        sizes.append(self.size)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (png_bomb(6_000, 6_000), "too many pixels"),  # 36 MP: under the old 40 MP check, decoded before it
        (png_bomb(20_000, 20_000, "L"), "too many pixels"),  # over Pillow's own limit
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not a photo"),
    ],
)
def test_card_photo_bombs_are_refused_before_decoding(decoded, data, message):
    with pytest.raises(ValidationError) as refused:
        photos.clean_photo(data)
    assert message in str(refused.value)
    assert decoded == []


def test_a_large_card_photo_from_a_camera_is_decoded_at_a_reduced_scale(decoded):
    result = photos.clean_photo(jpeg(6000, 4000))  # 24 MP JPEG, as a recent phone takes
    assert decoded and max(w * h for w, h in decoded) <= 6000 * 4000 // 4
    with Image.open(io.BytesIO(result)) as image:
        assert max(image.size) == photos.OUTPUT_MAX_SIDE


def test_card_photo_rotation_is_still_applied_after_the_reduced_decoding():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    result = photos.clean_photo(jpeg(3000, 2000, exif=exif))
    with Image.open(io.BytesIO(result)) as image:
        assert image.size == (800, 1200) and not image.getexif()


@pytest.mark.parametrize("size", [(4100, 4000), (20_000, 20_000)])
def test_protection_attachment_bombs_are_refused_before_decoding(decoded, settings, size):
    settings.SANSPEUR_PROTECTION_IMAGE_MAX_PIXELS = 16_000_000
    upload = SimpleUploadedFile("bomb.png", png_bomb(*size, mode="L"), content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        uploads.clean_attachment(upload)
    assert "too many pixels" in str(refused.value)
    assert decoded == []


def test_an_attachment_is_checked_for_bytes_before_it_is_read(settings):
    settings.SANSPEUR_PROTECTION_ATTACHMENT_MAX_BYTES = 1000

    class Unread:
        size = 5000

        def read(self, *args):
            raise AssertionError("read before the size check")

    with pytest.raises(ValidationError, match="too large"):
        uploads.clean_attachment(Unread())


def test_a_truncated_image_is_a_refusal_not_an_error():
    data = jpeg(800, 600)[:2000]
    with pytest.raises(ValidationError):
        uploads.clean_attachment(SimpleUploadedFile("cut.jpg", data, content_type="image/jpeg"))
    with pytest.raises(ValidationError):
        photos.clean_photo(data)
