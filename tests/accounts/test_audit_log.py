"""The audit trail as its reader sees it: actions in words, links only to what the reader may open,
filters that never fall back to the unfiltered trail, pages without a count."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from sanspeur.accounts import audit_descriptions, audit_log
from sanspeur.core.actions import AUDIT_ACTIONS
from sanspeur.core.services import audit_entry_create

pytestmark = pytest.mark.django_db

AUDIT = "/fr/staff/audit/"


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-action="([^"]*)"', html)


def test_every_registered_action_is_marked_for_translation():
    """The apps' descriptions, in step with the list the accounts catalog translates."""
    missing = sorted(name for name, text in AUDIT_ACTIONS.names.items() if text not in audit_descriptions.DESCRIPTIONS)
    assert not missing, f"add the descriptions of {missing} to accounts/audit_descriptions.py, then translate them"


def test_actions_read_as_words_in_the_readers_language(mfa_client, make_staff, city_organisation):
    from django.utils import translation

    auditor = make_staff("auditor.words", ["auditor"], city_organisation)
    html = mfa_client(auditor).get(AUDIT + "?action=staff.create").content.decode()
    with translation.override("fr"):
        label = audit_log.action_label("staff.create")
    assert label != "staff.create" and label[0].isupper()
    assert label in html.replace("&#x27;", "'")
    assert "A staff account was created" not in html  # translated, not the English description
    assert audit_log.action_label("an.action.nobody.declares") == "an.action.nobody.declares"


def test_an_invalid_filter_shows_its_error_and_no_entry(mfa_client, make_staff, city_organisation):
    auditor = make_staff("auditor.bad", ["auditor"], city_organisation)
    client = mfa_client(auditor)
    assert rows(client.get(AUDIT).content.decode())  # the trail has entries (the accounts' creation)
    for query in (
        "since=not-a-date",
        "since=2026-02-01&until=2026-01-01",
        "action=no.such.action",
        "actor=" + "x" * 200,
    ):
        response = client.get(f"{AUDIT}?{query}")
        html = response.content.decode()
        assert response.status_code == 400, query
        assert 'class="error-summary"' in html, query
        assert rows(html) == [], query
        assert "<table" not in html, query


def test_links_only_to_objects_the_reader_may_open(mfa_client, make_staff, city_organisation, organisation):
    from django.urls import reverse

    member = make_staff("agent.linked", ["enrollment_agent"], organisation)
    auditor = make_staff("auditor.links", ["auditor"], city_organisation)
    admin_auditor = make_staff("admin.links", ["administrator", "auditor"], city_organisation)
    link = reverse("accounts:staff_detail", kwargs={"user_id": member.pk})
    query = f"{AUDIT}?object_type=accounts.user&object_id={member.pk}"
    assert link not in mfa_client(auditor).get(query).content.decode()  # an auditor does not manage staff
    assert f'href="{link}"' in mfa_client(admin_auditor).get(query).content.decode()


def test_links_ask_the_policy_of_each_object_type(make_staff, city_organisation, organisation, other_organisation):
    from sanspeur.core.models import AuditEntry

    member = make_staff("agent.scoped", ["enrollment_agent"], other_organisation)
    partner_admin = make_staff("partner.admin", ["administrator"], organisation)
    city_admin = make_staff("city.admin", ["administrator"], city_organisation)
    entries = list(AuditEntry.objects.filter(object_type="accounts.user", object_id=str(member.pk)))
    assert entries
    assert {row["url"] for row in audit_log.rows_for(entries, reader=partner_admin)} == {""}  # another organisation
    assert all(row["url"] for row in audit_log.rows_for(entries, reader=city_admin))
    organisation_entry = AuditEntry(action="organisation.create", object_type="accounts.organisation")
    organisation_entry.object_id = str(organisation.pk)
    assert audit_log.rows_for([organisation_entry], reader=partner_admin)[0]["url"] == ""
    assert audit_log.rows_for([organisation_entry], reader=city_admin)[0]["url"]


def test_pages_of_the_trail_without_a_count(mfa_client, make_staff, city_organisation):
    from sanspeur.accounts.views import AUDIT_PAGE_SIZE

    auditor = make_staff("auditor.pages", ["auditor"], city_organisation)
    with transaction.atomic():
        for _ in range(AUDIT_PAGE_SIZE + 3):
            audit_entry_create(acting_user=auditor, action="staff.deactivate", target=auditor)
    client = mfa_client(auditor)
    first = client.get(f"{AUDIT}?action=staff.deactivate").content.decode()
    assert len(rows(first)) == AUDIT_PAGE_SIZE
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get(f"{AUDIT}?action=staff.deactivate&page=2").content.decode()
    assert len(rows(second)) == 3
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "action=staff.deactivate&amp;page=1" in second  # the filter is kept from page to page
