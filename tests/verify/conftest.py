"""Fixtures for the verifier: the shared vectors as the list source, a clock set to a vector's
`now`, and a Chromium with a fake camera that films the vectors' valid card."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, _require

from .urls import STATUS_LIST_URL, TRUST_LIST_URL, VECTORS

VECTOR_DATA = json.loads((VECTORS / "vectors.json").read_text())
CASES = {case["name"]: case for case in VECTOR_DATA["cases"]}
VECTOR_NOW = "2026-03-01T06:00:00Z"


def vector_time(name: str = "valid") -> datetime:
    return datetime.fromisoformat(CASES[name]["now"].replace("Z", "+00:00"))


@pytest.fixture
def vector_source(settings):
    """Point the verifier's config at the vectors (trust root pinned from trust_root.pem)."""
    settings.ROOT_URLCONF = "tests.verify.urls"
    settings.SANSPEUR_VERIFY_TRUST_LIST_URL = TRUST_LIST_URL
    settings.SANSPEUR_VERIFY_STATUS_LIST_URLS = [STATUS_LIST_URL]
    settings.SANSPEUR_VERIFY_TRUST_ROOT_PEM = (VECTORS / "trust_root.pem").read_text()
    return settings


@pytest.fixture
def verifier_page(page, vector_source):
    """The verifier loaded online, with the clock at the vectors' time and the service worker
    in control (so that the page and its lists are cached)."""
    page.clock.set_fixed_time(vector_time())
    page.goto(page.base_url + "/verify/")
    page.wait_for_selector("#verify-app[data-sw-ready='true']")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_selector("#verify-app[data-ready='true']")
    return page


def make_camera_video(path: Path) -> Path:
    """A short Y4M clip of the valid card's QR code (what Chromium's fake camera plays)."""
    from PIL import Image

    card = Image.open(VECTORS / "valid_card.png").convert("L")
    width, height = 640, 480
    frame = Image.new("L", (width, height), 255)
    side = min(height - 40, card.width)
    qr = card.resize((side, side), Image.Resampling.NEAREST)
    frame.paste(qr, ((width - side) // 2, (height - side) // 2))
    y_plane = frame.tobytes()
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(10):
            out.write(b"FRAME\n" + y_plane + chroma + chroma)
    return path


@pytest.fixture(scope="session")
def camera_browser(browser, chromium_args, tmp_path_factory):
    """A second Chromium from the same Playwright instance, with a fake camera."""
    _require(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM}")
    video = make_camera_video(tmp_path_factory.mktemp("camera") / "card.y4m")
    args = [
        *chromium_args,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    camera = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True, args=args)
    yield camera
    camera.close()
