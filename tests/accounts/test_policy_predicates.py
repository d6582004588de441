"""The policy's predicates one by one (accounts/policy.py), so that each rule is pinned by a test of
its own and not only through the pages that use it (mutation testing judges the policy by the tests
of this folder: docs/benchmarks.md, "Mutation testing of the guards")."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from sanspeur.accounts import policy
from sanspeur.accounts.models import Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_staff, organisation, other_organisation, city_organisation):
    return {
        "city_editor": make_staff("city.editor", ["directory_editor"], city_organisation),
        "city_agent": make_staff("city.agent", ["enrollment_agent"], city_organisation),
        "partner_editor": make_staff("partner.editor", ["partner_editor"], organisation),
        "partner_agent": make_staff("partner.agent", ["enrollment_agent"], organisation),
        "other_agent": make_staff("other.agent", ["enrollment_agent"], other_organisation),
        "no_organisation": make_staff("no.organisation", ["enrollment_agent"], None),
    }


# --- scope / in_scope ----------------------------------------------------------------------------------
def test_in_scope_visible_the_city_sees_every_organisation(people, organisation, other_organisation):
    for owner in (organisation.pk, other_organisation.pk, None):
        assert policy.in_scope(people["city_agent"], owner) is True


def test_in_scope_own_the_city_sees_only_its_own(people, organisation, city_organisation):
    city = people["city_agent"]
    assert policy.in_scope(city, organisation.pk, reach=policy.OWN) is False
    assert policy.in_scope(city, city_organisation.pk, reach=policy.OWN) is True


def test_in_scope_a_partner_sees_its_own_organisation_only(people, organisation, other_organisation):
    partner = people["partner_agent"]
    for reach in (policy.VISIBLE, policy.OWN):
        assert policy.in_scope(partner, organisation.pk, reach=reach) is True
        assert policy.in_scope(partner, other_organisation.pk, reach=reach) is False
        assert policy.in_scope(partner, None, reach=reach) is False


def test_in_scope_nobody_without_an_organisation_or_signed_out(people, organisation):
    assert policy.in_scope(people["no_organisation"], organisation.pk) is False
    assert policy.in_scope(people["no_organisation"], None) is False  # None never matches None
    assert policy.in_scope(AnonymousUser(), organisation.pk) is False
    assert policy.in_scope(AnonymousUser(), None) is False


def test_scope_filters_rows_by_the_same_rule(people, organisation, other_organisation, city_organisation):
    rows = Organisation.objects.all()
    everyone = set(rows.values_list("pk", flat=True))
    assert (
        set(policy.scope(rows, acting_user=people["city_agent"], field="pk").values_list("pk", flat=True)) == everyone
    )
    own = policy.scope(rows, acting_user=people["city_agent"], field="pk", reach=policy.OWN)
    assert list(own.values_list("pk", flat=True)) == [city_organisation.pk]
    partner = policy.scope(rows, acting_user=people["partner_agent"], field="pk")
    assert list(partner.values_list("pk", flat=True)) == [organisation.pk]
    assert not policy.scope(rows, acting_user=people["no_organisation"], field="pk").exists()
    assert not policy.scope(rows, acting_user=AnonymousUser(), field="pk").exists()
    with pytest.raises(ValueError):
        policy.scope(rows, acting_user=people["city_agent"], field="pk", reach="everything")


# --- The directory ----------------------------------------------------------------------------------------
def test_only_the_city_editors_publish_even_with_the_role_forced_on_a_partner(people):
    assert policy.can_publish_directory(people["city_editor"]) is True
    assert policy.can_publish_directory(people["partner_editor"]) is False
    assert policy.can_publish_directory(people["city_agent"]) is False
    forced = people["partner_editor"]
    forced.groups.add(Group.objects.get(name="directory_editor"))  # a row the service would refuse
    forced = User.objects.get(pk=forced.pk)  # a fresh permission cache
    assert policy.can_publish_directory(forced) is False
    assert policy.can_publish_directory(AnonymousUser()) is False


def test_a_contributor_proposes_for_its_own_organisation_the_city_editor_for_any(
    people, organisation, other_organisation
):
    partner, city = people["partner_editor"], people["city_editor"]
    assert policy.can_propose_directory_change(partner, organisation.pk) is True
    assert policy.can_propose_directory_change(partner, other_organisation.pk) is False
    assert policy.can_propose_directory_change(city, other_organisation.pk) is True
    assert policy.can_propose_directory_change(people["partner_agent"], organisation.pk) is False  # no role
    assert policy.works_on_the_directory(partner) and policy.works_on_the_directory(city)
    assert not policy.works_on_the_directory(people["city_agent"])


# --- Who a job tells ------------------------------------------------------------------------------------
def test_accounts_with_a_capability_respect_its_reach_and_the_account_state(
    make_staff, organisation, city_organisation
):
    make_staff("priya.officer", ["privacy_officer"], city_organisation)
    inactive = make_staff("gone.officer", ["privacy_officer"], city_organisation)
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    forced = make_staff("partner.forced", ["enrollment_agent"], organisation)
    forced.groups.add(Group.objects.get(name="privacy_officer"))  # city-wide: never a partner's
    make_staff("city.other", ["auditor"], city_organisation)
    found = {user.username for user in policy.accounts_with_capability("handle_outside_requests")}
    assert found == {"priya.officer"}
    assert {u.username for u in policy.accounts_with_capability("accounts.handle_outside_requests")} == found


# --- The page table's own guard ----------------------------------------------------------------------------
def test_a_page_cannot_name_a_capability_that_does_not_exist():
    with pytest.raises(AssertionError):
        policy._staff("read_everything")
    page = policy._staff("view_audit", city_only=True, scope=policy.OWN)
    assert (page.access, page.capabilities, page.city_only, page.scope) == (
        policy.STAFF,
        ("view_audit",),
        True,
        policy.OWN,
    )
