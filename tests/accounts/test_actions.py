"""Every write of the accounts app is an action of the kernel (core/actions.py), and each service
asks the policy (accounts/policy.py) itself, whoever calls it: a page, a command or a script."""

import inspect

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from sanspeur.accounts import services
from sanspeur.accounts.models import Organisation, User
from sanspeur.accounts.models import SealedTOTPDevice as TOTPDevice
from sanspeur.core.actions import AUDIT_ACTIONS
from sanspeur.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "un mot de passe assez long 2026"

# The public functions of accounts/services.py that are not actions, and why.
NOT_ACTIONS = {
    "enrolment_link_get": "reads: the unused link behind a token",
    "enrolment_allowed": "reads: whether this session may enrol an authenticator",
}


def public_functions(module) -> dict:
    return {
        name: value
        for name, value in vars(module).items()
        if inspect.isfunction(value) and not name.startswith("_") and value.__module__ == module.__name__
    }


def test_every_public_write_of_the_accounts_services_is_a_registered_action():
    functions = public_functions(services)
    assert set(NOT_ACTIONS) <= set(functions), "a documented read helper is gone: update NOT_ACTIONS"
    for name, function in functions.items():
        if name in NOT_ACTIONS:
            assert not hasattr(function, "action_name"), name
            continue
        assert hasattr(function, "action_name"), f"accounts.services.{name} writes outside the kernel"
        assert function.action_name in AUDIT_ACTIONS, name


@pytest.fixture
def city_admin(make_staff, city_organisation):
    return make_staff("admin.city", ["administrator"], city_organisation)


@pytest.fixture
def partner_admin(make_staff, organisation):
    return make_staff("admin.partner", ["administrator"], organisation)


@pytest.fixture
def agent(make_staff, organisation):
    return make_staff("agent.own", ["enrollment_agent"], organisation, mfa=False)


# --- One's own credentials ------------------------------------------------------------------------
def test_only_the_owner_starts_an_authenticator(agent, city_admin):
    with pytest.raises(PermissionDenied):
        services.totp_device_start(acting_user=city_admin, user=agent)
    assert not TOTPDevice.objects.filter(user=agent).exists()
    device = services.totp_device_start(acting_user=agent, user=agent)
    assert not device.confirmed
    assert AuditEntry.objects.filter(action="staff.mfa_started", object_id=str(agent.pk)).count() == 1


def test_only_the_owner_confirms_an_authenticator(agent, city_admin):
    device = services.totp_device_start(acting_user=agent, user=agent)
    with pytest.raises(PermissionDenied):
        services.totp_device_confirm(acting_user=city_admin, device=device)
    device.refresh_from_db()
    assert not device.confirmed
    services.totp_device_confirm(acting_user=agent, device=device)
    device.refresh_from_db()
    assert device.confirmed


def test_a_password_is_changed_by_its_owner_only(agent, city_admin):
    for someone_else in (city_admin, None):
        with pytest.raises(PermissionDenied):
            services.staff_password_change(acting_user=someone_else, user=agent, password="autre mot de passe 2027")
    agent.refresh_from_db()
    assert agent.check_password("correct horse battery staple 42")
    services.staff_password_change(acting_user=agent, user=agent, password="autre mot de passe 2027")
    agent.refresh_from_db()
    assert agent.check_password("autre mot de passe 2027") and not agent.must_change_password


def test_the_first_run_is_made_on_the_server_only(city_admin):
    """A person (even the city's administrator) never runs the bootstrap: the policy refuses before
    the service looks at the database."""
    with pytest.raises(PermissionDenied):
        services.installation_bootstrap(
            acting_user=city_admin, organisation_name="Ville", username="admin.deux", password=PASSWORD, full_name="A"
        )
    assert not User.objects.filter(username="admin.deux").exists()


FIRST_RUN = {"acting_user": None, "organisation_name": "Ville", "username": "admin.un", "password": PASSWORD}


def test_the_bootstrap_enrols_the_authenticator_in_its_own_transaction():
    """The terminal's dialogue runs inside the action: a failure there leaves nothing written."""

    def wrong_codes(device):
        raise RuntimeError("three wrong codes")

    with pytest.raises(RuntimeError, match="wrong codes"):
        services.installation_bootstrap(**FIRST_RUN, full_name="A", enrol=wrong_codes)
    assert not Organisation.objects.exists() and not User.objects.exists() and not AuditEntry.objects.exists()
    _organisation, user, device = services.installation_bootstrap(**FIRST_RUN, full_name="A", enrol=lambda device: True)
    device.refresh_from_db()
    assert device.confirmed and device.user == user
    assert AuditEntry.objects.get(action="installation.bootstrap").detail["authenticator_confirmed"] is True


# --- Organisations and accounts -------------------------------------------------------------------
def test_only_the_citys_administrators_create_or_change_organisations(partner_admin, organisation):
    with pytest.raises(PermissionDenied):
        services.organisation_create(acting_user=partner_admin, name="Nouveau centre", kind="partner")
    with pytest.raises(PermissionDenied):
        services.organisation_update(acting_user=partner_admin, organisation=organisation, name="Renommé")
    organisation.refresh_from_db()
    assert organisation.name == "Centre test A"
    assert not Organisation.objects.filter(name="Nouveau centre").exists()


def test_an_organisation_change_is_audited_with_old_and_new_values(city_admin, organisation):
    services.organisation_update(acting_user=city_admin, organisation=organisation, name="Renommé")
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.detail == {"changes": {"name": {"old": "Centre test A", "new": "Renommé"}}}
    # Nothing to change: nothing written, no entry.
    services.organisation_update(acting_user=city_admin, organisation=organisation, name="Renommé")
    assert AuditEntry.objects.filter(action="organisation.update").count() == 1


def test_superusers_are_made_on_the_server_only(city_admin, city_organisation):
    with pytest.raises(PermissionDenied):
        services.staff_user_create(
            acting_user=city_admin,
            username="root.two",
            password=PASSWORD,
            organisation=city_organisation,
            roles=[],
            is_superuser=True,
        )
    assert not User.objects.filter(username="root.two").exists()


def test_a_role_change_is_audited_with_old_and_new_roles_and_a_repeat_writes_nothing(partner_admin, agent):
    services.staff_user_set_roles(acting_user=partner_admin, user=agent, roles=["partner_editor"])
    services.staff_user_set_roles(acting_user=partner_admin, user=agent, roles=["partner_editor"])
    entries = AuditEntry.objects.filter(action="staff.set_roles", object_id=str(agent.pk))
    assert [entry.detail for entry in entries] == [{"old": ["enrollment_agent"], "roles": ["partner_editor"]}]


def test_no_service_runs_inside_a_transaction_of_its_callers(organisation):
    """A durable action refuses to be folded into someone's longer transaction (demo code and tests
    call the services directly)."""
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.organisation_update(acting_user=None, organisation=organisation, name="Dans un bloc")
