"""The one-time link: made by an agent who may issue the card, claimed once by the phone."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from sanspeur.core import vault
from sanspeur.core.models import AuditEntry
from sanspeur.wallet import services
from sanspeur.wallet.models import PhoneLink
from tests.cards.conftest import verify_code

from .conftest import claim

pytestmark = pytest.mark.django_db

PAGE = "/fr/wallet/cards/{pk}/phone/"


def card_code(card) -> str:
    card.refresh_from_db()
    holder = card.holder
    return vault.open_bytes(holder.data_key, card.sealed_code, context=card.code_context).decode("ascii")


def make_link(mfa_client, agent, card) -> str:
    response = mfa_client(agent).post(PAGE.format(pk=card.pk))
    assert response.status_code == 200
    match = re.search(r"/wallet/app/#claim=([A-Za-z0-9_-]+)", response.content.decode())
    assert match, "the page shows the link"
    return match.group(1)


def test_agent_page_offers_a_link_then_shows_it(mfa_client, agent, enrolled):
    _holder, card = enrolled
    client = mfa_client(agent)
    page = client.get(PAGE.format(pk=card.pk))
    assert page.status_code == 200
    assert "Créer un lien à usage unique pour le téléphone" in page.content.decode()
    assert not PhoneLink.objects.exists()  # a GET makes nothing
    token = make_link(mfa_client, agent, card)
    link = PhoneLink.objects.get()
    assert link.token_digest == services.digest(token) and token not in link.token_digest
    assert timedelta(minutes=14) < link.expires_at - link.created_at <= timedelta(minutes=15)
    entry = AuditEntry.objects.filter(action="wallet.link.create").get()
    assert entry.actor_id == agent.pk and token not in json.dumps(entry.detail)


def test_claim_once_gives_the_cards_signed_code(client, mfa_client, agent, enrolled):
    _holder, card = enrolled
    token = make_link(mfa_client, agent, card)
    client.logout()
    response = claim(client, token)
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == card_code(card)
    assert verify_code(client, data["code"]).valid
    assert data["qr_svg"].startswith("<svg") and "viewBox" in data["qr_svg"]
    assert data["pkpass"] is None  # no pass certificate configured
    assert response["Cache-Control"] == "no-store, private"
    assert PhoneLink.objects.get().claimed_at is not None
    entry = AuditEntry.objects.filter(action="wallet.link.claim").get()
    assert entry.actor_id is None
    # The token is dead.
    again = claim(client, token)
    assert again.status_code == 410 and again.json() == {"error": "unavailable"}
    assert AuditEntry.objects.filter(action="wallet.link.claim").count() == 1


def test_an_expired_link_is_refused(client, mfa_client, agent, enrolled):
    _holder, card = enrolled
    token = make_link(mfa_client, agent, card)
    PhoneLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert claim(client, token).status_code == 410
    assert PhoneLink.objects.get().claimed_at is None


def test_a_new_link_kills_the_previous_one(client, mfa_client, agent, enrolled):
    _holder, card = enrolled
    first = make_link(mfa_client, agent, card)
    second = make_link(mfa_client, agent, card)
    assert claim(client, first).status_code == 410
    assert claim(client, second).status_code == 200


def test_a_revoked_card_is_not_carried(client, mfa_client, agent, enrolled):
    from sanspeur.cards import services as card_services

    _holder, card = enrolled
    token = make_link(mfa_client, agent, card)
    card_services.card_revoke(acting_user=agent, card=card, reason="lost")
    assert claim(client, token).status_code == 410
    page = mfa_client(agent).post(PAGE.format(pk=card.pk))
    assert page.status_code == 302
    assert PhoneLink.objects.count() == 1
    with pytest.raises(ValueError):
        services.phone_link_create(acting_user=agent, card=card)


def test_only_an_agent_who_may_issue_the_card_makes_a_link(mfa_client, make_staff, agent, other_agent, enrolled):
    _holder, card = enrolled
    # Another organisation's agent: the card is out of scope.
    assert mfa_client(other_agent).get(PAGE.format(pk=card.pk)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.phone_link_create(acting_user=other_agent, card=card)
    # A verifier of the same organisation: no capability to issue cards.
    verifier = make_staff("verifier.a", ["service_point_verifier"], agent.organisation)
    assert mfa_client(verifier).post(PAGE.format(pk=card.pk)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.phone_link_create(acting_user=verifier, card=card)
    with pytest.raises(PermissionDenied):
        services.phone_link_create(acting_user=None, card=card)
    assert not PhoneLink.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'{"token": 5}', b'{"token": ""}', b'{"token": "' + b"x" * 2000 + b'"}', b"\xff\xfe"],
)
def test_bad_claims_are_refused_without_error(client, mfa_client, agent, enrolled, body):
    _holder, card = enrolled
    make_link(mfa_client, agent, card)
    response = client.post("/wallet/app/claim", body, content_type="application/json")
    assert response.status_code in (400, 410)
    assert response.json() == {"error": "unavailable"}
    assert PhoneLink.objects.get().claimed_at is None


def test_a_claim_from_another_site_is_refused(client, mfa_client, agent, enrolled):
    _holder, card = enrolled
    token = make_link(mfa_client, agent, card)
    response = claim(client, token, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert PhoneLink.objects.get().claimed_at is None
    assert claim(client, token).status_code == 200


def test_a_claim_is_only_a_post(client):
    assert client.get("/wallet/app/claim").status_code == 405


# --- The hourly purge of dead links --------------------------------------------------------------
def test_the_purge_deletes_used_and_expired_links_and_keeps_the_live_one(agent, enrolled):
    from io import StringIO

    from django.core.management import call_command

    _holder, card = enrolled
    used = services.phone_link_create(acting_user=agent, card=card)
    services.phone_link_claim(acting_user=None, token=used.token)
    expired = services.phone_link_create(acting_user=agent, card=card)
    PhoneLink.objects.filter(pk=expired.link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    live = services.phone_link_create(acting_user=agent, card=card)
    out = StringIO()
    call_command("wallet_links_purge", stdout=out)
    assert "phone links deleted: 2" in out.getvalue()
    assert list(PhoneLink.objects.values_list("pk", flat=True)) == [live.link.pk]
    assert AuditEntry.objects.get(action="wallet.link.purge").detail == {"count": 2}
    services.phone_links_purge(acting_user=None)  # nothing more to delete: no second entry
    assert AuditEntry.objects.filter(action="wallet.link.purge").count() == 1
    assert services.phone_link_claim(acting_user=None, token=live.token)["code"] == card_code(card)


def test_only_the_command_line_purges(agent):
    with pytest.raises(PermissionDenied):
        services.phone_links_purge(acting_user=agent)
