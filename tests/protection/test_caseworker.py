"""The unit's side: access, unlocking, workflow, referrals with consent, statistics, retention."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from sanspeur.core.models import AuditEntry
from sanspeur.protection import services
from sanspeur.protection.management.commands.protection_retention import run_retention
from sanspeur.protection.models import Case, Referral

from .conftest import codename_from, followup, submit, unlock

pytestmark = pytest.mark.django_db


def _case_url(case, suffix=""):
    return f"/fr/protection/cases/{case.reference}/{suffix}"


def test_only_the_unit_sees_cases(client, mfa_client, make_staff, unit_key, organisation):
    submit(client)
    case = Case.objects.get()
    agent = make_staff("agent.p", ["enrollment_agent", "administrator"], organisation)  # no city role: a partner's
    outsider = mfa_client(agent)
    for url in (
        "/fr/protection/cases/",
        _case_url(case),
        "/fr/protection/cases/statistics/",
        "/fr/protection/unit/unlock/",
    ):
        assert outsider.get(url).status_code == 403, url
    no_mfa = make_staff("cw.nomfa", ["protection_caseworker"], mfa=False)
    client.force_login(no_mfa)
    assert "/staff/mfa/" in client.get(_case_url(case))["Location"]


def test_caseworker_unlocks_reads_and_every_view_is_logged(client, mfa_client, caseworker, supervisor, unit_key):
    submit(client, text="<script>alert('x')</script> salaire volé")
    case = Case.objects.get()
    cw = mfa_client(caseworker)
    locked = cw.get(_case_url(case)).content.decode()
    assert "salaire volé" not in locked and "La clé de l'unité est verrouillée" in locked
    wrong = cw.post("/fr/protection/unit/unlock/", {"passphrase": "not the passphrase"})
    assert "Cette phrase de passe n&#x27;ouvre pas" in wrong.content.decode()
    response = unlock(cw)
    assert response.status_code == 302 and response.cookies["sp_unit"]["httponly"]
    html = cw.get(_case_url(case)).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; salaire volé" in html and "<script>alert" not in html
    assert "Qui a consulté ce dossier" not in html  # the access log is for the supervisor
    views = AuditEntry.objects.filter(action="protection.case.view", object_id=str(case.pk))
    assert views.count() == 2 and set(views.values_list("actor_username", flat=True)) == {"kim.cw"}
    # Without the cookie, the session alone does not open the key.
    cw.cookies.pop("sp_unit")
    assert "salaire volé" not in cw.get(_case_url(case)).content.decode()
    sup = mfa_client(supervisor)
    sup_html = sup.get(_case_url(case)).content.decode()
    assert "Qui a consulté ce dossier" in sup_html and "kim.cw" in sup_html


def test_workflow_triage_assign_note_plan_followup_reply_and_closure(
    client, mfa_client, caseworker, supervisor, unit_key
):
    codename = codename_from(submit(client))
    case = Case.objects.get()
    cw = mfa_client(caseworker)
    unlock(cw)
    cw.post(_case_url(case, "triage/"), {"priority": "urgent", "risk": "high"})
    cw.post(_case_url(case, "assign/"), {"assignee": caseworker.pk})
    cw.post(_case_url(case, "note/"), {"note-text": "Appel prévu mardi"})
    cw.post(_case_url(case, "plan/"), {"plan-text": "Lieu sûr: chez sa sœur"})
    cw.post(_case_url(case, "followup/"), {"followup-due_on": "2030-01-15", "followup-text": "Rappeler"})
    cw.post(_case_url(case, "reply/"), {"reply-text": "Bonjour, nous avons lu votre message."})
    case.refresh_from_db()
    assert (case.priority, case.risk, case.assigned_to, case.state) == ("urgent", "high", caseworker, "open")
    html = cw.get(_case_url(case)).content.decode()
    for text in ("Appel prévu mardi", "Lieu sûr: chez sa sœur", "Rappeler", "Bonjour, nous avons lu votre message."):
        assert text in html
    thread = followup(client, {"codename": codename}, lang="fr").content.decode()
    assert "Bonjour, nous avons lu votre message." in thread
    # Closure: requested by the caseworker, approved only by a supervisor.
    cw.post(_case_url(case, "close/"), {"outcome": "resolved"})
    assert cw.post(_case_url(case, "approve/")).status_code == 403
    mfa_client(supervisor).post(_case_url(case, "approve/"), {"confirm": "yes"})
    case.refresh_from_db()
    assert case.state == "closed" and case.outcome == "resolved" and case.closed_on == timezone.localdate()
    actions = set(AuditEntry.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {"protection.case.triage", "protection.reply.create", "protection.case.approve_closure"} <= actions
    assert all("Appel" not in str(e.detail) for e in AuditEntry.objects.all())


def test_referral_cannot_be_created_without_recorded_consent(client, mfa_client, caseworker, unit_key):
    submit(client)
    case = Case.objects.get()
    cw = mfa_client(caseworker)
    response = cw.post(
        _case_url(case, "referral/"), {"referral-partner": "legal_clinic", "referral-text": "x"}, follow=True
    )
    assert "exige le consentement" in response.content.decode()
    assert Referral.objects.count() == 0
    with pytest.raises(services.ConsentRequired):
        services.referral_create(acting_user=caseworker, case=case, partner="shelter", consent_given=False)
    assert Referral.objects.count() == 0
    cw.post(_case_url(case, "referral/"), {"referral-partner": "legal_clinic", "referral-consent": "on"})
    referral = Referral.objects.get()
    assert referral.consent_recorded_on == timezone.localdate() and referral.consent_recorded_by == caseworker


def test_case_without_statistics_consent_is_absent_from_every_count(client, mfa_client, caseworker, unit_key):
    submit(client, category="housing")
    submit(client, category="fraud")
    counted, not_counted = Case.objects.order_by("id")
    cw = mfa_client(caseworker)
    cw.post(_case_url(counted, "stats/"), {"stats_consent": "on"})
    cw.post(
        "/fr/protection/cases/new/", {"source": "phone", "category": "violence", "text": "Appel", "stats_consent": ""}
    )
    from sanspeur.protection.selectors import statistics

    stats = statistics()
    assert stats["total"] == 1
    assert stats["by_category"] == [{"category": "housing", "n": 1}]
    assert sum(row["n"] for key in ("by_state", "by_source") for row in stats[key]) == 2
    html = cw.get("/fr/protection/cases/statistics/").content.decode()
    assert 'id="stats-total">1<' in html and "fraud" not in html and "violence" not in html
    assert not not_counted.stats_consent


def test_walk_in_case_has_no_codename(mfa_client, caseworker, unit_key):
    cw = mfa_client(caseworker)
    response = cw.post("/fr/protection/cases/new/", {"source": "walk_in", "category": "work", "text": "Visite"})
    case = Case.objects.get()
    assert response.status_code == 302 and case.source == "walk_in" and case.codename_lookup is None
    assert "Pas de nom de code" in cw.get(_case_url(case)).content.decode()


def test_retention_shreds_old_closed_cases_and_drops_unclaimed_codenames(client, caseworker, supervisor, unit_key):
    from sanspeur.protection.selectors import reporter_case_open

    old_code = codename_from(submit(client))
    quiet_code = codename_from(submit(client))
    old, quiet = Case.objects.order_by("id")
    long_ago = timezone.localdate() - timedelta(days=800)
    Case.objects.filter(pk=old.pk).update(state="closed", closed_on=long_ago)
    Case.objects.filter(pk=quiet.pk).update(reporter_seen_on=timezone.localdate() - timedelta(days=200))
    call_command("protection_retention")
    old.refresh_from_db()
    quiet.refresh_from_db()
    assert old.state == "shredded" and old.content is None and old.data_key.wrapped is None
    assert quiet.state == "new" and quiet.content is not None and quiet.codename_lookup is None
    assert reporter_case_open(old_code) is None and reporter_case_open(quiet_code) is None
    before = AuditEntry.objects.count()
    assert run_retention() == {"shredded": 0, "codenames_dropped": 0}  # idempotent
    assert AuditEntry.objects.count() == before


def test_init_unit_key_command_reads_the_environment(monkeypatch, db):
    from sanspeur.protection.crypto import unit_private_key_open
    from sanspeur.protection.models import UnitKey

    monkeypatch.setenv("UNIT_PASS", "a long demo passphrase")
    call_command("protection_init_unit_key", "--passphrase-env", "UNIT_PASS")
    key = UnitKey.objects.get(active=True)
    assert len(unit_private_key_open(key, "a long demo passphrase")) == 32
    assert b"a long demo" not in bytes(key.encrypted_private_key)


def test_demo_is_idempotent(db):
    import io

    from sanspeur.protection import demo

    demo.load(stdout=io.StringIO())
    counts = (Case.objects.count(), AuditEntry.objects.count())
    demo.load(stdout=io.StringIO())
    assert (Case.objects.count(), AuditEntry.objects.count()) == counts == (1, counts[1])


def test_unlock_refuses_an_outside_next_and_followups_can_be_completed(client, mfa_client, caseworker, unit_key):
    submit(client)
    case = Case.objects.get()
    cw = mfa_client(caseworker)
    response = cw.post(
        "/fr/protection/unit/unlock/", {"passphrase": "unit passphrase for tests 2026", "next": "//evil.example/"}
    )
    assert response["Location"] == "/fr/protection/cases/"
    cw.post(_case_url(case, "followup/"), {"followup-due_on": "2030-01-15", "followup-text": "Rappeler"})
    followup = case.followups.get()
    assert cw.post(_case_url(case, "followup_done/"), {"followup": "x"}).status_code == 404
    cw.post(_case_url(case, "followup_done/"), {"followup": followup.pk})
    followup.refresh_from_db()
    assert followup.done
    cw.post("/fr/protection/unit/lock/")
    assert "Rappeler" not in cw.get(_case_url(case)).content.decode()
