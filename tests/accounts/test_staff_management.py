import pytest

from sanspeur.accounts.models import User
from sanspeur.core.models import AuditEntry

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "agent.new",
    "full_name": "Noémie Nouvelle",
    "email": "noemie@example.org",
    "roles": ["enrollment_agent"],
    "password": "un mot de passe assez long 2026",
}


def test_administrator_creates_an_account_and_it_is_audited(mfa_client, make_staff, city_organisation, organisation):
    admin = make_staff("admin.m", ["administrator"], city_organisation)
    client = mfa_client(admin)
    assert client.get("/fr/staff/accounts/").status_code == 200
    response = client.post("/fr/staff/accounts/new/", {**GOOD, "organisation": str(organisation.pk)})
    assert response.status_code == 302
    created = User.objects.get(username="agent.new")
    assert created.organisation == organisation
    assert list(created.groups.values_list("name", flat=True)) == ["enrollment_agent"]
    assert AuditEntry.objects.filter(action="staff.create", object_id=str(created.pk), actor=admin).exists()
    detail = client.get(f"/fr/staff/accounts/{created.pk}/")
    assert "Noémie Nouvelle" in detail.content.decode()
    assert AuditEntry.objects.filter(action="accounts.user.view_profile", object_id=str(created.pk)).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"username": "Bad Name!"},
        {"username": "x" * 80},
        {"password": "short"},
        {"roles": []},
        {"roles": ["emperor"]},
        {"email": "not-an-email"},
        {"organisation": "00000000-0000-0000-0000-000000000000"},
    ],
)
def test_bad_input_is_refused_and_saves_nothing(mfa_client, make_staff, city_organisation, organisation, change):
    admin = make_staff("admin.n", ["administrator"], city_organisation)
    before = User.objects.count()
    data = {**GOOD, "organisation": str(organisation.pk), **change}
    response = mfa_client(admin).post("/fr/staff/accounts/new/", data)
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert User.objects.count() == before


def test_partner_administrator_cannot_see_another_organisations_staff(
    mfa_client, make_staff, organisation, other_organisation
):
    admin = make_staff("admin.p", ["administrator"], organisation)
    stranger = make_staff("agent.s", ["enrollment_agent"], other_organisation)
    client = mfa_client(admin)
    assert client.get(f"/fr/staff/accounts/{stranger.pk}/").status_code == 404
    assert "agent.s" not in client.get("/fr/staff/accounts/").content.decode()


def test_roles_change_mfa_reset_and_deactivation(mfa_client, make_staff, city_organisation, organisation):
    admin = make_staff("admin.q", ["administrator"], city_organisation)
    agent = make_staff("agent.q", ["enrollment_agent"], organisation)
    client = mfa_client(admin)
    client.post(f"/fr/staff/accounts/{agent.pk}/", {"action": "roles", "roles": ["partner_editor"]})
    assert list(agent.groups.values_list("name", flat=True)) == ["partner_editor"]
    client.post(f"/fr/staff/accounts/{agent.pk}/", {"action": "reset_mfa"})
    assert not agent.sealedtotpdevice_set.exists()
    client.post(f"/fr/staff/accounts/{agent.pk}/", {"action": "deactivate"})
    agent.refresh_from_db()
    assert not agent.is_active
    actions = set(AuditEntry.objects.filter(object_id=str(agent.pk)).values_list("action", flat=True))
    assert {"staff.set_roles", "staff.mfa_reset", "staff.deactivate"} <= actions


def test_non_administrators_cannot_manage_staff(mfa_client, make_staff, organisation):
    agent = make_staff("agent.r", ["enrollment_agent"], organisation)
    assert mfa_client(agent).get("/fr/staff/accounts/").status_code == 403
