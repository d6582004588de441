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

from tests.conftest import SCREENSHOT_DIR, STAFF_PASSWORD, _require, pdftoppm_available, screenshot, totp_now

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
    page.get_by_label("Date de naissance").fill("1992-07-21")
    page.get_by_label("Arrondissement").select_option("Rosemont–La Petite-Patrie")
    page.get_by_label("Code postal").fill("h2g 1a1")
    page.get_by_role("checkbox", name=re.compile(r"Passeport \(")).check()
    page.get_by_role("checkbox", name=re.compile(r"Acte de naissance")).check()
    page.get_by_role("checkbox", name=re.compile(r"Lettre d.un refuge")).check()
    page.get_by_role("button", name="Démarrer la caméra").click()
    page.get_by_role("button", name="Prendre la photo").click()
    page.locator("#camera-preview").wait_for(state="visible")
    assert page.locator("input[name=photo_data]").input_value().startswith("data:image/jpeg;base64,")
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
    page.get_by_label("Remplacer : motif").select_option("lost")
    page.get_by_role("button", name="Remplacer la carte").click()
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
