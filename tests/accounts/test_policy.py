"""Who may grant which role, who may hold it, who may change the city's rules, who sees which
organisation: the findings of the authorised probe, each pinned by a test (accounts/policy.py)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sanspeur.accounts.models import User
from sanspeur.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "un mot de passe assez long 2026"
CITY_ROLES = ["auditor", "protection_supervisor", "protection_caseworker", "directory_editor", "program_officer"]


def roles_of(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def create(client, organisation, roles, username="new.account"):
    return client.post(
        "/fr/staff/accounts/new/",
        {
            "username": username,
            "full_name": "Nouvelle Personne",
            "email": "",
            "organisation": str(organisation.pk),
            "roles": roles,
            "password": PASSWORD,
        },
    )


@pytest.fixture
def partner_admin(make_staff, organisation):
    return make_staff("admin.partner", ["administrator"], organisation)


@pytest.fixture
def city_admin(make_staff, city_organisation):
    return make_staff("admin.city", ["administrator"], city_organisation)


# --- Granting --------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", CITY_ROLES)
def test_partner_administrator_cannot_create_an_account_with_a_city_role(mfa_client, partner_admin, organisation, role):
    response = create(mfa_client(partner_admin), organisation, [role])
    assert response.status_code == 400
    assert not User.objects.filter(username="new.account").exists()


@pytest.mark.parametrize("role", [*CITY_ROLES, "enrollment_agent", "administrator"])
def test_nobody_changes_their_own_roles(mfa_client, partner_admin, city_admin, role):
    for admin in (partner_admin, city_admin):
        response = mfa_client(admin).post(f"/fr/staff/accounts/{admin.pk}/", {"action": "roles", "roles": [role]})
        assert response.status_code in (400, 403)
        assert roles_of(admin) == {"administrator"}


def test_partner_administrator_cannot_give_a_colleague_a_city_role(mfa_client, partner_admin, make_staff, organisation):
    colleague = make_staff("agent.colleague", ["enrollment_agent"], organisation)
    client = mfa_client(partner_admin)
    response = client.post(f"/fr/staff/accounts/{colleague.pk}/", {"action": "roles", "roles": ["auditor"]})
    assert response.status_code in (400, 403)
    assert roles_of(colleague) == {"enrollment_agent"}


def test_partner_administrator_grants_partner_roles_in_its_own_organisation(
    mfa_client, partner_admin, make_staff, organisation
):
    colleague = make_staff("agent.colleague", ["enrollment_agent"], organisation)
    client = mfa_client(partner_admin)
    partner_roles = ["enrollment_agent", "clinic_door_staff", "partner_editor", "service_point_verifier"]
    response = client.post(f"/fr/staff/accounts/{colleague.pk}/", {"action": "roles", "roles": partner_roles})
    assert response.status_code == 302
    assert roles_of(colleague) == set(partner_roles)
    assert create(client, organisation, ["administrator", "enrollment_agent"]).status_code == 302
    created = User.objects.get(username="new.account")
    assert created.organisation == organisation and roles_of(created) == {"administrator", "enrollment_agent"}


def test_partner_administrator_cannot_attach_an_account_to_another_organisation(
    mfa_client, partner_admin, other_organisation
):
    response = create(mfa_client(partner_admin), other_organisation, ["enrollment_agent"])
    assert response.status_code == 400
    assert not User.objects.filter(username="new.account").exists()


def test_service_point_administrator_grants_only_service_point_roles(mfa_client, make_staff, db):
    from sanspeur.accounts.models import Organisation

    library = Organisation.objects.create(name="Bibliothèque test", kind="service_point")
    admin = make_staff("admin.library", ["administrator"], library)
    client = mfa_client(admin)
    assert create(client, library, ["enrollment_agent"], "lib.agent").status_code == 400
    assert create(client, library, ["clinic_door_staff"], "lib.door").status_code == 400
    assert create(client, library, ["service_point_verifier"], "lib.verifier").status_code == 302


def test_city_administrator_grants_city_roles_to_city_accounts_only(
    mfa_client, city_admin, make_staff, city_organisation, organisation
):
    client = mfa_client(city_admin)
    assert create(client, city_organisation, ["auditor"], "city.auditor").status_code == 302
    assert create(client, organisation, ["auditor"], "partner.auditor").status_code == 400
    partner_agent = make_staff("agent.partner", ["enrollment_agent"], organisation)
    client.post(f"/fr/staff/accounts/{partner_agent.pk}/", {"action": "roles", "roles": ["protection_supervisor"]})
    assert roles_of(partner_agent) == {"enrollment_agent"}


# --- Holding: enforced in the service, whoever calls it ---------------------------------------------
@pytest.mark.parametrize("role", CITY_ROLES)
def test_a_partner_account_never_holds_a_city_role(make_staff, organisation, role):
    from sanspeur.accounts.services import staff_user_create, staff_user_set_roles

    with pytest.raises(ValidationError):
        staff_user_create(
            acting_user=None, username="p.new", password=PASSWORD, organisation=organisation, roles=[role]
        )
    assert not User.objects.filter(username="p.new").exists()
    agent = make_staff("p.agent", ["enrollment_agent"], organisation)
    with pytest.raises(ValidationError):
        staff_user_set_roles(acting_user=None, user=agent, roles=["enrollment_agent", role])
    assert roles_of(agent) == {"enrollment_agent"}


def test_the_service_refuses_a_grant_the_form_would_not_offer(make_staff, organisation, partner_admin):
    from sanspeur.accounts.services import staff_user_create, staff_user_set_roles

    colleague = make_staff("p.colleague", ["enrollment_agent"], organisation)
    with pytest.raises((PermissionDenied, ValidationError)):
        staff_user_set_roles(acting_user=partner_admin, user=partner_admin, roles=["administrator", "partner_editor"])
    with pytest.raises((PermissionDenied, ValidationError)):
        staff_user_set_roles(acting_user=partner_admin, user=colleague, roles=["auditor"])
    with pytest.raises(PermissionDenied):
        staff_user_create(
            acting_user=colleague, username="x.new", password=PASSWORD, organisation=organisation, roles=["reviewer"]
        )
    assert roles_of(partner_admin) == {"administrator"} and roles_of(colleague) == {"enrollment_agent"}


def test_the_service_refuses_another_organisations_account(make_staff, partner_admin, other_organisation):
    from sanspeur.accounts.services import mfa_reset, staff_user_create, staff_user_deactivate, staff_user_set_roles

    stranger = make_staff("b.agent", ["enrollment_agent"], other_organisation)
    with pytest.raises(PermissionDenied):
        staff_user_set_roles(acting_user=partner_admin, user=stranger, roles=["enrollment_agent"])  # no change even
    with pytest.raises(PermissionDenied):
        staff_user_create(
            acting_user=partner_admin,
            username="b.new",
            password=PASSWORD,
            organisation=other_organisation,
            roles=["enrollment_agent"],
        )
    with pytest.raises(PermissionDenied):
        mfa_reset(acting_user=partner_admin, user=stranger)
    with pytest.raises(PermissionDenied):
        staff_user_deactivate(acting_user=partner_admin, user=stranger)
    stranger.refresh_from_db()
    assert stranger.is_active and stranger.sealedtotpdevice_set.exists()


def test_nobody_resets_or_deactivates_their_own_account_through_the_service(partner_admin, city_admin):
    from sanspeur.accounts.services import mfa_reset, staff_user_deactivate

    for admin in (partner_admin, city_admin):
        with pytest.raises(PermissionDenied):
            mfa_reset(acting_user=admin, user=admin)
        with pytest.raises(PermissionDenied):
            staff_user_deactivate(acting_user=admin, user=admin)


def test_a_city_role_left_on_a_partner_account_cannot_be_kept_by_a_change(
    make_staff, organisation, partner_admin, city_admin
):
    from django.contrib.auth.models import Group

    from sanspeur.accounts.services import staff_user_set_roles

    agent = make_staff("p.legacy", ["enrollment_agent"], organisation)
    agent.groups.add(Group.objects.get(name="auditor"))  # a row written before the holding rule
    for admin in (partner_admin, city_admin):
        with pytest.raises(ValidationError):
            staff_user_set_roles(acting_user=admin, user=agent, roles=["auditor", "partner_editor"])
    assert roles_of(agent) == {"enrollment_agent", "auditor"}
    staff_user_set_roles(acting_user=partner_admin, user=agent, roles=["partner_editor"])  # clean-up is allowed
    assert roles_of(agent) == {"partner_editor"}


# --- What a partner account reaches, even with a city role left in the database --------------------
def test_a_city_role_left_on_a_partner_account_opens_nothing_city_wide(mfa_client, partner_admin):
    from django.contrib.auth.models import Group

    # Rows written before this rule existed (or by hand): the service would refuse them.
    partner_admin.groups.add(*Group.objects.filter(name__in=CITY_ROLES))
    client = mfa_client(partner_admin)
    for url in (
        "/fr/staff/audit/",
        "/fr/protection/cases/",
        "/fr/protection/cases/statistics/",
        "/fr/directory/staff/review/",
        "/fr/cards/rules/",
    ):
        assert client.get(url).status_code == 403, url


# --- City-wide rules ------------------------------------------------------------------------------
WEAK_RULES = {
    "min_identity_points": 1,
    "min_residence_points": 1,
    "validity_months": 120,
}


def test_only_city_administrators_change_the_card_rules(mfa_client, partner_admin, city_admin):
    from sanspeur.cards.models import CardRules, DocumentType

    before = CardRules.current()
    client = mfa_client(partner_admin)
    assert client.get("/fr/cards/rules/").status_code == 403
    assert client.post("/fr/cards/rules/", WEAK_RULES).status_code == 403
    assert client.get("/fr/cards/rules/documents/new/").status_code == 403
    document = DocumentType.objects.order_by("pk").first()
    if document is not None:
        assert client.get(f"/fr/cards/rules/documents/{document.pk}/").status_code == 403
    after = CardRules.current()
    assert (after.min_identity_points, after.validity_months, after.require_photo_document) == (
        before.min_identity_points,
        before.validity_months,
        before.require_photo_document,
    )
    assert not AuditEntry.objects.filter(action="cards.rules.update").exists()
    assert mfa_client(city_admin).get("/fr/cards/rules/").status_code == 200


# --- Organisation scoping: one function ---------------------------------------------------------------
def test_an_account_without_organisation_sees_no_organisations_records(make_staff, organisation, city_organisation):
    from sanspeur.accounts import policy
    from sanspeur.accounts.models import Organisation
    from sanspeur.accounts.selectors import organisations_for, staff_list_for

    make_staff("a.agent", ["enrollment_agent"], organisation)
    loner = make_staff("loner.admin", ["administrator", "clinic_coordinator"])
    make_staff("loner.other", ["auditor"])
    assert not policy.sees_all_organisations(loner)
    assert not staff_list_for(acting_user=loner).exists()
    assert not organisations_for(acting_user=loner).exists()
    assert not policy.scope(Organisation.objects.all(), acting_user=loner, field="pk").exists()


def test_clinics_show_no_event_to_an_account_without_organisation(mfa_client, make_staff, organisation):
    import datetime

    from django.utils import timezone

    from sanspeur.clinics.models import Event
    from sanspeur.clinics.selectors import events_for_staff

    event = Event.objects.create(
        title="Clinique test",
        date=timezone.localdate() + datetime.timedelta(days=3),
        start_time=datetime.time(10),
        end_time=datetime.time(12),
        address="1, rue Test",
        borough="Verdun",
    )
    event.organisations.add(organisation)
    loner = make_staff("loner.coord", ["clinic_coordinator"])
    assert not events_for_staff(loner).exists()
    client = mfa_client(loner)
    assert client.get(f"/fr/clinics/staff/e/{event.pk}/").status_code == 404
    assert "Clinique test" not in client.get("/fr/clinics/staff/").content.decode()


def test_city_and_partner_scoping_of_clinic_events(make_staff, organisation, other_organisation, city_organisation):
    import datetime

    from django.utils import timezone

    from sanspeur.clinics.models import Event
    from sanspeur.clinics.selectors import events_for_staff

    event = Event.objects.create(
        title="Clinique A",
        date=timezone.localdate() + datetime.timedelta(days=3),
        start_time=datetime.time(10),
        end_time=datetime.time(12),
        address="1, rue Test",
        borough="Verdun",
    )
    event.organisations.add(organisation)
    assert events_for_staff(make_staff("c.city", ["clinic_coordinator"], city_organisation)).filter(pk=event.pk)
    assert events_for_staff(make_staff("c.a", ["clinic_coordinator"], organisation)).filter(pk=event.pk)
    assert not events_for_staff(make_staff("c.b", ["clinic_coordinator"], other_organisation)).exists()


# --- The declared table ------------------------------------------------------------------------------
def test_the_declared_table_names_every_capability_and_every_role():
    from sanspeur.accounts import policy
    from sanspeur.accounts.models import Capability
    from sanspeur.accounts.roles import ROLES

    codenames = {codename for codename, _label in Capability._meta.permissions}
    assert set(policy.CAPABILITY_REACH) == codenames
    assert set(policy.ROLE_TABLE) == set(ROLES)
    for role, entry in policy.ROLE_TABLE.items():
        assert set(entry.capabilities) <= codenames, role
        assert set(ROLES[role][1]) == set(entry.capabilities), role
        assert entry.holders, role
    # A role that carries a city-wide capability and nothing else is never held by a partner's account.
    for role, entry in policy.ROLE_TABLE.items():
        city_only = all(policy.CAPABILITY_REACH[c] == policy.CITY_WIDE for c in entry.capabilities)
        if city_only:
            assert entry.holders == {"city"}, role


def test_groups_in_the_database_match_the_declared_table(db):
    from django.contrib.auth.models import Group

    from sanspeur.accounts import policy

    for role, entry in policy.ROLE_TABLE.items():
        held = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        assert held == set(entry.capabilities), role
