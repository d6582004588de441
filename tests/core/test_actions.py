"""The action kernel: typed keyword-only acting_user, one durable transaction, the policy asked
first, a registered audit action always written, side effects only after commit."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from sanspeur.accounts.models import Organisation
from sanspeur.core.actions import (
    AUDIT_ACTIONS,
    ActionError,
    UnregisteredAuditAction,
    action,
    no_change,
    on_commit,
)
from sanspeur.core.locks import lock_rows
from sanspeur.core.models import AuditEntry
from sanspeur.core.services import audit_entry_create


@action("organisation.create")
def make_organisation(*, acting_user: object | None, name: str, audit: bool = True, nothing: bool = False):
    if nothing:
        no_change()
        return None
    organisation = Organisation.objects.create(name=name, kind="partner")
    if audit:
        audit_entry_create(acting_user=acting_user, action="organisation.create", target=organisation)
    return organisation


def test_an_action_declares_a_typed_keyword_only_acting_user():
    with pytest.raises(TypeError, match="keyword-only"):

        @action("organisation.create")
        def positional(acting_user: object | None, name: str):
            pass

    with pytest.raises(TypeError, match="typed"):

        @action("organisation.create")
        def untyped(*, acting_user, name: str):
            pass

    with pytest.raises(TypeError):

        @action("organisation.create")
        def missing(*, name: str):
            pass


@pytest.mark.django_db
def test_every_audit_entry_names_a_registered_action():
    assert "cards.card.revoke" in AUDIT_ACTIONS and "x.y" not in AUDIT_ACTIONS
    with transaction.atomic(), pytest.raises(UnregisteredAuditAction):
        audit_entry_create(acting_user=None, action="cards.card.revokee")
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_an_action_that_writes_no_audit_entry_is_rolled_back():
    with pytest.raises(ActionError):
        make_organisation(acting_user=None, name="Sans trace", audit=False)
    assert not Organisation.objects.filter(name="Sans trace").exists()
    # A deliberate no-op may end without an entry.
    assert make_organisation(acting_user=None, name="Rien", nothing=True) is None


@pytest.mark.django_db
def test_an_anonymous_action_by_design_leaves_no_audit_entry_at_all():
    """A protection report must not be dated by an audit timestamp: such an action is declared
    audited=False, and the kernel refuses an entry written in it (and rolls the change back)."""

    @action("organisation.create", audited=False)
    def anonymous(*, acting_user: object | None, name: str, audit: bool):
        organisation = Organisation.objects.create(name=name, kind="partner")
        if audit:
            audit_entry_create(acting_user=None, action="organisation.create", target=organisation)

    anonymous(acting_user=None, name="Sans date", audit=False)
    assert Organisation.objects.filter(name="Sans date").exists() and not AuditEntry.objects.exists()
    with pytest.raises(ActionError, match="no audit entry"):
        anonymous(acting_user=None, name="Datée", audit=True)
    assert not Organisation.objects.filter(name="Datée").exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_the_policy_is_asked_before_anything_is_written():
    asked = []

    @action("organisation.create", policy=lambda acting_user, **kwargs: asked.append(kwargs) or False)
    def refused(*, acting_user: object | None, name: str):
        Organisation.objects.create(name=name, kind="partner")

    with pytest.raises(PermissionDenied):
        refused(acting_user=None, name="Refusée")
    assert asked == [{"name": "Refusée"}]
    assert not Organisation.objects.filter(name="Refusée").exists()


@pytest.mark.django_db(transaction=True)
def test_the_outermost_action_is_durable_and_side_effects_wait_for_the_commit():
    sent = []

    @action("organisation.create")
    def with_side_effect(*, acting_user: object | None, name: str):
        on_commit(lambda: sent.append(name))
        assert sent == []  # not before the commit
        return make_organisation(acting_user=acting_user, name=name)  # a nested action joins

    with_side_effect(acting_user=None, name="Durable")
    assert sent == ["Durable"]
    assert AuditEntry.objects.filter(action="organisation.create").count() == 1
    # Nobody can fold an action into a longer transaction of their own by mistake.
    with pytest.raises(RuntimeError, match="durable"):
        with transaction.atomic():
            make_organisation(acting_user=None, name="Imbriquée")
    assert not Organisation.objects.filter(name="Imbriquée").exists()


@pytest.mark.django_db
def test_a_failing_side_effect_never_runs_when_the_action_fails():
    sent = []

    @action("organisation.create")
    def fails_after_scheduling(*, acting_user: object | None):
        on_commit(lambda: sent.append("mail"))
        raise ValueError("refused")

    with pytest.raises(ValueError):
        fails_after_scheduling(acting_user=None)
    assert sent == []


@pytest.mark.django_db(transaction=True)
def test_locks_are_taken_in_order_and_only_inside_a_transaction():
    for name in ("B", "A", "C"):
        Organisation.objects.create(name=name, kind="partner")
    with pytest.raises(RuntimeError, match="inside a transaction"):
        lock_rows(Organisation.objects.all())
    with transaction.atomic():
        locked = lock_rows(Organisation.objects.order_by("-name"))
    assert [o.pk for o in locked] == sorted(o.pk for o in locked)
    if connection.vendor == "postgresql":
        assert len(locked) == 3
