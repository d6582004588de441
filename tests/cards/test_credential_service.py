"""Part A: keys, status lists and trust list published for offline verifiers; the card lifecycle."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from sanspeur.cards import keys, services
from sanspeur.cards.models import Card, CardRules, DocumentType, Holder, StatusEntry, StatusList
from sanspeur.core import vault
from sanspeur.core.models import AuditEntry
from sanspeur.core.transitions import InvalidTransition
from sanspeur.credential import PURPOSE_CARD, decode_claims_unverified

from .conftest import PROFILE, verify_code

pytestmark = pytest.mark.django_db


def card_code(card):
    card.refresh_from_db()
    holder = card.holder
    return vault.open_bytes(holder.data_key, card.sealed_code, context=card.code_context).decode()


def test_issued_card_verifies_with_published_lists(client, enrolled):
    holder, card = enrolled
    result = verify_code(client, card_code(card))
    assert result.valid, result
    assert result.claims.given_names == PROFILE["given_names"]
    assert result.claims.family_names == PROFILE["family_names"]
    assert result.claims.date_of_birth == PROFILE["date_of_birth"]
    assert result.claims.card_number == card.number
    assert result.claims.status_index == card.status_entry.index
    assert len(result.photo) <= 700
    assert StatusList.objects.get().size >= 131_072


def test_status_indexes_are_random_and_unique(enrolled, agent, documents):
    from sanspeur.cards.faces import face_jpeg

    indexes = {enrolled[1].status_entry.index}
    for number in range(4):
        profile = {**PROFILE, "given_names": f"Person {number}"}
        _holder, card = services.holder_enroll(
            acting_user=agent,
            organisation=agent.organisation,
            profile=profile,
            photo_jpeg=face_jpeg(number),
            document_types=documents,
        )
        indexes.add(card.status_entry.index)
    assert len(indexes) == 5
    assert indexes != set(range(min(indexes), min(indexes) + 5))  # not sequential


def test_status_list_endpoint_headers_etag_and_304(client, enrolled):
    url = f"/.well-known/sanspeur/status/{enrolled[1].status_entry.status_list_id}"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/statuslist+cwt"
    max_age = int(response["Cache-Control"].split("max-age=")[1].split(",")[0])
    assert 0 < max_age <= 60
    assert "Set-Cookie" not in response
    etag = response["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert client.get("/.well-known/sanspeur/status/nope").status_code == 404
    trust = client.get("/.well-known/sanspeur/trust-list")
    assert trust.status_code == 200 and trust.content.count(b".") == 2
    assert client.get("/.well-known/sanspeur/trust-list", HTTP_IF_NONE_MATCH=trust["ETag"]).status_code == 304
    root = client.get("/.well-known/sanspeur/trust-root.pem")
    assert root.content.startswith(b"-----BEGIN PUBLIC KEY-----")


def test_revocation_reaches_the_published_list_at_once(client, enrolled, agent, django_capture_on_commit_callbacks):
    holder, card = enrolled
    code = card_code(card)
    first = client.get(f"/.well-known/sanspeur/status/{card.status_entry.status_list_id}")
    with django_capture_on_commit_callbacks(execute=True):
        services.card_revoke(acting_user=agent, card=card, reason="stolen")
    second = client.get(f"/.well-known/sanspeur/status/{card.status_entry.status_list_id}")
    assert second["ETag"] != first["ETag"]
    assert verify_code(client, code).reason == "revoked"


def test_suspend_and_reinstate(client, enrolled, agent):
    _holder, card = enrolled
    code = card_code(card)
    services.card_suspend(acting_user=agent, card=card)
    assert verify_code(client, code).reason == "suspended"
    services.card_reinstate(acting_user=agent, card=card)
    assert verify_code(client, code).valid
    actions = list(AuditEntry.objects.filter(object_id=str(card.pk)).values_list("action", flat=True))
    assert {"cards.card.issue", "cards.card.suspend", "cards.card.reinstate"} <= set(actions)


def test_a_revoked_card_never_comes_back(client, enrolled, agent):
    """revoke -> suspend -> reinstate once un-revoked a card (a review removed the state check in
    card_suspend and the suite stayed green). Every refused change leaves the card revoked."""
    _holder, card = enrolled
    code = card_code(card)
    services.card_revoke(acting_user=agent, card=card, reason="stolen")
    for change in (services.card_suspend, services.card_reinstate, services.card_renew):
        with pytest.raises(InvalidTransition):
            change(acting_user=agent, card=card)
    card.refresh_from_db()
    assert card.state == Card.State.REVOKED
    assert verify_code(client, code).reason == "revoked"
    assert not AuditEntry.objects.filter(
        object_id=str(card.pk), action__in=["cards.card.suspend", "cards.card.reinstate", "cards.card.renew"]
    ).exists()


def test_only_a_suspended_card_is_reinstated_and_only_a_valid_one_suspended(enrolled, agent):
    _holder, card = enrolled
    with pytest.raises(InvalidTransition):
        services.card_reinstate(acting_user=agent, card=card)  # active: nothing to reinstate
    services.card_suspend(acting_user=agent, card=card)
    with pytest.raises(InvalidTransition):
        services.card_suspend(acting_user=agent, card=card)


def test_the_declared_card_machine_is_what_the_page_offers():
    """Every state: the actions offered are the declared ones (cards/states.py, read once)."""
    from sanspeur.cards.states import CARD

    offered = {state: sorted(CARD.offered(state)) for state in Card.State.values}
    assert offered == {
        "active": ["expire", "print", "renew", "replace", "revoke", "suspend"],
        "suspended": ["expire", "reinstate", "replace", "revoke"],
        "expired": ["renew", "revoke"],
        "revoked": ["reissue", "replace"],
    }
    assert Card(state="suspended").offered_actions == CARD.offered("suspended")


def test_rules_changes_are_audited_with_old_and_new_values(make_staff, city_organisation):
    admin = make_staff("admin.city", ["administrator"], city_organisation)
    rules = CardRules.current()
    before = rules.min_identity_points
    services.card_rules_update(acting_user=admin, rules=rules, changes={"min_identity_points": before + 1})
    entry = AuditEntry.objects.get(action="cards.rules.update")
    assert entry.detail["changes"] == {"min_identity_points": {"old": before, "new": before + 1}}


def test_only_the_city_changes_the_city_wide_rules_even_through_the_service(make_staff, organisation, agent):
    """A partner administrator once lowered the city's rules to 1/1 points; the service itself
    now refuses, whatever page or command calls it."""
    from django.core.exceptions import PermissionDenied

    partner_admin = make_staff("admin.partner", ["administrator"], organisation)
    rules = CardRules.current()
    for who in (partner_admin, agent):
        with pytest.raises(PermissionDenied):
            services.card_rules_update(acting_user=who, rules=rules, changes={"min_identity_points": 1})
        document = DocumentType.objects.first()
        document.identity_points = 9
        with pytest.raises(PermissionDenied):
            services.document_type_save(acting_user=who, document_type=document)
    assert CardRules.current().min_identity_points == rules.min_identity_points
    assert not AuditEntry.objects.filter(action__startswith="cards.rules").exists()


def test_replace_revokes_old_and_issues_new_number(client, enrolled, agent):
    holder, card = enrolled
    old_code = card_code(card)
    new = services.card_replace(acting_user=agent, card=card, reason="lost")
    assert new.number != card.number
    assert new.status_entry.index != card.status_entry.index
    assert verify_code(client, old_code).reason == "revoked"
    assert verify_code(client, card_code(new)).valid
    card.refresh_from_db()
    assert card.state == Card.State.REVOKED and card.reason == "lost"


def test_renew_keeps_number_and_extends_expiry(client, enrolled, agent):
    _holder, card = enrolled
    before = card.expires_at
    Card.objects.filter(pk=card.pk).update(expires_at=before - timedelta(days=300))
    renewed = services.card_renew(acting_user=agent, card=card)
    assert renewed.number == card.number
    assert renewed.expires_at > before - timedelta(days=300)
    claims = decode_claims_unverified(card_code(renewed))
    assert claims.expires_at == renewed.expires_at
    assert verify_code(client, card_code(renewed)).valid


def test_forget_revokes_and_shreds_for_good(client, enrolled, agent):
    from sanspeur.cards.models import Counter

    holder, card = enrolled
    code = card_code(card)
    data_key = holder.data_key
    blob = bytes(holder.sealed_profile)
    services.holder_forget(acting_user=agent, holder=holder)
    assert not Holder.objects.filter(pk=holder.pk).exists()
    assert not Card.objects.filter(pk=card.pk).exists()
    data_key.refresh_from_db()
    assert data_key.wrapped is None
    with pytest.raises(vault.ShreddedError):
        vault.open_fields(data_key, blob, context=holder.profile_context)
    # The status entry survives, detached, so the old card keeps verifying as revoked.
    entry = StatusEntry.objects.get(pk=card.status_entry_id)
    assert entry.status == StatusEntry.Status.REVOKED
    assert verify_code(client, code).reason == "revoked"
    assert Counter.objects.get(name="holders_forgotten").value == 1
    assert AuditEntry.objects.filter(action="cards.holder.forget", object_id=str(holder.pk)).exists()


def _expired_holders(agent, documents, count):
    from sanspeur.cards.faces import face_jpeg

    made = []
    for number in range(count):
        profile = {**PROFILE, "given_names": f"Retention {number}"}
        holder, _card = services.holder_enroll(
            acting_user=agent,
            organisation=agent.organisation,
            profile=profile,
            photo_jpeg=face_jpeg(number),
            document_types=documents,
            issued_at=timezone.now() - timedelta(days=24 * 31 + 120),
        )
        made.append(holder)
    return made


def _consistent(holder):
    holder.refresh_from_db()
    holder.data_key.refresh_from_db()
    shredded = holder.shredded_at is not None
    assert (holder.data_key.wrapped is None) == shredded
    assert (holder.sealed_profile is None) == shredded
    assert (holder.sealed_photo is None) == shredded
    assert all((card.sealed_code is None) == shredded for card in holder.cards.all())
    return shredded


def test_retention_survives_being_killed_and_is_idempotent(enrolled, agent, documents, monkeypatch):
    from sanspeur.cards.management.commands import cards_retention

    old = _expired_holders(agent, documents, 4)
    real = services.holder_shred
    calls = {"n": 0}

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")
        return real(**kwargs)

    monkeypatch.setattr(cards_retention, "holder_shred", dying)
    with pytest.raises(KeyboardInterrupt):
        cards_retention.run_retention()
    states = [_consistent(holder) for holder in old]
    assert states.count(True) == 2
    monkeypatch.setattr(cards_retention, "holder_shred", real)
    call_command("cards_retention")
    assert all(_consistent(holder) for holder in old)
    assert not _consistent(enrolled[0])  # a valid card's record is kept
    audit_count = AuditEntry.objects.count()
    assert cards_retention.run_retention() == (0, 0)
    assert AuditEntry.objects.count() == audit_count
    for holder in old:
        with pytest.raises(vault.ShreddedError):
            vault.open_bytes(holder.data_key, b"\x01" + b"0" * 40, context=holder.profile_context)
        assert holder.cards.get().state == Card.State.EXPIRED


def test_key_rotation_keeps_old_card_key_until_latest_expiry(client, enrolled, agent):
    _holder, card = enrolled
    store = keys.keystore()
    old = store.active(PURPOSE_CARD)
    assert card.signing_kid == old.kid.hex()
    call_command("cards_keys", "rotate", "card")
    retired = store.get(old.kid)
    assert retired.state == "retired"
    entry = AuditEntry.objects.get(action="cards.signing_key.rotate")  # the key files' change is audited
    assert entry.actor is None and entry.detail["retired"] == old.kid.hex() and entry.detail["purpose"] == "card"
    # Until its cards expire, and at least as long as a card it signed a moment before the rotation
    # (not yet committed) would be valid: the validity of a card issued now, plus a day.
    assert retired.trusted_until >= card.expires_at
    validity = services.add_months(timezone.now(), CardRules.current().validity_months)
    assert validity < retired.trusted_until <= validity + timedelta(days=1, minutes=1)
    assert verify_code(client, card_code(card)).valid  # still in the trust list
    new_card = services.card_replace(acting_user=agent, card=card, reason="damaged")
    assert new_card.signing_kid == store.active(PURPOSE_CARD).kid.hex() != old.kid.hex()
    assert verify_code(client, card_code(new_card)).valid


def test_production_never_creates_keys(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    settings.SANSPEUR_KEY_DIR = tmp_path
    settings.SANSPEUR_CREATE_MISSING_KEYS = False
    with pytest.raises(ImproperlyConfigured):
        keys.ensure_keys()
    call_command("cards_keys", "create")
    assert keys.ensure_keys().active(PURPOSE_CARD) is not None
    call_command("cards_publish")


def test_key_commands_list_retire_remove(client, enrolled, settings, tmp_path):
    import io

    from django.core.management import CommandError

    from sanspeur.credential import PURPOSE_STATUS_LIST, PURPOSE_TRUST_LIST, load_public_keys_pem, load_trust_list

    out = io.StringIO()
    call_command("cards_keys", "list", stdout=out)
    assert out.getvalue().count("active") == 3
    store = keys.keystore()
    trust = load_trust_list(
        client.get("/.well-known/sanspeur/trust-list").content,
        load_public_keys_pem(client.get("/.well-known/sanspeur/trust-root.pem").content),
    )
    root_kid = store.active(PURPOSE_TRUST_LIST).kid
    assert root_kid not in trust.keys and trust.signed_by == root_kid  # the root is never inside the list
    status_kid = store.active(PURPOSE_STATUS_LIST).kid
    call_command("cards_keys", "rotate", "status-list", stdout=io.StringIO())
    assert store.get(status_kid).trusted_until > timezone.now() + timedelta(days=7)
    with pytest.raises(CommandError, match="--yes"):
        call_command("cards_keys", "remove", status_kid.hex())
    call_command("cards_keys", "remove", status_kid.hex(), "--yes", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("cards_keys", "retire", status_kid.hex())


def test_forgotten_cards_indexes_are_freed_after_their_expiry(enrolled, agent):
    from sanspeur.cards.management.commands.cards_retention import run_retention

    holder, card = enrolled
    entry_id = card.status_entry_id
    services.holder_forget(acting_user=agent, holder=holder)
    run_retention()
    assert StatusEntry.objects.filter(pk=entry_id).exists()  # still revoked while the card could be shown
    run_retention(now=card.expires_at + timedelta(days=2))
    assert not StatusEntry.objects.filter(pk=entry_id).exists()
