"""The public side: anonymous report, codename, follow-up, bad inputs."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sanspeur.core.models import AuditEntry, DataKey
from sanspeur.protection import crypto
from sanspeur.protection.models import Attachment, Case, Message

from .conftest import PASSPHRASE, codename_from, followup, jpeg_with_exif, submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["fr", "en", "es", "ar", "ht"])
def test_public_pages_are_neutral_uncached_and_set_no_cookie(client, unit_key, lang):
    for path in ("", "report/", "followup/"):
        response = client.get(f"/{lang}/protection/{path}")
        assert response.status_code == 200
        html = response.content.decode()
        title = html.split("<title>")[1].split("</title>")[0]
        assert "protection" not in title.lower() and "report" not in title.lower()
        assert 'id="quick-exit"' in html and "quick-exit.js" in html
        assert response["Cache-Control"] == "no-store, private"
        assert not response.cookies
    assert 'autocomplete="off"' in client.get(f"/{lang}/protection/report/").content.decode()


def test_anonymous_report_in_haitian_creole_gives_a_creole_codename(client, unit_key):
    photo = SimpleUploadedFile("photo.jpg", jpeg_with_exif(), content_type="image/jpeg")
    response = submit(client, lang="ht", files=[photo])
    assert response.status_code == 200
    assert not response.cookies
    codename = codename_from(response)
    words = codename.split(" ")
    assert len(words) == crypto.codename_length("ht") and all(word in crypto.wordlist("ht") for word in words)
    case = Case.objects.get()
    assert case.codename_lookup == crypto.codename_lookup(codename)
    assert codename.encode() not in bytes(case.codename_verifier)
    assert not AuditEntry.objects.filter(object_type="protection.case").exists()  # no precise timestamp
    # Image re-encoded without metadata, encrypted to the unit key.
    attachment = Attachment.objects.get()
    private = crypto.unit_private_key_open(unit_key, PASSPHRASE)
    data = crypto.open_for_unit(case, attachment.sealed, private, context=f"attachment:{attachment.pk}")
    assert data.startswith(b"\xff\xd8\xff") and b"SecretPhoneMaker" not in data and b"GPS-SECRET" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()


def test_wordlists_are_large_enough():
    for lang in ("fr", "en", "es", "ar", "ht"):
        assert len(set(crypto.wordlist(lang))) >= crypto.MIN_WORDLIST
        assert crypto.codename_entropy(lang) >= 88  # never less than the old 8 words × 11 bits


def _counts():
    return (Case.objects.count(), Attachment.objects.count(), DataKey.objects.count())


def test_bad_attachments_get_clear_messages_and_store_nothing(client, unit_key, settings):
    settings.SANSPEUR_PROTECTION_ATTACHMENT_MAX_BYTES = 20_000
    before = _counts()
    text_file = SimpleUploadedFile("notes.txt", b"just some text", content_type="image/png")
    response = submit(client, lang="en", files=[text_file])
    assert (
        response.status_code == 400
        and "Only JPEG or PNG photos and PDF documents are accepted." in response.content.decode()
    )
    fake_png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, content_type="image/png")
    response = submit(client, lang="fr", files=[fake_png])
    assert response.status_code == 400 and "Cette image" in response.content.decode()
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 30_000, content_type="application/pdf")
    response = submit(client, lang="en", files=[big])
    assert "The file is too large" in response.content.decode()
    many = [SimpleUploadedFile(f"{i}.pdf", b"%PDF-1.4 x", content_type="application/pdf") for i in range(4)]
    assert "up to 3 files" in submit(client, lang="en", files=many).content.decode()
    assert _counts() == before


def test_request_larger_than_memory_limit_is_refused_with_a_message(client, unit_key, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 50_000
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 60_000, content_type="application/pdf")
    response = submit(client, lang="es", files=[big])
    assert response.status_code == 413
    assert "Nada se guardó" in response.content.decode()
    assert Case.objects.count() == 0


def test_missing_required_answer_stores_nothing(client, unit_key):
    response = submit(client, lang="fr", text="")
    assert response.status_code == 400 and "aria-invalid" in response.content.decode()
    assert Case.objects.count() == 0


def test_cross_origin_post_is_refused(client, unit_key):
    response = client.post("/fr/protection/report/", {"text": "x"}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403


def test_followup_reads_reply_adds_information_and_deletes_reply(client, unit_key, caseworker):
    from sanspeur.protection.services import reply_create

    codename = codename_from(submit(client, lang="fr"))
    case = Case.objects.get()
    reply_create(acting_user=caseworker, case=case, text="Nous pouvons vous aider <b>vite</b>.")
    # Accents, case and extra spaces do not matter.
    typed = "  " + codename.upper() + " "
    page = followup(client, {"codename": typed, "action": "open"}, lang="fr")
    html = page.content.decode()
    assert page.status_code == 200 and "Nous pouvons vous aider &lt;b&gt;vite&lt;/b&gt;." in html
    added = followup(client, {"codename": codename, "action": "add", "text": "Il s'appelle M. X"}, lang="fr")
    assert added.status_code == 200
    incoming = Message.objects.get(direction="in")
    assert b"M. X" not in bytes(incoming.for_unit)
    reply = Message.objects.get(direction="out")
    deleted = followup(client, {"codename": codename, "action": "delete", "message": reply.pk}, lang="fr")
    assert "Nous pouvons vous aider" not in deleted.content.decode()
    reply.refresh_from_db()
    assert reply.deleted_by_reporter and reply.for_reporter is None


def test_followup_can_add_files_stripped_and_sealed_and_refuses_bad_ones(client, unit_key):
    codename = codename_from(submit(client, lang="ht"))
    case = Case.objects.get()
    photo = SimpleUploadedFile("menas.jpg", jpeg_with_exif(), content_type="image/jpeg")
    added = followup(
        client, {"codename": codename, "action": "add", "text": "Men foto mesaj yo", "attachments": [photo]}, lang="ht"
    )
    assert added.status_code == 200 and "1 fichye" in added.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.message.direction == "in" and attachment.case == case
    private = crypto.unit_private_key_open(unit_key, PASSPHRASE)
    data = crypto.open_for_unit(case, attachment.sealed, private, context=f"attachment:{attachment.pk}")
    assert data.startswith(b"\xff\xd8\xff") and b"SecretPhoneMaker" not in data
    assert b"SecretPhoneMaker" not in bytes(attachment.sealed)
    # A file that is not a photo or PDF: a clear message, nothing stored (neither text nor file).
    script = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    refused = followup(
        client, {"codename": codename, "action": "add", "text": "Dezyèm", "attachments": [script]}, lang="ht"
    )
    assert refused.status_code == 200 and 'role="alert"' in refused.content.decode()
    assert Attachment.objects.count() == 1 and Message.objects.filter(direction="in").count() == 1


def test_followup_files_over_the_limit_save_nothing(client, unit_key, settings):
    codename = codename_from(submit(client, lang="fr"))
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    big = SimpleUploadedFile("grand.jpg", jpeg_with_exif() + b"\0" * 4096, content_type="image/jpeg")
    response = followup(
        client, {"codename": codename, "action": "add", "text": "Avec un gros fichier", "attachments": [big]}, lang="fr"
    )
    assert response.status_code == 413 and "Rien n'a été enregistré" in response.content.decode()
    assert not Message.objects.filter(direction="in").exists() and not Attachment.objects.exists()


def _without_human_check(html: bytes) -> bytes:
    """The question for browsers without JavaScript is random on every page: set it aside."""
    return re.sub(rb"<noscript data-human-check>.*?</noscript>", b"", html, flags=re.S)


def test_wrong_and_unknown_codenames_are_answered_identically_and_rate_limited(client, unit_key, settings):
    settings.SANSPEUR_PROTECTION_CODENAME_PER_ID_LIMIT = 3
    codename = codename_from(submit(client, lang="fr"))
    case = Case.objects.get()
    Case.objects.filter(pk=case.pk).update(codename_verifier=b"\0" * 32)  # the look-up matches, the hash does not
    wrong = followup(client, {"codename": codename}, lang="fr")
    unknown = followup(client, {"codename": "abeille " * 7}, lang="fr")
    assert wrong.status_code == unknown.status_code == 400
    assert _without_human_check(wrong.content) == _without_human_check(unknown.content)
    assert not wrong.cookies and not unknown.cookies
    # Same wrong codename again: per-look-up limit.
    for _ in range(2):
        followup(client, {"codename": codename}, lang="fr")
    blocked = followup(client, {"codename": codename}, lang="fr")
    assert blocked.status_code == 429 and "Trop de tentatives" in blocked.content.decode()
