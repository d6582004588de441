"""The public side under abuse: proof of work, limits per codename bucket, image bombs, body caps."""

import io
import time
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from sanspeur.protection import crypto, selectors
from sanspeur.protection.models import Attachment, Case, Message

from .conftest import (
    PASSPHRASE,
    answer_question,
    codename_from,
    followup,
    proof_for,
    submit,
    thread_pass,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    from sanspeur.core import antiabuse

    now = SimpleNamespace(value=time.time())
    monkeypatch.setattr(antiabuse, "time", SimpleNamespace(time=lambda: now.value, monotonic=time.monotonic))
    return now


def png_bomb(width: int, height: int, mode: str = "RGB") -> bytes:
    """A small PNG that declares many pixels of one colour (compresses about 1000:1)."""
    import zlib

    channels, colour = {"L": (1, 0), "RGB": (3, 2)}[mode]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + width * channels)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, colour, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if any image is decoded (Pillow decodes in ImageFile.load)."""
    calls = []

    def load(self):
        calls.append(self.size)
        raise AssertionError(f"an image of {self.size} was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return calls


# --- Proof of work -------------------------------------------------------------------------------------
def test_the_report_form_asks_for_a_proof_and_stores_nothing_without_one(client, unit_key, clock):
    page = client.get("/en/protection/report/").content.decode()
    assert "<altcha-widget" in page and "<noscript data-human-check>" in page
    refused = submit(client, lang="en", proof=False)
    assert refused.status_code == 400 and Case.objects.count() == 0
    html = refused.content.decode()
    assert "Mon patron garde mon salaire" in html  # what the person wrote is kept
    clock.value += 5  # the question is refused when answered sooner than a person could
    accepted = client.post(
        "/en/protection/report/",
        {
            "category": "work",
            "role": "victim",
            "text": "Mon patron garde mon salaire",
            "contact": "none",
            **answer_question(html),
        },
    )
    assert accepted.status_code == 303 and Case.objects.count() == 1
    codename_from(client.get(accepted["Location"]))


def test_a_report_proof_cannot_be_spent_twice(client, unit_key):
    proof = proof_for(client, client.get("/en/protection/report/").content.decode())
    data = {"category": "work", "role": "victim", "text": "Une fois", "contact": "none", **proof}
    assert client.post("/en/protection/report/", data).status_code == 303
    assert client.post("/en/protection/report/", data).status_code == 400
    assert Case.objects.count() == 1


def test_the_followup_form_asks_for_a_proof_before_any_codename_is_checked(client, unit_key, monkeypatch):
    codename = codename_from(submit(client, lang="fr"))
    checked = []
    real = crypto.codename_check
    monkeypatch.setattr(crypto, "codename_check", lambda *a: checked.append(1) or real(*a))
    refused = followup(client, {"codename": codename}, proof=False)
    assert refused.status_code == 400 and not checked
    assert followup(client, {"codename": codename}).status_code == 200 and checked


def test_the_thread_page_pass_replaces_a_new_proof_for_this_codename_only(client, unit_key):
    mine = codename_from(submit(client, lang="fr"))
    theirs = codename_from(submit(client, lang="fr"))
    thread = followup(client, {"codename": mine})
    ticket = thread_pass(thread)
    assert ticket
    added = followup(client, {"codename": mine, "action": "add", "text": "Encore", **ticket}, proof=False)
    assert added.status_code == 200 and Message.objects.filter(direction="in").count() == 1
    stolen = followup(client, {"codename": theirs, "action": "add", "text": "Non", **ticket}, proof=False)
    assert stolen.status_code == 400 and Message.objects.filter(direction="in").count() == 1


# --- Limits per codename bucket, never global ----------------------------------------------------------------
def test_many_wrong_codenames_never_block_every_follow_up(client, unit_key, clock):
    """The probe: 100 wrong codenames blocked every follow-up for 15 minutes."""
    codename = codename_from(submit(client, lang="fr"))
    mine = selectors.codename_bucket(codename)
    sent = 0
    while sent < 130:
        guess = crypto.codename_generate("fr")
        if selectors.codename_bucket(guess) == mine:
            continue
        assert followup(client, {"codename": guess}).status_code in (400, 429)
        sent += 1
    opened = followup(client, {"codename": codename})
    assert opened.status_code == 200 and "Votre signalement" in opened.content.decode()


def test_guesses_in_one_bucket_delay_that_bucket_progressively(client, unit_key, clock, settings):
    settings.SANSPEUR_PROTECTION_CODENAME_PER_ID_LIMIT = 1000
    codename = codename_from(submit(client, lang="fr"))
    bucket = selectors.codename_bucket(codename)
    guesses = []
    while len(guesses) < settings.SANSPEUR_GUESS_FREE_MISSES + 2:
        guess = crypto.codename_generate("fr")
        if selectors.codename_bucket(guess) == bucket:
            guesses.append(guess)
    for guess in guesses[:-1]:
        assert followup(client, {"codename": guess}).status_code == 400
    delayed = followup(client, {"codename": codename})
    assert delayed.status_code == 429 and int(delayed["Retry-After"]) >= 1
    assert "1 seconde" in delayed.content.decode()
    clock.value += int(delayed["Retry-After"])
    assert followup(client, {"codename": guesses[-1]}).status_code == 400
    again = followup(client, {"codename": codename})
    assert again.status_code == 429 and int(again["Retry-After"]) >= 2 * int(delayed["Retry-After"]) - 1
    clock.value += int(again["Retry-After"])
    assert followup(client, {"codename": codename}).status_code == 200


# --- Image bombs -----------------------------------------------------------------------------------------------
def test_an_image_bomb_is_refused_from_its_header_without_decoding(client, unit_key, no_decoding):
    """The probe: three 560 kB PNGs were decoded before the size check (70 MB → 624 MB)."""
    bomb = png_bomb(9_000, 9_000)  # 81 million pixels: under Pillow's own warning, 320 MB decoded
    assert len(bomb) < 600_000
    files = [SimpleUploadedFile(f"{i}.png", bomb, content_type="image/png") for i in range(3)]
    response = submit(client, lang="es", files=files)
    assert response.status_code == 400
    assert "píxeles" in response.content.decode()
    assert not no_decoding and Case.objects.count() == 0


def test_a_huge_declared_size_is_refused_without_decoding(client, unit_key, no_decoding):
    bomb = png_bomb(30_000, 30_000, "L")  # 900 million pixels: Pillow's own bomb error
    response = submit(client, lang="fr", files=[SimpleUploadedFile("b.png", bomb, content_type="image/png")])
    assert response.status_code == 400 and "pixels" in response.content.decode()
    assert not no_decoding and Case.objects.count() == 0


def test_a_large_camera_photo_is_kept_at_a_bounded_size(client, unit_key, settings):
    """A JPEG over the pixel limit is decoded at half or quarter scale (libjpeg), never at full size."""
    settings.SANSPEUR_PROTECTION_IMAGE_MAX_PIXELS = 2_000_000
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (90, 20, 20)).save(out, "JPEG", quality=60)  # 4.3 million pixels
    response = submit(client, lang="en", files=[SimpleUploadedFile("big.jpg", out.getvalue(), "image/jpeg")])
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    private = crypto.unit_private_key_open(unit_key, PASSPHRASE)
    case = Case.objects.get()
    data = crypto.open_for_unit(case, attachment.sealed, private, context=f"attachment:{attachment.pk}")
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.size == (1200, 900)


def test_pillow_refuses_large_images_everywhere_in_the_process():
    from sanspeur.core import images

    assert Image.MAX_IMAGE_PIXELS == images.PILLOW_MAX_PIXELS <= 64_000_000


# --- Request bodies ----------------------------------------------------------------------------------------
def test_a_report_over_the_body_cap_is_refused_before_it_is_read(client, unit_key, settings, monkeypatch):
    from django.core.handlers.wsgi import WSGIRequest

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 50_000

    def never(self):
        raise AssertionError("the body was read")

    monkeypatch.setattr(WSGIRequest, "_load_post_and_files", never)
    body = b"text=" + b"x" * 60_000
    response = client.post("/ar/protection/report/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and Case.objects.count() == 0
    assert 'dir="rtl"' in response.content.decode()
    response = client.post("/fr/protection/followup/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "Rien n'a été enregistré" in response.content.decode()
