"""In Chromium: an organisation signs up and applies in French (second factor enrolled on the way),
the program officer screens and assigns in English, a reviewer declares no conflict and scores in
English, the officer approves from the ranking within the envelope, schedules the agreement and pays
the first tranche; the organisation submits its first report (counts only) in French, the officer
accepts it, which releases the second tranche, approved and paid."""

import base64
import re
from pathlib import Path

import pytest
from django_otp.oath import TOTP

from sanspeur.grants.models import Application
from tests.conftest import STAFF_PASSWORD, screenshot, totp_now

from .conftest import make_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une phrase de passe assez longue 2026"


def _errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type in ("error", "warning") and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _staff_sign_in(page, user, path):
    page.goto(page.base_url + f"/en/staff/login/?next={path}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/staff/mfa/**")
    page.get_by_label("Six-digit code").fill(totp_now(user.totp_device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"**{path}")


def test_an_organisation_applies_in_french_a_reviewer_scores_in_english_the_officer_decides(
    page, browser, make_staff, city_organisation, axe_check
):
    officer = make_staff("paul.programme", ["program_officer"], city_organisation)
    reviewer = make_staff("rita.revision", ["reviewer"], city_organisation)
    call = make_call(officer, envelope="500000", maximum="200000")
    errors = _errors(page)

    # --- The organisation, in French --------------------------------------------------------------
    page.goto(page.base_url + f"/fr/grants/calls/{call.code}/")
    axe_check(page, "call page (fr)")
    screenshot(page, "grants-call-fr")
    page.get_by_role("link", name="Inscrire votre organisme pour déposer").click()
    page.get_by_label("Nom de l’organisme").fill("Collectif Zéphirin")
    page.get_by_label("Mission de l’organisme").fill("Accompagner les personnes vers les services municipaux.")
    page.get_by_label("Français").check()
    page.get_by_label("Nom de la personne-ressource").fill("Awa Diallo")
    page.get_by_label("Courriel de la personne-ressource").fill("awa@example.org")
    page.get_by_label("Nom d’utilisateur").fill("collectif.zephirin")
    page.get_by_label(re.compile(r"^Mot de passe\W*$")).fill(PASSWORD)
    page.get_by_label("Mot de passe, encore une fois").fill(PASSWORD)
    axe_check(page, "sign-up (fr)")
    page.get_by_role("button", name="Créer le compte").click()
    page.wait_for_url("**/fr/staff/mfa/**")
    secret = page.locator(".secret").inner_text().strip()
    code = TOTP(base64.b32decode(secret)).token()
    page.get_by_label("Code à six chiffres").fill(f"{code:06d}")
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url("**/fr/grants/apply/")
    page.get_by_role("link", name="Appel test sans peur").click()
    page.get_by_role("button", name="Commencer une demande").click()
    page.wait_for_url(re.compile(r".*/fr/grants/apply/\d+/$"))
    page.get_by_label("Titre du projet").fill("Permanences sans peur")
    page.get_by_label("Résumé").fill("Des permanences juridiques dans trois quartiers.")
    page.get_by_label("Le besoin").fill("Des personnes évitent les services par peur.")
    page.get_by_label(re.compile(r"^Activités\W*$")).fill("Permanences hebdomadaires, interprètes.")
    page.get_by_label("Résultats attendus").fill("Plus de personnes accompagnées (agrégats seulement).")
    page.get_by_label("Organisme à but non lucratif enregistré").check()
    page.get_by_label("Activités à Montréal").check()
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_selector("text=Brouillon enregistré.")
    axe_check(page, "application (fr)")
    page.get_by_role("link", name="Budget", exact=True).click()
    page.get_by_label("Catégorie").select_option("staff")
    page.get_by_label("Montant (CAD)").fill("80 000")
    page.get_by_role("button", name="Enregistrer la ligne").click()
    page.wait_for_selector("text=Budget enregistré.")
    assert "80\xa0000\xa0$" in page.locator("#budget-total").inner_text()
    screenshot(page, "grants-budget-fr")
    page.get_by_role("link", name="Fichiers").click()
    page.get_by_label(re.compile(r"^Fichier\W*$")).set_input_files(
        files=[{"name": "lettre.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}]
    )
    page.get_by_role("button", name="Joindre le fichier").click()
    page.wait_for_selector("text=Fichier joint.")
    page.get_by_role("link", name="Le projet").click()
    page.get_by_role("button", name="Déposer la demande").click()
    page.wait_for_selector("text=Demande déposée.")
    screenshot(page, "grants-submitted-fr")
    application = Application.objects.get()
    assert application.state == "submitted"

    # --- The program officer, in English: close the call, screen, assign ----------------------------
    officer_context = browser.new_context(locale="en-CA", viewport={"width": 1280, "height": 900})
    office = officer_context.new_page()
    office.base_url = page.base_url
    _staff_sign_in(office, officer, f"/en/grants/staff/calls/{call.pk}/")
    office.get_by_role("button", name="Close applications").click()
    office.get_by_role("button", name="Start the review").click()
    office.get_by_role("link", name=application.reference).click()
    office.get_by_role("button", name="Start the eligibility check").click()
    office.get_by_role("button", name="Eligible: send to review").click()
    office.get_by_label("Reviewer").select_option(label="rita.revision")
    office.get_by_role("button", name="Assign the reviewer").click()
    assert "hidden" in office.locator("#review-average-hidden").get_attribute("id")
    axe_check(office, "officer application page")

    # --- The reviewer, in English: conflict declaration first, then the rubric -----------------------
    review_context = browser.new_context(locale="en-CA", viewport={"width": 1280, "height": 900})
    review = review_context.new_page()
    review.base_url = page.base_url
    _staff_sign_in(review, reviewer, "/en/grants/reviews/")
    review.get_by_role("link", name=application.reference).click()
    assert "Permanences sans peur" not in review.content()
    axe_check(review, "conflict declaration")
    review.get_by_label("No, I have no conflict of interest").check()
    review.get_by_role("button", name="Declare").click()
    review.wait_for_selector("text=Des permanences juridiques dans trois quartiers.")
    review.locator("fieldset", has_text="Need (60)").get_by_label("4").check()
    review.locator("fieldset", has_text="Quality (40)").get_by_label("5").check()
    review.get_by_label("Comments for the committee").fill("Solid, well rooted.")
    axe_check(review, "rubric")
    screenshot(review, "grants-review-en")
    review.get_by_role("button", name="Submit my review").click()
    review.wait_for_selector("text=Your review is submitted. Thank you.")
    review_context.close()

    # --- The decision, within the envelope ----------------------------------------------------------
    office.goto(page.base_url + f"/en/grants/staff/applications/{application.pk}/")
    assert "4.40" in office.locator("#review-average").inner_text()
    office.goto(page.base_url + f"/en/grants/staff/calls/{call.pk}/ranking/")
    office.get_by_label("Amount awarded (CAD)").fill("80000")
    office.get_by_label("Council resolution number").fill("CE27 0412")
    axe_check(office, "ranking")
    office.get_by_role("button", name="Approve").click()
    office.wait_for_selector("text=Done.")
    assert "$80,000" in office.locator("#committed").inner_text()
    screenshot(office, "grants-ranking-en")
    application.refresh_from_db()
    assert (application.state, str(application.awarded_amount)) == ("approved", "80000.00")

    # --- The agreement: the first payment on signature, the second once the first report is accepted --
    office.goto(page.base_url + f"/en/grants/staff/applications/{application.pk}/agreement/")
    office.get_by_role("button", name="Schedule the reports and payments").click()
    with office.expect_download() as download:
        office.get_by_role("link", name="The agreement (PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    # The first payment waits for the signed copy, which the officer records when it comes back.
    assert office.locator("#tranche-1").get_by_role("button", name="Approve the payment").count() == 0
    office.get_by_label("The signed agreement").set_input_files(
        files=[{"name": "signed.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% signed\n%%EOF\n"}]
    )
    office.get_by_role("button", name="Record the signed copy").click()
    office.wait_for_selector("text=The signed agreement is recorded")
    assert "Received on" in office.locator("#signed-status").inner_text()
    office.locator("#tranche-1").get_by_role("button", name="Approve the payment").click()
    office.locator("#tranche-1").get_by_role("button", name="Mark as paid").click()
    assert office.locator("#tranche-2").get_by_role("button", name="Approve the payment").count() == 0
    page.goto(page.base_url + f"/fr/grants/apply/{application.pk}/reports/")
    page.get_by_label("Ce que le projet a fait").fill("Trente permanences tenues dans trois quartiers.")
    page.get_by_label("Salaires et honoraires").fill("39 500")
    page.get_by_label("Information juridique").fill("42")
    page.get_by_label("Accès aux soins de santé").fill("7")
    axe_check(page, "report (fr)")
    page.get_by_role("button", name="Remettre le rapport").click()
    page.wait_for_selector("text=Rapport remis.")
    assert "La Ville a reçu l’entente signée" in page.locator("#signed-status").inner_text()
    reports = page.locator("#reports").inner_text()
    assert "Information juridique: 40" in reports and "moins de 10" in reports
    # 39 500 $ of an 80 000 $ salaries line is less than half of it: the line is flagged.
    assert "Moins de la moitié" in page.locator("#spending-table").inner_text()
    screenshot(page, "grants-report-fr")
    office.reload()
    office.get_by_role("button", name="Accept the report").click()
    office.locator("#tranche-2").get_by_role("button", name="Approve the payment").click()
    office.locator("#tranche-2").get_by_role("button", name="Mark as paid").click()
    assert office.locator("#tranche-2 .tranche-state").inner_text() == "Paid"
    axe_check(office, "agreement")
    screenshot(office, "grants-agreement-en")

    # An amendment: the organisation asks in French for its second report later; the officer approves.
    page.get_by_role("link", name="Modifications", exact=True).click()
    page.get_by_label("Dates : un rapport remis plus tard").check()
    page.get_by_label("Ce qui change, et pourquoi").fill("Le local ferme trois mois pour travaux.")
    page.get_by_label("Rapport à déplacer").select_option(str(application.reports.get(number=2).pk))
    page.get_by_label("Jour").fill("31")
    page.get_by_label("Mois").select_option("3")
    page.get_by_label("Année", exact=True).fill(str(call.last_year + 1))
    axe_check(page, "amendments (fr)")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_selector("text=Votre demande est envoyée")
    screenshot(page, "grants-amendments-fr")
    office.reload()
    office.locator("#amendment-1").get_by_role("button", name="Approve and apply").click()
    assert "Approved" in office.locator("#amendment-1 .amendment-state").inner_text()
    assert application.reports.get(number=2).due_on.isoformat() == f"{call.last_year + 1}-03-31"
    axe_check(office, "agreement with an amendment")
    officer_context.close()

    # The public call page in Arabic and Creole (texts fr/en, the fallback marked).
    for language in ("ar", "ht"):
        page.goto(page.base_url + f"/{language}/grants/calls/{call.code}/")
        axe_check(page, f"call page ({language})")
        screenshot(page, f"grants-call-{language}")
    assert not errors, errors
