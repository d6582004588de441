"""The protection unit on the action kernel: every write is an action, the case's declared life,
and the guards of the security review (four eyes on closure, the unit passphrase's attempt limit
and audit, ``Origin: null`` on the public forms)."""

import inspect
import time
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from sanspeur.core.actions import AUDIT_ACTIONS
from sanspeur.core.models import AuditEntry
from sanspeur.core.transitions import InvalidTransition
from sanspeur.protection import services, states
from sanspeur.protection.models import Case

from .conftest import PASSPHRASE, codename_from, followup, submit, thread_pass

pytestmark = pytest.mark.django_db

# Public functions of services.py that read and write nothing.
READS = {"active_unit_key", "retention_settings"}


def test_every_public_writing_function_of_services_is_an_action():
    functions = {
        name: value
        for name, value in vars(services).items()
        if inspect.isfunction(value) and value.__module__ == services.__name__ and not name.startswith("_")
    }
    assert READS <= set(functions)
    writers = {name: fn for name, fn in functions.items() if name not in READS}
    assert len(writers) >= 20
    assert sorted(name for name, fn in writers.items() if not hasattr(fn, "action_name")) == []
    assert all(fn.action_name in AUDIT_ACTIONS for fn in writers.values())


def test_the_anonymous_persons_actions_write_no_audit_entry(client, unit_key):
    before = AuditEntry.objects.count()
    response = submit(client)
    codename = codename_from(response)
    opened = followup(client, {"codename": codename})
    followup(client, {"codename": codename, "action": "add", "text": "Encore", **thread_pass(opened)}, proof=False)
    assert Case.objects.get().messages.count() == 1
    assert AuditEntry.objects.count() == before


# --- The case's declared life ------------------------------------------------------------------------
def test_the_case_life_is_declared_once_and_walked_state_by_state(client, caseworker, make_staff, unit_key):
    machine = states.CASE
    assert machine.states == set(Case.State.values)
    for state in machine.states:
        for name, (_sources, target) in machine.actions.items():
            if name in machine.offered(state):
                assert machine.check(state, name) == target
            else:
                with pytest.raises(InvalidTransition):
                    machine.check(state, name)
    # Through the services, from a new report to a shredded case.
    submit(client)
    case = Case.objects.get()
    assert case.state == "new" and "request_closure" in case.offered_actions
    services.note_create(acting_user=caseworker, case=case, text="Premier appel")
    case.refresh_from_db()
    assert case.state == "open"  # the first piece of work opens it
    services.case_closure_request(acting_user=caseworker, case=case, outcome="resolved")
    case.refresh_from_db()
    assert case.state == "closure_requested"
    assert case.offered_actions == {"approve_closure", "reject_closure"}
    with pytest.raises(InvalidTransition):  # while closure awaits approval, nobody works on it
        services.note_create(acting_user=caseworker, case=case, text="Trop tard")
    supervisor = make_staff("sup.walk", ["protection_supervisor"])
    services.case_closure_approve(acting_user=supervisor, case=case, approve=False)
    case.refresh_from_db()
    assert case.state == "open" and case.outcome == ""
    services.case_closure_request(acting_user=caseworker, case=case, outcome="resolved")
    services.case_closure_approve(acting_user=supervisor, case=case)
    case.refresh_from_db()
    assert case.state == "closed" and case.offered_actions == {"shred"}
    with pytest.raises(InvalidTransition):
        services.reply_create(acting_user=caseworker, case=case, text="Après la fermeture")
    services.case_stats_consent_set(acting_user=caseworker, case=case, consent=True)  # any state
    services.case_shred(acting_user=None, case=case)
    case.refresh_from_db()
    assert case.state == "shredded" and case.offered_actions == frozenset()
    entries = AuditEntry.objects.filter(object_type="protection.case", object_id=str(case.pk)).order_by("id")
    actions = list(entries.values_list("action", flat=True))
    assert "protection.case.reject_closure" in actions and actions[-1] == "protection.case.shred"


def test_the_case_page_offers_what_the_state_allows(client, mfa_client, caseworker, supervisor, unit_key):
    submit(client)
    case = Case.objects.get()
    services.case_closure_request(acting_user=caseworker, case=case, outcome="resolved")
    html = mfa_client(caseworker).get(f"/fr/protection/cases/{case.reference}/").content.decode()
    assert "/note/" not in html and "/close/" not in html and "/approve/" not in html
    stale = mfa_client(caseworker).post(f"/fr/protection/cases/{case.reference}/note/", {"note-text": "x"}, follow=True)
    assert "pas possible" in stale.content.decode()
    assert not case.notes.exists()


# --- (a) Four eyes on closure ------------------------------------------------------------------------
def test_a_supervisor_cannot_approve_their_own_closure_request(client, mfa_client, supervisor, make_staff, unit_key):
    submit(client)
    case = Case.objects.get()
    services.case_closure_request(acting_user=supervisor, case=case, outcome="resolved")
    with pytest.raises(PermissionDenied):
        services.case_closure_approve(acting_user=supervisor, case=case)
    own = mfa_client(supervisor)
    page = own.get(f"/fr/protection/cases/{case.reference}/").content.decode()
    assert 'id="four-eyes"' in page and "/approve/" not in page
    assert own.post(f"/fr/protection/cases/{case.reference}/approve/", {"confirm": "yes"}).status_code == 403
    case.refresh_from_db()
    assert case.state == "closure_requested" and case.closed_on is None
    assert not AuditEntry.objects.filter(action="protection.case.approve_closure").exists()
    other = make_staff("sup.other", ["protection_supervisor"])
    unconfirmed = mfa_client(other).post(f"/fr/protection/cases/{case.reference}/approve/")
    case.refresh_from_db()
    assert unconfirmed.status_code == 302 and case.state == "closure_requested"  # the box was not ticked
    page = mfa_client(other).get(f"/fr/protection/cases/{case.reference}/").content.decode()
    assert 'id="closure-consequence"' in page
    mfa_client(other).post(f"/fr/protection/cases/{case.reference}/approve/", {"confirm": "yes"})
    case.refresh_from_db()
    assert case.state == "closed"
    assert AuditEntry.objects.get(action="protection.case.approve_closure").actor == other


# --- (d) The unit passphrase: attempts limited per account, every try audited --------------------
@pytest.fixture
def clock(monkeypatch):
    from sanspeur.core import antiabuse

    now = SimpleNamespace(value=time.time())
    monkeypatch.setattr(antiabuse, "time", SimpleNamespace(time=lambda: now.value, monotonic=time.monotonic))
    return now


def test_wrong_passphrases_are_limited_per_account_and_every_unlock_is_audited(
    mfa_client, caseworker, supervisor, unit_key, clock
):
    url = "/en/protection/unit/unlock/"
    cw = mfa_client(caseworker)
    for attempt in range(1, services.UNLOCK_FREE_ATTEMPTS + 2):
        wrong = cw.post(url, {"passphrase": f"wrong passphrase number {attempt}"})
        assert wrong.status_code == 200 and "does not open the unit key" in wrong.content.decode()
    waiting = cw.post(url, {"passphrase": PASSPHRASE})  # even the right one waits: nothing is tried
    assert waiting.status_code == 429 and "Too many wrong passphrases" in waiting.content.decode()
    assert "sp_unit" not in waiting.cookies
    failed = AuditEntry.objects.filter(action="protection.unitkey.unlock_failed").order_by("id")
    assert [entry.detail["failures"] for entry in failed] == [1, 2, 3, 4]
    assert {entry.actor for entry in failed} == {caseworker}
    # Another account is not held up by this one's failures.
    assert mfa_client(supervisor).post(url, {"passphrase": PASSPHRASE}).status_code == 302
    clock.value += 2
    cw = mfa_client(caseworker)
    unlocked = cw.post(url, {"passphrase": PASSPHRASE})
    assert unlocked.status_code == 302 and unlocked.cookies["sp_unit"]
    unlocks = AuditEntry.objects.filter(action="protection.unitkey.unlock")
    assert sorted(entry.actor_username for entry in unlocks) == ["kim.cw", "sam.sup"]
    for entry in AuditEntry.objects.all():
        assert "passphrase" not in str(entry.detail) and PASSPHRASE not in str(entry.detail)


# --- (e) Origin: null on the public forms -------------------------------------------------------------
def test_public_forms_refuse_origin_null_with_the_csrf_failure_page(client, unit_key):
    for url in ("/fr/protection/report/", "/fr/protection/followup/"):
        response = client.post(url, {"text": "x", "codename": "a b c"}, headers={"Origin": "null"})
        assert response.status_code == 403 and "Formulaire expiré" in response.content.decode(), url
        assert not response.cookies
    assert not Case.objects.exists()
    assert client.get("/fr/protection/report/")["Referrer-Policy"] == "same-origin"
