"""Every authorization rule of the project, written once. Views, forms, selectors and services ask
here; none of them decides on its own who may do what.

The rules, in the order of this file:

1. **Capabilities** (the permissions of ``accounts.Capability``) and their reach: a *city-wide*
   capability concerns the whole city (its audit trail, its protection unit, its card rules) and is
   never exercised by an account of a partner organisation or a service point, whatever its roles;
   an *organisation* capability is exercised on one's own organisation's records.
2. **The declared table** of role × capability, and which kinds of organisation may hold each role.
3. **Holding and granting** roles: the city's administrators grant any role a kind of organisation
   may hold; a partner's or a service point's administrators grant their kind's roles, in their own
   organisation only; nobody grants themselves a role or changes their own roles.
4. **Organisation scoping**: which organisations' records a person sees (one function, ``scope``).
5. **City-wide rules**: only the city's administrators manage organisations and change the rules
   cards are issued under; only the city's editors publish to the directory, and contributors
   propose changes to their own organisation's entries.
6. **One's own credentials**: a password is changed, an authenticator enrolled, by the account's
   owner only; an administrator resets them, never sets them; the first run is made on the server.
7. **Pages**: every route of the URL map and what it asks; ``tests/accounts/test_url_matrix.py``
   opens each one as every kind of person and compares the answer with this table.

An account without organisation (made on the server, never through the pages) may hold any role,
is never a city account and sees no organisation's records.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet

from .models import Organisation

CITY = Organisation.Kind.CITY.value
PARTNER = Organisation.Kind.PARTNER.value
SERVICE_POINT = Organisation.Kind.SERVICE_POINT.value
APPLICANT = Organisation.Kind.APPLICANT.value  # applies for community funding (grants app)

# --- 1. Capabilities --------------------------------------------------------------------------------
CITY_WIDE = "city-wide"
ORGANISATION = "organisation"

#: capability -> reach. Every permission of ``accounts.Capability`` is here (a test checks it).
CAPABILITY_REACH: dict[str, str] = {
    "manage_staff": ORGANISATION,  # a partner's administrator manages its own staff
    "enroll_residents": ORGANISATION,
    "manage_cards": ORGANISATION,
    "manage_card_rules": CITY_WIDE,  # the rules every card in the city is issued under
    "verify_cards": ORGANISATION,
    "manage_clinics": ORGANISATION,  # a partner co-organises its own clinics
    "checkin_bookings": ORGANISATION,
    "edit_directory": ORGANISATION,
    "publish_directory": CITY_WIDE,
    "manage_grants": CITY_WIDE,
    "review_grants": CITY_WIDE,
    "handle_protection_cases": CITY_WIDE,
    "supervise_protection_cases": CITY_WIDE,
    "manage_training": CITY_WIDE,
    "view_audit": CITY_WIDE,
    "view_statistics": ORGANISATION,
    "handle_outside_requests": CITY_WIDE,  # the register of outside requests for data
    "review_outside_requests_legal": CITY_WIDE,  # a legal counsel's sign-off before a disclosure
    "review_outside_requests_privacy": CITY_WIDE,  # a privacy officer's sign-off before a disclosure
    "follow_up_refusal_reports": CITY_WIDE,  # residents' reports of a service point
    "follow_unit_training": ORGANISATION,  # a unit manager: the training of the units they manage
    "translate_content": CITY_WIDE,  # the city's translators: directory, clinic and event content
    "apply_for_grants": ORGANISATION,  # an applicant organisation: its own applications and reports
    "prepare_statistics_releases": CITY_WIDE,  # public statistics: draft a release
    "approve_statistics_releases": CITY_WIDE,  # public statistics: the second person who approves
    "moderate_testimonies": CITY_WIDE,  # testimonies: redact and approve (two people)
}


# --- 2. The declared table: role × capability, and who may hold the role -----------------------------
@dataclass(frozen=True)
class Role:
    holders: frozenset[str]  # kinds of organisation whose accounts may hold the role
    capabilities: tuple[str, ...]


_ALL = frozenset({CITY, PARTNER, SERVICE_POINT})
_CITY = frozenset({CITY})
_CITY_AND_PARTNERS = frozenset({CITY, PARTNER})

ROLE_TABLE: dict[str, Role] = {
    # An administrator of the city, of a partner or of a service point; the reach of each capability
    # and the granting rules below say what each of them can do with it.
    "administrator": Role(_ALL, ("manage_staff", "manage_card_rules", "view_statistics")),
    "enrollment_agent": Role(_CITY_AND_PARTNERS, ("enroll_residents", "manage_cards")),
    "service_point_verifier": Role(_ALL, ("verify_cards",)),
    "clinic_coordinator": Role(_CITY_AND_PARTNERS, ("manage_clinics", "checkin_bookings", "view_statistics")),
    "clinic_door_staff": Role(_CITY_AND_PARTNERS, ("checkin_bookings",)),
    "directory_editor": Role(_CITY, ("publish_directory", "edit_directory")),
    "partner_editor": Role(_ALL, ("edit_directory",)),  # proposals only: the city's editors publish
    "translator": Role(_CITY, ("translate_content",)),  # directory and clinic content, every language
    "program_officer": Role(_CITY, ("manage_grants", "view_statistics")),
    "reviewer": Role(_CITY, ("review_grants",)),
    # The only role an applicant organisation's account may hold, and only such an account holds it.
    "grant_applicant": Role(frozenset({APPLICANT}), ("apply_for_grants",)),
    "protection_caseworker": Role(_CITY, ("handle_protection_cases",)),
    "protection_supervisor": Role(_CITY, ("handle_protection_cases", "supervise_protection_cases")),
    "training_coordinator": Role(_CITY, ("manage_training",)),
    "auditor": Role(_CITY, ("view_audit",)),
    "privacy_officer": Role(
        _CITY, ("handle_outside_requests", "review_outside_requests_privacy", "follow_up_refusal_reports")
    ),
    "legal_counsel": Role(_CITY, ("handle_outside_requests", "review_outside_requests_legal")),
    "training_unit_manager": Role(_ALL, ("follow_unit_training",)),  # which units: training.UnitManager
    # Public statistics (docs/impact.md): one person prepares a release, a different one approves it.
    "statistician": Role(_CITY, ("prepare_statistics_releases", "view_statistics")),
    "statistics_approver": Role(_CITY, ("approve_statistics_releases", "view_statistics")),
    # Testimonies for advocacy (docs/impact.md): one moderator redacts, a different one approves.
    "testimony_moderator": Role(_CITY, ("moderate_testimonies",)),
}


def _codename(permission: str) -> str:
    return permission.split(".", 1)[1] if "." in permission else permission


def _kind(user) -> str | None:
    organisation = getattr(user, "organisation", None)
    return organisation.kind if organisation is not None else None


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def works_for_the_city(user) -> bool:
    """An account of the city's organisation (or a superuser)."""
    return _signed_in(user) and (bool(getattr(user, "is_superuser", False)) or _kind(user) == CITY)


def is_partner_account(user) -> bool:
    """An account of a partner organisation or a service point."""
    return _kind(user) in (PARTNER, SERVICE_POINT)


def has_capability(user, permission: str) -> bool:
    """The user's roles give the capability, and its reach allows this account to use it.

    A city-wide capability is refused to a partner's account even when a role carrying it is in the
    database (rows written before the holding rule, or by hand).
    """
    if not _signed_in(user) or not user.has_perm(f"accounts.{_codename(permission)}"):
        return False
    if CAPABILITY_REACH[_codename(permission)] != CITY_WIDE:
        return True
    return not is_partner_account(user) and _kind(user) != APPLICANT


def accounts_with_capability(permission: str) -> list:
    """The active accounts that ``has_capability(account, permission)``: whom a job tells (alerts)."""
    from django.contrib.auth import get_user_model

    codename = _codename(permission)
    candidates = (
        get_user_model()
        .objects.filter(is_active=True, groups__permissions__codename=codename)
        .select_related("organisation")
        .distinct()
    )
    return [user for user in candidates if has_capability(user, codename)]


# --- 3. Holding and granting ------------------------------------------------------------------------
def may_hold(role: str, organisation: Organisation | None) -> bool:
    """Whether an account of ``organisation`` may hold ``role`` (any role without organisation)."""
    if role not in ROLE_TABLE:
        return False
    return organisation is None or organisation.kind in ROLE_TABLE[role].holders


def roles_for(organisation: Organisation | None) -> list[str]:
    """The roles an account of ``organisation`` may hold, in the table's order."""
    return [role for role in ROLE_TABLE if may_hold(role, organisation)]


def check_holding(organisation: Organisation | None, roles) -> None:
    """Raise ``ValidationError`` when an account of ``organisation`` may not hold one of ``roles``."""
    unknown = sorted(set(roles) - set(ROLE_TABLE))
    if unknown:
        raise ValidationError(f"unknown roles: {unknown}")
    refused = sorted(role for role in roles if not may_hold(role, organisation))
    if refused:
        kind = organisation.kind if organisation is not None else "none"
        raise ValidationError(f"an account of a {kind} organisation cannot hold {refused}")


def administers(actor, organisation: Organisation | None) -> bool:
    """Whether ``actor`` manages the staff accounts of ``organisation``.

    The city's administrators manage every organisation's (and the accounts without one); the
    administrators of a partner or a service point manage their own organisation's only.
    """
    if not has_capability(actor, "manage_staff"):
        return False
    if works_for_the_city(actor):
        return True
    return organisation is not None and organisation.pk == actor.organisation_id


def administers_account(actor, member) -> bool:
    """Whether ``actor`` may change ``member``'s roles, authenticator or state: never their own."""
    return member.pk != actor.pk and administers(actor, member.organisation)


def roles_grantable(actor, organisation: Organisation | None) -> list[str]:
    """The roles ``actor`` may give to accounts of ``organisation`` (none outside its reach)."""
    if not administers(actor, organisation):
        return []
    return roles_for(organisation)


def check_grant(actor, *, organisation: Organisation | None, old_roles=(), new_roles=(), member=None) -> None:
    """Refuse (``PermissionDenied``) a creation or a change of roles ``actor`` may not make.

    ``actor`` None is the server's command line (bootstrap, createstaff, the demo): only the
    holding rule applies. Otherwise: never one's own account; only in an organisation one
    administers; every role added or removed must be one the actor may grant — except that a role
    the account may not hold is always removable.
    """
    if actor is None:
        check_holding(organisation, new_roles)
        return
    if member is not None and member.pk == actor.pk:
        raise PermissionDenied("nobody changes their own roles")
    if not administers(actor, organisation):
        raise PermissionDenied("this organisation's accounts are managed by others")
    grantable = set(roles_grantable(actor, organisation))
    added, removed = set(new_roles) - set(old_roles), set(old_roles) - set(new_roles)
    refused = added - grantable | {role for role in removed - grantable if may_hold(role, organisation)}
    if refused:
        raise PermissionDenied(f"may not grant or withdraw {sorted(refused)}")
    check_holding(organisation, new_roles)


def organisations_administered(actor) -> QuerySet[Organisation]:
    """The active organisations whose new accounts ``actor`` may create."""
    organisations = Organisation.objects.filter(is_active=True).order_by("name")
    if not has_capability(actor, "manage_staff"):
        return organisations.none()
    if works_for_the_city(actor):
        return organisations
    return organisations.filter(pk=actor.organisation_id) if actor.organisation_id else organisations.none()


# --- 4. Organisation scoping -------------------------------------------------------------------------
VISIBLE = "visible"  # the city's staff see every organisation's records; others their own's
OWN = "own"  # everyone sees only their own organisation's records (a resident's record stays
# with the organisation that enrolled them, even for the city's own agents)


def sees_all_organisations(user) -> bool:
    """The city's staff (and superusers) see every organisation's records; nobody else does."""
    return works_for_the_city(user)


def scope(queryset: QuerySet, *, acting_user, field: str, reach: str = VISIBLE) -> QuerySet:
    """``queryset`` restricted to the rows ``acting_user`` may see, by the organisation at ``field``.

    The one place that decides "whose records": an account without organisation sees none.
    """
    if reach not in (VISIBLE, OWN):
        raise ValueError(reach)
    if reach == VISIBLE and sees_all_organisations(acting_user):
        return queryset
    organisation_id = getattr(acting_user, "organisation_id", None) if _signed_in(acting_user) else None
    if organisation_id is None:
        return queryset.none()
    return queryset.filter(Q(**{field: organisation_id}))


def in_scope(acting_user, organisation_id, *, reach: str = VISIBLE) -> bool:
    """The same rule for one record, given the id of the organisation that owns it."""
    if reach == VISIBLE and sees_all_organisations(acting_user):
        return True
    own = getattr(acting_user, "organisation_id", None) if _signed_in(acting_user) else None
    return own is not None and organisation_id == own


def may_look_up_people(user) -> bool:
    """Searching cardholders by name and birth date or card number, and the duplicate check of an
    enrollment: the enrollment agents' (each look-up is audited). What a match shows depends on
    scope: a match outside ``in_scope(user, ..., reach=OWN)`` shows only that a card exists."""
    return has_capability(user, "enroll_residents")


def may_sign_charter(user, organisation) -> bool:
    """An organisation's administrator signs (or withdraws) the "sans peur" charter for that
    organisation only: nobody signs on another organisation's behalf, the city's included."""
    return (
        organisation is not None and has_capability(user, "manage_staff") and in_scope(user, organisation.pk, reach=OWN)
    )


# --- 5. City-wide rules --------------------------------------------------------------------------------
def is_city_administrator(user) -> bool:
    return works_for_the_city(user) and has_capability(user, "manage_staff")


def can_manage_organisations(user) -> bool:
    """Only administrators of the city create, rename and deactivate organisations.

    A partner's administrator manages their own staff, never the list of organisations.
    """
    return is_city_administrator(user)


def can_change_city_rules(user) -> bool:
    """Only administrators of the city change the card rules and the document types: they apply
    to every card issued in the city, whichever organisation enrolls the person."""
    return works_for_the_city(user) and has_capability(user, "manage_card_rules")


def works_on_the_directory(user) -> bool:
    """Partner contributors propose changes, the city's editors publish them."""
    return has_capability(user, "edit_directory") or has_capability(user, "publish_directory")


def can_publish_directory(user) -> bool:
    """Publishing to the public directory (a proposal, a version, "last verified") is the city's
    editors' (a city-wide capability: a partner's account never has it, whatever its roles)."""
    return has_capability(user, "publish_directory")


def can_propose_directory_change(user, partner_id) -> bool:
    """A contributor proposes changes to the entries of their own organisation (the city's editors:
    to every entry), given the id of the partner organisation the entry belongs to."""
    return has_capability(user, "edit_directory") and in_scope(user, partner_id)


def can_translate_content(user) -> bool:
    """The city's translators publish translations of public content (directory, clinics) in every
    language, from the translation queue; a partner's account never can (city-wide capability)."""
    return has_capability(user, "translate_content")


def works_on_translations(user) -> bool:
    """The translation queue: the translators (every entry), and the directory's contributors and
    editors (their entries, whose translations they propose as changes)."""
    return can_translate_content(user) or works_on_the_directory(user)


# --- 6. One's own credentials ----------------------------------------------------------------------
def owns_credentials(actor, member) -> bool:
    """Whether ``actor`` may set ``member``'s password or enrol ``member``'s authenticator: only
    ``member`` themselves (an administrator removes an authenticator and hands over a link, or
    gives a temporary password at creation; the person then chooses their own)."""
    return actor is not None and actor.pk is not None and actor.pk == member.pk


def is_command_line(actor) -> bool:
    """The server's command line (no acting user): the first run of an installation."""
    return actor is None


# --- 6b. Training (docs/training.md) -------------------------------------------------------------------
def is_training_coordinator(user) -> bool:
    """The training administrators: the city's training coordinators (every unit, every record)."""
    return works_for_the_city(user) and has_capability(user, "manage_training")


def may_manage_training(acting_user, **_kwargs) -> bool:
    """Units, headcounts, courses, requirements, trainees, sessions, outcome figures."""
    return is_training_coordinator(acting_user)


def follows_training(user) -> bool:
    """Opens the training pages: coordinators, and unit managers (who see their units only)."""
    return is_training_coordinator(user) or has_capability(user, "follow_unit_training")


def training_unit_paths(user) -> list[str]:
    """The tree paths of the units ``user`` manages (each covers the units below it)."""
    if not has_capability(user, "follow_unit_training"):
        return []
    from sanspeur.training.models import UnitManager

    return list(UnitManager.objects.filter(user=user).values_list("unit__path", flat=True))


def scope_training_units(queryset: QuerySet, *, acting_user, field: str = "path") -> QuerySet:
    """The units (or rows of units, ``field`` naming their path) whose coverage ``acting_user`` sees:
    every unit for a coordinator; a manager's units and the units below them; nothing otherwise."""
    if is_training_coordinator(acting_user):
        return queryset
    paths = training_unit_paths(acting_user)
    if not paths:
        return queryset.none()
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return queryset.filter(condition)


def sees_training_records(user, unit) -> bool:
    """A trainee's individual record (name, completions): the training coordinators, and the
    managers of the trainee's unit or of a unit above it. Nobody else, whatever their roles."""
    if unit is None:
        return False
    if is_training_coordinator(user):
        return True
    return any(unit.path.startswith(path) for path in training_unit_paths(user))


# --- 6c. Community funding (docs/grants.md) ------------------------------------------------------------
def manages_grants(user) -> bool:
    """The city's program officers: calls, screening, reviewer assignment, decisions."""
    return works_for_the_city(user) and has_capability(user, "manage_grants")


def reviews_grants(user) -> bool:
    """The city's reviewers (city staff and community reviewers given an account of the city)."""
    return works_for_the_city(user) and has_capability(user, "review_grants")


def applies_for_grants(user) -> bool:
    """An applicant organisation's account (the only kind that may hold the applicant role)."""
    return has_capability(user, "apply_for_grants")


def may_edit_application(user, organisation_id) -> bool:
    """An application, its budget, partners and attachments: its own organisation's accounts only."""
    return applies_for_grants(user) and in_scope(user, organisation_id, reach=OWN)


def reviewer_may_read(user, assignment) -> bool:
    """Conflict of interest first: an assigned reviewer sees an application's content only after
    declaring no conflict; a declared conflict recuses them for good. Nobody else reads through
    an assignment (``assignment`` None: not assigned)."""
    return (
        reviews_grants(user)
        and assignment is not None
        and assignment.reviewer_id == user.pk
        and assignment.conflict is False
    )


def sees_applicant_identity(user, call) -> bool:
    """Blind review hides the applicant's name and partners from reviewers; officers see them."""
    return manages_grants(user) or not call.blind_review


def sees_review_averages(user, *, all_reviews_in: bool) -> bool:
    """Averages and other reviewers' scores: program officers, once every non-recused reviewer has
    submitted (no anchoring on a partial average, no reviewer sees another's scores)."""
    return manages_grants(user) and all_reviews_in


# --- 6d. Public statistics (docs/impact.md) -------------------------------------------------------------
def prepares_statistics(user) -> bool:
    """The city's statisticians draft releases (and spend the privacy budget doing so)."""
    return works_for_the_city(user) and has_capability(user, "prepare_statistics_releases")


def approves_statistics(user) -> bool:
    return works_for_the_city(user) and has_capability(user, "approve_statistics_releases")


def works_on_statistics(user) -> bool:
    """The staff pages of the releases: statisticians and approvers."""
    return prepares_statistics(user) or approves_statistics(user)


def may_prepare_statistics_release(acting_user, **_kwargs) -> bool:
    return prepares_statistics(acting_user)


def may_approve_statistics_release(acting_user, *, release, **_kwargs) -> bool:
    """Two people: the approver is never the statistician who prepared the release."""
    return approves_statistics(acting_user) and release.prepared_by_id != acting_user.pk


def may_discard_statistics_release(acting_user, **_kwargs) -> bool:
    return works_on_statistics(acting_user)


def may_set_privacy_budget(acting_user, **_kwargs) -> bool:
    """The yearly budgets are the approvers' (the people who say "enough" to a statistician)."""
    return approves_statistics(acting_user)


def moderates_testimonies(user) -> bool:
    """The city's testimony moderators read, redact, approve and refuse testimonies."""
    return works_for_the_city(user) and has_capability(user, "moderate_testimonies")


def may_moderate_testimony(acting_user, **_kwargs) -> bool:
    return moderates_testimonies(acting_user)


def may_approve_testimony(acting_user, *, testimony, **_kwargs) -> bool:
    """Two people: the moderator who approves is never the one who redacted the text."""
    return moderates_testimonies(acting_user) and testimony.redacted_by_id != acting_user.pk


# --- 7. Pages ------------------------------------------------------------------------------------------
PUBLIC = "public"  # anyone, signed in or not, gets the same answer
SIGN_IN = "sign-in"  # the steps of signing in (each answers according to the step reached)
STAFF = "staff"  # signed in with both factors, a permanent password, and what the entry asks


@dataclass(frozen=True)
class Page:
    access: str
    capabilities: tuple[str, ...] = ()  # STAFF: any one of these; none: every member of staff
    city_only: bool = False  # STAFF: only the city's accounts
    scope: str = ""  # STAFF: how the page's record is scoped (OWN, VISIBLE), "" when it is not


_PUBLIC = Page(PUBLIC)
_SIGN_IN = Page(SIGN_IN)


def _staff(*capabilities: str, city_only: bool = False, scope: str = "") -> Page:
    assert all(c in CAPABILITY_REACH for c in capabilities), capabilities
    return Page(STAFF, capabilities, city_only, scope)


PAGES: dict[str, Page] = {
    # Machine endpoints and public pages.
    "healthz": _PUBLIC,
    "robots": _PUBLIC,
    "pow_challenge": _PUBLIC,
    **{f"wellknown:{name}": _PUBLIC for name in ("status_list", "trust_list", "trust_root")},
    **{
        f"hsds:{name}": _PUBLIC
        for name in (
            "index",
            "openapi",
            "services",
            "service",
            "organizations",
            "organization",
            "service_at_locations",
            "service_at_location",
            "taxonomies",
            "taxonomy",
            "taxonomy_terms",
            "taxonomy_term",
            "not_found",
        )
    },
    **{f"verify:{name}": _PUBLIC for name in ("app", "config", "service_worker", "manifest")},
    "core:home": _PUBLIC,
    "core:promise": _PUBLIC,
    "core:get_card": _PUBLIC,
    **{f"directory:{name}": _PUBLIC for name in ("search", "map_data", "detail")},
    **{
        f"clinics:{name}": _PUBLIC
        for name in (
            "public_list",
            "event_detail",
            "event_poster",
            "book",
            "booking_lookup",
            "booking",
            "booking_ics",
            "precheck",
        )
    },
    **{f"protection:{name}": _PUBLIC for name in ("home", "report", "followup", "challenge")},
    **{
        f"outside_requests:{name}": _PUBLIC
        for name in ("report", "challenge", "report_follow", "transparency", "edition", "charter_rules")
    },
    **{f"transparency:{name}": _PUBLIC for name in ("file", "schema")},
    "canary": _PUBLIC,
    "canary_signature": _PUBLIC,
    # Signing in.
    "accounts:login": _SIGN_IN,
    "accounts:mfa": _SIGN_IN,
    "accounts:logout": _SIGN_IN,
    "accounts:enrol": _SIGN_IN,
    # Staff.
    "accounts:dashboard": _staff(),
    "accounts:password_change": _staff(),
    "accounts:audit": _staff("view_audit"),
    "accounts:staff_list": _staff("manage_staff"),
    "accounts:staff_create": _staff("manage_staff"),
    "accounts:staff_detail": _staff("manage_staff", scope=VISIBLE),
    "accounts:organisation_list": _staff("manage_staff", city_only=True),
    "accounts:organisation_create": _staff("manage_staff", city_only=True),
    "accounts:organisation_edit": _staff("manage_staff", city_only=True),
    "cards:enroll": _staff("enroll_residents", scope=OWN),
    "cards:holder_list": _staff("enroll_residents"),
    "cards:holder_detail": _staff("enroll_residents", scope=OWN),
    "cards:card_pdf": _staff("enroll_residents", scope=OWN),
    **{
        f"cards:{name}": _staff("manage_cards", scope=OWN)
        for name in (
            "holder_issue",
            "holder_forget",
            "card_renew",
            "card_replace",
            "card_revoke",
            "card_suspend",
            "card_reinstate",
        )
    },
    **{
        f"cards:{name}": _staff("manage_card_rules", city_only=True)
        for name in ("rules", "document_type_create", "document_type_edit")
    },
    "directory:staff_list": _staff("edit_directory", "publish_directory"),
    "directory:propose": _staff("edit_directory", scope=VISIBLE),
    "directory:review_list": _staff("publish_directory"),
    **{
        f"directory:{name}": _staff("translate_content", "edit_directory", "publish_directory")
        for name in ("translations", "translation_queue", "translate")
    },
    "clinics:staff_event_list": _staff("manage_clinics"),
    "clinics:staff_event_create": _staff("manage_clinics"),
    "clinics:staff_report": _staff("manage_clinics"),
    **{
        f"clinics:{name}": _staff("manage_clinics", scope=VISIBLE)
        for name in ("staff_event_detail", "staff_event_edit", "staff_event_report")
    },
    "clinics:checkin_home": _staff("checkin_bookings"),
    "clinics:checkin_event": _staff("checkin_bookings", scope=VISIBLE),
    **{
        f"protection:{name}": _staff("handle_protection_cases")
        for name in ("unlock", "lock", "case_list", "case_new", "stats", "case_detail", "attachment", "case_action")
    },
    **{
        f"outside_requests:{name}": _staff("handle_outside_requests", city_only=True)
        for name in ("request_list", "request_new", "alerts_ics", "request_detail", "document", "request_action")
    },
    "outside_requests:editions": _staff("review_outside_requests_privacy", city_only=True),
    "outside_requests:charter": _staff("manage_staff"),  # for one's own organisation (may_sign_charter)
    **{
        f"outside_requests:{name}": _staff("follow_up_refusal_reports", city_only=True)
        for name in ("refusal_list", "refusal_action")
    },
    # Training: coordinators everywhere; unit managers on their units (the pages filter, policy rules above).
    **{
        f"training:{name}": _staff("manage_training", "follow_unit_training")
        for name in ("home", "coverage_csv", "unit_detail")
    },
    **{
        f"training:{name}": _staff("manage_training", city_only=True)
        for name in (
            "unit_create",
            "unit_manager",
            "headcount_import",
            "courses",
            "course_create",
            "version_create",
            "requirement_set",
            "person_create",
            "person_detail",
            "person_leave",
            "completion_action",
            "sessions",
            "session_create",
            "session_detail",
            "session_register",
            "registration_cancel",
            "compliance_report",
            "session_sheet",
            "sheet_download",
            "outcome_create",
        )
    },
    "training:checkin": _PUBLIC,
    # Reported impact: the public dashboard and its open data; the releases' staff pages.
    **{f"impact:{name}": _PUBLIC for name in ("dashboard", "release", "method", "errata", "data_index")},
    **{f"impact_data:{name}": _PUBLIC for name in ("csv", "json", "schema", "catalog", "report", "report_signature")},
    **{
        f"impact:{name}": _staff("prepare_statistics_releases", "approve_statistics_releases", city_only=True)
        for name in ("staff_list", "staff_release", "staff_action")
    },
    "impact:staff_prepare": _staff("prepare_statistics_releases", city_only=True),
    **{
        f"impact:{name}": _PUBLIC
        for name in ("testimonies", "testimony_share", "testimony_follow", "testimony_challenge")
    },
    **{
        f"impact:{name}": _staff("moderate_testimonies", city_only=True)
        for name in ("testimony_list", "testimony_detail", "testimony_action")
    },
    # The card in a phone (docs/wallet.md): the holder app and its one-time claim are public (no
    # account); an agent makes the link for a card of their own organisation.
    **{f"wallet_app:{name}": _PUBLIC for name in ("app", "claim", "service_worker", "manifest")},
    "wallet:card_phone": _staff("manage_cards", scope=OWN),
    # Community funding: public calls and sign-up; applicants on their own organisation's
    # applications; the city's officers and reviewers (the pages ask the rules of section 6c).
    **{f"grants:{name}": _PUBLIC for name in ("call_list", "call_detail", "signup", "register")},
    **{f"grants_data:{name}": _PUBLIC for name in ("register_json", "register_csv")},
    "grants:applicant_home": _staff("apply_for_grants"),
    "grants:application_start": _staff("apply_for_grants"),
    **{
        f"grants:{name}": _staff("apply_for_grants", scope=OWN)
        for name in (
            "application_edit",
            "application_partners",
            "application_budget",
            "application_attachments",
            "application_attachment",
            "application_action",
            "application_reports",
            "application_amendments",
            "application_agreement_pdf",
            "application_signed_agreement",
            "application_decision_letter",
        )
    },
    **{
        f"grants:{name}": _staff("manage_grants", city_only=True)
        for name in (
            "staff_home",
            "call_create",
            "call_manage",
            "call_edit",
            "call_action",
            "call_ranking",
            "call_calibration",
            "staff_application",
            "staff_application_action",
            "staff_agreement",
            "staff_attachment",
            "staff_agreement_pdf",
            "staff_signed_agreement",
            "staff_decision_letter",
            "staff_agreement_action",
            "staff_reports",
            "finance_csv",
        )
    },
    **{f"grants:{name}": _staff("review_grants", city_only=True) for name in ("review_list", "review")},
}
