"""The privacy-budget ledger and the releases. A release stores only what it publishes (protected
figures, parameters, approvals): never an exact person-derived count, never a noisy value before
rounding. Once published, a release is frozen: the model and its queryset refuse any change."""

from __future__ import annotations

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
