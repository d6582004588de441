"""What the audit trail's reader sees of each entry: the action in words, and a link to the object
when the reader may open it.

The words are the descriptions every app registers in its ``audit.ACTIONS`` (core/actions.py),
translated through the catalogs (``audit_descriptions.py`` marks them for translation); an action
whose description has no translation yet shows the English description, never only the code.

A link is offered only when ``policy.py`` lets the reader open the object's page: the rules below
ask the same policy functions as the pages themselves (``PAGES`` and the rules of each app). An
object the reader may not open, or that no longer exists (a shredded case, a forgotten holder),
shows its type and identifier without a link.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext

from sanspeur.core.actions import AUDIT_ACTIONS

from . import policy


def action_label(action: str) -> str:
    """The registered description of ``action``, translated, with a capital; the code itself for an
    action no app declares any more (old entries keep their name)."""
    description = AUDIT_ACTIONS.names.get(action)
    if not description:
        return action
    return capfirst(gettext(description))


def _ints(ids: Iterable[str]) -> list[int]:
    return [int(value) for value in ids if value.isdigit() and len(value) < 19]


def _uuids(ids: Iterable[str]) -> list[uuid.UUID]:
    found = []
    for value in ids:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


# Each rule: (reader, object ids of one type) -> {object id: url}, for the objects the reader may open.
def _staff_accounts(reader, ids) -> dict[str, str]:
    if not policy.has_capability(reader, "manage_staff"):
        return {}
    from .selectors import staff_list_for

    members = staff_list_for(acting_user=reader).filter(pk__in=_ints(ids)).values_list("pk", flat=True)
    return {str(pk): reverse("accounts:staff_detail", kwargs={"user_id": pk}) for pk in members}


def _organisations(reader, ids) -> dict[str, str]:
    if not policy.can_manage_organisations(reader):
        return {}
    from .models import Organisation

    found = Organisation.objects.filter(pk__in=_uuids(ids)).values_list("pk", flat=True)
    return {str(pk): reverse("accounts:organisation_edit", kwargs={"organisation_id": pk}) for pk in found}


def _holders(reader, ids) -> dict[str, str]:
    if not policy.has_capability(reader, "enroll_residents"):
        return {}
    from sanspeur.cards.selectors import holders_for  # the reader's own organisation's (reach OWN)

    found = holders_for(reader).filter(pk__in=_uuids(ids)).values_list("pk", flat=True)
    return {str(pk): reverse("cards:holder_detail", kwargs={"pk": pk}) for pk in found}


def _protection_cases(reader, ids) -> dict[str, str]:
    if not policy.has_capability(reader, "handle_protection_cases"):
        return {}
    from sanspeur.protection.selectors import case_list  # a shredded case has no page

    found = case_list(acting_user=reader).filter(pk__in=_ints(ids)).values_list("pk", "reference")
    return {str(pk): reverse("protection:case_detail", kwargs={"reference": ref}) for pk, ref in found}


def _outside_requests(reader, ids) -> dict[str, str]:
    if not (policy.works_for_the_city(reader) and policy.has_capability(reader, "handle_outside_requests")):
        return {}
    from sanspeur.outside_requests.models import OutsideRequest

    found = OutsideRequest.objects.filter(pk__in=_ints(ids)).values_list("pk", "reference")
    return {str(pk): reverse("outside_requests:request_detail", kwargs={"reference": ref}) for pk, ref in found}


def _grant_applications(reader, ids) -> dict[str, str]:
    if not policy.manages_grants(reader):
        return {}
    return {str(pk): reverse("grants:staff_application", kwargs={"pk": pk}) for pk in _ints(ids)}


def _grant_calls(reader, ids) -> dict[str, str]:
    if not policy.manages_grants(reader):
        return {}
    return {str(pk): reverse("grants:call_manage", kwargs={"pk": pk}) for pk in _ints(ids)}


def _clinic_events(reader, ids) -> dict[str, str]:
    if not policy.has_capability(reader, "manage_clinics"):
        return {}
    from sanspeur.clinics.selectors import events_for_staff

    found = events_for_staff(reader).filter(pk__in=_uuids(ids)).values_list("pk", flat=True)
    return {str(pk): reverse("clinics:staff_event_detail", kwargs={"pk": pk}) for pk in found}


def _training_units(reader, ids) -> dict[str, str]:
    if not policy.follows_training(reader):
        return {}
    from sanspeur.training.models import Unit

    visible = policy.scope_training_units(Unit.objects.filter(pk__in=_ints(ids)), acting_user=reader)
    return {str(pk): reverse("training:unit_detail", kwargs={"pk": pk}) for pk in visible.values_list("pk", flat=True)}


def _training_sessions(reader, ids) -> dict[str, str]:
    if not policy.may_manage_training(reader):
        return {}
    return {str(pk): reverse("training:session_detail", kwargs={"pk": pk}) for pk in _ints(ids)}


def _statistics_releases(reader, ids) -> dict[str, str]:
    if not policy.works_on_statistics(reader):
        return {}
    from sanspeur.impact.models import Release

    found = Release.objects.filter(pk__in=_ints(ids)).values_list("pk", "slug")
    return {str(pk): reverse("impact:staff_release", kwargs={"slug": slug}) for pk, slug in found}


def _directory_services(reader, ids) -> dict[str, str]:
    from sanspeur.directory.models import Service  # the public page: anyone may open it

    found = Service.objects.filter(pk__in=_uuids(ids)).values_list("pk", flat=True)
    return {str(pk): reverse("directory:detail", kwargs={"pk": pk}) for pk in found}


LINKS: dict[str, Callable[[object, list[str]], dict[str, str]]] = {
    "accounts.user": _staff_accounts,
    "accounts.organisation": _organisations,
    "cards.holder": _holders,
    "protection.case": _protection_cases,
    "outside_requests.outsiderequest": _outside_requests,
    "grants.application": _grant_applications,
    "grants.call": _grant_calls,
    "clinics.event": _clinic_events,
    "training.unit": _training_units,
    "training.session": _training_sessions,
    "impact.release": _statistics_releases,
    "directory.service": _directory_services,
}


def rows_for(entries, *, reader) -> list[dict]:
    """The page's entries, each as ``{"entry", "label", "url"}`` (``url`` empty: no link)."""
    entries = list(entries)
    ids_by_type: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.object_type in LINKS and entry.object_id:
            ids_by_type[entry.object_type].add(entry.object_id)
    urls = {
        (object_type, object_id): url
        for object_type, ids in ids_by_type.items()
        for object_id, url in LINKS[object_type](reader, sorted(ids)).items()
    }
    return [
        {
            "entry": entry,
            "label": action_label(entry.action),
            "url": urls.get((entry.object_type, entry.object_id), ""),
        }
        for entry in entries
    ]
