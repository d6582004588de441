"""What a stolen staff laptop holds (issue 14): an agent signs in, mistypes a field of an
enrollment, enrolls the person, searches for them by names and birth date, and closes the browser.
Then every file of the browser's profile (autofill, history, saved sessions, cache) is searched for
what was typed: the resident's names, birth date, postal code, phone and e-mail, and the agent's
password. Nothing may be there.

Measured before the fix: Chromium's autofill database (``Web Data``) kept the names, postal code,
phone and e-mail, and its saved session (``Sessions/``) kept the body of every form answered with
a page (a search, an enrollment with a mistake) — names and birth date included.
"""

import re
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from tests.cards.conftest import fill_date
from tests.conftest import CHROMIUM, STAFF_PASSWORD, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSON = {
    "given": "Oriane Maëlle",
    "family": "Desjardins-Okafor",
    "born": "1992-07-21",
    "postal": "H2G 1A1",
    "phone": "514-555-0123",
    "email": "oriane.okafor@example.org",
}


def spellings(value: str) -> set[bytes]:
    """How a typed value may sit in a browser's files: as typed, form-encoded, in UTF-16."""
    forms = {value, quote_plus(value), value.upper(), value.replace(" ", "")}
    return {form.encode("utf-8") for form in forms} | {form.encode("utf-16-le") for form in forms}


def files_holding(profile: Path, values) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in profile.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for value in values:
            if any(spelling in data for spelling in spellings(value)):
                found.setdefault(value, []).append(str(path.relative_to(profile)))
    return found


def test_a_closed_staff_browser_keeps_nothing_the_agent_typed(
    browser, chromium_args, live_server, make_staff, organisation, documents, tmp_path
):
    from sanspeur.cards.faces import face_jpeg
    from sanspeur.cards.models import Holder

    agent = make_staff("agent.laptop", ["enrollment_agent"], organisation, full_name="Agente Portable")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(face_jpeg(3))
    profile = tmp_path / "profile"
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=chromium_args, locale="fr-CA"
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        base = live_server.url
        page.goto(base + "/fr/staff/login/")
        page.get_by_label("Nom d’utilisateur").fill("agent.laptop")
        page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Continuer").click()
        page.wait_for_url("**/staff/mfa/**")
        page.get_by_label("Code à six chiffres").fill(totp_now(agent.totp_device))
        page.get_by_role("button", name="Vérifier").click()
        page.wait_for_url("**/fr/staff/")

        # An enrollment with a mistake (a postal code outside Montréal): the form comes back.
        page.goto(base + "/fr/cards/enroll/")
        page.get_by_label("Prénoms").fill(PERSON["given"])
        page.get_by_label("Noms de famille").fill(PERSON["family"])
        fill_date(page, PERSON["born"])
        page.get_by_label("Arrondissement").select_option("Rosemont–La Petite-Patrie")
        page.get_by_label("Code postal").fill("K1A 0B1")
        page.get_by_label("Téléphone (facultatif)").fill(PERSON["phone"])
        page.get_by_label("Courriel (facultatif)").fill(PERSON["email"])
        page.get_by_role("checkbox", name=re.compile(r"Passeport \(")).check()
        page.get_by_role("checkbox", name=re.compile(r"Acte de naissance")).check()
        page.get_by_role("checkbox", name=re.compile(r"Lettre d.un refuge")).check()
        page.locator("input[name=photo_upload]").set_input_files(str(photo))
        page.get_by_role("button", name="Délivrer la carte").click()
        page.locator(".error-summary").wait_for()
        page.get_by_label("Code postal").fill(PERSON["postal"])
        page.get_by_role("button", name="Délivrer la carte").click()
        page.wait_for_url(re.compile(r".*/fr/cards/holders/[0-9a-f-]+/$"))
        assert Holder.objects.count() == 1

        # A search by names and birth date: its results page answers the form.
        page.goto(base + "/fr/cards/holders/")
        page.locator("summary").click()
        page.get_by_label("Prénoms").fill(PERSON["given"])
        page.get_by_label("Noms de famille").fill(PERSON["family"])
        fill_date(page, PERSON["born"])
        page.locator("form:has(input[name=given_names]) button[type=submit]").click()
        page.get_by_role("heading", name="Résultats").wait_for()
        assert page.locator("table tbody tr").count() == 1
        page.wait_for_timeout(1500)  # let the browser write its session and autofill files
    finally:
        context.close()

    typed = [*PERSON.values(), STAFF_PASSWORD]
    assert files_holding(profile, ["/fr/cards/holders/"]), "the profile is real: its history has the pages"
    assert files_holding(profile, typed) == {}
