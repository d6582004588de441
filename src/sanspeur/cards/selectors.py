"""Reads of the cards app. Staff reads of a person's record are audited; scoping by organisation."""

from __future__ import annotations

from django.http import Http404

from sanspeur.core import vault
from sanspeur.core.services import audit_read

from .models import Card, Holder


def holders_for(user):
    """The holders enrolled by the user's organisation (no personal value is opened here)."""
    if user.organisation_id is None:
        return Holder.objects.none()
    return Holder.objects.filter(organisation_id=user.organisation_id)


def holder_get(*, acting_user, pk) -> Holder:
    holder = holders_for(acting_user).select_related("data_key").filter(pk=pk).first()
    if holder is None:
        raise Http404
    return holder


def card_get(*, acting_user, pk) -> Card:
    card = (
        Card.objects.select_related("holder__data_key", "status_entry")
        .filter(pk=pk, holder__organisation_id=acting_user.organisation_id)
        .first()
    )
    if card is None or acting_user.organisation_id is None:
        raise Http404
    return card


def holder_profile(*, acting_user, holder: Holder, purpose: str = "view") -> dict | None:
    """Open the sealed record (audited). None once shredded."""
    audit_read(acting_user=acting_user, target=holder, purpose=purpose)
    if holder.is_shredded:
        return None
    profile = vault.open_fields(holder.data_key, holder.sealed_profile, context=holder.profile_context)
    photo = None
    if holder.sealed_photo is not None:
        photo = vault.open_bytes(holder.data_key, holder.sealed_photo, context=holder.photo_context)
    return {**profile, "photo": photo}


def possible_duplicate(index: str) -> Card | Holder | None:
    """A live record with the same blind index, in any organisation: the caller shows number and state only."""
    holder = Holder.objects.filter(duplicate_index=index, shredded_at__isnull=True).first()
    if holder is None:
        return None
    return holder.current_card() or holder


def holders_by_search(user, index: str):
    return holders_for(user).filter(duplicate_index=index)


def cards_due_for_reminder(*, now, limit: int = 10_000):
    """Active cards expiring within the reminder window whose reminder was not yet handled."""
    from datetime import timedelta

    from django.conf import settings

    window = now + timedelta(days=settings.SANSPEUR_CARD_REMINDER_DAYS)
    return Card.objects.filter(
        state=Card.State.ACTIVE,
        renewal_reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=window,
        holder__shredded_at__isnull=True,
    ).only("pk")[:limit]
