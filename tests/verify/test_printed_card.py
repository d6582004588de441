"""The whole chain, as a service point lives it: a card enrolled and printed by the cards app,
filmed by the camera of a verifier that has gone offline. Valid, then — after a revocation and a
status refresh while online — not valid, and never a request during a scan."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.cards import conftest as cards_fixtures
from tests.conftest import CHROMIUM, _require, pdftoppm_available, screenshot

PROFILE = cards_fixtures.PROFILE
# The cards app's fixtures, reused here: an enrollment agent and the default document types.
agent = cards_fixtures.agent
documents = cards_fixtures.documents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def card_back_as_camera_video(pdf: bytes, folder: Path) -> Path:
    """Render the printed card at 150 dpi (a phone camera's view) and make a Y4M clip of its back."""
    _require(pdftoppm_available(), "pdftoppm (poppler-utils) is needed to render the card")
    (folder / "card.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "2", "-l", "2", str(folder / "card.pdf"), str(folder / "back")],
        check=True,
    )
    back = Image.open(next(folder.glob("back*.png"))).convert("L")
    width, height = 640, 480
    frame = Image.new("L", (width, height), 230)
    back.thumbnail((width - 20, height - 20))
    frame.paste(back, ((width - back.width) // 2, (height - back.height) // 2))
    video = folder / "card.y4m"
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with video.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return video


def scan_offline(context, page) -> tuple[str, list[str]]:
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#verify-app[data-ready='true']")
    reached_network: list[str] = []

    def record(request) -> None:
        # The decoder's module and wasm load lazily on first use; the service worker answers them
        # from its cache. Anything else would have gone to the network.
        response = request.response()
        if response is None or not response.from_service_worker:
            reached_network.append(request.url)

    page.on("requestfinished", record)
    page.on("requestfailed", lambda request: reached_network.append(request.url))
    page.click("#vf-camera-start")
    page.wait_for_selector("#vf-result:not([hidden])", timeout=30_000)
    page.remove_listener("requestfinished", record)
    return page.locator("#vf-result").get_attribute("data-reason"), reached_network


def test_printed_card_filmed_offline_valid_then_revoked(
    browser, chromium_args, live_server, agent, documents, tmp_path
):
    from sanspeur.cards import selectors, services
    from sanspeur.cards.faces import face_jpeg
    from sanspeur.cards.pdf import card_pdf

    holder, card = services.holder_enroll(
        acting_user=agent,
        organisation=agent.organisation,
        profile=dict(PROFILE),
        photo_jpeg=face_jpeg(3),
        document_types=documents,
        submission_token="printed-card-test",
    )
    code = services.card_pdf_download(acting_user=agent, card=card)
    profile = selectors.holder_profile(acting_user=agent, holder=holder, purpose="print")
    pdf = card_pdf(
        code=code, profile=profile, photo_jpeg=profile["photo"], number=card.display_number, expires_at=card.expires_at
    )
    video = card_back_as_camera_video(pdf, tmp_path)

    _require(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM}")
    camera = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            *chromium_args,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera.new_context(locale="fr-CA", viewport={"width": 1000, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(live_server.url + "/verify/")
        page.wait_for_selector("#verify-app[data-sw-ready='true']")
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        page.wait_for_selector("#verify-app[data-ready='true']")

        reason, seen = scan_offline(context, page)
        assert reason == "valid"
        assert seen == [], f"requests that reached the network during a scan: {seen}"
        fields = dict(
            page.eval_on_selector_all(
                "#vf-fields > [data-field]", "els => els.map(e => [e.dataset.field, e.innerText])"
            )
        )
        shown = " ".join(fields.values())
        assert PROFILE["family_names"] in shown and PROFILE["given_names"] in shown
        assert page.locator(".vf-photo img").count() == 1
        screenshot(page, "verify-printed-card-valid")
        page.click("#vf-done")

        services.card_revoke(acting_user=agent, card=card, reason="lost")
        context.set_offline(False)
        loads = int(page.locator("#verify-app").get_attribute("data-lists-loads"))
        page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'refresh', force: true})")
        page.wait_for_function("(n) => Number(document.getElementById('verify-app').dataset.listsLoads) > n", arg=loads)

        reason, seen = scan_offline(context, page)
        assert reason == "revoked"
        assert seen == [], f"requests that reached the network during a scan: {seen}"
        screenshot(page, "verify-printed-card-revoked")
        context.close()
    finally:
        camera.close()
