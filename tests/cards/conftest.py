import io

import pytest

from sanspeur.cards.faces import face_jpeg


@pytest.fixture
def agent(make_staff, organisation):
    return make_staff("agent.a", ["enrollment_agent"], organisation, full_name="Agent A")


@pytest.fixture
def other_agent(make_staff, other_organisation):
    return make_staff("agent.b", ["enrollment_agent"], other_organisation, full_name="Agent B")


@pytest.fixture
def documents(db):
    """The default document types (seeded again: transactional tests flush migration data)."""
    import importlib

    from django.apps import apps

    from sanspeur.cards.models import DocumentType

    importlib.import_module("sanspeur.cards.migrations.0002_default_document_rules").seed(apps, None)

    return list(DocumentType.objects.filter(code__in=["passport", "birth-certificate", "shelter-letter"]))


PROFILE = {
    "given_names": "Zéphyrine",
    "family_names": "Quasimodo-Lavoie",
    "date_of_birth": "1987-03-14",
    "borough": "Verdun",
    "postal_code": "H4G 1Z9",
    "phone": "514-555-0199",
    "email": "zephyrine@example.org",
    "preferred_language": "fr",
    "gender_marker": "X",
    "print_gender": False,
}


@pytest.fixture
def enrolled(db, agent, documents):
    """(holder, card) enrolled by ``agent``."""

    from sanspeur.cards.services import holder_enroll

    return holder_enroll(
        acting_user=agent,
        organisation=agent.organisation,
        profile=dict(PROFILE),
        photo_jpeg=face_jpeg(1),
        document_types=documents,
        submission_token="fixture-token",
    )


def published(client):
    """Trust list, root PEM and status list as a verifier would download them."""
    from sanspeur.cards.models import StatusList

    trust = client.get("/.well-known/sanspeur/trust-list").content
    root = client.get("/.well-known/sanspeur/trust-root.pem").content
    statuses = [client.get(f"/.well-known/sanspeur/status/{sl.id}").content for sl in StatusList.objects.all()]
    return trust, root, statuses


def verify_code(client, code, now=None):
    from datetime import UTC, datetime

    from sanspeur.credential import load_public_keys_pem, load_trust_list, parse_status_list_token, verify

    trust, root, statuses = published(client)
    trust_list = load_trust_list(trust, load_public_keys_pem(root))
    return verify(code, trust_list, [parse_status_list_token(s) for s in statuses], now or datetime.now(UTC))


def jpeg_bytes(size=(400, 500), color=(120, 80, 60)):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


# --- a Chromium with a fake camera showing a synthetic face ------------------------------------
def write_y4m(path, image) -> None:
    """One 4:2:0 frame of ``image`` in YUV4MPEG2 (Chromium loops it as the camera feed)."""
    width, height = image.size
    ycbcr = image.convert("YCbCr")
    y, cb, cr = ycbcr.split()
    half = (width // 2, height // 2)
    with open(path, "wb") as handle:
        handle.write(f"YUV4MPEG2 W{width} H{height} F25:1 Ip A1:1 C420jpeg\n".encode())
        handle.write(b"FRAME\n")
        handle.write(y.tobytes())
        handle.write(cb.resize(half).tobytes())
        handle.write(cr.resize(half).tobytes())


@pytest.fixture(scope="session")
def camera_video(tmp_path_factory):
    from PIL import Image

    from sanspeur.cards.faces import face_image

    frame = Image.new("RGB", (640, 480), (230, 235, 240))
    frame.paste(face_image(7, (384, 480)), (128, 0))
    path = tmp_path_factory.mktemp("camera") / "face.y4m"
    write_y4m(path, frame)
    return path


@pytest.fixture(scope="session")
def camera_browser(browser, chromium_args, camera_video):
    """A second Chromium with a fake camera; the shared ``browser`` of other apps is left as is.

    It is launched through the shared browser's Playwright instance (one sync Playwright per thread).
    """
    from tests.conftest import CHROMIUM

    args = [
        *chromium_args,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera_video}",
    ]
    camera = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True, args=args)
    yield camera
    camera.close()


@pytest.fixture
def camera_page(camera_browser, live_server):
    context = camera_browser.new_context(locale="fr-CA", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def fill_date(page, iso: str, legend: str = "Date de naissance") -> None:
    """Fill a three-field date (core/widgets.py) like a person: day, month from the list, year."""
    year, month, day = iso.split("-")
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Jour").fill(str(int(day)))
    group.get_by_label("Mois").select_option(str(int(month)))
    group.get_by_label("Année").fill(year)
