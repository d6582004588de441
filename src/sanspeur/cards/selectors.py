"""Reads of the cards app. Staff reads of a person's record are audited; scoping by organisation."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404

from sanspeur.accounts.policy import OWN, scope
from sanspeur.core import vault
from sanspeur.core.services import audit_read

from .models import Card, CardRules, DocumentType, Holder, StatusList


def holders_for(user):
    """The holders enrolled by the user's organisation (no personal value is opened here)."""
    return scope(Holder.objects.all(), acting_user=user, field="organisation", reach=OWN)


def holder_get(*, acting_user, pk) -> Holder:
    holder = holders_for(acting_user).select_related("data_key").filter(pk=pk).first()
    if holder is None:
        raise Http404
    return holder


def card_get(*, acting_user, pk) -> Card:
    cards = scope(Card.objects.all(), acting_user=acting_user, field="holder__organisation", reach=OWN)
    card = cards.select_related("holder__data_key", "status_entry").filter(pk=pk).first()
    if card is None:
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


# --- Document rules ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DocumentRule:
    """One accepted document type, as the desk counts it (never a document itself)."""

    code: str
    name: str  # in the language asked for
    identity_points: int
    residence_points: int
    photo: bool
    birth_date: bool


@dataclass
class RulesCheck:
    """What a set of document types adds up to; ``missing`` names the unmet rules, in this order:
    ``photo``, ``birth_date``, ``identity``, ``residence``."""

    identity_points: int
    residence_points: int
    has_photo: bool
    has_birth_date: bool
    missing: list[str] = field(default_factory=list)

    @property
    def meets_rules(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class DocumentRules:
    """The rules administrators edit at ``cards:rules``: the accepted document types (active only,
    in the desk's order) and the thresholds. The desk's enrollment form and the public pre-check
    of the clinics app both read them here, so they cannot disagree."""

    documents: tuple[DocumentRule, ...]
    min_identity_points: int
    min_residence_points: int
    photo_required: bool
    birth_date_required: bool

    def by_code(self) -> dict[str, DocumentRule]:
        return {document.code: document for document in self.documents}

    def check(self, codes) -> RulesCheck:
        """Unknown, inactive and repeated codes count for nothing."""
        known = self.by_code()
        chosen = [known[code] for code in dict.fromkeys(codes) if code in known]
        result = RulesCheck(
            identity_points=sum(d.identity_points for d in chosen),
            residence_points=sum(d.residence_points for d in chosen),
            has_photo=any(d.photo for d in chosen),
            has_birth_date=any(d.birth_date for d in chosen),
        )
        if self.photo_required and not result.has_photo:
            result.missing.append("photo")
        if self.birth_date_required and not result.has_birth_date:
            result.missing.append("birth_date")
        if result.identity_points < self.min_identity_points:
            result.missing.append("identity")
        if result.residence_points < self.min_residence_points:
            result.missing.append("residence")
        return result


def document_rules(*, language: str | None = None) -> DocumentRules:
    """The current document rules, with each type's public name in ``language`` (French if none)."""
    rules = CardRules.current()
    return DocumentRules(
        documents=tuple(
            DocumentRule(
                code=document.code,
                name=document.name_in(language),
                identity_points=document.identity_points,
                residence_points=document.residence_points,
                photo=document.shows_photo,
                birth_date=document.shows_birth_date,
            )
            for document in DocumentType.objects.filter(is_active=True)
        ),
        min_identity_points=rules.min_identity_points,
        min_residence_points=rules.min_residence_points,
        photo_required=rules.require_photo_document,
        birth_date_required=rules.require_birth_date_document,
    )


# --- Publication ------------------------------------------------------------------------------------
def status_list_ids() -> list[str]:
    """The ids of the published status lists (none before the first card is issued)."""
    return list(StatusList.objects.order_by("created_at", "id").values_list("id", flat=True))
