"""Writes of the wallet app: a one-time link for the holder's phone, and its claim.

The link is a random token and nothing else (no card number, no name). The server keeps only
the token's SHA-256 digest; the code is opened from the card's sealed code when the phone claims
the link, and the link dies then (single use) or after ``SANSPEUR_WALLET_LINK_MINUTES``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from sanspeur.accounts.policy import OWN, has_capability, in_scope, is_command_line
from sanspeur.cards.models import Card
from sanspeur.cards.states import CARD
from sanspeur.core import vault
from sanspeur.core.actions import action, no_change
from sanspeur.core.services import audit_entry_create
from sanspeur.credential.qr import make_qr

from . import pkpass
from .models import PhoneLink

if TYPE_CHECKING:
    from sanspeur.accounts.models import User

MANAGE = "accounts.manage_cards"


class LinkUnavailable(ValueError):
    """Unknown, used, expired, or its card is no longer valid: the phone gets the same answer."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def card_is_carried(card: Card) -> bool:
    """A card may go into a phone when it could be printed: valid, and its record not shredded."""
    return CARD.can(card.state, "print") and card.sealed_code is not None and not card.holder.is_shredded


def _issues_cards_here(acting_user, *, card: Card, **_kwargs) -> bool:
    """The agent who may issue and print this card (``manage_cards`` on its organisation)."""
    return has_capability(acting_user, MANAGE) and in_scope(acting_user, card.holder.organisation_id, reach=OWN)


@dataclass(frozen=True)
class NewLink:
    link: PhoneLink
    token: str


@action("wallet.link.create", policy=_issues_cards_here)
def phone_link_create(*, acting_user: User | None, card: Card) -> NewLink:
    """A new one-time link for ``card``; any earlier unclaimed link of the card stops working."""
    card = Card.objects.select_related("holder").get(pk=card.pk)
    if not card_is_carried(card):
        raise ValueError("card not valid")
    now = timezone.now()
    PhoneLink.objects.filter(card=card, claimed_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    link = PhoneLink.objects.create(
        card=card,
        token_digest=digest(token),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.SANSPEUR_WALLET_LINK_MINUTES),
    )
    audit_entry_create(acting_user=acting_user, action="wallet.link.create", target=card)
    return NewLink(link=link, token=token)


def qr_svg(code: str) -> str:
    """The same QR symbol as the printed card's (alphanumeric mode, level L raised as far as the
    version allows), as a scalable SVG without size (viewBox only): the app draws it full-screen."""
    buffer = io.BytesIO()
    make_qr(code).save(buffer, kind="svg", scale=1, border=4, xmldecl=False, omitsize=True, dark="#000", light="#fff")
    return buffer.getvalue().decode("ascii")


@action("wallet.link.claim")
def phone_link_claim(*, acting_user: User | None, token: str) -> dict:
    """The phone's one claim: the signed code (which carries the signed photo), the QR to show,
    and the Apple Wallet pass when the city has a pass certificate. The link is dead afterwards."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        no_change()
        raise LinkUnavailable
    link = (
        PhoneLink.objects.select_for_update()
        .select_related("card__holder__data_key")
        .filter(token_digest=digest(token))
        .first()
    )
    now = timezone.now()
    if link is None or link.claimed_at is not None or link.expires_at <= now or not card_is_carried(link.card):
        no_change()
        raise LinkUnavailable
    link.claimed_at = now
    link.save(update_fields=["claimed_at"])
    card = link.card
    code = vault.open_bytes(card.holder.data_key, card.sealed_code, context=card.code_context).decode("ascii")
    signer = pkpass.configured_signer()
    bundle = pkpass.build(code, signer) if signer is not None else None
    audit_entry_create(
        acting_user=acting_user, action="wallet.link.claim", target=card, detail={"pass": bundle is not None}
    )
    return {
        "format": "MTL1",
        "code": code,
        "qr_svg": qr_svg(code),
        "pkpass": base64.b64encode(bundle).decode("ascii") if bundle else None,
    }


def _command_line(acting_user, **_kwargs) -> bool:
    return is_command_line(acting_user)


@action("wallet.link.purge", policy=_command_line)
def phone_links_purge(*, acting_user: User | None) -> int:
    """Delete the links that can no longer be used — claimed, or past their few minutes — with the
    minute each was made and the card it named: a dead link would only tell when a holder stood at
    a desk (the job ``wallet_links_purge``, every hour). How many."""
    dead = PhoneLink.objects.filter(Q(claimed_at__isnull=False) | Q(expires_at__lte=timezone.now()))
    count, _by_model = dead.delete()
    if not count:
        no_change()
        return 0
    audit_entry_create(acting_user=acting_user, action="wallet.link.purge", detail={"count": count})
    return count
