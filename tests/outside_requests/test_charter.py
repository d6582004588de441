"""The "sans peur" charter: an organisation's administrator signs for their own organisation only;
the public page lists the rules and the signatories in five languages."""

import pytest
from django.core.exceptions import PermissionDenied

from sanspeur.accounts.models import Organisation
from sanspeur.outside_requests import selectors, services
from sanspeur.outside_requests.models import CharterSignature

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_point(db):
    return Organisation.objects.create(name="Bibliothèque du Parc", kind="service_point", borough="Outremont")


@pytest.fixture
def point_admin(make_staff, service_point):
    return make_staff("admin.bibliotheque", ["administrator"], service_point)


def test_an_administrator_signs_for_their_organisation_once_and_can_withdraw(point_admin, service_point):
    first = services.charter_sign(acting_user=point_admin, organisation=service_point)
    again = services.charter_sign(acting_user=point_admin, organisation=service_point)
    assert first.pk == again.pk and CharterSignature.objects.count() == 1
    assert selectors.charter_organisation_ids() == {service_point.pk}
    assert services.charter_withdraw(acting_user=point_admin, organisation=service_point) == 1
    assert selectors.charter_signature(service_point) is None
    services.charter_sign(acting_user=point_admin, organisation=service_point)  # signs again: a new row
    assert CharterSignature.objects.count() == 2


def test_nobody_signs_for_another_organisation_the_city_included(
    make_staff, service_point, organisation, city_organisation
):
    others = (
        make_staff("admin.partner", ["administrator"], organisation),
        make_staff("admin.city", ["administrator"], city_organisation),
        make_staff("verifier.point", ["service_point_verifier"], service_point),  # not an administrator
    )
    for user in others:
        with pytest.raises(PermissionDenied):
            services.charter_sign(acting_user=user, organisation=service_point)
    assert not CharterSignature.objects.exists()


def test_the_staff_page_signs_and_an_account_without_organisation_is_told_why(mfa_client, point_admin, make_staff):
    client = mfa_client(point_admin)
    page = client.get("/fr/accountability/charter/sign/").content.decode()
    assert 'id="charter-rules"' in page
    assert client.post("/fr/accountability/charter/sign/").status_code == 302
    assert 'id="charter-signed"' in client.get("/fr/accountability/charter/sign/").content.decode()
    loner = make_staff("admin.loner", ["administrator"], None)
    client = mfa_client(loner)
    assert 'id="charter-no-organisation"' in client.get("/fr/accountability/charter/sign/").content.decode()
    client.post("/fr/accountability/charter/sign/")
    assert CharterSignature.objects.count() == 1


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [
        ("fr", "statut d'immigration"),
        ("en", "immigration status"),
        ("es", "situación migratoria"),
        ("ar", "وضع الهجرة"),
        ("ht", "estati imigrasyon"),
    ],
)
def test_the_public_page_lists_the_rules_and_the_signatories(client, point_admin, service_point, lang, phrase):
    services.charter_sign(acting_user=point_admin, organisation=service_point)
    page = client.get(f"/{lang}/accountability/charter/").content.decode()
    assert phrase in page.replace("’", "'")
    assert "Bibliothèque du Parc" in page
