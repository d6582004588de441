"""The personal-data vault's keys and the audit trail.

Personal values are never stored in a model field as such: a record that holds personal data
points at a :class:`DataKey` and keeps its fields in one sealed blob (see ``vault.py``). Deleting
the wrapped key (crypto-shredding) makes the blob unreadable for good.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _today():
    return timezone.now().date()


class DataKey(models.Model):
    """One record's data key, wrapped by a bucket key that lives outside the database (keys.py).

    No time finer than the day is kept: a protection case's or a booking's key would otherwise
    date an anonymous report to the microsecond."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=64)
    # "<purpose>/<n>" and the generation of its key that wraps this one; "" for a key of before
    # issue 14, wrapped by a master key (``master_key_id``) until the next rotation moves it.
    bucket = models.CharField(max_length=80, blank=True, default="")
    generation = models.PositiveIntegerField(default=0)
    master_key_id = models.CharField(max_length=64, blank=True, default="")
    # AES-GCM(nonce || ciphertext) of the 256-bit data key; NULL once shredded.
    wrapped = models.BinaryField(null=True)
    created_on = models.DateField(default=_today)
    shredded_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        indexes = [models.Index(fields=["master_key_id"]), models.Index(fields=["bucket"])]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.id}"

    @property
    def is_shredded(self) -> bool:
        return self.wrapped is None


class KeyBucket(models.Model):
    """A bucket's current key generation. Its row is locked by whoever adds a data key to the
    bucket or rotates it, so that a new key is never wrapped by a generation being destroyed."""

    name = models.CharField(max_length=80, primary_key=True)
    generation = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("key bucket")
        verbose_name_plural = _("key buckets")

    def __str__(self) -> str:
        return f"{self.name}#{self.generation}"


class AppendOnlyError(Exception):
    """The audit trail can only grow."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """Who did what to which object, and when. Never the personal data itself."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A copy of the username, so that the entry stays readable whatever happens to the account.
    actor_username = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")
