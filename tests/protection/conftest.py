import base64
import html as html_lib
import io
import json
import re

import pytest
from PIL import Image

PASSPHRASE = "unit passphrase for tests 2026"


@pytest.fixture(autouse=True)
def _fast_crypto(settings):
    """Same code paths, cheaper work factors (Argon2id minimum, scrypt N=2^11)."""
    settings.SANSPEUR_PROTECTION_KDF_OPSLIMIT = 1
    settings.SANSPEUR_PROTECTION_KDF_MEMLIMIT = 8192
    settings.SANSPEUR_PROTECTION_SCRYPT_N = 2**11
    # Same code path as production, a proof of work a test can solve in Python in milliseconds.
    settings.SANSPEUR_POW_COST = 1
    settings.SANSPEUR_POW_COUNTER_MAX = 60
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unit_key(db):
    from sanspeur.protection.services import unit_key_create

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


WIDGET = re.compile(r'<altcha-widget[^>]*\schallenge="([^"]+)"')
QUESTION = re.compile(r"(\d+) \+ (\d+)")
TOKEN = re.compile(r'name="token" value="([^"]+)"')
PASS = re.compile(r'name="pass" value="([^"]+)"')


def proof_for(client, page_html: str) -> dict:
    """What the ALTCHA widget does in a browser (nothing when the page asks for no proof)."""
    import altcha

    match = WIDGET.search(page_html)
    if not match:
        return {}
    response = client.get(html_lib.unescape(match.group(1)))
    assert response.status_code == 200
    challenge = altcha.Challenge.from_dict(json.loads(response.content))
    payload = altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_dict()
    return {"altcha": base64.b64encode(json.dumps(payload).encode()).decode()}


def answer_question(page_html: str) -> dict:
    """The question offered to browsers without JavaScript, answered from the page's own text."""
    a, b = QUESTION.search(page_html).groups()
    return {"token": TOKEN.search(page_html).group(1), "answer": str(int(a) + int(b))}


def submit(client, lang="fr", files=(), proof=True, **fields):
    data = {
        "category": "work",
        "role": "victim",
        "text": "Mon patron garde mon salaire",
        "contact": "none",
        "contact_language": lang,
        **fields,
    }
    if proof:
        data.update(proof_for(client, client.get(f"/{lang}/protection/report/").content.decode()))
    if files:
        data["attachments"] = list(files)
    return client.post(f"/{lang}/protection/report/", data, follow=True)


def followup(client, data: dict, lang="fr", proof=True):
    """A POST to the follow-up page with the proof of work its form asks for."""
    if proof:
        data = {**proof_for(client, client.get(f"/{lang}/protection/followup/").content.decode()), **data}
    return client.post(f"/{lang}/protection/followup/", data)


def thread_pass(response) -> dict:
    """The pass the thread page gives its own forms (add, delete) instead of a new proof."""
    match = PASS.search(response.content.decode())
    return {"pass": match.group(1)} if match else {}


def codename_from(response) -> str:
    match = re.search(
        r'<p class="codename" id="codename"[^>]*>(?:<bdi>)?([^<]+)(?:</bdi>)?</p>', response.content.decode()
    )
    assert match, response.content.decode()[:2000]
    return match.group(1).strip()
