"""The privacy-budget ledger and the releases. A release stores only what it publishes (protected
figures, parameters, approvals): never an exact person-derived count, never a noisy value before
rounding. Once published, a release is frozen: the model and its queryset refuse any change."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import states


class FrozenRelease(RuntimeError):
    """Something tried to change or delete a published release (a programming error)."""


class PrivacyBudget(models.Model):
    """The ε one privacy unit (a person, a visit…) may lose in one year, over all releases."""

    privacy_unit = models.CharField(max_length=30)
    year = models.PositiveSmallIntegerField()
    epsilon = models.DecimalField(max_digits=7, decimal_places=3)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["privacy_unit", "year"], name="impact_one_budget")]


class CorrectionReason(models.TextChoices):
    SOURCE_ERROR = "source_error", pgettext_lazy("impact correction", "An error in the source data")
    LATE_DATA = "late_data", pgettext_lazy("impact correction", "Records that arrived late")
    METHOD_ERROR = "method_error", pgettext_lazy("impact correction", "An error in the method")


class ReleaseQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(state=states.PUBLISHED).exists():
            raise FrozenRelease("a published release is never changed")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(state=states.PUBLISHED).exists():
            raise FrozenRelease("a published release is never deleted")
        return super().delete()


class Release(models.Model):
    class State(models.TextChoices):
        DRAFT = states.DRAFT, pgettext_lazy("impact release", "Draft")
        PUBLISHED = states.PUBLISHED, pgettext_lazy("impact release", "Published")
        DISCARDED = states.DISCARDED, pgettext_lazy("impact release", "Discarded")

    slug = models.SlugField(max_length=80, unique=True)
    indicator = models.CharField(max_length=60)
    period = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    geography = models.CharField(max_length=10)
    method = models.CharField(max_length=10)
    privacy_unit = models.CharField(max_length=30)
    mechanism = models.CharField(max_length=80, blank=True)
    sensitivity = models.PositiveIntegerField(default=1)
    scale = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    epsilon = models.DecimalField(max_digits=7, decimal_places=3, default=0)
    delta = models.DecimalField(max_digits=7, decimal_places=3, default=0)
    interval = models.PositiveIntegerField(default=0)  # ± at 95 %
    threshold = models.PositiveIntegerField(default=0)
    base = models.PositiveSmallIntegerField(default=1)
    # [{"area": "", "value": 125 | null, "status": "published" | "primary" | "secondary" | "source"}]
    cells = models.JSONField(default=list)
    total = models.IntegerField(null=True, blank=True)
    total_status = models.CharField(max_length=12, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    version = models.PositiveSmallIntegerField(default=1)
    corrects = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction")
    reason = models.CharField(max_length=20, choices=CorrectionReason.choices, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    prepared_on = models.DateField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(null=True, blank=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period", "version"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period", "version"], name="impact_one_version"),
            models.CheckConstraint(
                condition=~models.Q(state=states.PUBLISHED) | models.Q(approved_by__isnull=False),
                name="impact_published_is_approved",
            ),
        ]
        verbose_name = _("statistics release")

    def __str__(self) -> str:
        return self.slug

    def save(self, *args, **kwargs):
        if self.pk is not None and Release.objects.filter(pk=self.pk, state=states.PUBLISHED).exists():
            raise FrozenRelease("a published release is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.state == states.PUBLISHED:
            raise FrozenRelease("a published release is never deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.state == states.PUBLISHED

    def get_method_label(self) -> str:
        from .catalogue import METHODS

        return str(METHODS.get(self.method, self.method))

    @property
    def indicator_title(self) -> str:
        from .catalogue import get

        indicator = get(self.indicator)
        return str(indicator.title) if indicator else self.indicator


class Testimony(models.Model):
    """A resident's or a partner's words, offered for advocacy with consent to publish them.

    The words are sealed in the vault under two data keys of their own: the *original* (shown to the
    moderators, destroyed when the testimony is published or refused) and the *text* that a moderator
    redacted (names, places and days taken out), published once a second moderator approves it and
    destroyed when the resident withdraws. Nothing says who wrote it: the day it arrived, its language,
    which kind of person sent it, and the look-up of a codename only the sender knows."""

    class State(models.TextChoices):
        RECEIVED = states.RECEIVED, pgettext_lazy("testimony", "Received, to redact")
        REDACTED = states.REDACTED, pgettext_lazy("testimony", "Redacted, to approve")
        PUBLISHED = states.PUBLISHED, pgettext_lazy("testimony", "Published")
        REFUSED = states.REFUSED, pgettext_lazy("testimony", "Not published")
        WITHDRAWN = states.WITHDRAWN, pgettext_lazy("testimony", "Withdrawn by its author")

    class Author(models.TextChoices):
        RESIDENT = "resident", pgettext_lazy("testimony author", "A resident")
        RELATIVE = "relative", pgettext_lazy("testimony author", "A relative or a friend of a resident")
        PARTNER = "partner", pgettext_lazy("testimony author", "Someone who works for a community organisation")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    language = models.CharField(max_length=5)
    author = models.CharField(max_length=10, choices=Author.choices)
    received_on = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    original_key = models.ForeignKey("core.DataKey", null=True, on_delete=models.PROTECT, related_name="+")
    original = models.BinaryField(null=True)
    text_key = models.ForeignKey("core.DataKey", null=True, on_delete=models.PROTECT, related_name="+")
    text = models.BinaryField(null=True)
    # The month shown with the published text ("YYYY-MM"); chosen by the moderator, never a day.
    month = models.CharField(max_length=7, blank=True)
    redacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    redacted_on = models.DateField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    published_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)  # refused or withdrawn
    # The codename (shown once, never stored): a keyed look-up id and an scrypt verifier.
    codename_lookup = models.CharField(max_length=64, unique=True)
    codename_salt = models.BinaryField()
    codename_verifier = models.BinaryField()

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("testimony")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state=states.PUBLISHED)
                | (models.Q(approved_by__isnull=False) & models.Q(original__isnull=True)),
                name="impact_testimony_published_is_approved_and_original_gone",
            ),
        ]

    def __str__(self) -> str:
        return f"testimony {self.pk}"
