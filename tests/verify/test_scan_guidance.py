"""The scan loop's guidance (scanner.js): from the size of the code in a frame it cannot read, it
tells the clerk to move closer, farther, or to hold still — in the page's language (issue 23)."""

from __future__ import annotations

import base64

import pytest
from PIL import Image, ImageFilter

from tests.conftest import CHROMIUM, _require, screenshot

from .conftest import CASES, vector_time

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = CASES["valid"]["code"]
FULL = (1920, 1080)  # what the camera gives
SHRUNK = (960, 540)  # what the scan loop looks at for guidance


def camera_frame(code_px: int, *, offset: tuple[int, int] = (0, 0), blur: float = 1.0) -> Image.Image:
    """A frame of ``FULL`` size with the card's code ``code_px`` wide (quiet zone included), on a
    white card on a dark desk."""
    from sanspeur.credential.qr import render_image

    frame = Image.new("L", FULL, 70)
    if code_px:
        symbol = render_image(CODE, size_mm=50, dpi=600).resize((code_px, code_px), Image.Resampling.BOX)
        card = Image.new("L", (round(code_px * 1.7), round(code_px * 1.08)), 235)
        card.paste(symbol, (round(code_px * 0.04), round(code_px * 0.04)))
        x = (FULL[0] - code_px) // 2 + offset[0]
        y = (FULL[1] - code_px) // 2 + offset[1]
        frame.paste(card, (x, y))
    return frame.filter(ImageFilter.GaussianBlur(blur))


def _guidance(page, frames: dict[str, Image.Image]) -> dict[str, str | None]:
    shrunk = {name: image.resize(SHRUNK, Image.Resampling.BILINEAR) for name, image in frames.items()}
    return page.evaluate(
        """
        async ({frames, width, height, scale}) => {
          const s = await import('/static/verify/scanner.js');
          const out = {};
          for (const [name, b64] of Object.entries(frames)) {
            const gray = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const found = s.locateCode(gray, width, height);
            out[name] = s.guidance(found && { ...found, size: found.size / scale });
          }
          return out;
        }
        """,
        {
            "frames": {name: base64.b64encode(image.tobytes()).decode() for name, image in shrunk.items()},
            "width": SHRUNK[0],
            "height": SHRUNK[1],
            "scale": SHRUNK[0] / FULL[0],
        },
    )


def test_guidance_follows_the_size_of_the_code(page):
    page.goto(page.base_url + "/verify/")
    # 101 modules at 3 pixels each is 303 pixels: below, the code is too small to read reliably.
    said = _guidance(
        page,
        {
            "far": camera_frame(200),  # a card at about 38 cm from a 1080p camera
            "good": camera_frame(520),  # about 15 cm
            "cut": camera_frame(1000, offset=(600, 0)),  # too close, and off the edge
            "huge": camera_frame(1060),  # fills the frame's height
            "none": camera_frame(0),  # only the desk
        },
    )
    assert said == {"far": "closer", "good": "still", "cut": "farther", "huge": "farther", "none": None}


def test_the_camera_says_move_closer_in_the_page_language(browser, chromium_args, live_server, vector_source, tmp_path):
    """A fake camera filming the card from too far: the message asks to come closer, translated."""
    _require(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM}")
    frame = camera_frame(230, blur=1.5).resize((1280, 720), Image.Resampling.BILINEAR)
    video = tmp_path / "far.y4m"
    chroma = bytes([128]) * ((frame.width // 2) * (frame.height // 2))
    with video.open("wb") as out:
        out.write(f"YUV4MPEG2 W{frame.width} H{frame.height} F10:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(5):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
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
        for language, expected in (("fr", "Rapprochez le téléphone du code."), ("ar", "قرّب الهاتف من الرمز.")):
            context = camera.new_context(locale=language, viewport={"width": 420, "height": 900})
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.clock.set_fixed_time(vector_time())
            page.goto(live_server.url + "/verify/")
            page.wait_for_selector("#verify-app[data-ready='true']")
            page.select_option("#vf-lang", language)
            page.click("#vf-camera-start")
            page.wait_for_selector("#vf-camera-msg[data-guidance='closer']", timeout=30_000)
            assert page.locator("#vf-camera-msg").inner_text() == expected
            assert page.locator("#vf-result").is_hidden()  # nothing read, nothing verified
            assert page.locator("#verify-app").get_attribute("data-camera-resolution") == "1280x720"
            screenshot(page, f"verify-guidance-closer-{language}")
            page.select_option("#vf-lang", "ht")  # the message follows a change of language
            assert page.locator("#vf-camera-msg").inner_text() == "Pwoche telefòn nan pi pre kòd la."
            page.click("#vf-camera-stop")
            assert page.locator("#vf-camera-msg").inner_text() == ""
            context.close()
    finally:
        camera.close()


FAKE_CAMERA = """
() => {
  const canvas = document.createElement("canvas");
  canvas.width = 1920;
  canvas.height = 1080;
  const context = canvas.getContext("2d");
  context.fillStyle = "#444";
  context.fillRect(0, 0, 1920, 1080);
  const stream = canvas.captureStream(10);
  const [track] = stream.getVideoTracks();
  window.cameraLog = { asked: null, applied: [] };
  track.getCapabilities = () => ({ torch: true, focusMode: ["manual", "continuous"] });
  track.applyConstraints = async (constraints) => {
    window.cameraLog.applied.push(constraints);
  };
  setInterval(() => context.fillRect(0, 0, 1920, 1080), 100);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    window.cameraLog.asked = constraints;
    return stream;
  };
}
"""


def test_the_camera_is_asked_for_its_best_and_the_torch_is_offered(page):
    """The highest resolution (ideal 3840 x 2160), continuous autofocus where the camera has it,
    and a translated torch button where it has a torch."""
    page.goto(page.base_url + "/verify/")
    page.wait_for_selector("#verify-app[data-ready='true']")
    page.select_option("#vf-lang", "fr")
    page.evaluate(FAKE_CAMERA)
    assert page.locator("#vf-torch").is_hidden()
    page.click("#vf-camera-start")
    page.wait_for_selector("#vf-torch:not([hidden])")
    log = page.evaluate("window.cameraLog")
    assert log["asked"]["video"]["width"]["ideal"] >= 1920 and log["asked"]["video"]["height"]["ideal"] >= 1080
    assert log["applied"] == [{"advanced": [{"focusMode": "continuous"}]}]
    assert page.locator("#vf-torch").inner_text() == "Allumer la lampe"
    page.click("#vf-torch")
    page.wait_for_selector("#vf-torch[aria-pressed='true']")
    assert page.evaluate("window.cameraLog.applied")[-1] == {"advanced": [{"torch": True}]}
    assert page.locator("#vf-torch").inner_text() == "Éteindre la lampe"
    page.click("#vf-camera-stop")
    assert page.locator("#vf-torch").is_hidden()
