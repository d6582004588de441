"""What each role finds on its dashboard: one tile per capability it holds, with the work waiting.

A tile is keyed by a capability (checked with its reach, ``policy.has_capability``), or by a rule
from ``policy.py`` when a capability is not enough.
It appears only when its page exists (its URL name resolves), so a capability not yet built shows
nothing rather than a dead link. Its counts ("3 new reports") come from the apps' selectors and are
computed only for a person who sees the tile; a count with its own rule (a supervisor's closures
to approve) is shown only to those the rule allows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .policy import (
    applies_for_grants,
    approves_statistics,
    can_change_city_rules,
    can_manage_organisations,
    follows_training,
    has_capability,
    is_training_coordinator,
    manages_grants,
    prepares_statistics,
    reviews_grants,
    works_on_statistics,
)

Rule = str | Callable[[object], bool]


@dataclass(frozen=True)
class Count:
    """One line of a tile: how many items wait (``count(user)``), worded with ``label`` (a plural
    with ``%(count)s``); ``rule`` narrows it to some of the people who see the tile."""

    label: object
    count: Callable[[object], int]
    rule: Rule | None = None


@dataclass(frozen=True)
class Tile:
    rule: Rule
    title: object
    description: object
    url_name: str
    counts: tuple[Count, ...] = field(default=())


def _allowed(rule: Rule, user) -> bool:
    return rule(user) if callable(rule) else has_capability(user, rule)


# --- The counts: each reads through the app's selectors ---------------------------------------------
def _cards_expiring(user) -> int:
    # The cards app's reminder selector is sliced for its job; the same window, counted here.
    from datetime import timedelta

    from django.conf import settings

    from sanspeur.cards.models import Card

    from .policy import OWN, scope

    now = timezone.now()
    expiring = Card.objects.filter(
        state=Card.State.ACTIVE,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(days=settings.SANSPEUR_CARD_REMINDER_DAYS),
        holder__shredded_at__isnull=True,
    )
    return scope(expiring, acting_user=user, field="holder__organisation", reach=OWN).count()


def _clinic_events_ahead(user) -> int:
    from sanspeur.clinics.selectors import events_for_staff

    return events_for_staff(user).filter(date__gte=timezone.localdate()).count()


def _clinic_events_today(user) -> int:
    from sanspeur.clinics.selectors import events_for_staff

    return events_for_staff(user).filter(date=timezone.localdate()).count()


def _directory_entries_to_verify(user) -> int:
    from sanspeur.directory.selectors import stale_entries

    from .policy import scope

    return scope(stale_entries(acting_user=user), acting_user=user, field="organization__partner").count()


def _directory_proposals(user) -> int:
    # The directory app has no selector of the pending proposals yet: the review page's own query.
    from sanspeur.directory.models import ChangeProposal

    return ChangeProposal.objects.filter(status=ChangeProposal.PENDING).count()


def _texts_to_translate(user) -> int:
    from sanspeur.directory import translations

    return sum(row["total"] for row in translations.counts(user))


def _cases(state: str) -> Callable[[object], int]:
    def count(user) -> int:
        from sanspeur.protection.selectors import case_list

        return case_list(acting_user=user, state=state).count()

    return count


def _training_units_below_target(user) -> int:
    from sanspeur.training.selectors import units_below_target_count

    return units_below_target_count(acting_user=user)


def _training_sessions_ahead(user) -> int:
    from sanspeur.training.selectors import sessions_ahead_count

    return sessions_ahead_count()


def _applications_to_complete(user) -> int:
    from sanspeur.grants.selectors import applications_to_complete_count

    return applications_to_complete_count(acting_user=user)


def _applications_to_screen(user) -> int:
    from sanspeur.grants.selectors import applications_to_screen_count

    return applications_to_screen_count()


def _reviews_to_do(user) -> int:
    from sanspeur.grants.selectors import reviews_to_do_count

    return reviews_to_do_count(acting_user=user)


def _outside_requests_open(user) -> int:
    from sanspeur.outside_requests.selectors import open_requests_count

    return open_requests_count()


def _outside_request_alerts(user) -> int:
    from sanspeur.outside_requests.selectors import dashboard_alerts

    return len(dashboard_alerts())


def _periods_to_publish(user) -> int:
    from sanspeur.outside_requests.selectors import publishable_periods

    return len(publishable_periods())


def _refusals_to_follow(user) -> int:
    from sanspeur.outside_requests.selectors import refusals_to_follow_count

    return refusals_to_follow_count()


def _releases_due(user) -> int:
    from sanspeur.impact.selectors import releases_due

    return len(releases_due(today=timezone.localdate()))


def _releases_to_approve(user) -> int:
    from sanspeur.impact.selectors import drafts_to_approve_count

    return drafts_to_approve_count()


def _testimonies(state: str) -> Callable[[object], int]:
    def count(user) -> int:
        from sanspeur.impact.selectors import testimony_counts

        return testimony_counts().get(state, 0)

    return count


def _audit_entries_today(user) -> int:
    from sanspeur.core.selectors import audit_entry_list

    today = timezone.localdate()
    return audit_entry_list(since=today, until=today).count()


def _active_staff(user) -> int:
    from .selectors import staff_list_for

    return staff_list_for(acting_user=user).filter(is_active=True).count()


def _active_organisations(user) -> int:
    from .selectors import organisation_list_for

    return organisation_list_for(acting_user=user).filter(is_active=True).count()


TILES: list[Tile] = [
    Tile(
        "accounts.enroll_residents",
        _("Enroll a resident"),
        _("Check documents, take the photo, print the card."),
        "cards:enroll",
    ),
    Tile(
        "accounts.manage_cards",
        _("Cards of my organisation"),
        _("Renew, replace or revoke a card; forget a holder."),
        "cards:holder_list",
        (Count(ngettext_lazy("%(count)s card expires soon", "%(count)s cards expire soon", "count"), _cards_expiring),),
    ),
    Tile(
        can_change_city_rules,
        _("Document rules"),
        _("Which documents count, and how many points."),
        "cards:rules",
    ),
    Tile("accounts.verify_cards", _("Verify a card"), _("Scan a card; works without a network."), "verify:app"),
    Tile(
        "accounts.manage_clinics",
        _("Mobile clinics"),
        _("Events, services, capacity and reports."),
        "clinics:staff_event_list",
        (
            Count(
                ngettext_lazy("%(count)s event today or later", "%(count)s events today or later", "count"),
                _clinic_events_ahead,
            ),
        ),
    ),
    Tile(
        "accounts.checkin_bookings",
        _("Check-in at the door"),
        _("Scan or type booking codes, count walk-ins."),
        "clinics:checkin_home",
        (Count(ngettext_lazy("%(count)s event today", "%(count)s events today", "count"), _clinic_events_today),),
    ),
    Tile(
        "accounts.edit_directory",
        _("Directory entries"),
        _("Propose changes to your organisation's services."),
        "directory:staff_list",
        (
            Count(
                ngettext_lazy(
                    "%(count)s entry not verified for six months",
                    "%(count)s entries not verified for six months",
                    "count",
                ),
                _directory_entries_to_verify,
            ),
        ),
    ),
    Tile(
        "accounts.publish_directory",
        _("Directory review"),
        _("Review and publish proposed changes."),
        "directory:review_list",
        (
            Count(
                ngettext_lazy("%(count)s proposal to review", "%(count)s proposals to review", "count"),
                _directory_proposals,
            ),
        ),
    ),
    Tile(
        "accounts.handle_protection_cases",
        _("Protection cases"),
        _("Reports and cases of the unit."),
        "protection:case_list",
        (
            Count(
                ngettext_lazy(
                    "%(count)s new report waiting for a first reply",
                    "%(count)s new reports waiting for a first reply",
                    "count",
                ),
                _cases("new"),
            ),
            Count(ngettext_lazy("%(count)s open case", "%(count)s open cases", "count"), _cases("open")),
            Count(
                ngettext_lazy(
                    "%(count)s closure awaiting your approval", "%(count)s closures awaiting your approval", "count"
                ),
                _cases("closure_requested"),
                rule="accounts.supervise_protection_cases",
            ),
        ),
    ),
    Tile(
        follows_training,
        _("Training coverage"),
        _("Units, courses, sessions and who is due: coverage against targets."),
        "training:home",
        (
            Count(
                ngettext_lazy("%(count)s unit below its target", "%(count)s units below their target", "count"),
                _training_units_below_target,
            ),
            Count(
                ngettext_lazy("%(count)s session to come", "%(count)s sessions to come", "count"),
                _training_sessions_ahead,
                rule=is_training_coordinator,
            ),
        ),
    ),
    Tile(
        applies_for_grants,
        _("Funding applications"),
        _("Apply to a call for projects, follow your applications."),
        "grants:applicant_home",
        (
            Count(
                ngettext_lazy("%(count)s application to complete", "%(count)s applications to complete", "count"),
                _applications_to_complete,
            ),
        ),
    ),
    Tile(
        manages_grants,
        _("Calls for projects"),
        _("Calls, eligibility, reviewers, ranking and decisions within the envelope."),
        "grants:staff_home",
        (
            Count(
                ngettext_lazy("%(count)s application to screen", "%(count)s applications to screen", "count"),
                _applications_to_screen,
            ),
        ),
    ),
    Tile(
        reviews_grants,
        _("Funding reviews"),
        _("Declare conflicts, then score the applications assigned to you."),
        "grants:review_list",
        (
            Count(
                ngettext_lazy("%(count)s application to review", "%(count)s applications to review", "count"),
                _reviews_to_do,
            ),
        ),
    ),
    Tile(
        "accounts.translate_content",
        _("Translations"),
        _("Directory and clinic texts missing or out of date, language by language."),
        "directory:translations",
        (
            Count(
                ngettext_lazy("%(count)s text to translate", "%(count)s texts to translate", "count"),
                _texts_to_translate,
            ),
        ),
    ),
    Tile(
        "accounts.handle_outside_requests",
        _("Requests for data"),
        _("The register of outside requests: deadlines, legal review, sign-offs."),
        "outside_requests:request_list",
        (
            Count(ngettext_lazy("%(count)s open request", "%(count)s open requests", "count"), _outside_requests_open),
            Count(
                ngettext_lazy(
                    "%(count)s deadline or order needing attention",
                    "%(count)s deadlines or orders needing attention",
                    "count",
                ),
                _outside_request_alerts,
            ),
        ),
    ),
    Tile(
        "accounts.review_outside_requests_privacy",
        _("Transparency reports"),
        _("Publish the half-year's signed report; the monthly statement."),
        "outside_requests:editions",
        (
            Count(
                ngettext_lazy("%(count)s half-year to publish", "%(count)s half-years to publish", "count"),
                _periods_to_publish,
            ),
        ),
    ),
    Tile(
        "accounts.follow_up_refusal_reports",
        _("Refusal reports"),
        _("Residents' reports of a service point: follow up with the service."),
        "outside_requests:refusal_list",
        (
            Count(
                ngettext_lazy("%(count)s report to follow up", "%(count)s reports to follow up", "count"),
                _refusals_to_follow,
            ),
        ),
    ),
    Tile(
        works_on_statistics,
        _("Public statistics"),
        _("Prepare and approve releases within the privacy budget."),
        "impact:staff_list",
        (
            Count(
                ngettext_lazy("%(count)s release to prepare", "%(count)s releases to prepare", "count"),
                _releases_due,
                rule=prepares_statistics,
            ),
            Count(
                ngettext_lazy("%(count)s release to approve", "%(count)s releases to approve", "count"),
                _releases_to_approve,
                rule=approves_statistics,
            ),
        ),
    ),
    Tile(
        "accounts.moderate_testimonies",
        _("Testimonies"),
        _("Redact residents' testimonies, then a second moderator approves them."),
        "impact:testimony_list",
        (
            Count(
                ngettext_lazy("%(count)s testimony to redact", "%(count)s testimonies to redact", "count"),
                _testimonies("received"),
            ),
            Count(
                ngettext_lazy("%(count)s testimony to approve", "%(count)s testimonies to approve", "count"),
                _testimonies("redacted"),
            ),
        ),
    ),
    Tile(
        "accounts.view_audit",
        _("Audit trail"),
        _("Who did what, and when."),
        "accounts:audit",
        (Count(ngettext_lazy("%(count)s entry today", "%(count)s entries today", "count"), _audit_entries_today),),
    ),
    Tile(
        "accounts.manage_staff",
        _("Staff accounts"),
        _("Accounts, roles and authenticators."),
        "accounts:staff_list",
        (Count(ngettext_lazy("%(count)s active account", "%(count)s active accounts", "count"), _active_staff),),
    ),
    Tile(
        can_manage_organisations,
        _("Organisations"),
        _("Partner organisations and service points."),
        "accounts:organisation_list",
        (
            Count(
                ngettext_lazy("%(count)s active organisation", "%(count)s active organisations", "count"),
                _active_organisations,
            ),
        ),
    ),
    Tile(
        "accounts.manage_staff",
        _("The sans peur charter"),
        _("Sign the charter's three rules for your organisation."),
        "outside_requests:charter",
    ),
]


def tiles_for(user) -> list[dict]:
    """The tiles ``user`` may see, each with its counts: ``{"title", "description", "url", "counts":
    [{"count", "text"}]}``. Counts are read only for the tiles (and lines) the policy allows."""
    tiles = []
    for tile in TILES:
        if not _allowed(tile.rule, user):
            continue
        try:
            url = reverse(tile.url_name)
        except NoReverseMatch:
            continue
        counts = []
        for line in tile.counts:
            if line.rule is not None and not _allowed(line.rule, user):
                continue
            number = line.count(user)
            counts.append({"count": number, "text": line.label % {"count": number}})
        tiles.append(
            {"title": tile.title, "description": tile.description, "url": url, "counts": counts, "key": tile.url_name}
        )
    return tiles
