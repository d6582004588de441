"""An agent signs in with MFA, enrolls a person with the camera, issues and prints the card; the
printed QR code verifies offline with the published lists; a replacement revokes the old card."""

import base64
import io
import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from tests.cards.conftest import fill_date
from tests.conftest import SCREENSHOT_DIR, STAFF_PASSWORD, _require, pdftoppm_available, screenshot, sign_in, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VERIFY = Path(sys.executable).with_name("sanspeur-verify")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the live test server
        return response.read()


def download_lists(base_url: str, folder: Path) -> list[str]:
    from sanspeur.cards.models import StatusList

    (folder / "trust.jws").write_bytes(fetch(base_url + "/.well-known/sanspeur/trust-list"))
    (folder / "root.pem").write_bytes(fetch(base_url + "/.well-known/sanspeur/trust-root.pem"))
    args = ["--trust", str(folder / "trust.jws"), "--trust-root", str(folder / "root.pem")]
    for status_list in StatusList.objects.all():
        path = folder / f"status-{status_list.id}.cwt"
        path.write_bytes(fetch(f"{base_url}/.well-known/sanspeur/status/{status_list.id}"))
        args += ["--status", str(path)]
    return args


def run_verify(args: list[str], code: str) -> tuple[int, dict]:
    done = subprocess.run([str(VERIFY), *args, "--photo", code], capture_output=True, text=True, timeout=60)
    return done.returncode, json.loads(done.stdout or "{}")


def pdf_page_png(pdf: Path, page_number: int, prefix: Path) -> Path:
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", "-f", str(page_number), "-l", str(page_number), str(pdf), str(prefix)],
        check=True,
    )
    return sorted(prefix.parent.glob(prefix.name + "*.png"))[-1]


def test_enroll_with_camera_issue_print_verify_and_replace(
    camera_page, make_staff, organisation, documents, axe_check, tmp_path
):
    from sanspeur.cards.models import Card, Holder
    from sanspeur.core import vault
    from sanspeur.credential import make_photo
    from sanspeur.credential.qr import read_qr

    _require(pdftoppm_available(), "pdftoppm (poppler-utils) is needed to render the card")
    page = camera_page
    agent = make_staff("agent.browser", ["enrollment_agent"], organisation, full_name="Agente Navigateur")
    page.goto(page.base_url + "/fr/staff/login/")
    page.get_by_label("Nom d’utilisateur").fill("agent.browser")
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/staff/mfa/**")
    page.get_by_label("Code à six chiffres").fill(totp_now(agent.totp_device))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url("**/fr/staff/")

    page.goto(page.base_url + "/fr/cards/enroll/")
    page.get_by_label("Prénoms").fill("Oriane Maëlle")
    page.get_by_label("Noms de famille").fill("Desjardins-Okafor")
    fill_date(page, "1992-07-21")
    page.get_by_label("Arrondissement").select_option("Rosemont–La Petite-Patrie")
    page.get_by_label("Code postal").fill("h2g 1a1")
    page.get_by_role("checkbox", name=re.compile(r"Passeport \(")).check()
    page.get_by_role("checkbox", name=re.compile(r"Acte de naissance")).check()
    page.get_by_role("checkbox", name=re.compile(r"Lettre d.un refuge")).check()
    page.get_by_role("button", name="Démarrer la caméra").click()
    page.get_by_role("button", name="Prendre la photo").click()
    page.locator("#camera-preview").wait_for(state="visible")
    assert page.locator("input[name=photo_data]").input_value().startswith("data:image/jpeg;base64,")
    # The running total follows the ticked boxes (cards/points.js), as the server counts them.
    assert "4 points sur 3 atteints" in page.locator("#points-total").inner_text()
    axe_check(page, "enrollment form")
    screenshot(page, "cards-enroll-fr")
    page.get_by_role("button", name="Délivrer la carte").click()
    page.wait_for_url(re.compile(r".*/fr/cards/holders/[0-9a-f-]+/$"))
    assert "Carte délivrée." in page.locator(".messages").inner_text()
    axe_check(page, "issued card")
    screenshot(page, "cards-issued-fr")

    holder = Holder.objects.get()
    card = Card.objects.get(holder=holder)
    assert card.display_number in page.content()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger la carte à imprimer (PDF)").click()
    pdf = tmp_path / "card.pdf"
    download_info.value.save_as(pdf)

    front = pdf_page_png(pdf, 1, tmp_path / "front")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    (SCREENSHOT_DIR / "cards-pdf-front.png").write_bytes(front.read_bytes())
    back = pdf_page_png(pdf, 2, tmp_path / "back")
    (SCREENSHOT_DIR / "cards-pdf-back.png").write_bytes(back.read_bytes())
    sheet = pdf_page_png(pdf, 3, tmp_path / "sheet")
    with Image.open(sheet) as image:
        image.convert("L").resize((image.width // 3, image.height // 3)).save(SCREENSHOT_DIR / "cards-pdf-a4.png")
    with Image.open(back) as image:
        code = read_qr(image.convert("L"))
    assert code and code.startswith("MTL1:")

    args = download_lists(page.base_url, tmp_path)
    status, result = run_verify(args, code)
    assert status == 0, result
    assert result["valid"] and result["reason"] == "valid"
    assert result["claims"]["given_names"] == "Oriane Maëlle"
    assert result["claims"]["family_names"] == "Desjardins-Okafor"
    assert result["claims"]["date_of_birth"] == "1992-07-21"
    assert result["claims"]["card_number"] == card.number
    stored = vault.open_bytes(holder.data_key, holder.sealed_photo, context=holder.photo_context)
    with Image.open(io.BytesIO(stored)) as image:
        expected_photo = make_photo(image)
    assert base64.b64decode(result["photo"].split(",", 1)[1]) == expected_photo

    # Lost card: replaced; the old code now verifies as revoked with a fresh status list.
    page.get_by_role("link", name=re.compile("Remplacer la carte")).click()
    page.wait_for_url("**/replace/")
    assert Card.objects.filter(holder=holder).count() == 1  # the confirmation page alone changes nothing
    page.get_by_label("Motif du remplacement").select_option("lost")
    page.get_by_role("button", name="Oui, la révoquer et délivrer une nouvelle carte").click()
    page.wait_for_url(re.compile(r".*/fr/cards/holders/[0-9a-f-]+/$"))
    assert Card.objects.filter(holder=holder).count() == 2
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    status, result = run_verify(download_lists(page.base_url, fresh), code)
    assert status == 1 and result["reason"] == "revoked", result
    page.goto(page.base_url + "/fr/cards/holders/")
    assert page.locator("table tbody tr").count() == 1
    axe_check(page, "holder list")
    screenshot(page, "cards-holder-list-fr")


def test_administrator_edits_document_rules(page, make_staff, city_organisation, documents, axe_check):
    from sanspeur.cards.models import CardRules

    admin = make_staff("admin.browser", ["administrator"], city_organisation)
    page.goto(page.base_url + "/fr/staff/login/")
    page.get_by_label("Nom d’utilisateur").fill("admin.browser")
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/staff/mfa/**")
    page.get_by_label("Code à six chiffres").fill(totp_now(admin.totp_device))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url("**/fr/staff/")
    page.goto(page.base_url + "/fr/cards/rules/")
    assert page.locator("table tbody tr").count() == 15
    axe_check(page, "document rules")
    page.get_by_label("validité de la carte (mois)").fill("36")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/fr/cards/rules/")
    assert "Règles enregistrées." in page.locator(".messages").inner_text()
    assert CardRules.current().validity_months == 36
    screenshot(page, "cards-rules-fr")


def test_revoke_requires_confirmation_and_a_mistake_can_be_followed_by_a_new_card(
    page, make_staff, organisation, documents, axe_check
):
    """The first click on "Revoke" does not revoke: a page names the consequence and asks for a
    reason (none chosen for the agent); only its confirmation revokes. Then the way back from a
    mistake: a new card on the same record, the revoked one staying revoked."""
    from sanspeur.cards.faces import face_jpeg
    from sanspeur.cards.models import Card
    from sanspeur.cards.services import holder_enroll

    from .conftest import PROFILE

    agent = make_staff("agent.revoke", ["enrollment_agent"], organisation, full_name="Agent Révocation")
    holder, card = holder_enroll(
        acting_user=agent,
        organisation=organisation,
        profile=dict(PROFILE),
        photo_jpeg=face_jpeg(2),
        document_types=documents,
    )
    sign_in(page, agent)
    page.goto(f"{page.base_url}/fr/cards/holders/{holder.pk}/")
    page.get_by_role("link", name=re.compile("^Révoquer")).click()
    page.wait_for_url("**/revoke/")
    card.refresh_from_db()
    assert card.state == Card.State.ACTIVE  # the first click did not revoke
    assert "ne pourra plus jamais redevenir valide" in page.locator("#consequence").inner_text()
    assert page.get_by_label("Motif de la révocation").input_value() == ""  # no reason chosen for the agent
    axe_check(page, "revoke confirmation")
    screenshot(page, "cards-revoke-confirm-fr")
    page.get_by_role("button", name="Oui, révoquer la carte").click()
    page.locator(".error-summary").wait_for()
    assert "Choisissez un motif." in page.locator(".error-summary").inner_text()
    card.refresh_from_db()
    assert card.state == Card.State.ACTIVE
    screenshot(page, "cards-revoke-confirm-error-fr")
    page.get_by_label("Motif de la révocation").select_option("stolen")
    page.get_by_role("button", name="Oui, révoquer la carte").click()
    page.wait_for_url(re.compile(r".*/fr/cards/holders/[0-9a-f-]+/$"))
    card.refresh_from_db()
    assert card.state == Card.State.REVOKED and card.reason == "stolen"

    # Revoked by mistake: a new card on the same record, after its own confirmation.
    page.get_by_role("link", name="Révoquée par erreur : délivrer une nouvelle carte").click()
    page.wait_for_url("**/issue/")
    assert Card.objects.filter(holder=holder).count() == 1
    axe_check(page, "reissue confirmation")
    screenshot(page, "cards-reissue-confirm-fr")
    page.get_by_role("button", name="Oui, délivrer une nouvelle carte").click()
    page.wait_for_url(re.compile(r".*/fr/cards/holders/[0-9a-f-]+/$"))
    assert Card.objects.filter(holder=holder, state=Card.State.ACTIVE).exclude(pk=card.pk).count() == 1
    card.refresh_from_db()
    assert card.state == Card.State.REVOKED
    axe_check(page, "holder after reissue")
    screenshot(page, "cards-holder-after-reissue-fr")

    # Forget asks first too.
    page.get_by_role("link", name="Oublier cette personne").click()
    page.wait_for_url("**/forget/")
    axe_check(page, "forget confirmation")
    screenshot(page, "cards-forget-confirm-fr")
    assert holder.__class__.objects.filter(pk=holder.pk).exists()
