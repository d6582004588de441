"""The Apple Wallet pass: a zip whose manifest hashes every file, signed (detached PKCS #7) by the
pass certificate with the WWDR intermediate; its barcode is the card's code; it never calls back."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import zipfile

import pytest

from sanspeur.wallet import pkpass

from .conftest import claim
from .test_links import card_code, make_link

pytestmark = pytest.mark.django_db


def claimed_pass(client, mfa_client, agent, card) -> bytes:
    token = make_link(mfa_client, agent, card)
    data = claim(client, token).json()
    assert data["pkpass"], "a pass comes with the card when a certificate is configured"
    return base64.b64decode(data["pkpass"])


def test_the_pass_verifies_and_carries_the_cards_code(client, mfa_client, agent, enrolled, pass_certificate):
    _holder, card = enrolled
    bundle = claimed_pass(client, mfa_client, agent, card)
    archive = zipfile.ZipFile(io.BytesIO(bundle))
    files = {name: archive.read(name) for name in archive.namelist()}
    assert {"pass.json", "manifest.json", "signature", "icon.png", "icon@2x.png", "thumbnail.png"} <= set(files)
    assert {f"{lang}.lproj/pass.strings" for lang in ("fr", "en", "es", "ar", "ht")} <= set(files)

    # Every file but the manifest and the signature is in the manifest, with its SHA-1.
    manifest = json.loads(files["manifest.json"])
    assert set(manifest) == set(files) - {"manifest.json", "signature"}
    for name, digest in manifest.items():
        assert hashlib.sha1(files[name], usedforsecurity=False).hexdigest() == digest, name

    description = json.loads(files["pass.json"])
    code = card_code(card)
    assert description["barcodes"][0]["message"] == code
    assert description["barcodes"][0]["format"] == "PKBarcodeFormatQR"
    assert description["barcode"]["message"] == code
    assert "webServiceURL" not in description and "authenticationToken" not in description
    assert "webServiceURL" not in files["pass.json"].decode()
    assert description["serialNumber"] == card.number
    assert description["teamIdentifier"] == "TEST123456"
    names = description["generic"]["primaryFields"][0]["value"]
    assert names == "Zéphyrine Quasimodo-Lavoie"
    strings = files["ar.lproj/pass.strings"].decode("utf-16")
    assert '"label_expires" = ' in strings and "صالحة" in strings

    # The signature: detached, over manifest.json, by the pass certificate chained to the WWDR.
    openssl = shutil.which("openssl")
    assert openssl, "openssl is needed to check the signature"
    folder = pass_certificate
    (folder / "manifest.json").write_bytes(files["manifest.json"])
    (folder / "signature").write_bytes(files["signature"])
    verify = [
        openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", str(folder / "signature"),
        "-content", str(folder / "manifest.json"), "-CAfile", str(folder / "wwdr.pem"), "-purpose", "any",
        "-out", str(folder / "out"),
    ]  # fmt: skip
    result = subprocess.run(verify, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (folder / "out").read_bytes() == files["manifest.json"]
    # The intermediate travels in the signature.
    certs = subprocess.run(
        [openssl, "pkcs7", "-inform", "DER", "-in", str(folder / "signature"), "-print_certs"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Stand-in WWDR" in certs and "pass.test" in certs

    # A changed manifest no longer verifies.
    (folder / "manifest.json").write_bytes(files["manifest.json"].replace(b"{", b"{ ", 1))
    assert subprocess.run(verify, capture_output=True).returncode != 0


def test_without_a_certificate_there_is_no_pass(enrolled):
    assert pkpass.configured_signer() is None
