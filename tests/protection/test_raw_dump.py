"""A seized server (database + key directory), without the unit passphrase, reveals no content."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tests.core.test_raw_dump import raw_database_bytes

from .conftest import codename_from, followup, submit, unlock

pytestmark = pytest.mark.django_db(transaction=True)

REPORT = "Le contremaitre Zorglub retient mon salaire depuis mars"
ATTACHMENT = b"%PDF-1.4\n% PIECE-JOINTE-SECRETE-Quetzalcoatl\n%%EOF"
REPLY = "Rendez-vous discret au centre Xylophone-Tartempion"
ADDED = "Information ajoutee Brontosaure-Ultraviolet"
NOTE = "Note interne Kangourou-Perpendiculaire"


def _server_files() -> bytes:
    data = b""
    for path in sorted(settings.SANSPEUR_KEY_DIR.rglob("*")):
        if path.is_file():
            data += path.read_bytes()
    return data


def test_database_and_key_directory_hold_no_plaintext(client, mfa_client, caseworker, unit_key):
    pdf = SimpleUploadedFile("proof.pdf", ATTACHMENT, content_type="application/pdf")
    codename = codename_from(submit(client, text=REPORT, files=[pdf], contact="phone", contact_details="514-555-0199"))
    cw = mfa_client(caseworker)
    unlock(cw)
    from sanspeur.protection.models import Case

    case = Case.objects.get()
    assert REPORT in cw.get(f"/fr/protection/cases/{case.reference}/").content.decode()  # readable when unlocked
    cw.post(f"/fr/protection/cases/{case.reference}/reply/", {"reply-text": REPLY})
    cw.post(f"/fr/protection/cases/{case.reference}/note/", {"note-text": NOTE})
    followup(client, {"codename": codename, "action": "add", "text": ADDED}, lang="fr")
    assert REPLY in followup(client, {"codename": codename}, lang="fr").content.decode()
    connection.close()
    dump = raw_database_bytes() + _server_files()
    assert b"kim.cw" in dump  # the dump is real
    for secret in (REPORT, REPLY, ADDED, NOTE, "514-555-0199", codename, "PIECE-JOINTE-SECRETE", "Zorglub"):
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in dump, secret
    assert ATTACHMENT not in dump
