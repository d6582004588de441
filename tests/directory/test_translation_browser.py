"""A translator signs in, opens the Arabic queue, fills the missing Arabic texts of a new service
one after the other, and the public page shows them in Arabic (Chromium, axe-core, screenshots)."""

import pytest

from sanspeur.directory.models import Address, Borough, Location, Organization, Service, ServiceAtLocation
from sanspeur.directory.reference import ensure_reference_data
from tests.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME_AR = "مطبخ الحي المجتمعي"
DESCRIPTION_AR = "وجبة ساخنة مجانية كل يوم ثلاثاء، بلا أي سؤال."


@pytest.fixture
def new_service(db):
    """A service just published in French and English: its Arabic is missing."""
    ensure_reference_data()
    org = Organization.objects.create(name={"fr": "Cuisine du quartier", "en": "Neighbourhood kitchen"})
    service = Service.objects.create(
        organization=org,
        name={"fr": "Cuisine communautaire du mardi", "en": "Tuesday community kitchen"},
        description={
            "fr": "Un repas chaud gratuit chaque mardi, sans question.",
            "en": "A free hot meal every Tuesday, no questions.",
        },
    )
    borough = Borough.objects.get(code="verdun")
    location = Location.objects.create(organization=org, name={"fr": "Sous-sol de l'église"}, borough=borough)
    Address.objects.create(location=location, address_1="4100 rue Wellington", postal_code="H4G 1V7")
    ServiceAtLocation.objects.create(service=service, location=location)
    return service


def test_translator_fills_the_missing_arabic_and_the_public_page_shows_it(
    page, axe_check, make_staff, city_organisation, new_service
):
    translator = make_staff("translator.browser", ["translator"], city_organisation)
    page.goto(page.base_url + f"/ar/directory/services/{new_service.pk}/")
    assert page.locator("h1 small.dir-fallback").inner_text() == "(بالفرنسية)"
    assert page.locator("h1 span[lang=fr]").inner_text() == "Cuisine communautaire du mardi"
    screenshot(page, "translation-before-ar")

    sign_in(page, translator)
    page.goto(page.base_url + "/fr/directory/staff/translations/")
    row = page.locator("tr[data-language=ar]")
    assert row.locator(".count-missing").inner_text() == "4"  # name, description, organisation, site
    axe_check(page, "translation counts")
    screenshot(page, "translation-counts-fr")
    row.get_by_role("link").click()
    page.wait_for_url("**/translations/queue/?lang=ar")
    axe_check(page, "translation queue")
    screenshot(page, "translation-queue-ar")
    page.get_by_role("link", name="Commencer par le premier texte").click()

    field = page.get_by_label("Traduction (arabe)")
    assert field.get_attribute("dir") == "rtl" and field.get_attribute("lang") == "ar"
    assert page.locator("blockquote.source").inner_text() == "Cuisine communautaire du mardi"
    field.fill(NAME_AR)
    axe_check(page, "translate")
    screenshot(page, "translation-form-ar")
    page.get_by_role("button", name="Publier et passer au suivant").click()

    # The next text of the queue: the description.
    page.wait_for_selector("blockquote.source")
    assert page.locator("blockquote.source").inner_text() == "Un repas chaud gratuit chaque mardi, sans question."
    assert "Traduction publiée." in page.locator("body").inner_text()
    page.get_by_label("Traduction (arabe)").fill(DESCRIPTION_AR)
    page.get_by_role("button", name="Publier et passer au suivant").click()
    page.wait_for_selector("blockquote.source")
    assert page.locator("blockquote.source").inner_text() == "Cuisine du quartier"  # the organisation

    page.goto(page.base_url + "/fr/directory/staff/translations/")
    assert page.locator("tr[data-language=ar] .count-missing").inner_text() == "2"

    public = page.context.browser.new_page(locale="ar")
    try:
        public.goto(page.base_url + f"/ar/directory/services/{new_service.pk}/")
        assert public.locator("html").get_attribute("dir") == "rtl"
        assert public.locator("h1").inner_text() == NAME_AR
        assert public.locator("p.lead").inner_text() == DESCRIPTION_AR
        assert public.locator("h1 .dir-fallback").count() == 0
        # The organisation's name has no Arabic yet: French, marked.
        assert public.locator("span[lang=fr]", has_text="Cuisine du quartier").count() == 1
        axe_check(public, "public detail ar after translation")
        screenshot(public, "translation-after-ar")
    finally:
        public.close()


@pytest.mark.parametrize(
    ("language", "name", "description"),
    [
        ("ht", "Bank manje katye a", "Pànye manje chak semèn, san randevou."),
        ("ar", "بنك الطعام في الحي", "سلال بقالة كل أسبوع، بدون موعد."),
        ("es", "Banco de alimentos del barrio", "Canastas de comestibles cada semana, sin cita."),
    ],
)
def test_the_demo_reads_in_the_residents_language(page, axe_check, language, name, description):
    import io

    from sanspeur.directory import demo

    demo.load(stdout=io.StringIO())
    service = Service.objects.get(name__fr="Dépannage alimentaire du quartier")
    page.goto(page.base_url + f"/{language}/directory/services/{service.pk}/")
    assert page.locator("h1").inner_text() == name
    assert page.locator("p.lead").inner_text() == description
    assert page.locator(".dir-fallback").count() == 0  # organisation, site, eligibility: translated too
    axe_check(page, f"demo detail {language}")
    screenshot(page, f"directory-demo-detail-{language}")
