"""The card lifecycle's guards, one decision at a time: who and what each audit entry records,
which state and status-list entry each change leaves, and the edges of expiry and retention.

Written against the mutants scripts/mutation found alive (docs/benchmarks.md, "Mutation testing
of the guards"); each test states the behaviour, not the mutant."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sanspeur.cards import services
from sanspeur.cards.models import Card, CardRules, Holder, StatusEntry
from sanspeur.core.models import AuditEntry
from sanspeur.core.transitions import InvalidTransition

from .conftest import PROFILE, verify_code
from .test_credential_service import card_code

pytestmark = pytest.mark.django_db


def last_entry(action):
    return AuditEntry.objects.filter(action=action).order_by("-id").first()


def assert_audited(action, *, actor, object_type, object_id, detail=None):
    entry = last_entry(action)
    assert entry is not None, f"no {action} entry"
    assert (entry.actor, entry.actor_username, entry.organisation_id) == (
        actor,
        actor.get_username(),
        actor.organisation_id,
    )
    assert (entry.object_type, entry.object_id) == (object_type, str(object_id))
    assert entry.detail == (detail or {})


def entry_status(card):
    return StatusEntry.objects.get(pk=card.status_entry_id).status


def test_each_card_change_records_who_did_it_to_which_card_and_why(enrolled, agent):
    _holder, card = enrolled
    services.card_suspend(acting_user=agent, card=card)
    assert_audited("cards.card.suspend", actor=agent, object_type="cards.card", object_id=card.pk)
    services.card_reinstate(acting_user=agent, card=card)
    assert_audited("cards.card.reinstate", actor=agent, object_type="cards.card", object_id=card.pk)
    services.card_renew(acting_user=agent, card=card)
    assert_audited("cards.card.renew", actor=agent, object_type="cards.card", object_id=card.pk)
    services.card_pdf_download(acting_user=agent, card=Card.objects.get(pk=card.pk))
    assert_audited("cards.card.download_pdf", actor=agent, object_type="cards.card", object_id=card.pk)
    new = services.card_replace(acting_user=agent, card=card, reason="damaged")
    assert_audited(
        "cards.card.replace",
        actor=agent,
        object_type="cards.card",
        object_id=card.pk,
        detail={"reason": "damaged", "new_card": str(new.pk)},
    )
    services.card_revoke(acting_user=agent, card=new, reason="fraud")
    assert_audited(
        "cards.card.revoke", actor=agent, object_type="cards.card", object_id=new.pk, detail={"reason": "fraud"}
    )


def test_suspending_and_reinstating_leave_no_reason_and_revoking_keeps_it(enrolled, agent):
    _holder, card = enrolled
    services.card_suspend(acting_user=agent, card=card)
    card.refresh_from_db()
    assert (card.state, card.reason, entry_status(card)) == ("suspended", "", StatusEntry.Status.SUSPENDED)
    services.card_reinstate(acting_user=agent, card=card)
    card.refresh_from_db()
    assert (card.state, card.reason, entry_status(card)) == ("active", "", StatusEntry.Status.VALID)
    services.card_revoke(acting_user=agent, card=card, reason="stolen")
    card.refresh_from_db()
    assert (card.state, card.reason, entry_status(card)) == ("revoked", "stolen", StatusEntry.Status.REVOKED)


def test_a_replacement_card_is_issued_by_the_agent_who_replaced_it(enrolled, agent):
    _holder, card = enrolled
    new = services.card_replace(acting_user=agent, card=card, reason="lost")
    assert Card.objects.get(pk=new.pk).issued_by == agent


def test_renewing_a_card_that_expired_while_suspended_makes_it_valid_again(client, enrolled, agent):
    """Expiry keeps the status-list entry: a card suspended, then expired, is still "suspended"
    there. Renewing it must put the entry back to valid, or the renewed card never verifies."""
    holder, card = enrolled
    services.card_suspend(acting_user=agent, card=card)
    Card.objects.filter(pk=card.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert services.card_expire(acting_user=agent, card=card) is True
    Holder.objects.filter(pk=holder.pk).update(needs_new_card=True)
    renewed = services.card_renew(acting_user=agent, card=card)
    assert entry_status(renewed) == StatusEntry.Status.VALID
    assert verify_code(client, card_code(renewed)).valid
    assert Holder.objects.get(pk=holder.pk).needs_new_card is False


def test_a_card_expires_at_its_expiry_and_not_a_moment_before(enrolled, agent, monkeypatch):
    _holder, card = enrolled
    expires_at = Card.objects.get(pk=card.pk).expires_at
    monkeypatch.setattr(timezone, "now", lambda: expires_at - timedelta(seconds=1))
    assert services.card_expire(acting_user=agent, card=card) is False
    assert Card.objects.get(pk=card.pk).state == "active"
    assert last_entry("cards.card.expire") is None
    # The signed code stops verifying at its exp; the record follows at the same instant.
    monkeypatch.setattr(timezone, "now", lambda: expires_at)
    assert services.card_expire(acting_user=agent, card=card) is True
    assert Card.objects.get(pk=card.pk).state == "expired"
    assert_audited("cards.card.expire", actor=agent, object_type="cards.card", object_id=card.pk)
    assert services.card_expire(acting_user=agent, card=card) is False  # already expired


def test_a_revoked_card_does_not_expire(enrolled, agent):
    _holder, card = enrolled
    services.card_revoke(acting_user=agent, card=card, reason="stolen")
    Card.objects.filter(pk=card.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert services.card_expire(acting_user=agent, card=card) is False
    assert Card.objects.get(pk=card.pk).state == "revoked"


def test_only_an_active_card_is_printed_and_printing_is_audited(client, enrolled, agent):
    _holder, card = enrolled
    code = services.card_pdf_download(acting_user=agent, card=Card.objects.get(pk=card.pk))
    assert code == card_code(card)
    assert verify_code(client, code).valid
    services.card_suspend(acting_user=agent, card=card)
    before = AuditEntry.objects.count()
    with pytest.raises(InvalidTransition):
        services.card_pdf_download(acting_user=agent, card=Card.objects.get(pk=card.pk))
    assert AuditEntry.objects.count() == before


def test_forgetting_records_how_many_cards_were_revoked(enrolled, agent):
    holder, card = enrolled
    services.card_replace(acting_user=agent, card=card, reason="lost")
    holder_pk = holder.pk
    services.holder_forget(acting_user=agent, holder=holder)
    assert_audited(
        "cards.holder.forget", actor=agent, object_type="cards.holder", object_id=holder_pk, detail={"cards": 2}
    )
    assert not Card.objects.filter(holder_id=holder_pk).exists()


def test_retention_shreds_a_record_exactly_when_its_time_has_come(enrolled, agent, settings):
    holder, card = enrolled
    due = Card.objects.get(pk=card.pk).expires_at + timedelta(days=settings.SANSPEUR_CARD_RETENTION_DAYS)
    assert services.holder_shred(acting_user=agent, holder=holder, now=due - timedelta(seconds=1)) is False
    assert not Holder.objects.get(pk=holder.pk).is_shredded
    assert last_entry("cards.holder.shred") is None
    assert services.holder_shred(acting_user=agent, holder=holder, now=due) is True
    shredded = Holder.objects.get(pk=holder.pk)
    assert shredded.is_shredded and shredded.duplicate_index == ""
    assert_audited("cards.holder.shred", actor=agent, object_type="cards.holder", object_id=holder.pk)
    assert services.holder_shred(acting_user=agent, holder=holder, now=due) is False  # already shredded


def test_retention_uses_the_current_time_when_given_none(enrolled, agent):
    holder, card = enrolled
    Card.objects.filter(pk=card.pk).update(expires_at=timezone.now() - timedelta(days=3650))
    assert services.holder_shred(acting_user=agent, holder=holder) is True


def test_retention_never_shreds_a_record_that_has_no_card_yet(agent):
    """An imported record waits for its first card: nothing has expired, nothing is due."""
    [holder] = services.holder_import(
        acting_user=agent, organisation=agent.organisation, rows=[{k: PROFILE[k] for k in PROFILE}]
    )
    far_future = timezone.now() + timedelta(days=36500)
    assert services.holder_shred(acting_user=agent, holder=holder, now=far_future) is False
    assert not Holder.objects.get(pk=holder.pk).is_shredded


def test_a_rules_change_audits_the_fields_and_only_the_values_that_changed(make_staff, city_organisation):
    admin = make_staff("admin.city", ["administrator"], city_organisation)
    rules = CardRules.current()
    same, before = rules.validity_months, rules.min_identity_points
    services.card_rules_update(
        acting_user=admin,
        rules=rules,
        changes={"validity_months": same, "min_identity_points": before + 1},
    )
    assert_audited(
        "cards.rules.update",
        actor=admin,
        object_type="cards.cardrules",
        object_id=rules.pk,
        detail={
            "fields": ["min_identity_points", "validity_months"],
            "changes": {"min_identity_points": {"old": before, "new": before + 1}},
        },
    )
