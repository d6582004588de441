"""Partner organisations and service points: only the city's administrators create and change them."""

import pytest
from django.core.exceptions import ValidationError

from sanspeur.accounts.models import Organisation
from sanspeur.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LIST = "/fr/staff/organisations/"
NEW = "/fr/staff/organisations/new/"


def edit_url(organisation) -> str:
    return f"/fr/staff/organisations/{organisation.pk}/"


@pytest.fixture
def city_admin(make_staff, city_organisation):
    return make_staff("admin.ville", ["administrator"], city_organisation)


def test_partner_administrator_is_refused_everywhere(mfa_client, make_staff, organisation, other_organisation):
    """A partner's administrator holds manage_staff, yet the organisations are the city's business."""
    partner_admin = make_staff("admin.partner", ["administrator"], organisation)
    assert partner_admin.has_perm("accounts.manage_staff")
    client = mfa_client(partner_admin)
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"name": "Intrus", "kind": "partner", "borough": ""}).status_code == 403
    assert client.get(edit_url(other_organisation)).status_code == 403
    assert client.post(edit_url(other_organisation), {"action": "deactivate"}).status_code == 403
    other_organisation.refresh_from_db()
    assert other_organisation.is_active
    assert not Organisation.objects.filter(name="Intrus").exists()


def test_city_staff_without_manage_staff_are_refused(mfa_client, make_staff, city_organisation):
    auditor = make_staff("auditor.ville", ["auditor"], city_organisation)
    assert mfa_client(auditor).get(LIST).status_code == 403


def test_policy(make_staff, organisation, city_organisation):
    from django.contrib.auth.models import AnonymousUser

    from sanspeur.accounts.policy import can_manage_organisations, sees_all_organisations

    city_admin = make_staff("admin.v", ["administrator"], city_organisation)
    city_auditor = make_staff("auditor.v", ["auditor"], city_organisation)
    partner_admin = make_staff("admin.p", ["administrator"], organisation)
    assert can_manage_organisations(city_admin)
    assert not can_manage_organisations(city_auditor)
    assert not can_manage_organisations(partner_admin)
    assert not can_manage_organisations(AnonymousUser())
    assert sees_all_organisations(city_auditor) and not sees_all_organisations(partner_admin)
    from sanspeur.accounts.selectors import organisation_list_for

    assert organisation_list_for(acting_user=city_admin).count() == 2
    assert not organisation_list_for(acting_user=partner_admin).exists()


@pytest.mark.parametrize("kind, borough", [("partner", "Verdun"), ("service_point", "")])
def test_city_administrator_creates_a_partner_and_a_service_point(mfa_client, city_admin, kind, borough):
    client = mfa_client(city_admin)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, {"name": "  Carrefour   Verdun ", "kind": kind, "borough": borough})
    assert response.status_code == 302
    created = Organisation.objects.get(name="Carrefour Verdun")
    assert (created.kind, created.borough, created.is_active) == (kind, borough, True)
    entry = AuditEntry.objects.get(action="organisation.create", object_id=str(created.pk))
    assert entry.actor == city_admin and entry.detail == {"kind": kind}
    listing = client.get(LIST).content.decode()
    assert "Carrefour Verdun" in listing and "Ville test" in listing


@pytest.mark.parametrize(
    "change",
    [{"kind": "city"}, {"kind": "emperor"}, {"borough": "Brooklyn"}, {"name": ""}, {"name": "x" * 201}],
)
def test_bad_input_is_refused_and_saves_nothing(mfa_client, city_admin, change):
    before = Organisation.objects.count()
    response = mfa_client(city_admin).post(NEW, {"name": "Nouveau", "kind": "partner", "borough": "", **change})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert Organisation.objects.count() == before


@pytest.mark.parametrize("name", ["Centre test A", "centre TEST a", " Centre  test A "])
def test_duplicate_name_is_refused_with_a_translated_error(mfa_client, city_admin, organisation, name):
    before = (Organisation.objects.count(), AuditEntry.objects.filter(action="organisation.create").count())
    response = mfa_client(city_admin).post(NEW, {"name": name, "kind": "service_point", "borough": ""})
    assert response.status_code == 400
    assert "Une organisation porte déjà ce nom." in response.content.decode()
    assert (Organisation.objects.count(), AuditEntry.objects.filter(action="organisation.create").count()) == before


def test_renaming_to_another_organisations_name_is_refused(mfa_client, city_admin, organisation, other_organisation):
    response = mfa_client(city_admin).post(
        edit_url(organisation), {"action": "save", "name": "centre test b", "borough": "Verdun"}
    )
    assert response.status_code == 400
    organisation.refresh_from_db()
    assert organisation.name == "Centre test A"


def test_rename_and_move_are_audited_with_old_and_new_values(mfa_client, city_admin, organisation):
    response = mfa_client(city_admin).post(
        edit_url(organisation), {"action": "save", "name": "Centre renommé", "borough": "Lachine"}
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.borough) == ("Centre renommé", "Lachine")
    entry = AuditEntry.objects.get(action="organisation.update", object_id=str(organisation.pk))
    assert entry.actor == city_admin
    assert entry.detail == {
        "changes": {
            "name": {"old": "Centre test A", "new": "Centre renommé"},
            "borough": {"old": "Verdun", "new": "Lachine"},
        }
    }


def test_saving_without_a_change_writes_no_audit_entry(mfa_client, city_admin, organisation):
    client = mfa_client(city_admin)
    client.post(edit_url(organisation), {"action": "save", "name": "Centre test A", "borough": "Verdun"})
    assert not AuditEntry.objects.filter(action="organisation.update").exists()


def test_deactivate_then_reactivate(mfa_client, city_admin, organisation):
    client = mfa_client(city_admin)
    assert client.post(edit_url(organisation), {"action": "deactivate"}).status_code == 302
    organisation.refresh_from_db()
    assert not organisation.is_active
    # No new account can be attached to a deactivated organisation.
    assert str(organisation.pk) not in client.get("/fr/staff/accounts/new/").content.decode()
    assert "désactivée" in client.get(LIST).content.decode()
    client.post(edit_url(organisation), {"action": "reactivate"})
    organisation.refresh_from_db()
    assert organisation.is_active
    changes = [
        entry.detail["changes"]
        for entry in AuditEntry.objects.filter(action="organisation.update", object_id=str(organisation.pk)).order_by(
            "id"
        )
    ]
    assert changes == [{"is_active": {"old": True, "new": False}}, {"is_active": {"old": False, "new": True}}]


def test_the_city_organisation_cannot_be_deactivated(mfa_client, city_admin, city_organisation):
    client = mfa_client(city_admin)
    assert "Désactiver l’organisation" not in client.get(edit_url(city_organisation)).content.decode()
    assert client.post(edit_url(city_organisation), {"action": "deactivate"}).status_code == 403
    city_organisation.refresh_from_db()
    assert city_organisation.is_active


def test_services_refuse_a_second_city_and_deactivating_the_city(city_organisation):
    from sanspeur.accounts.services import organisation_create, organisation_update

    with pytest.raises(ValidationError):
        organisation_create(acting_user=None, name="Deuxième ville", kind="city")
    with pytest.raises(ValidationError):
        organisation_update(acting_user=None, organisation=city_organisation, is_active=False)
    with pytest.raises(ValidationError):
        organisation_create(acting_user=None, name="Hors de Montréal", kind="partner", borough="Laval")
    assert Organisation.objects.count() == 1


def test_dashboard_tile_only_for_city_administrators(mfa_client, make_staff, city_admin, organisation):
    assert LIST in mfa_client(city_admin).get("/fr/staff/").content.decode()
    partner_admin = make_staff("admin.partner", ["administrator"], organisation)
    dashboard = mfa_client(partner_admin).get("/fr/staff/").content.decode()
    assert "/fr/staff/accounts/" in dashboard  # the partner administrator still manages their own staff
    assert LIST not in dashboard


def test_edit_page_in_english(mfa_client, city_admin, organisation):
    html = mfa_client(city_admin).get(f"/en/staff/organisations/{organisation.pk}/").content.decode()
    assert "Deactivate the organisation" in html and "Borough" in html
