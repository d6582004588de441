"""Every staff page refuses a password-only session; roles see only what they need."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from sanspeur.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PUBLIC_OR_SIGN_IN = {"accounts:login", "accounts:mfa", "accounts:logout"}


def walk(patterns, namespace="", prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry.callback


def staff_views():
    for name, route, callback in walk(get_resolver().url_patterns):
        if getattr(callback, "staff_view", False):
            yield name, route


def test_some_staff_views_exist():
    assert {"accounts:dashboard", "accounts:audit"} <= {name for name, _ in staff_views()}


def test_every_staff_view_requires_the_second_factor(client, make_staff, organisation):
    """Walks the URL map: a view marked as staff must redirect a password-only session to MFA."""
    from django.urls import reverse

    user = make_staff("no.mfa", ["administrator", "auditor", "enrollment_agent"], organisation)
    client.force_login(user)  # password step only
    checked = 0
    for name, _route in staff_views():
        try:
            url = reverse(name)
        except Exception:  # noqa: S112 - views that need arguments are covered in their app's tests
            continue
        response = client.get(url)
        assert response.status_code == 302 and "/staff/mfa/" in response["Location"], (name, response.status_code)
        checked += 1
    assert checked >= 2


def test_audit_trail_is_for_auditors_only(mfa_client, make_staff, organisation):
    agent = make_staff("agent.x", ["enrollment_agent"], organisation)
    assert mfa_client(agent).get("/fr/staff/audit/").status_code == 403


def test_auditor_browses_and_filters_the_trail(mfa_client, make_staff, organisation):
    make_staff("agent.y", ["enrollment_agent"], organisation)
    auditor = make_staff("auditor.y", ["auditor"], organisation)
    client = mfa_client(auditor)
    page = client.get("/fr/staff/audit/?action=staff.create")
    html = page.content.decode()
    assert page.status_code == 200
    assert "agent" not in html or "staff.create" in html
    assert html.count("<code>staff.create</code>") == AuditEntry.objects.filter(action="staff.create").count()
    bad = client.get("/fr/staff/audit/?since=2026-02-01&until=2026-01-01")
    assert "La date de début" in bad.content.decode()
    assert client.get("/fr/staff/audit/?since=not-a-date").status_code == 200


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


def test_idle_timeout_is_shorter_for_the_protection_unit(mfa_client, make_staff, organisation):
    caseworker = make_staff("case.one", ["protection_caseworker"], organisation)
    agent = make_staff("agent.one", ["enrollment_agent"], organisation)
    c1 = mfa_client(caseworker)
    c1.get("/fr/staff/")
    assert c1.session.get_expiry_age() == 15 * 60
    from django.test import Client

    c2 = Client()
    c2.force_login(agent)
    c2.get("/fr/staff/")
    assert c2.session.get_expiry_age() == 30 * 60
