"""Every write of the directory is an action of the kernel (core/actions.py); each one asks the
policy (accounts/policy.py) itself; a proposal's review follows its declared machine
(directory/states.py)."""

import datetime as dt
import inspect

import pytest
from django.core.exceptions import PermissionDenied

from sanspeur.core.actions import AUDIT_ACTIONS
from sanspeur.core.models import AuditEntry
from sanspeur.core.transitions import InvalidTransition
from sanspeur.directory import importer, services
from sanspeur.directory.models import ChangeProposal, Organization, Service, ServiceVersion
from sanspeur.directory.states import PENDING, PROPOSAL, PUBLISHED, REJECTED

pytestmark = pytest.mark.django_db

# The public functions of the directory's write modules that are not actions, and why.
NOT_ACTIONS = {
    services: {
        "build_search_text": "computes the search text of a service (the actions write it)",
        "schedules_snapshot": "reads a service's weekly hours",
        "phones_snapshot": "reads a service's phone numbers",
        "closures_snapshot": "reads a service's closures",
        "current_value": "reads one field as a proposal carries it",
        "clean_changes": "normalises a proposal's changes",
    },
    importer: {
        "records_of": "reads the records of a package",
        "validate": "checks the records against the HSDS schema",
    },
}


@pytest.mark.parametrize("module", [services, importer], ids=lambda m: m.__name__)
def test_every_public_write_of_the_directory_is_a_registered_action(module):
    functions = {
        name: value
        for name, value in vars(module).items()
        if inspect.isfunction(value) and not name.startswith("_") and value.__module__ == module.__name__
    }
    assert set(NOT_ACTIONS[module]) <= set(functions), "a documented read helper is gone: update NOT_ACTIONS"
    for name, function in functions.items():
        if name in NOT_ACTIONS[module]:
            assert not hasattr(function, "action_name"), name
            continue
        assert hasattr(function, "action_name"), f"{module.__name__}.{name} writes outside the kernel"
        assert function.action_name in AUDIT_ACTIONS, name


@pytest.fixture
def service(organisation):
    organization = Organization.objects.create(name={"fr": "Organisme"}, partner=organisation)
    return Service.objects.create(organization=organization, name={"fr": "Service"}, description={"fr": "Texte"})


@pytest.fixture
def editor(make_staff, city_organisation):
    return make_staff("editor.city", ["directory_editor"], city_organisation)


@pytest.fixture
def contributor(make_staff, organisation):
    return make_staff("partner.contrib", ["partner_editor"], organisation)


@pytest.fixture
def proposal(service, contributor):
    return services.proposal_create(acting_user=contributor, service=service, changes={"name": {"fr": "Nouveau"}})


# --- The policy, asked by each service ------------------------------------------------------------
def test_proposing_takes_the_edit_capability_even_for_the_citys_staff(make_staff, city_organisation, service):
    """A city account sees every organisation's entries, but only a directory role proposes."""
    auditor = make_staff("auditor.dir", ["auditor"], city_organisation)
    with pytest.raises(PermissionDenied):
        services.proposal_create(acting_user=auditor, service=service, changes={"name": {"fr": "Autre"}})
    assert not ChangeProposal.objects.exists()


@pytest.mark.parametrize("review", [services.proposal_publish, services.proposal_reject])
def test_only_the_citys_editors_review_a_proposal(review, proposal, contributor, service):
    # The review's own policy refuses (not only the version it would publish).
    with pytest.raises(PermissionDenied, match=review.action_name):
        review(acting_user=contributor, proposal=proposal)
    proposal.refresh_from_db()
    service.refresh_from_db()
    assert proposal.status == PENDING and service.name == {"fr": "Service"}


def test_only_the_citys_editors_publish_a_version(contributor, service):
    with pytest.raises(PermissionDenied):
        services.version_publish(
            acting_user=contributor, service=service, changes={"name": {"fr": "Direct"}}, author=contributor
        )
    service.refresh_from_db()
    assert service.name == {"fr": "Service"} and not ServiceVersion.objects.exists()


def test_only_the_citys_editors_mark_a_service_verified(contributor, editor, service):
    with pytest.raises(PermissionDenied):
        services.service_mark_verified(acting_user=contributor, service=service, on=dt.date(2026, 5, 1))
    service.refresh_from_db()
    assert service.last_verified is None
    services.service_mark_verified(acting_user=editor, service=service, on=dt.date(2026, 5, 1))
    entry = AuditEntry.objects.get(action="service.mark_verified")
    assert entry.detail == {"old": None, "new": "2026-05-01"}


def test_reindexing_takes_a_directory_role(make_staff, organisation, service):
    agent = make_staff("agent.dir", ["enrollment_agent"], organisation)
    with pytest.raises(PermissionDenied):
        services.service_reindex(acting_user=agent, service=service)
    assert not AuditEntry.objects.filter(action="service.reindex").exists()


def test_only_the_command_line_or_the_citys_editors_import(contributor):
    with pytest.raises(PermissionDenied):
        importer.package_import(acting_user=contributor, data=[], lang="fr")
    assert not AuditEntry.objects.filter(action="directory.import").exists()


# --- The proposal's declared life -----------------------------------------------------------------
def test_the_machine_offers_a_review_only_while_pending():
    assert PROPOSAL.states == {PENDING, PUBLISHED, REJECTED}
    assert PROPOSAL.offered(PENDING) == {"publish", "reject"}
    assert PROPOSAL.offered(PUBLISHED) == PROPOSAL.offered(REJECTED) == frozenset()


def test_a_published_proposal_is_neither_published_again_nor_rejected(proposal, editor, service):
    version = services.proposal_publish(acting_user=editor, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == PUBLISHED and proposal.offered_actions == frozenset()
    for review in (services.proposal_publish, services.proposal_reject):
        with pytest.raises(InvalidTransition):
            review(acting_user=editor, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == PUBLISHED
    assert list(service.versions.all()) == [version]
    assert AuditEntry.objects.filter(action="proposal.publish").count() == 1
    assert AuditEntry.objects.filter(action="service.publish_version", object_id=str(service.pk)).count() == 1


def test_a_rejected_proposal_is_never_published(proposal, editor, service):
    services.proposal_reject(acting_user=editor, proposal=proposal)
    with pytest.raises(InvalidTransition):
        services.proposal_publish(acting_user=editor, proposal=proposal)
    proposal.refresh_from_db()
    service.refresh_from_db()
    assert proposal.status == REJECTED and service.name == {"fr": "Service"}
    assert not ServiceVersion.objects.exists()


def test_the_review_page_offers_what_the_machine_allows_and_refuses_anything_else(
    proposal, editor, mfa_client, service
):
    client = mfa_client(editor)
    page = client.get("/fr/directory/staff/review/").content.decode()
    assert 'value="publish"' in page and 'value="reject"' in page
    response = client.post("/fr/directory/staff/review/", {"proposal": proposal.id, "action": "delete"})
    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.status == PENDING
