"""Cards: document rules, cardholders (personal data sealed in the vault), cards, status lists.

What a copy of these tables shows: card numbers, states, dates, the points an enrollment's
documents reached (never which documents: a type can reveal status), organisation and agent ids.
Names, date of birth, postal code, contacts and photo are one sealed blob per holder
(``core.DataKey``); shredding the key makes them noise.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STATUS_LIST_MIN_SIZE = 131_072
ONE_ACTIVE_CARD = "cards_one_active_card_per_holder"


PUBLIC_LANGUAGES = ("fr", "en", "es", "ar", "ht")


class DocumentType(models.Model):
    """A kind of document an agent may accept (never a document itself).

    The desk works in French and English (``name_fr``, ``name_en``); the public pre-check of the
    clinics app lists the same types in every public language, hence ``names`` for the others.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    names = models.JSONField(
        _("names in the other public languages"),
        default=dict,
        blank=True,
        help_text='{"es": ..., "ar": ..., "ht": ...}; a missing language shows the French name.',
    )
    identity_points = models.PositiveSmallIntegerField(
        _("identity points"), default=0, validators=[MaxValueValidator(10)]
    )
    residence_points = models.PositiveSmallIntegerField(
        _("residence points"), default=0, validators=[MaxValueValidator(10)]
    )
    shows_photo = models.BooleanField(_("photo document"), default=False)
    shows_birth_date = models.BooleanField(_("date-of-birth document"), default=False)
    is_active = models.BooleanField(_("accepted"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("document type")
        verbose_name_plural = _("document types")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_fr if (get_language() or "fr").startswith("fr") else self.name_en

    def name_in(self, language: str | None) -> str:
        """The public name in ``language`` (fr, en, es, ar, ht); French when it has none."""
        language = (language or "fr").split("-")[0]
        if language == "en":
            return self.name_en or self.name_fr
        if language != "fr" and isinstance(self.names, dict) and self.names.get(language):
            return str(self.names[language])
        return self.name_fr


class CardRules(models.Model):
    """One row: the thresholds of the document rules and the card's validity."""

    min_identity_points = models.PositiveSmallIntegerField(
        _("minimum identity points"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    min_residence_points = models.PositiveSmallIntegerField(
        _("minimum residence points"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    require_photo_document = models.BooleanField(_("a photo document is required"), default=True)
    require_birth_date_document = models.BooleanField(_("a date-of-birth document is required"), default=True)
    validity_months = models.PositiveSmallIntegerField(
        _("card validity (months)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("card rules")
        verbose_name_plural = _("card rules")

    @classmethod
    def current(cls) -> CardRules:
        rules = cls.objects.order_by("pk").first()
        return rules or cls.objects.create()


class StatusList(models.Model):
    """A published status list. The signed token is cached and rebuilt when an entry changes."""

    id = models.SlugField(primary_key=True, max_length=40)
    size = models.PositiveIntegerField(
        default=STATUS_LIST_MIN_SIZE, validators=[MinValueValidator(STATUS_LIST_MIN_SIZE)]
    )
    is_open = models.BooleanField(default=True, help_text="New cards get indexes in open lists only.")
    token = models.BinaryField(null=True, blank=True, editable=False)
    token_issued_at = models.DateTimeField(null=True, blank=True)
    etag = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.id


class StatusEntry(models.Model):
    """One allocated index. Outlives a forgotten holder so the old card stays revoked."""

    class Status(models.IntegerChoices):
        VALID = 0, _("valid")
        REVOKED = 1, _("revoked")
        SUSPENDED = 2, _("suspended")

    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="entries")
    index = models.PositiveIntegerField()
    status = models.PositiveSmallIntegerField(choices=Status.choices, default=Status.VALID)
    keep_until = models.DateTimeField(help_text="The card's expiry: after it the index may be reused.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["status_list", "index"], name="cards_status_entry_unique")]


class Holder(models.Model):
    """A cardholder. Every personal value is in ``sealed_profile`` / ``sealed_photo``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="card_holders", verbose_name=_("organisation")
    )
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    sealed_profile = models.BinaryField(null=True, editable=False)
    sealed_photo = models.BinaryField(null=True, editable=False)
    duplicate_index = models.CharField(max_length=128, blank=True, db_index=True)
    submission_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    needs_new_card = models.BooleanField(_("new card at next visit"), default=False)
    imported = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("cardholder")
        verbose_name_plural = _("cardholders")

    @property
    def profile_context(self) -> str:
        return f"cards.holder:{self.pk}:profile"

    @property
    def photo_context(self) -> str:
        return f"cards.holder:{self.pk}:photo"

    @property
    def is_shredded(self) -> bool:
        return self.shredded_at is not None

    def current_card(self) -> Card | None:
        return self.cards.order_by("-issued_at").first()


def _today():
    return timezone.localdate()


class DocumentCheck(models.Model):
    """That an agent checked a person's documents against the rules: the points they reached, who
    checked and on which day. Never which documents: a consular card or a work permit can reveal a
    person's status (issue 14), and no number, copy, scan or note either."""

    holder = models.ForeignKey(Holder, on_delete=models.CASCADE, related_name="document_checks")
    identity_points = models.PositiveSmallIntegerField(_("identity points"), default=0)
    residence_points = models.PositiveSmallIntegerField(_("residence points"), default=0)
    photo_document = models.BooleanField(_("a photo document was seen"), default=False)
    birth_date_document = models.BooleanField(_("a date-of-birth document was seen"), default=False)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checked_on = models.DateField(_("checked on"), default=_today)


class Card(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("valid")
        SUSPENDED = "suspended", _("suspended")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    class Reason(models.TextChoices):
        LOST = "lost", _("lost")
        STOLEN = "stolen", _("stolen")
        DAMAGED = "damaged", _("damaged")
        RENEWED = "renewed", _("replaced by a renewal")
        ERROR = "error", _("issued in error")
        FRAUD = "fraud", _("suspected fraud")
        MOVED = "moved", _("no longer lives in the city")
        REQUEST = "request", _("at the holder's request")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    holder = models.ForeignKey(Holder, on_delete=models.CASCADE, related_name="cards")
    number = models.CharField(_("card number"), max_length=10, unique=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.ACTIVE)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, blank=True)
    status_entry = models.OneToOneField(StatusEntry, on_delete=models.PROTECT, related_name="card")
    signing_kid = models.CharField(max_length=128)
    sealed_code = models.BinaryField(null=True, editable=False)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # When the renewal reminder for this expiry was handled (sent, or nothing to send to); cleared
    # by a renewal so the next expiry gets its own reminder.
    renewal_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the card was revoked: a revoke made by mistake may be followed by a new card on the same
    # record within ``services.REISSUE_DAYS`` (cards/states.py "reissue", docs/cards.md).
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        constraints = [
            # One valid card per person: a second active card is refused by the database itself,
            # whatever the code does (issue 14); the services refuse it first, with a message.
            models.UniqueConstraint(
                fields=["holder"],
                condition=models.Q(state="active"),
                name=ONE_ACTIVE_CARD,
            )
        ]

    @property
    def offered_actions(self) -> frozenset[str]:
        """What the card page may offer in the card's state (cards/states.py, declared once)."""
        from .states import CARD

        return CARD.offered(self.state)

    @property
    def code_context(self) -> str:
        return f"cards.card:{self.pk}:code"

    @property
    def display_number(self) -> str:
        from sanspeur.credential import format_card_number

        return format_card_number(self.number)


class Counter(models.Model):
    """Anonymous counters (for example, how many people asked to be forgotten)."""

    name = models.SlugField(primary_key=True, max_length=50)
    value = models.PositiveBigIntegerField(default=0)


class PublishedDocument(models.Model):
    """A signed public document served under /.well-known/sanspeur/ (the trust list)."""

    name = models.SlugField(primary_key=True, max_length=40)
    content = models.BinaryField()
    etag = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
