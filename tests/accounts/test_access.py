"""Every staff page refuses a password-only session; roles see only what they need."""

import pytest

from sanspeur.core.models import AuditEntry

pytestmark = pytest.mark.django_db

# Every route of the URL map, for every kind of person: test_url_matrix.py.


def test_audit_trail_is_for_auditors_only(mfa_client, make_staff, organisation):
    agent = make_staff("agent.x", ["enrollment_agent"], organisation)
    assert mfa_client(agent).get("/fr/staff/audit/").status_code == 403


def test_auditor_browses_and_filters_the_trail(mfa_client, make_staff, organisation, city_organisation):
    make_staff("agent.y", ["enrollment_agent"], organisation)
    auditor = make_staff("auditor.y", ["auditor"], city_organisation)
    client = mfa_client(auditor)
    page = client.get("/fr/staff/audit/?action=staff.create")
    html = page.content.decode()
    assert page.status_code == 200
    assert "agent" not in html or "staff.create" in html
    assert html.count('data-action="staff.create"') == AuditEntry.objects.filter(action="staff.create").count()
    bad = client.get("/fr/staff/audit/?since=2026-02-01&until=2026-01-01")
    assert "La date de début" in bad.content.decode()
    assert client.get("/fr/staff/audit/?since=not-a-date").status_code == 400


def test_reading_another_staff_profile_is_audited(make_staff, organisation):
    from sanspeur.accounts.selectors import staff_profile_get

    admin = make_staff("admin.z", ["administrator"], organisation)
    other = make_staff("agent.z", ["enrollment_agent"], organisation, full_name="Ophélie Z")
    before = AuditEntry.objects.filter(action="accounts.user.view_profile").count()
    assert staff_profile_get(acting_user=other, user=other)["full_name"] == "Ophélie Z"
    assert AuditEntry.objects.filter(action="accounts.user.view_profile").count() == before  # self: not audited
    staff_profile_get(acting_user=admin, user=other)
    entry = AuditEntry.objects.filter(action="accounts.user.view_profile").latest("id")
    assert entry.actor == admin and entry.object_id == str(other.pk)
    assert "Ophélie" not in str(entry.detail)


def test_staff_list_is_scoped_to_the_organisation(make_staff, organisation, other_organisation, city_organisation):
    from sanspeur.accounts.selectors import staff_list_for

    a = make_staff("a.one", ["enrollment_agent"], organisation)
    make_staff("b.one", ["enrollment_agent"], other_organisation)
    city = make_staff("city.one", ["administrator"], city_organisation)
    assert set(staff_list_for(acting_user=a).values_list("username", flat=True)) == {"a.one"}
    assert {"a.one", "b.one", "city.one"} <= set(staff_list_for(acting_user=city).values_list("username", flat=True))


def test_idle_timeout_is_shorter_for_the_protection_unit(mfa_client, make_staff, organisation, city_organisation):
    caseworker = make_staff("case.one", ["protection_caseworker"], city_organisation)
    agent = make_staff("agent.one", ["enrollment_agent"], organisation)
    c1 = mfa_client(caseworker)
    c1.get("/fr/staff/")
    assert c1.session.get_expiry_age() == 15 * 60
    from django.test import Client

    c2 = Client()
    c2.force_login(agent)
    c2.get("/fr/staff/")
    assert c2.session.get_expiry_age() == 30 * 60


def _audit_rows(html: str) -> list[tuple[str, str]]:
    """(who, action) of every row of the audit table."""
    import re

    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r'<tr data-action="([^"]*)"><td[^>]*>.*?</td><td[^>]*><bdi[^>]*>([^<]*)</bdi></td>', body)
    return [(who, action) for action, who in rows]


def test_the_audit_filter_returns_only_matching_entries(mfa_client, make_staff, city_organisation, organisation):
    from django.db import transaction

    from sanspeur.core.services import audit_entry_create

    admin = make_staff("admin.f", ["administrator"], city_organisation)
    other = make_staff("agent.f", ["enrollment_agent"], organisation)
    with transaction.atomic():
        for actor, action in [(admin, "organisation.create"), (other, "staff.deactivate"), (admin, "staff.set_roles")]:
            audit_entry_create(acting_user=actor, action=action, target=other)
    auditor = make_staff("auditor.f", ["auditor"], city_organisation)
    client = mfa_client(auditor)
    everything = _audit_rows(client.get("/fr/staff/audit/").content.decode())
    assert {action for _who, action in everything} >= {"staff.create", "organisation.create", "staff.deactivate"}

    by_action = _audit_rows(client.get("/fr/staff/audit/?action=staff.set").content.decode())
    assert by_action == [("admin.f", "staff.set_roles")]
    by_actor = _audit_rows(client.get("/fr/staff/audit/?actor=agent.f").content.decode())
    assert by_actor == [("agent.f", "staff.deactivate")]
    by_object = _audit_rows(client.get(f"/fr/staff/audit/?object_id={other.pk}&action=organisation").content.decode())
    assert by_object == [("admin.f", "organisation.create")]
    assert _audit_rows(client.get("/fr/staff/audit/?actor=nobody.at.all").content.decode()) == []
