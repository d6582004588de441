"""The dashboard: every role lands on its work, with counts, and sees only the tiles its policy allows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanspeur.accounts import dashboard, policy
from sanspeur.accounts.dashboard import TILES, tiles_for
from sanspeur.accounts.models import Organisation

pytestmark = pytest.mark.django_db

# Roles whose work is an action, not a queue: their tile opens the tool (the verifier works offline).
WITHOUT_QUEUE = {"service_point_verifier"}


@pytest.fixture
def organisations(db):
    return {
        kind: Organisation.objects.create(name=f"Organisation {kind}", kind=kind)
        for kind in ("city", "partner", "service_point", "applicant")
    }


def holder_kind(role: str) -> str:
    holders = policy.ROLE_TABLE[role].holders
    return "city" if "city" in holders else sorted(holders)[0]


@pytest.fixture
def people(make_staff, organisations):
    """One account per role, in the city when the role may be held there."""
    return {
        role: make_staff(f"dash.{role.replace('_', '.')}", [role], organisations[holder_kind(role)])
        for role in policy.ROLE_TABLE
    }


def _opens(user, url_name: str) -> bool:
    """What the declared page table (policy.PAGES) says of ``user`` on the tile's page."""
    page = policy.PAGES[url_name]
    if page.access != policy.STAFF:
        return True
    if page.city_only and not policy.works_for_the_city(user):
        return False
    return not page.capabilities or any(policy.has_capability(user, c) for c in page.capabilities)


def test_every_role_lands_on_its_work_with_counts(people):
    for role, user in people.items():
        tiles = tiles_for(user)
        assert tiles, f"{role} lands on an empty dashboard"
        assert all(_opens(user, tile["key"]) for tile in tiles), role
        if role not in WITHOUT_QUEUE:
            assert any(tile["counts"] for tile in tiles), f"{role} sees no count of its work"


def test_each_tile_follows_the_policy(people, organisations, make_staff):
    """A tile (and each of its counts) only for those its rule allows: without the guard, an
    enrollment agent would see the protection unit's cases."""
    everyone = [*people.values(), make_staff("dash.partner.admin", ["administrator"], organisations["partner"])]
    for user in everyone:
        shown = {tile["key"] for tile in tiles_for(user)}
        for tile in TILES:
            assert (tile.url_name in shown) == dashboard._allowed(tile.rule, user), (user.username, tile.url_name)
    assert "protection:case_list" not in {tile["key"] for tile in tiles_for(people["enrollment_agent"])}
    assert "accounts:organisation_list" not in {tile["key"] for tile in tiles_for(everyone[-1])}


def _lines(user, key: str) -> list[str]:
    from django.utils import translation

    with translation.override("en"):
        tile = next(tile for tile in tiles_for(user) if tile["key"] == key)
        return [str(line["text"]) for line in tile["counts"]]


def test_a_count_with_its_own_rule_is_shown_only_to_those_it_names(people):
    caseworker = _lines(people["protection_caseworker"], "protection:case_list")
    supervisor = _lines(people["protection_supervisor"], "protection:case_list")
    assert len(supervisor) == len(caseworker) + 1
    assert any("awaiting your approval" in line for line in supervisor)
    statistician = _lines(people["statistician"], "impact:staff_list")
    approver = _lines(people["statistics_approver"], "impact:staff_list")
    assert len(statistician) == len(approver) == 1 and statistician != approver


def test_the_counts_are_the_work_waiting(people):
    from django.db import transaction

    from sanspeur.core.models import AuditEntry
    from sanspeur.core.services import audit_entry_create

    auditor = people["auditor"]
    before = next(tile for tile in tiles_for(auditor) if tile["key"] == "accounts:audit")["counts"][0]["count"]
    assert before == AuditEntry.objects.count()  # every entry of this test was written today
    with transaction.atomic():
        audit_entry_create(acting_user=auditor, action="staff.deactivate", target=auditor)
    after = next(tile for tile in tiles_for(auditor) if tile["key"] == "accounts:audit")["counts"][0]
    assert after["count"] == before + 1
    assert str(after["text"]).startswith(str(before + 1))


def test_the_dashboard_page_shows_the_tiles_and_counts(people, mfa_client):
    auditor = people["auditor"]
    html = mfa_client(auditor).get(reverse("accounts:dashboard")).content.decode()
    assert 'data-tile="accounts:audit"' in html
    assert "aujourd’hui" in html or "aujourd'hui" in html  # "N entries today", in French
    assert 'data-tile="protection:case_list"' not in html
