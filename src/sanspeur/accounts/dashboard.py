"""What each role finds on its dashboard: one tile per capability it holds.

A tile is keyed by a capability (checked with its reach, ``policy.has_capability``), or by a rule
from ``policy.py`` when a capability is not enough.
It appears only when its page exists (its URL name resolves), so a capability not yet built shows
nothing rather than a dead link.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .policy import (
    applies_for_grants,
    can_change_city_rules,
    can_manage_organisations,
    follows_training,
    has_capability,
    manages_grants,
    reviews_grants,
    works_on_statistics,
)

TILES = [
    (
        "accounts.enroll_residents",
        _("Enroll a resident"),
        _("Check documents, take the photo, print the card."),
        "cards:enroll",
    ),
    (
        "accounts.manage_cards",
        _("Cards of my organisation"),
        _("Renew, replace or revoke a card; forget a holder."),
        "cards:holder_list",
    ),
    (
        can_change_city_rules,
        _("Document rules"),
        _("Which documents count, and how many points."),
        "cards:rules",
    ),
    ("accounts.verify_cards", _("Verify a card"), _("Scan a card; works without a network."), "verify:app"),
    (
        "accounts.manage_clinics",
        _("Mobile clinics"),
        _("Events, services, capacity and reports."),
        "clinics:staff_event_list",
    ),
    (
        "accounts.checkin_bookings",
        _("Check-in at the door"),
        _("Scan or type booking codes, count walk-ins."),
        "clinics:checkin_home",
    ),
    (
        "accounts.edit_directory",
        _("Directory entries"),
        _("Propose changes to your organisation's services."),
        "directory:staff_list",
    ),
    (
        "accounts.publish_directory",
        _("Directory review"),
        _("Review and publish proposed changes."),
        "directory:review_list",
    ),
    (
        "accounts.handle_protection_cases",
        _("Protection cases"),
        _("Reports and cases of the unit."),
        "protection:case_list",
    ),
    (
        follows_training,
        _("Training coverage"),
        _("Units, courses, sessions and who is due: coverage against targets."),
        "training:home",
    ),
    (
        applies_for_grants,
        _("Funding applications"),
        _("Apply to a call for projects, follow your applications."),
        "grants:applicant_home",
    ),
    (
        manages_grants,
        _("Calls for projects"),
        _("Calls, eligibility, reviewers, ranking and decisions within the envelope."),
        "grants:staff_home",
    ),
    (
        reviews_grants,
        _("Funding reviews"),
        _("Declare conflicts, then score the applications assigned to you."),
        "grants:review_list",
    ),
    (
        "accounts.translate_content",
        _("Translations"),
        _("Directory and clinic texts missing or out of date, language by language."),
        "directory:translations",
    ),
    (
        "accounts.handle_outside_requests",
        _("Requests for data"),
        _("The register of outside requests: deadlines, legal review, sign-offs."),
        "outside_requests:request_list",
    ),
    (
        "accounts.review_outside_requests_privacy",
        _("Transparency reports"),
        _("Publish the half-year's signed report; the monthly statement."),
        "outside_requests:editions",
    ),
    (
        "accounts.follow_up_refusal_reports",
        _("Refusal reports"),
        _("Residents' reports of a service point: follow up with the service."),
        "outside_requests:refusal_list",
    ),
    (
        works_on_statistics,
        _("Public statistics"),
        _("Prepare and approve releases within the privacy budget."),
        "impact:staff_list",
    ),
    ("accounts.view_audit", _("Audit trail"), _("Who did what, and when."), "accounts:audit"),
    ("accounts.manage_staff", _("Staff accounts"), _("Accounts, roles and authenticators."), "accounts:staff_list"),
    (
        can_manage_organisations,
        _("Organisations"),
        _("Partner organisations and service points."),
        "accounts:organisation_list",
    ),
    (
        "accounts.manage_staff",
        _("The sans peur charter"),
        _("Sign the charter's three rules for your organisation."),
        "outside_requests:charter",
    ),
]


def tiles_for(user) -> list[dict]:
    tiles = []
    for rule, title, description, url_name in TILES:
        allowed = rule(user) if callable(rule) else has_capability(user, rule)
        if not allowed:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        tiles.append({"title": title, "description": description, "url": url})
    return tiles
