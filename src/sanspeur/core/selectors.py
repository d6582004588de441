"""Reads of the core app."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditEntry


def audit_entry_list(
    *,
    actor_username: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    organisation_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("organisation").order_by("-at", "-id")
    if actor_username:
        entries = entries.filter(actor_username__iexact=actor_username)
    if action:
        entries = entries.filter(action__startswith=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if organisation_id:
        entries = entries.filter(organisation_id=organisation_id)
    zone = timezone.get_current_timezone()
    if since:
        entries = entries.filter(at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until:
        entries = entries.filter(at__lte=datetime.combine(until, time.max, tzinfo=zone))
    return entries
