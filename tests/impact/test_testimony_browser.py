"""In Chromium: a resident shares a testimony in Haitian Creole (proof of work solved by the page's
widget) and keeps the codename; one moderator redacts it, a second approves it; the published text
shows on the testimonies page in Arabic, marked with its own language; the resident withdraws it
with the codename and it is gone."""

import pytest

from sanspeur.impact import models as impact_models
from tests.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = "Lontan mwen te pè ale lopital. Madan Jozèf nan klinik Sen-Michel te ede m le 3 mas. Kounye a mwen pa pè ankò."
REDACTED = "Lontan mwen te pè ale lopital. Yon travayè nan klinik la te ede m. Kounye a mwen pa pè ankò."


def _signed_in(browser, base_url, user):
    context = browser.new_context(locale="fr-CA", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.base_url = base_url
    sign_in(page, user)
    return page


def test_a_testimony_in_creole_is_redacted_by_one_approved_by_another_and_withdrawn(
    page, browser, make_staff, city_organisation, axe_check, settings
):
    settings.SANSPEUR_POW_COST = 1
    page.goto(f"{page.base_url}/ht/impact/testimonies/share/")
    assert page.locator("html").get_attribute("lang") == "ht"
    axe_check(page, "testimony share ht")
    page.get_by_label("Temwayaj ou").fill(WORDS)
    page.get_by_label("Yon rezidan", exact=True).check()
    page.get_by_label("Mwen dakò pou vil la pibliye temwayaj mwen", exact=False).check()
    page.get_by_role("button", name="Voye temwayaj mwen").click()  # the widget solves its proof of work first
    page.wait_for_selector("#testimony-sent")
    codename = page.locator("#codename").inner_text().strip()
    assert len(codename.split()) >= 6 and not page.context.cookies()
    screenshot(page, "testimony-sent-ht")
    testimony = impact_models.Testimony.objects.get()
    assert (testimony.language, testimony.state) == ("ht", "received")

    first = make_staff("tania.browser", ["testimony_moderator"], city_organisation)
    second = make_staff("samir.browser", ["testimony_moderator"], city_organisation)
    staff = _signed_in(browser, page.base_url, first)
    staff.goto(f"{page.base_url}/fr/impact/staff/testimonies/{testimony.pk}/")
    assert staff.locator("#original").inner_text().startswith("Lontan")
    assert "3 mas" in staff.locator("#day-dates").inner_text()  # a day the redaction must take out
    assert "Jozèf" in staff.locator("#suspects").inner_text()
    axe_check(staff, "testimony moderation")
    staff.get_by_label("Texte à publier").fill(REDACTED)
    staff.get_by_role("button", name="Enregistrer le texte caviardé").click()
    assert staff.locator("#second-person").is_visible()  # the redactor cannot approve
    staff.context.close()

    staff = _signed_in(browser, page.base_url, second)
    staff.goto(f"{page.base_url}/fr/impact/staff/testimonies/{testimony.pk}/")
    staff.get_by_role("button", name="Approuver et publier").click()
    assert staff.locator("#original").count() == 0  # the original words are gone
    staff.context.close()

    page.goto(f"{page.base_url}/ar/impact/testimonies/")
    quote = page.locator('blockquote[lang="ht"]')
    assert quote.get_attribute("dir") == "ltr" and "travayè nan klinik" in quote.inner_text()
    assert "Jozèf" not in page.content()
    axe_check(page, "testimonies ar")
    screenshot(page, "testimonies-ar")

    page.goto(f"{page.base_url}/ht/impact/testimonies/follow/")
    page.get_by_label("Non kòd ou").fill(codename)
    page.get_by_role("button", name="Ouvri").click()
    page.locator("#withdraw").click()
    page.wait_for_selector("#testimony-state")
    assert impact_models.Testimony.objects.get().state == "withdrawn"
    page.goto(f"{page.base_url}/ar/impact/testimonies/")
    assert page.locator('blockquote[lang="ht"]').count() == 0
