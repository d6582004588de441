"""Writes for the directory. One function per action, audited in the same transaction."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sanspeur.core.services import audit_entry_create

from . import i18n
from .models import ChangeProposal, Service, ServiceVersion


def build_search_text(service: Service) -> str:
    """Every language version of the texts that matter, unaccented and lower-cased."""
    parts = []
    for texts in (service.name, service.description, service.eligibility_description, service.organization.name):
        parts.extend(i18n.all_values(texts))
    if service.pk:
        for term in service.needs.all():
            parts.extend(i18n.all_values(term.name))
        for sal in service.service_at_locations.select_related("location__borough"):
            parts.append(sal.location.borough.name)
    return i18n.plain(" ".join(parts))


def service_reindex(*, acting_user, service: Service) -> Service:
    with transaction.atomic():
        service.search_text = build_search_text(service)
        Service.objects.filter(pk=service.pk).update(search_text=service.search_text)
        audit_entry_create(acting_user=acting_user, action="service.reindex", target=service)
    return service


def service_mark_verified(*, acting_user, service: Service, on) -> Service:
    with transaction.atomic():
        service.last_verified = on
        service.save(update_fields=["last_verified", "last_modified"])
        audit_entry_create(acting_user=acting_user, action="service.mark_verified", target=service)
    return service


EDITABLE_FIELDS = ("name", "description", "eligibility_description")


def proposal_create(*, acting_user, service: Service, changes: dict) -> ChangeProposal:
    """A contributor proposes new texts for a service of their own organisation."""
    if not acting_user.has_perm("accounts.publish_directory") and (
        service.organization.partner_id is None or service.organization.partner_id != acting_user.organisation_id
    ):
        raise PermissionDenied
    clean = {f: {k: v for k, v in changes[f].items() if v} for f in EDITABLE_FIELDS if f in changes}
    with transaction.atomic():
        proposal = ChangeProposal.objects.create(service=service, proposed_by=acting_user, changes=clean)
        audit_entry_create(
            acting_user=acting_user, action="proposal.create", target=proposal, detail={"fields": sorted(clean)}
        )
    return proposal


def proposal_publish(*, acting_user, proposal: ChangeProposal) -> ServiceVersion:
    """A city editor publishes a proposal: the service changes and a version records the diff."""
    with transaction.atomic():
        proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ChangeProposal.PENDING:
            raise ValueError("proposal already reviewed")
        service = Service.objects.select_for_update().get(pk=proposal.service_id)
        changed = [f for f, v in proposal.changes.items() if getattr(service, f) != v]
        previous = {f: getattr(service, f) for f in changed}
        for f in changed:
            setattr(service, f, proposal.changes[f])
        service.last_verified = timezone.localdate()
        service.search_text = build_search_text(service)
        service.save()
        number = (service.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ServiceVersion.objects.create(
            service=service,
            number=number,
            author=proposal.proposed_by,
            published_by=acting_user,
            changed_fields=changed,
            previous=previous,
        )
        proposal.status, proposal.reviewed_by, proposal.reviewed_at = (
            ChangeProposal.PUBLISHED,
            acting_user,
            timezone.now(),
        )
        proposal.save()
        audit_entry_create(
            acting_user=acting_user,
            action="proposal.publish",
            target=proposal,
            detail={"fields": changed, "version": number},
        )
    return version


def proposal_reject(*, acting_user, proposal: ChangeProposal) -> ChangeProposal:
    with transaction.atomic():
        proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ChangeProposal.PENDING:
            raise ValueError("proposal already reviewed")
        proposal.status, proposal.reviewed_by, proposal.reviewed_at = (
            ChangeProposal.REJECTED,
            acting_user,
            timezone.now(),
        )
        proposal.save()
        audit_entry_create(acting_user=acting_user, action="proposal.reject", target=proposal)
    return proposal
