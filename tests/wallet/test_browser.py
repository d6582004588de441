"""In Chromium: an agent makes the one-time link, the holder's phone (another browser) claims it
and shows the QR, the verifier app reads that QR with the network off: valid; a second claim of
the link fails; after a revocation and a status refresh the same QR is revoked."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from PIL import Image

from tests.conftest import screenshot, sign_in

from .conftest import PROFILE
from .test_links import card_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def phone(browser, base_url, language="fr-CA"):
    context = browser.new_context(locale=language, viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = base_url
    return context, page


def shown_qr_text(page) -> str:
    """What a camera pointed at the phone's screen reads."""
    from sanspeur.credential.qr import read_qr

    image = Image.open(io.BytesIO(page.locator("#wa-qr-img").screenshot())).convert("L")
    return read_qr(image)


def paste(page, code: str) -> str:
    page.fill("#vf-code", code)
    page.click("#vf-paste button[type=submit]")
    page.wait_for_selector("#vf-result:not([hidden])")
    reason = page.locator("#vf-result").get_attribute("data-reason")
    page.click("#vf-done")
    return reason


def test_issue_to_the_phone_then_verify_offline_then_revoked(
    page, browser, agent, documents, axe_check, pass_certificate
):
    from sanspeur.cards import services as card_services
    from sanspeur.cards.faces import face_jpeg

    holder, card = card_services.holder_enroll(
        acting_user=agent,
        organisation=agent.organisation,
        profile=dict(PROFILE),
        photo_jpeg=face_jpeg(2),
        document_types=documents,
        submission_token="wallet-browser",
    )
    code = card_code(card)

    # 1. The agent makes the link.
    sign_in(page, agent)
    page.goto(page.base_url + f"/fr/wallet/cards/{card.pk}/phone/")
    axe_check(page, "agent page before the link")
    page.get_by_role("button", name="Créer un lien à usage unique pour le téléphone").click()
    link = page.locator(".wallet-link-url code").text_content()
    assert "/wallet/app/#claim=" in link and card.number not in link
    assert page.locator(".wallet-link-qr svg").count() == 1
    axe_check(page, "agent page with the link")
    screenshot(page, "wallet-agent-link")

    # 2. The phone opens it: the card is stored, the token leaves the address bar.
    context, holder_page = phone(browser, page.base_url)
    holder_page.goto(link)
    holder_page.wait_for_selector("#wallet-app[data-card='shown']")
    assert "#" not in holder_page.url
    assert holder_page.locator("#wa-message").inner_text() == "Votre carte est maintenant dans ce téléphone."
    names = holder_page.locator("#wa-names").inner_text()
    assert names == f"{PROFILE['given_names']} {PROFILE['family_names']}"
    assert holder_page.locator("#wa-number").inner_text() == card.display_number
    assert holder_page.evaluate("document.getElementById('wa-photo').naturalWidth") == 60
    holder_page.wait_for_selector("#wallet-app[data-sw-ready='true']")
    holder_page.wait_for_function("navigator.serviceWorker.controller !== null")
    axe_check(holder_page, "holder app with a card")
    screenshot(holder_page, "wallet-app-fr")

    # The Apple Wallet pass, kept with the card, downloads from the phone itself.
    assert holder_page.locator("#wa-pass").get_attribute("href").startswith("blob:")
    with holder_page.expect_download() as download:
        holder_page.click("#wa-pass")
    bundle = zipfile.ZipFile(download.value.path())
    assert json.loads(bundle.read("pass.json"))["barcodes"][0]["message"] == code

    # Offline, the installed app still opens with the card (shell from the service worker, card
    # from IndexedDB), and it makes no request at all.
    context.set_offline(True)
    holder_page.reload()
    holder_page.wait_for_selector("#wallet-app[data-card='shown']")
    seen: list[str] = []
    holder_page.on("requestfinished", lambda r: seen.append(r.url) if not r.response().from_service_worker else None)
    holder_page.on("requestfailed", lambda r: seen.append(r.url))
    holder_page.click("#wa-show")
    holder_page.wait_for_selector("#wa-qr:not([hidden])")
    box = holder_page.locator("#wa-qr-img").bounding_box()
    assert box["width"] >= PHONE["width"] - 20  # as large as the screen allows
    axe_check(holder_page, "holder app showing the code")
    screenshot(holder_page, "wallet-app-qr-fr")
    shown = shown_qr_text(holder_page)
    assert shown == code
    holder_page.click("#wa-qr-close")
    assert seen == [], f"the holder app reached the network: {seen}"

    # The optional PIN hides the card until it is typed (it gates the display; docs/wallet.md).
    assert holder_page.locator("#wa-lock-now").is_hidden() and holder_page.locator("#wa-pin-remove").is_hidden()
    holder_page.fill("#wa-new-pin", "12")
    holder_page.click("#wa-pin-save")
    assert holder_page.locator("#wa-pin-msg").inner_text() == "Le NIP doit compter de 4 à 8 chiffres."
    holder_page.fill("#wa-new-pin", "2468")
    holder_page.click("#wa-pin-save")
    holder_page.wait_for_selector("#wa-lock-now:visible")
    holder_page.click("#wa-lock-now")
    assert holder_page.locator("#wa-card").is_hidden() and holder_page.locator("#wa-lock").is_visible()
    holder_page.reload()
    holder_page.wait_for_selector("#wallet-app[data-ready='true']")
    assert holder_page.locator("#wa-card").is_hidden() and holder_page.locator("#wa-lock").is_visible()
    holder_page.fill("#wa-pin", "1111")
    holder_page.click("#wa-unlock button")
    holder_page.wait_for_selector("#wa-pin-error:visible")
    assert holder_page.locator("#wa-pin-error").inner_text() == "NIP incorrect."
    assert holder_page.locator("#wa-card").is_hidden()
    screenshot(holder_page, "wallet-app-locked-fr")
    holder_page.fill("#wa-pin", "2468")
    holder_page.click("#wa-unlock button")
    holder_page.wait_for_selector("#wa-card:visible")
    holder_page.click("#wa-pin-remove")
    holder_page.wait_for_selector("#wa-lock-now", state="hidden")

    # Arabic, right to left.
    holder_page.select_option("#wa-lang", "ar")
    assert holder_page.evaluate("document.documentElement.dir") == "rtl"
    assert holder_page.locator("#wa-show").inner_text() == "عرض الرمز"
    axe_check(holder_page, "holder app in Arabic")
    screenshot(holder_page, "wallet-app-ar")
    holder_page.click("#wa-show")
    screenshot(holder_page, "wallet-app-qr-ar")
    holder_page.click("#wa-qr-close")

    # 3. A second claim of the same link fails (another phone, or the same one again).
    other, other_page = phone(browser, page.base_url)
    other_page.goto(link)
    other_page.wait_for_selector("#wallet-app[data-ready='true']")
    other_page.wait_for_function(
        "document.getElementById('wa-message').dataset && !document.getElementById('wa-message').hidden"
    )
    assert other_page.locator("#wa-message").inner_text().startswith("Ce lien ne peut plus être utilisé")
    assert other_page.locator("#wa-card").is_hidden() and other_page.locator("#wa-empty").is_visible()
    screenshot(other_page, "wallet-app-claim-refused")
    other.close()

    # 4. The verifier, offline, reads the phone's QR: valid. Revoked after a status refresh.
    verifier = browser.new_context(locale="fr-CA", viewport={"width": 1000, "height": 900})
    vpage = verifier.new_page()
    vpage.set_default_timeout(20_000)
    vpage.goto(page.base_url + "/verify/")
    vpage.wait_for_selector("#verify-app[data-sw-ready='true']")
    vpage.wait_for_function("navigator.serviceWorker.controller !== null")
    vpage.wait_for_selector("#verify-app[data-ready='true']")
    verifier.set_offline(True)
    vpage.reload()
    vpage.wait_for_selector("#verify-app[data-ready='true']")
    assert paste(vpage, shown) == "valid"

    card_services.card_revoke(acting_user=agent, card=card, reason="lost")
    verifier.set_offline(False)
    loads = int(vpage.locator("#verify-app").get_attribute("data-lists-loads"))
    vpage.evaluate("navigator.serviceWorker.controller.postMessage({type: 'refresh', force: true})")
    vpage.wait_for_function("(n) => Number(document.getElementById('verify-app').dataset.listsLoads) > n", arg=loads)
    verifier.set_offline(True)
    assert paste(vpage, shown) == "revoked"
    verifier.close()
    context.close()
