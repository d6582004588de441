"""One-time links that put a card's signed code in the holder's phone (docs/wallet.md).

A link carries nothing but a random token; only the token's SHA-256 digest is stored, so a copy
of the database opens no link. The code itself is not copied here: it is opened from the card's
sealed code at the moment the phone claims it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanspeur.cards.models import Card


class PhoneLink(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("phone link")
        verbose_name_plural = _("phone links")

    def __str__(self) -> str:
        return str(self.pk)
