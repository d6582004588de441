import io

import pytest
from PIL import Image

PASSPHRASE = "unit passphrase for tests 2026"


@pytest.fixture(autouse=True)
def _fast_crypto(settings):
    """Same code paths, cheaper work factors (Argon2id minimum, scrypt N=2^11)."""
    settings.SANSPEUR_PROTECTION_KDF_OPSLIMIT = 1
    settings.SANSPEUR_PROTECTION_KDF_MEMLIMIT = 8192
    settings.SANSPEUR_PROTECTION_SCRYPT_N = 2**11
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unit_key(db):
    from django.db import transaction

    from sanspeur.protection.services import unit_key_create

    with transaction.atomic():
        return unit_key_create(acting_user=None, passphrase=PASSPHRASE)


@pytest.fixture
def caseworker(make_staff):
    return make_staff("kim.cw", ["protection_caseworker"], full_name="Kim CW")


@pytest.fixture
def supervisor(make_staff):
    return make_staff("sam.sup", ["protection_supervisor"], full_name="Sam Sup")


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"  # Make
    exif[0x9286] = "GPS-SECRET-LOCATION"  # UserComment-like tag
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def unlock(client, passphrase=PASSPHRASE):
    return client.post("/fr/protection/unit/unlock/", {"passphrase": passphrase})


def submit(client, lang="fr", files=(), **fields):
    data = {
        "category": "work",
        "role": "victim",
        "text": "Mon patron garde mon salaire",
        "contact": "none",
        "contact_language": lang,
        **fields,
    }
    if files:
        data["attachments"] = list(files)
    return client.post(f"/{lang}/protection/report/", data)


def codename_from(response) -> str:
    import re

    match = re.search(r'<p class="codename" id="codename"[^>]*>([^<]+)</p>', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1).strip()
