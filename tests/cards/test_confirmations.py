"""Irreversible card actions ask first (a page that names the consequence; only its form acts),
never choose a reason for the agent, and a revoke made by mistake can be followed by a new card
on the same record, the revoked card staying revoked (cards/states.py "reissue")."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from sanspeur.cards import services
from sanspeur.cards.models import Card, Holder
from sanspeur.core.models import AuditEntry
from sanspeur.credential import STATUS_REVOKED

pytestmark = pytest.mark.django_db


def test_revoke_asks_first_and_never_chooses_the_reason(mfa_client, agent, enrolled):
    _holder, card = enrolled
    client = mfa_client(agent)
    url = f"/fr/cards/cards/{card.pk}/revoke/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'id="consequence"' in html
    assert "novalidate" in html
    # The first option is the empty "choose a reason", and it is the one selected.
    assert '<option value="" selected>' in html
    card.refresh_from_db()
    assert card.state == Card.State.ACTIVE  # opening the page changed nothing
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "Choisissez un motif." in refused.content.decode()
    card.refresh_from_db()
    assert card.state == Card.State.ACTIVE
    assert client.post(url, {"reason": "fraud"}).status_code == 302
    card.refresh_from_db()
    assert card.state == Card.State.REVOKED and card.reason == "fraud" and card.revoked_at is not None


def test_suspend_and_replace_ask_first(mfa_client, agent, enrolled):
    holder, card = enrolled
    client = mfa_client(agent)
    assert 'id="consequence"' in client.get(f"/fr/cards/cards/{card.pk}/suspend/").content.decode()
    assert 'id="consequence"' in client.get(f"/fr/cards/cards/{card.pk}/replace/").content.decode()
    assert client.post(f"/fr/cards/cards/{card.pk}/replace/", {}).status_code == 400
    card.refresh_from_db()
    assert card.state == Card.State.ACTIVE and holder.cards.count() == 1
    assert client.post(f"/fr/cards/cards/{card.pk}/suspend/").status_code == 302
    card.refresh_from_db()
    assert card.state == Card.State.SUSPENDED


def test_forget_asks_first(mfa_client, agent, enrolled):
    holder, _card = enrolled
    client = mfa_client(agent)
    url = f"/fr/cards/holders/{holder.pk}/forget/"
    detail = client.get(f"/fr/cards/holders/{holder.pk}/").content.decode()
    assert f'href="{url}"' in detail and 'name="confirm"' not in detail  # a link, not the form
    page = client.get(url)
    assert page.status_code == 200 and 'id="consequence"' in page.content.decode()
    refused = client.post(url, {})
    assert refused.status_code == 400 and "Cochez la case pour confirmer." in refused.content.decode()
    assert Holder.objects.filter(pk=holder.pk).exists()


def test_a_revoke_made_by_mistake_is_followed_by_a_new_card_on_the_same_record(mfa_client, agent, enrolled):
    holder, card = enrolled
    client = mfa_client(agent)
    client.post(f"/fr/cards/cards/{card.pk}/revoke/", {"reason": "stolen"})
    detail = client.get(f"/fr/cards/holders/{holder.pk}/").content.decode()
    url = f"/fr/cards/holders/{holder.pk}/issue/"
    assert f'href="{url}"' in detail
    page = client.get(url)
    assert page.status_code == 200 and 'id="consequence"' in page.content.decode()
    assert holder.cards.count() == 1  # the page alone issues nothing
    assert client.post(url, {"action": "reissue"}).status_code == 302
    card.refresh_from_db()
    new = holder.cards.exclude(pk=card.pk).get()
    assert new.state == Card.State.ACTIVE and new.number != card.number
    # The revoked card stays revoked, on the record and in the status list.
    assert card.state == Card.State.REVOKED and card.status_entry.status == STATUS_REVOKED
    entry = AuditEntry.objects.get(action="cards.card.reissue")
    assert entry.detail["new_card"] == str(new.pk) and entry.actor == agent
    # Once: the new card is the record's latest, so the way is closed.
    assert client.post(url, {"action": "reissue"}).status_code == 302
    assert holder.cards.count() == 2


def test_reissue_only_within_the_window(agent, enrolled):
    _holder, card = enrolled
    services.card_revoke(acting_user=agent, card=card, reason="lost")
    card.refresh_from_db()
    later = card.revoked_at + timedelta(days=services.REISSUE_DAYS + 1)
    with pytest.raises(services.ReissueRefused):
        services.card_reissue(acting_user=agent, card=card, now=later)
    assert Card.objects.filter(holder=card.holder).count() == 1
    assert services.reissue_refusal(card, now=timezone.now()) is None


def test_reissue_policy_refuses_other_organisations_and_other_roles(make_staff, organisation, other_agent, enrolled):
    holder, card = enrolled
    services.card_revoke(acting_user=None, card=card, reason="lost")
    door = make_staff("door.reissue", ["clinic_door_staff"], organisation)
    for stranger in (other_agent, door):
        with pytest.raises(PermissionDenied):
            services.card_reissue(acting_user=stranger, card=card)
    assert holder.cards.count() == 1
