"""An Apple Wallet pass (``.pkpass``) whose barcode is the card's signed code (docs/wallet.md).

A pass is a zip: ``pass.json``, images, ``<lang>.lproj/pass.strings``, ``manifest.json`` (the
SHA-1 of every other file) and ``signature``, a detached PKCS #7 signature of the manifest by the
pass certificate, carrying Apple's WWDR intermediate. There is no ``webServiceURL`` and no
``authenticationToken``: the pass never calls back, so no server keeps a list of devices.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from django.conf import settings
from django.utils import translation
from PIL import Image

from sanspeur.credential import decode_claims_unverified, format_card_number

from .strings import PASS_STRINGS

MEDIA_TYPE = "application/vnd.apple.pkpass"
LANGUAGES = ("fr", "en", "es", "ar", "ht")
ICON = Path(__file__).resolve().parent / "static" / "wallet" / "icons" / "icon-192.png"


@dataclass(frozen=True)
class PassSigner:
    certificate: x509.Certificate
    key: object
    intermediate: x509.Certificate


def configured_signer() -> PassSigner | None:
    """The city's pass certificate, key and WWDR intermediate from the settings, or None."""
    paths = (
        settings.SANSPEUR_WALLET_PASS_CERTIFICATE,
        settings.SANSPEUR_WALLET_PASS_KEY,
        settings.SANSPEUR_WALLET_PASS_WWDR,
    )
    if not all(paths):
        return None
    cert_path, key_path, wwdr_path = (Path(p) for p in paths)
    return PassSigner(
        certificate=x509.load_pem_x509_certificate(cert_path.read_bytes()),
        key=serialization.load_pem_private_key(key_path.read_bytes(), password=None),
        intermediate=x509.load_pem_x509_certificate(wwdr_path.read_bytes()),
    )


def _png(image: Image.Image, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    image.resize(size, Image.Resampling.LANCZOS).save(out, "PNG")
    return out.getvalue()


def _images(photo_webp: bytes) -> dict[str, bytes]:
    with Image.open(ICON) as icon:
        icon = icon.convert("RGBA")
        files = {
            "icon.png": _png(icon, (29, 29)),
            "icon@2x.png": _png(icon, (58, 58)),
            "logo.png": _png(icon, (50, 50)),
            "logo@2x.png": _png(icon, (100, 100)),
        }
    with Image.open(io.BytesIO(photo_webp)) as photo:
        photo = photo.convert("L")
        files["thumbnail.png"] = _png(photo, (90, 112))
        files["thumbnail@2x.png"] = _png(photo, (180, 225))
    return files


def _strings(language: str) -> bytes:
    with translation.override(language):
        lines = [f'"{key}" = {json.dumps(str(text), ensure_ascii=False)};' for key, text in PASS_STRINGS.items()]
    return ("\n".join(lines) + "\n").encode("utf-16")  # Apple reads UTF-16 (with its byte-order mark)


def pass_json(code: str) -> dict:
    """The pass's description: the face from the signed code, the code itself as the barcode."""
    claims = decode_claims_unverified(code)
    expires: datetime = claims.expires_at
    names = f"{claims.given_names} {claims.family_names}"
    barcode = {"format": "PKBarcodeFormatQR", "message": code, "messageEncoding": "iso-8859-1"}
    return {
        "formatVersion": 1,
        "passTypeIdentifier": settings.SANSPEUR_WALLET_PASS_TYPE_ID,
        "teamIdentifier": settings.SANSPEUR_WALLET_PASS_TEAM_ID,
        "serialNumber": claims.card_number,
        "organizationName": f"{settings.SANSPEUR_CITY_NAME} · Sans peur",
        "description": "pass_description",
        "logoText": "Sans peur",
        "foregroundColor": "rgb(255, 255, 255)",
        "backgroundColor": "rgb(29, 58, 110)",
        "labelColor": "rgb(220, 228, 245)",
        "expirationDate": expires.isoformat(),
        "sharingProhibited": True,
        "barcodes": [barcode],
        "barcode": barcode,
        "generic": {
            "primaryFields": [{"key": "name", "label": "label_name", "value": names}],
            "secondaryFields": [
                {
                    "key": "expires",
                    "label": "label_expires",
                    "value": expires.isoformat(),
                    "dateStyle": "PKDateStyleLong",
                    "timeStyle": "PKDateStyleNone",
                    "ignoresTimeZone": True,
                },
                {"key": "city", "label": "label_resident", "value": claims.city},
            ],
            "auxiliaryFields": [
                {"key": "number", "label": "label_number", "value": format_card_number(claims.card_number)}
            ],
            "backFields": [{"key": "about", "label": "label_about", "value": "back_about"}],
        },
    }


def pass_files(code: str) -> dict[str, bytes]:
    """Every file of the pass except the manifest and the signature."""
    claims = decode_claims_unverified(code)
    files = {"pass.json": json.dumps(pass_json(code), ensure_ascii=False, indent=1).encode("utf-8")}
    files.update(_images(claims.photo))
    for language in LANGUAGES:
        files[f"{language}.lproj/pass.strings"] = _strings(language)
    return files


def manifest(files: dict[str, bytes]) -> bytes:
    return json.dumps(
        {name: hashlib.sha1(data, usedforsecurity=False).hexdigest() for name, data in sorted(files.items())},
        indent=1,
    ).encode("utf-8")


def sign(manifest_bytes: bytes, signer: PassSigner) -> bytes:
    """Detached PKCS #7 (DER) signature of the manifest, with the WWDR intermediate included."""
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(manifest_bytes)
        .add_signer(signer.certificate, signer.key, hashes.SHA256())
        .add_certificate(signer.intermediate)
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    )


def build(code: str, signer: PassSigner) -> bytes:
    files = pass_files(code)
    files["manifest.json"] = manifest(files)
    files["signature"] = sign(files["manifest.json"], signer)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()
