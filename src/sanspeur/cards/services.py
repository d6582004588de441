"""Writes of the cards app: one atomic, audited function per action."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image

from sanspeur.core import vault
from sanspeur.core.actions import action, no_change, on_commit
from sanspeur.core.locks import lock_rows
from sanspeur.core.services import audit_entry_create
from sanspeur.credential import (
    PURPOSE_CARD,
    STATUS_REVOKED,
    STATUS_SUSPENDED,
    STATUS_VALID,
    CardClaims,
    issue,
    make_photo,
    new_card_number,
)

from . import keys
from .models import Card, CardRules, Counter, DocumentCheck, DocumentType, Holder
from .selectors import document_rules
from .states import CARD

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from sanspeur.accounts.models import User

PROFILE_FIELDS = (
    "given_names",
    "family_names",
    "date_of_birth",
    "borough",
    "postal_code",
    "phone",
    "email",
    "preferred_language",
    "gender_marker",
    "print_gender",
)


class ActiveCardExists(ValueError):
    """The holder already has a valid card: a second one is never issued, renewed or reinstated
    (the database refuses it too: ``models.ONE_ACTIVE_CARD``)."""

    message = _("This person already has a valid card. Renew or replace it instead of issuing another one.")


class DuplicateSubmission(Exception):
    """The same enrollment form was already submitted; ``holder`` is the record it created."""

    def __init__(self, holder: Holder) -> None:
        super().__init__(str(holder.pk))
        self.holder = holder


def duplicate_index(key, given_names: str, family_names: str, date_of_birth: str) -> str:
    """The stored identity index of a holder: keyed by the bucket key that wraps the holder's data
    key, so that it dies with it (core/vault.py, decision 0005)."""
    return vault.identity_index(key, given_names, family_names, str(date_of_birth))


def duplicate_candidates(given_names: str, family_names: str, date_of_birth) -> list[str]:
    """Every value the index of these names and birth date can have: one per bucket in use."""
    return vault.identity_index_candidates("cards.holder", given_names, family_names, str(date_of_birth))


def holders_reindex(keys, index) -> None:
    """Called by the vault when the bucket of these holders' data keys is rotated (another holder
    of the bucket was forgotten): their indexes are computed again under the new generation."""
    by_key = {key.pk: key for key in keys}
    holders = list(Holder.objects.filter(data_key__in=list(by_key), shredded_at__isnull=True))
    for holder in holders:
        key = by_key[holder.data_key_id]
        profile = vault.open_fields(key, holder.sealed_profile, context=holder.profile_context)
        holder.duplicate_index = index(key, profile["given_names"], profile["family_names"], profile["date_of_birth"])
    vault.update_each(holders, ["duplicate_index"])


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError("unreachable")


def retention_days() -> int:
    return settings.SANSPEUR_CARD_RETENTION_DAYS


def _seal_profile(holder: Holder, profile: dict) -> None:
    clean = {name: profile.get(name) or "" for name in PROFILE_FIELDS}
    clean["print_gender"] = bool(profile.get("print_gender"))
    holder.sealed_profile = vault.seal_fields(holder.data_key, clean, context=holder.profile_context)


def _count(name: str) -> None:
    Counter.objects.get_or_create(name=name)
    Counter.objects.filter(name=name).update(value=F("value") + 1)


# --- enrollment ------------------------------------------------------------------------------
def holder_enroll(
    *,
    acting_user: User | None,
    organisation,
    profile: dict,
    photo_jpeg: bytes,
    document_types: list[DocumentType],
    submission_token: str | None = None,
    issued_at=None,
) -> tuple[Holder, Card]:
    """Create the holder (sealed), record the document types seen, and issue the first card.

    The same form submitted twice (a double click, a retry after a timeout) raises
    DuplicateSubmission with the record the first one created, even when both race.
    """
    if submission_token:
        existing = Holder.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            raise DuplicateSubmission(existing)
    try:
        return _holder_enroll(
            acting_user=acting_user,
            organisation=organisation,
            profile=profile,
            photo_jpeg=photo_jpeg,
            document_types=document_types,
            submission_token=submission_token,
            issued_at=issued_at,
        )
    except IntegrityError:
        existing = Holder.objects.filter(submission_token=submission_token).first() if submission_token else None
        if existing is None:
            raise
        raise DuplicateSubmission(existing) from None


@action("cards.holder.enroll")
def _holder_enroll(
    *,
    acting_user: User | None,
    organisation,
    profile: dict,
    photo_jpeg: bytes,
    document_types: list[DocumentType],
    submission_token: str | None,
    issued_at,
) -> tuple[Holder, Card]:
    key = vault.datakey_create(purpose="cards.holder")
    holder = Holder(
        organisation=organisation,
        data_key=key,
        created_by=acting_user,
        submission_token=submission_token or None,
        duplicate_index=duplicate_index(
            key, profile["given_names"], profile["family_names"], str(profile["date_of_birth"])
        ),
    )
    _seal_profile(holder, {**profile, "date_of_birth": str(profile["date_of_birth"])})
    holder.sealed_photo = vault.seal_bytes(key, photo_jpeg, context=holder.photo_context)
    holder.save(force_insert=True)
    # What the documents reached, never which documents they were: a type can reveal status.
    reached = document_rules().check(t.code for t in document_types)
    DocumentCheck.objects.create(
        holder=holder,
        identity_points=reached.identity_points,
        residence_points=reached.residence_points,
        photo_document=reached.has_photo,
        birth_date_document=reached.has_birth_date,
        checked_by=acting_user,
    )
    audit_entry_create(
        acting_user=acting_user,
        action="cards.holder.enroll",
        target=holder,
        detail={"identity_points": reached.identity_points, "residence_points": reached.residence_points},
    )
    card = card_issue(acting_user=acting_user, holder=holder, issued_at=issued_at)
    return holder, card


# --- looking a person up --------------------------------------------------------------------------
@dataclass(frozen=True)
class Lookup:
    """What a look-up found: the records the agent may open (their own organisation's), and how
    many matches are outside that scope — of those the page says only "a card exists; ask the
    city": no number, state, record id or link (issue 14)."""

    holders: list[Holder]  # at most LOOKUP_LIMIT
    matches: int  # in scope
    elsewhere: int

    @property
    def first(self) -> Card | Holder | None:
        """The first record found in scope: its latest card, or the record itself if it has none."""
        if not self.holders:
            return None
        holder = self.holders[0]
        return holder.current_card() or holder


LOOKUP_LIMIT = 200
IDENTITY_MATCH_LIMIT = 10_000  # records with the same names and birth date: far beyond any real case


def _same_identity(given_names: str, family_names: str, date_of_birth) -> QuerySet[Holder]:
    """Live records with the same names and date of birth (by their blind index; the values are
    never stored). Shredded records have no index any more: they are never found."""
    candidates = duplicate_candidates(given_names, family_names, date_of_birth)
    # One query with the long list of candidates (one per bucket); the later queries (scope,
    # counts, the page) use the few records it found. bench/scale.py measured the long list
    # compiled three times as most of a search's cost.
    found = vault.filter_identity_index(Holder.objects.filter(shredded_at__isnull=True), "duplicate_index", candidates)
    return Holder.objects.filter(pk__in=list(found.values_list("pk", flat=True)[:IDENTITY_MATCH_LIMIT]))


def _in_and_out_of_scope(acting_user, found: QuerySet[Holder]) -> Lookup:
    from sanspeur.accounts.policy import OWN, scope

    own = scope(found, acting_user=acting_user, field="organisation", reach=OWN)
    holders = list(own.order_by("-created_at").prefetch_related("cards")[:LOOKUP_LIMIT])
    matches = own.count()
    return Lookup(holders=holders, matches=matches, elsewhere=found.count() - matches)


def _looks_people_up(acting_user, **_kwargs) -> bool:
    from sanspeur.accounts.policy import may_look_up_people

    return acting_user is not None and may_look_up_people(acting_user)


@action("cards.holder.search", policy=_looks_people_up)
def holder_search(
    *, acting_user: User | None, given_names: str = "", family_names: str = "", date_of_birth=None, number: str = ""
) -> Lookup:
    """A staff search for a person, by exact names and date of birth or by card number. Audited:
    who, when, how it searched and how many records it found in and out of scope — never the
    values typed (a search is a read of people's data, issue 14)."""
    if number:
        wanted = "".join(number.split()).upper().replace("-", "")
        found = Holder.objects.filter(pk__in=Card.objects.filter(number=wanted).values("holder_id"))
        by = "card_number"
    else:
        found = _same_identity(given_names, family_names, date_of_birth)
        by = "names_and_birth_date"
    lookup = _in_and_out_of_scope(acting_user, found)
    audit_entry_create(
        acting_user=acting_user,
        action="cards.holder.search",
        detail={"by": by, "matches": lookup.matches, "elsewhere": lookup.elsewhere},
    )
    return lookup


@action("cards.holder.duplicate_check", policy=_looks_people_up)
def holder_duplicate_check(*, acting_user: User | None, given_names: str, family_names: str, date_of_birth) -> Lookup:
    """Before an enrollment: does this person already have a record? Audited like a search."""
    lookup = _in_and_out_of_scope(acting_user, _same_identity(given_names, family_names, date_of_birth))
    audit_entry_create(
        acting_user=acting_user,
        action="cards.holder.duplicate_check",
        detail={"matches": lookup.matches, "elsewhere": lookup.elsewhere},
    )
    return lookup


def _signed_code(holder: Holder, profile: dict, photo_jpeg: bytes, *, number, entry, issued_at, expires_at):
    store = keys.ensure_keys()
    signer = store.active_signer(PURPOSE_CARD)
    with Image.open(io.BytesIO(photo_jpeg)) as image:
        photo = make_photo(image)
    claims = CardClaims(
        issuer=keys.issuer(),
        card_number=number,
        given_names=profile["given_names"],
        family_names=profile["family_names"],
        date_of_birth=profile["date_of_birth"],
        city=settings.SANSPEUR_CITY_NAME,
        photo=photo,
        status_list_uri=keys.status_list_uri(entry.status_list_id),
        status_index=entry.index,
        issued_at=issued_at,
        expires_at=expires_at,
        borough=profile.get("borough") or None,
    )
    return issue(claims, signer), signer.kid.hex()


def _open(holder: Holder) -> tuple[dict, bytes]:
    profile = vault.open_fields(holder.data_key, holder.sealed_profile, context=holder.profile_context)
    photo = vault.open_bytes(holder.data_key, holder.sealed_photo, context=holder.photo_context)
    return profile, photo


def _refuse_a_second_active_card(card: Card) -> None:
    """Before ``card`` becomes (or is made) valid: no other valid card of its holder may exist.
    Called with the holder's row locked, so two desks acting on one person wait for each other."""
    if Card.objects.filter(holder_id=card.holder_id, state=Card.State.ACTIVE).exclude(pk=card.pk).exists():
        raise ActiveCardExists(str(card.holder_id))


def _save_valid(card: Card, **save) -> None:
    """Save a card that is valid: if the database's one-valid-card constraint refuses it (a race
    the check above could not see), the answer is the same refusal, never a server error."""
    try:
        with transaction.atomic():
            card.save(**save)
    except IntegrityError as error:
        if Card.objects.filter(holder_id=card.holder_id, state=Card.State.ACTIVE).exclude(pk=card.pk).exists():
            raise ActiveCardExists(str(card.holder_id)) from error
        raise


def _lock_holder_then_card(card: Card) -> Card:
    """The holder's row first, then the card's: every action that can make a card valid takes
    them in this order (as ``card_issue`` and ``holder_forget`` do), so none deadlocks another."""
    lock_rows(Holder.objects.filter(pk=card.holder_id))
    return Card.objects.select_for_update().select_related("holder__data_key", "status_entry").get(pk=card.pk)


def _new_number() -> str:
    while True:
        number = new_card_number()
        if not Card.objects.filter(number=number).exists():
            return number


@action("cards.card.issue")
def card_issue(*, acting_user: User | None, holder: Holder, photo_jpeg: bytes | None = None, issued_at=None) -> Card:
    """A new card: number, random status index, signed code (sealed with the holder's key)."""
    holder = Holder.objects.select_for_update().select_related("data_key").get(pk=holder.pk)
    if holder.is_shredded:
        raise ValueError("holder record is shredded")
    _refuse_a_second_active_card(Card(holder=holder))
    if photo_jpeg is not None:
        holder.sealed_photo = vault.seal_bytes(holder.data_key, photo_jpeg, context=holder.photo_context)
    profile, photo = _open(holder)
    now = (issued_at or timezone.now()).replace(microsecond=0)
    expires_at = add_months(now, CardRules.current().validity_months)
    entry = keys.allocate_entry(keep_until=expires_at)
    number = _new_number()
    card = Card(
        holder=holder,
        number=number,
        status_entry=entry,
        issued_at=now,
        expires_at=expires_at,
        issued_by=acting_user,
    )
    code, card.signing_kid = _signed_code(
        holder, profile, photo, number=number, entry=entry, issued_at=now, expires_at=expires_at
    )
    card.sealed_code = vault.seal_bytes(holder.data_key, code.encode("ascii"), context=card.code_context)
    _save_valid(card, force_insert=True)
    holder.needs_new_card = False
    holder.save(update_fields=["needs_new_card", "sealed_photo"])
    audit_entry_create(
        acting_user=acting_user, action="cards.card.issue", target=card, detail={"holder": str(holder.pk)}
    )
    return card


@action("cards.card.renew")
def card_renew(*, acting_user: User | None, card: Card) -> Card:
    """Same number and status index, new expiry, new signed code."""
    card = _lock_holder_then_card(card)
    CARD.check(card.state, "renew")  # a valid or expired card; never a revoked one
    _refuse_a_second_active_card(card)  # an old expired card, while a newer one is valid
    holder = card.holder
    profile, photo = _open(holder)
    now = timezone.now().replace(microsecond=0)
    card.expires_at = add_months(now, CardRules.current().validity_months)
    card.issued_at = now
    entry = card.status_entry
    entry.keep_until = card.expires_at
    entry.save(update_fields=["keep_until"])
    if entry.status != STATUS_VALID:
        keys.status_entry_set(entry, STATUS_VALID)
    code, card.signing_kid = _signed_code(
        holder, profile, photo, number=card.number, entry=entry, issued_at=now, expires_at=card.expires_at
    )
    card.sealed_code = vault.seal_bytes(holder.data_key, code.encode("ascii"), context=card.code_context)
    card.state = Card.State.ACTIVE
    card.renewal_reminded_at = None
    _save_valid(
        card, update_fields=["expires_at", "issued_at", "signing_kid", "sealed_code", "state", "renewal_reminded_at"]
    )
    Holder.objects.filter(pk=holder.pk).update(needs_new_card=False)
    audit_entry_create(acting_user=acting_user, action="cards.card.renew", target=card)
    return card


def _set_state(card: Card, state: str, status: int, reason: str = "") -> None:
    card.state = state
    card.reason = reason
    if state == Card.State.ACTIVE:
        _save_valid(card, update_fields=["state", "reason"])
    else:
        if state == Card.State.REVOKED:
            card.revoked_at = timezone.now()
        card.save(update_fields=["state", "reason", "revoked_at"])
    keys.status_entry_set(card.status_entry, status)


@action("cards.card.revoke")
def card_revoke(*, acting_user: User | None, card: Card, reason: str) -> Card:
    if reason not in Card.Reason.values:
        raise ValueError("unknown reason")
    card = Card.objects.select_for_update().select_related("status_entry").get(pk=card.pk)
    if card.state == Card.State.REVOKED:
        no_change()
        return card
    CARD.check(card.state, "revoke")
    _set_state(card, Card.State.REVOKED, STATUS_REVOKED, reason)
    audit_entry_create(acting_user=acting_user, action="cards.card.revoke", target=card, detail={"reason": reason})
    return card


@action("cards.card.suspend")
def card_suspend(*, acting_user: User | None, card: Card) -> Card:
    card = Card.objects.select_for_update().select_related("status_entry").get(pk=card.pk)
    CARD.check(card.state, "suspend")
    _set_state(card, Card.State.SUSPENDED, STATUS_SUSPENDED)
    audit_entry_create(acting_user=acting_user, action="cards.card.suspend", target=card)
    return card


@action("cards.card.reinstate")
def card_reinstate(*, acting_user: User | None, card: Card) -> Card:
    card = _lock_holder_then_card(card)
    CARD.check(card.state, "reinstate")
    _refuse_a_second_active_card(card)  # another card was issued while this one was suspended
    _set_state(card, Card.State.ACTIVE, STATUS_VALID)
    audit_entry_create(acting_user=acting_user, action="cards.card.reinstate", target=card)
    return card


@action("cards.card.replace")
def card_replace(*, acting_user: User | None, card: Card, reason: str) -> Card:
    """Lost, stolen or damaged: the old card is revoked in the status list, a new number issued."""
    if reason not in (Card.Reason.LOST, Card.Reason.STOLEN, Card.Reason.DAMAGED):
        raise ValueError("unknown reason")
    old = _lock_holder_then_card(card)
    CARD.check(old.state, "replace")
    if old.state != Card.State.REVOKED:
        _set_state(old, Card.State.REVOKED, STATUS_REVOKED, reason)
    new = card_issue(acting_user=acting_user, holder=old.holder)
    audit_entry_create(
        acting_user=acting_user,
        action="cards.card.replace",
        target=old,
        detail={"reason": reason, "new_card": str(new.pk)},
    )
    return new


# --- a revoke made by mistake ---------------------------------------------------------------
#: How long after a revoke a new card may be issued on the same record without enrolling again.
REISSUE_DAYS = 30


class ReissueRefused(ValueError):
    """A new card cannot be issued on this record after the revoke; ``message`` says why."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def reissue_refusal(card: Card, *, now: datetime | None = None):
    """Why no new card may follow the revoke of ``card`` on its record (a translated message),
    or None when it may. The revoked card itself never becomes valid again."""
    now = now or timezone.now()
    if card.holder.is_shredded or card.holder.sealed_photo is None:
        return _("This record has no photo or was destroyed: enroll the person again.")
    if not CARD.can(card.state, "reissue"):
        return _("Only a revoked card can be followed by a new card this way.")
    if Card.objects.filter(holder_id=card.holder_id, issued_at__gt=card.issued_at).exists():
        return _("A newer card was already issued on this record.")
    if card.revoked_at is None or card.revoked_at < now - timedelta(days=REISSUE_DAYS):
        return _(
            "This card was revoked more than %(days)s days ago: check the person's documents again and enroll them."
        ) % {"days": REISSUE_DAYS}
    return None


def _may_reissue(acting_user, *, card: Card, **_kwargs) -> bool:
    """The agents who manage the cards of the organisation that holds the record (or the
    command line)."""
    from sanspeur.accounts.policy import OWN, has_capability, in_scope, is_command_line

    if is_command_line(acting_user):
        return True
    return has_capability(acting_user, "manage_cards") and in_scope(acting_user, card.holder.organisation_id, reach=OWN)


@action("cards.card.reissue", policy=_may_reissue)
def card_reissue(*, acting_user: User | None, card: Card, now: datetime | None = None) -> Card:
    """A card was revoked by mistake: it stays revoked (and revoked in the status list), and a
    new card with a new number is issued on the same record, from the documents already checked."""
    old = _lock_holder_then_card(card)
    CARD.check(old.state, "reissue")
    refusal = reissue_refusal(old, now=now)
    if refusal is not None:
        raise ReissueRefused(refusal)
    new = card_issue(acting_user=acting_user, holder=old.holder)
    audit_entry_create(
        acting_user=acting_user,
        action="cards.card.reissue",
        target=old,
        detail={"revoke_reason": old.reason, "new_card": str(new.pk)},
    )
    return new


@action("cards.card.expire")
def card_expire(*, acting_user: User | None, card: Card) -> bool:
    """Automatic expiry (the signed code expires by itself; the record's state follows)."""
    card = Card.objects.select_for_update().get(pk=card.pk)
    if not CARD.can(card.state, "expire") or card.expires_at > timezone.now():
        no_change()
        return False
    card.state = Card.State.EXPIRED
    card.save(update_fields=["state"])
    audit_entry_create(acting_user=acting_user, action="cards.card.expire", target=card)
    return True


@action("cards.card.download_pdf")
def card_pdf_download(*, acting_user: User | None, card: Card) -> str:
    """The card's signed code, for the PDF made on the fly; the download is audited."""
    CARD.check(card.state, "print")  # a suspended, expired or revoked card is not printed again
    holder = card.holder
    code = vault.open_bytes(holder.data_key, card.sealed_code, context=card.code_context).decode("ascii")
    audit_entry_create(acting_user=acting_user, action="cards.card.download_pdf", target=card)
    return code


# --- renewal reminders ----------------------------------------------------------------------
@action("cards.card.remind")
def card_renewal_remind(*, acting_user: User | None, card: Card, now: datetime | None = None) -> str:
    """Remind the holder, once per expiry, that this card expires soon. Idempotent.

    Returns what was done: ``"email"`` (sent after commit), ``"sms_pending"`` (a phone number
    only: no SMS provider is configured, so nothing is sent), ``"no_contact"`` or ``"skipped"``
    (not due, already handled, not active, or the record is shredded). The message names no person
    and no card number: an e-mail crosses mail servers the City does not control.
    """
    now = now or timezone.now()
    card = Card.objects.select_for_update().select_related("holder__data_key").get(pk=card.pk)
    holder = card.holder
    if (
        card.state != Card.State.ACTIVE
        or card.renewal_reminded_at is not None
        or holder.is_shredded
        or not (now < card.expires_at <= now + timedelta(days=settings.SANSPEUR_CARD_REMINDER_DAYS))
        or holder.cards.filter(issued_at__gt=card.issued_at).exists()
    ):
        no_change()
        return "skipped"
    profile = vault.open_fields(holder.data_key, holder.sealed_profile, context=holder.profile_context)
    email, phone = profile.get("email") or "", profile.get("phone") or ""
    outcome = "email" if email else ("sms_pending" if phone else "no_contact")
    if email:
        subject, body = _renewal_reminder_message(card, profile.get("preferred_language") or "fr")
        card_id = card.pk
        on_commit(lambda: _renewal_reminder_send(card_id, subject, body, email))
    card.renewal_reminded_at = now
    card.save(update_fields=["renewal_reminded_at"])
    audit_entry_create(acting_user=acting_user, action="cards.card.remind", target=card, detail={"outcome": outcome})
    return outcome


def _renewal_reminder_send(card_id: int, subject: str, body: str, email: str) -> None:
    """After the commit: hand the reminder to the relay. A refusal or an unreachable relay is
    logged by its kind only (never the address) and the card is marked to be reminded again by
    the next daily run, until it expires."""
    from sanspeur.core.privacy import mail_send

    problem = mail_send(subject, body, email)
    if problem is not None:
        logger.warning("cards: the mail relay did not take a renewal reminder (%s)", problem)
        card_renewal_remind_failed(acting_user=None, card_id=card_id, problem=problem)


@action("cards.card.remind_failed")
def card_renewal_remind_failed(*, acting_user: User | None, card_id: int, problem: str) -> None:
    """The relay did not take the reminder: the next daily run tries again (while the card is due)."""
    Card.objects.filter(pk=card_id).update(renewal_reminded_at=None)
    audit_entry_create(
        acting_user=acting_user,
        action="cards.card.remind_failed",
        object_type="cards.card",
        object_id=str(card_id),
        detail={"problem": problem},
    )


def _renewal_reminder_message(card: Card, language: str) -> tuple[str, str]:
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        public_url = settings.SANSPEUR_PUBLIC_URL.rstrip("/")
        context = {
            "expires_on": timezone.localtime(card.expires_at).date(),
            "city": settings.SANSPEUR_CITY_NAME,
            "clinics_url": f"{public_url}{reverse('clinics:public_list')}" if public_url else "",
        }
        subject = render_to_string("cards/renewal_reminder_subject.txt", context).strip()
        body = render_to_string("cards/renewal_reminder.txt", context).strip() + "\n"
    return subject, body


# --- shredding -------------------------------------------------------------------------------
def _shred(holder: Holder) -> None:
    vault.datakey_shred(holder.data_key)
    Card.objects.filter(holder=holder).update(sealed_code=None)
    holder.sealed_profile = None
    holder.sealed_photo = None
    holder.duplicate_index = ""
    holder.submission_token = None
    holder.shredded_at = timezone.now()
    holder.save(update_fields=["sealed_profile", "sealed_photo", "duplicate_index", "submission_token", "shredded_at"])


@action("cards.holder.forget")
def holder_forget(*, acting_user: User | None, holder: Holder) -> None:
    """On request: revoke every card, crypto-shred, delete the record. An anonymous counter remains.

    The status entries stay (detached) until the old cards' expiry so those cards keep verifying
    as revoked.
    """
    holder = Holder.objects.select_for_update().select_related("data_key").get(pk=holder.pk)
    cards = lock_rows(Card.objects.select_related("status_entry").filter(holder=holder))
    for card in cards:
        if card.status_entry.status != STATUS_REVOKED:
            keys.status_entry_set(card.status_entry, STATUS_REVOKED)
    audit_entry_create(
        acting_user=acting_user, action="cards.holder.forget", target=holder, detail={"cards": len(cards)}
    )
    _shred(holder)
    Card.objects.filter(holder=holder).delete()
    holder.delete()
    _count("holders_forgotten")


@action("cards.holder.shred")
def holder_shred(*, acting_user: User | None, holder: Holder, now: datetime | None = None) -> bool:
    """Retention: crypto-shred a record a while after its last card expired. Idempotent."""
    now = now or timezone.now()
    holder = Holder.objects.select_for_update().select_related("data_key").get(pk=holder.pk)
    if holder.is_shredded:
        no_change()
        return False
    latest = holder.cards.order_by("-expires_at").values_list("expires_at", flat=True).first()
    if latest is None or latest + timedelta(days=retention_days()) > now:
        no_change()
        return False
    _shred(holder)
    audit_entry_create(acting_user=acting_user, action="cards.holder.shred", target=holder)
    return True


# --- rules -------------------------------------------------------------------------------------
def _old_and_new(before: dict, after: dict) -> dict:
    """Configuration changes are audited with both values (numbers and flags, never personal data)."""
    return {name: {"old": before.get(name), "new": value} for name, value in after.items() if before.get(name) != value}


def _city_rules_policy(acting_user, **kwargs) -> bool:
    """City-wide rules: only the city's administrators (accounts/policy.py); a command or a data
    migration (no acting user) may seed them."""
    from sanspeur.accounts.policy import can_change_city_rules

    return acting_user is None or can_change_city_rules(acting_user)


@action("cards.rules.update", policy=_city_rules_policy)
def card_rules_update(*, acting_user: User | None, rules: CardRules, changes: dict) -> CardRules:
    rules = CardRules.objects.select_for_update().get(pk=rules.pk)
    before = {name: getattr(rules, name) for name in changes}
    for name, value in changes.items():
        setattr(rules, name, value)
    rules.full_clean()
    rules.save()
    audit_entry_create(
        acting_user=acting_user,
        action="cards.rules.update",
        target=rules,
        detail={"fields": sorted(changes), "changes": _old_and_new(before, changes)},
    )
    return rules


AUDITED_DOCUMENT_FIELDS = (
    "code",
    "identity_points",
    "residence_points",
    "shows_photo",
    "shows_birth_date",
    "is_active",
)


@action("cards.document_type.update", policy=_city_rules_policy)
def document_type_save(*, acting_user: User | None, document_type: DocumentType) -> DocumentType:
    created = document_type.pk is None or not DocumentType.objects.filter(pk=document_type.pk).exists()
    fields = [name for name in AUDITED_DOCUMENT_FIELDS if hasattr(document_type, name)]
    before = {} if created else dict(DocumentType.objects.filter(pk=document_type.pk).values(*fields).get())
    document_type.save()
    after = {name: getattr(document_type, name) for name in fields}
    audit_entry_create(
        acting_user=acting_user,
        action="cards.document_type." + ("create" if created else "update"),
        target=document_type,
        detail={"code": document_type.code, "changes": _old_and_new(before, after)},
    )
    return document_type


# --- signing keys ------------------------------------------------------------------------------
def _command_line_only(acting_user, **kwargs) -> bool:
    return acting_user is None  # key files are handled by `sanspeur cards_keys` on the server


@action("cards.signing_key.rotate", policy=_command_line_only)
def signing_key_record(*, acting_user: User | None, operation: str, kid: str, detail: dict) -> None:
    """Record a change of the signing keys. The key files live outside the database and are written
    by ``cards_keys`` just before; this entry says who (the command line), what and which key id."""
    if operation not in ("create", "rotate", "retire", "remove", "prune"):
        raise ValueError(f"unknown key operation {operation!r}")
    audit_entry_create(
        acting_user=acting_user,
        action=f"cards.signing_key.{operation}",
        object_type="cards.signing_key",
        object_id=kid,
        detail=detail,
    )


# --- import ------------------------------------------------------------------------------------
@action("cards.holder.import")
def holder_import(*, acting_user: User | None, organisation, rows: list[dict]) -> list[Holder]:
    """All or nothing: the rows are already validated. Imported holders need a new card (no photo)."""
    created = []
    for row in rows:
        key = vault.datakey_create(purpose="cards.holder")
        holder = Holder(
            organisation=row.get("organisation") or organisation,
            data_key=key,
            created_by=acting_user,
            needs_new_card=True,
            imported=True,
            duplicate_index=duplicate_index(key, row["given_names"], row["family_names"], row["date_of_birth"]),
        )
        _seal_profile(holder, row)
        holder.save(force_insert=True)
        audit_entry_create(acting_user=acting_user, action="cards.holder.import", target=holder)
        created.append(holder)
    return created
