"""Every URL of the URL map, for every kind of person, against the declared table (policy.PAGES).

The walk takes every route of ``get_resolver()`` — machine URLs and the language-prefixed pages,
decorated or not — fills its path parameters with real objects (the demo data, plus one partner
organisation "A" that owns the records the pages show), and opens it as:

- anonymous, and signed in with the password only (no second factor);
- signed in with both factors but still holding a temporary password;
- each role as an account of the city, of partner A, of partner B (same roles, another
  organisation) and of a service point, wherever the table lets that kind of organisation hold it;
- an account without organisation holding every role, and a partner account that holds every role
  through rows written before the holding rule existed.

The expected answer is computed here from the declared table only (capabilities of each role, the
reach of each capability, the page's capability, city-only flag and scope): 200 or the view's own
redirect ("ok"), 302 to sign-in ("login"), to the second factor ("mfa"), to the password change
("password"), 403 ("denied"), 404 ("hidden"), 405. A route missing from the table, or a table entry
naming no route, fails the test.
"""

from __future__ import annotations

import io
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import timezone

from sanspeur.accounts import policy

pytestmark = pytest.mark.django_db

LANGUAGE = "fr"
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


# --- The URL map ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    localized: bool


def routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns, namespace="", prefix="", localized=False):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                is_locale = isinstance(entry.pattern, LocalePrefixPattern)
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(
                    entry.url_patterns, ns, prefix if is_locale else prefix + str(entry.pattern), localized or is_locale
                )
            elif isinstance(entry, URLPattern):
                assert entry.name, f"a route without a name cannot be declared: {prefix}{entry.pattern}"
                found.append(Route(f"{namespace}{entry.name}", prefix + str(entry.pattern), localized))

    walk(get_resolver().url_patterns)
    return sorted(found, key=lambda route: route.name)


def path_of(route: Route, values: dict) -> str:
    if route.name == "hsds:not_found":  # the API's catch-all
        return "/api/hsds/nothing-here"
    missing = [name for _c, name in PARAM.findall(route.pattern) if name not in values.get(route.name, {})]
    assert not missing, f"fill {missing} of {route.name} in World.values"
    text = PARAM.sub(lambda m: str(values[route.name][m.group("name")]), route.pattern)
    text = text.lstrip("^").rstrip("$")
    return (f"/{LANGUAGE}/" if route.localized else "/") + text


# --- People ---------------------------------------------------------------------------------------
@dataclass
class Principal:
    label: str
    kind: str  # "anonymous", "password_only", "temporary", "staff"
    organisation: object = None
    roles: tuple = ()
    client: Client = field(default=None, repr=False)


def organisation_kind(principal) -> str | None:
    return principal.organisation.kind if principal.organisation is not None else None


def _make(username, roles, organisation, *, bypass=False, verified=True, temporary=False) -> Client:
    from django.contrib.auth.models import Group
    from django_otp import DEVICE_ID_SESSION_KEY

    from sanspeur.accounts.models import SealedTOTPDevice as TOTPDevice
    from sanspeur.accounts.services import staff_user_create

    user = staff_user_create(
        acting_user=None,
        username=username,
        password="matrix password 2026!",
        organisation=organisation,
        roles=[] if bypass else list(roles),
    )
    if bypass:  # rows written before the holding rule existed
        user.groups.set(Group.objects.filter(name__in=roles))
    if temporary:
        type(user).objects.filter(pk=user.pk).update(must_change_password=True)
        user.refresh_from_db()
    device = TOTPDevice.objects.create(user=user, name="matrix", confirmed=True)
    client = Client(raise_request_exception=True)
    client.force_login(user)
    if verified:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def principals(city, partner_a, partner_b, service_point, applicant=None) -> list[Principal]:
    people = [Principal("anonymous", "anonymous", client=Client(raise_request_exception=True))]
    every = tuple(policy.ROLE_TABLE)
    people.append(
        Principal(
            "password only (city, every city role)",
            "password_only",
            city,
            tuple(policy.roles_for(city)),
            _make("m.pw", policy.roles_for(city), city, verified=False),
        )
    )
    people.append(
        Principal(
            "temporary password (city, administrator)",
            "temporary",
            city,
            ("administrator",),
            _make("m.temp", ("administrator",), city, temporary=True),
        )
    )
    places = [("city", city), ("partner A", partner_a), ("partner B", partner_b), ("service point", service_point)]
    if applicant is not None:  # an applicant organisation for funding (grants), owner of its applications
        places.append(("applicant", applicant))
    for role, entry in policy.ROLE_TABLE.items():
        for place, organisation in places:
            if organisation.kind in entry.holders:
                username = f"m.{role}.{place.replace(' ', '')}".lower()
                people.append(
                    Principal(
                        f"{role} ({place})", "staff", organisation, (role,), _make(username, (role,), organisation)
                    )
                )
    people.append(Principal("no organisation, every role", "staff", None, every, _make("m.loner", every, None)))
    people.append(
        Principal(
            "partner A, every role (old rows)",
            "staff",
            partner_a,
            every,
            _make("m.legacy", every, partner_a, bypass=True),
        )
    )
    return people


# --- The oracle: what the declared table says ---------------------------------------------------
def holds(principal: Principal, capability: str) -> bool:
    held = {c for role in principal.roles for c in policy.ROLE_TABLE[role].capabilities}
    if capability not in held:
        return False
    reach = policy.CAPABILITY_REACH[capability]
    return reach != policy.CITY_WIDE or organisation_kind(principal) not in ("partner", "service_point", "applicant")


def sees(principal: Principal, owner, scope: str) -> bool:
    mine = principal.organisation
    if mine is None or owner is None:
        return False
    if scope == policy.OWN:
        return mine.pk == owner.pk
    assert scope == policy.VISIBLE, scope
    return mine.kind == "city" or mine.pk == owner.pk


def expected(name: str, page: policy.Page, principal: Principal, owner) -> str:
    if principal.kind == "anonymous":
        return "login"
    if principal.kind == "password_only":
        return "mfa"
    if principal.kind == "temporary" and name != "accounts:password_change":
        return "password"
    allowed = not page.capabilities or any(holds(principal, c) for c in page.capabilities)
    if page.city_only and organisation_kind(principal) != "city":
        allowed = False
    if not allowed:
        return "denied"
    if page.scope and not sees(principal, owner, page.scope):
        return "hidden"
    return "ok"


def outcome(response) -> str:
    status = response.status_code
    if status in (301, 302, 303):
        location = response["Location"]
        for name, marker in (("login", "/staff/login/"), ("mfa", "/staff/mfa/"), ("password", "/staff/password/")):
            if marker in location:
                return name
        return "ok"
    # 400: the view ran (the access guards come first) and refused the empty form the matrix sends.
    return {200: "ok", 400: "ok", 403: "denied", 404: "hidden", 405: "405", 429: "429"}.get(status, str(status))


# Pages of the sign-in itself: what each kind of person gets.
SIGN_IN = {
    "accounts:login": {"anonymous": "ok", "password_only": "ok", "temporary": "ok", "staff": "ok"},
    "accounts:mfa": {"anonymous": "login", "password_only": "ok", "temporary": "ok", "staff": "ok"},
    "accounts:logout": {"anonymous": "405", "password_only": "405", "temporary": "405", "staff": "405"},
    "accounts:enrol": {"anonymous": "hidden", "password_only": "hidden", "temporary": "hidden", "staff": "hidden"},
}


# --- The world ------------------------------------------------------------------------------------
@dataclass
class World:
    values: dict = field(default_factory=dict)  # route name -> path parameters
    owners: dict = field(default_factory=dict)  # route name -> organisation owning the page's object


def build_world():
    from sanspeur.accounts.models import Organisation, User
    from sanspeur.cards.models import Card, DocumentType, StatusList
    from sanspeur.clinics import services as clinic_services
    from sanspeur.clinics.models import Event, Session
    from sanspeur.directory.models import Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
    from sanspeur.impact.models import Release, Testimony
    from sanspeur.outside_requests.models import RefusalReport, RequestDocument, TransparencyEdition
    from sanspeur.protection.models import Case
    from sanspeur.training import tokens as training_tokens
    from sanspeur.training.models import AttendanceSheet as TrainingSheet
    from sanspeur.training.models import Completion as TrainingCompletion
    from sanspeur.training.models import Course as TrainingCourse
    from sanspeur.training.models import Registration as TrainingRegistration
    from sanspeur.training.models import Session as TrainingSession
    from sanspeur.training.models import Unit as TrainingUnit

    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    city = Organisation.objects.get(kind="city")
    partner_a, partner_b = Organisation.objects.filter(kind="partner").order_by("name")[:2]
    service_point = Organisation.objects.filter(kind="service_point").order_by("name").first()
    card = (
        Card.objects.filter(
            holder__organisation=partner_a, holder__shredded_at__isnull=True, state="active", sealed_code__isnull=False
        )
        .select_related("holder")
        .first()
    )
    assert card is not None, "the demo has no active card in the first partner organisation"
    holder = card.holder
    event = Event.objects.filter(organisations=partner_a).first() or Event.objects.first()
    event.organisations.set([partner_a])
    session = Session.objects.filter(service__event=event).order_by("starts_at").first()
    _booking, code = clinic_services.booking_create(acting_user=None, session_id=session.pk, places=1, language="fr")
    service = Service.objects.filter(status="active").order_by("id").first()
    Organization.objects.filter(pk=service.organization_id).update(partner=partner_a)
    member = User.objects.filter(organisation=partner_a).order_by("username").first()
    case = Case.objects.first()
    outside_document = RequestDocument.objects.select_related("request").order_by("pk").first()
    outside, refusal = outside_document.request, RefusalReport.objects.order_by("pk").first()
    outside_edition = TransparencyEdition.objects.order_by("period").first()
    training_unit = TrainingUnit.objects.get(code="SPVM-PDQ38")
    training_completion = TrainingCompletion.objects.order_by("pk").first()
    training_session = TrainingSession.objects.order_by("pk").first()
    training_registration = TrainingRegistration.objects.order_by("pk").first()
    impact_release = Release.objects.filter(state="published").order_by("pk").first()
    testimony = Testimony.objects.filter(state="received").order_by("pk").first()
    world = World()
    from sanspeur.grants import demo as grants_demo
    from sanspeur.grants.models import Application as GrantApplication
    from sanspeur.grants.models import Call as GrantCall

    grant_draft = GrantApplication.objects.select_related("organisation").get(call__code=grants_demo.OPEN_CODE)
    grant_call = GrantCall.objects.get(code=grants_demo.CALL_CODE)
    grant_funded = GrantApplication.objects.filter(call=grant_call, state="approved").first()
    grant_own_funded = GrantApplication.objects.get(call=grant_call, organisation=grant_draft.organisation)
    grant_attached = GrantApplication.objects.filter(attachments__isnull=False).exclude(state="draft").first()
    grant_values = {
        "grants:call_detail": {"code": grant_call.code},
        "grants:application_start": {"code": grants_demo.OPEN_CODE},
        **{
            f"grants:{n}": {"pk": grant_draft.pk}
            for n in ("application_edit", "application_partners", "application_budget", "application_attachments")
        },
        "grants:application_attachment": {"pk": grant_draft.pk, "attachment_id": grant_draft.attachments.first().pk},
        "grants:application_action": {"pk": grant_draft.pk, "action": "submit"},
        **{
            f"grants:{n}": {"pk": grant_call.pk}
            for n in ("call_manage", "call_edit", "call_ranking", "call_calibration")
        },
        "grants:call_action": {"pk": grant_call.pk, "action": "publish"},  # not offered: nothing moves
        "grants:staff_application": {"pk": grant_funded.pk},
        "grants:application_reports": {"pk": grant_draft.pk},
        "grants:application_amendments": {"pk": grant_own_funded.pk},
        "grants:staff_agreement": {"pk": grant_funded.pk},
        "grants:staff_agreement_pdf": {"pk": grant_funded.pk},
        "grants:application_agreement_pdf": {"pk": grant_own_funded.pk},
        "grants:staff_signed_agreement": {"pk": grant_funded.pk},
        "grants:application_signed_agreement": {"pk": grant_own_funded.pk},
        "grants:application_decision_letter": {"pk": grant_own_funded.pk},
        "grants:staff_decision_letter": {"pk": grant_funded.pk},
        "grants:staff_attachment": {"pk": grant_attached.pk, "attachment_id": grant_attached.attachments.first().pk},
        "grants:staff_agreement_action": {"pk": grant_funded.pk, "action": "schedule"},  # already: nothing moves
        "grants:staff_application_action": {"pk": grant_funded.pk, "action": "screen"},
        "grants:review": {"pk": grant_funded.pk},
    }
    world.values = {
        **grant_values,
        "pow_challenge": {"scope": "protection.report"},
        "protection:challenge": {"scope": "protection.report"},
        "accounts:staff_detail": {"user_id": member.pk},
        "accounts:organisation_edit": {"organisation_id": partner_a.pk},
        "accounts:enrol": {"token": "not-a-link-" + "x" * 30},
        **{f"cards:{n}": {"pk": holder.pk} for n in ("holder_detail", "holder_issue", "holder_forget")},
        **{
            f"cards:{n}": {"pk": card.pk}
            for n in ("card_pdf", "card_renew", "card_replace", "card_revoke", "card_suspend", "card_reinstate")
        },
        "cards:document_type_edit": {"pk": DocumentType.objects.order_by("pk").first().pk},
        "wallet:card_phone": {"pk": card.pk},
        "clinics:event_detail": {"pk": event.pk},
        "clinics:event_poster": {"pk": event.pk},
        "clinics:book": {"session_id": session.pk},
        "clinics:booking": {"code": code},
        "clinics:booking_ics": {"code": code},
        **{
            f"clinics:{n}": {"pk": event.pk}
            for n in ("staff_event_detail", "staff_event_edit", "staff_event_report", "checkin_event")
        },
        "directory:detail": {"pk": service.pk},
        "directory:propose": {"pk": service.pk},
        "protection:case_detail": {"reference": case.reference},
        "protection:attachment": {"reference": case.reference, "attachment_id": 1},
        "protection:case_action": {"reference": case.reference, "action": "note"},
        "outside_requests:request_detail": {"reference": outside.reference},
        "outside_requests:document": {"reference": outside.reference, "document_id": outside_document.pk},
        "outside_requests:request_action": {"reference": outside.reference, "action": "triage"},
        "outside_requests:refusal_action": {"pk": refusal.pk, "action": "contact_service"},
        "outside_requests:edition": {"period": outside_edition.period},
        "transparency:file": {"name": outside_edition.files.order_by("name").first().name},
        "transparency:schema": {"name": "edition.schema.json"},
        "training:unit_detail": {"pk": training_unit.pk},
        "training:unit_manager": {"pk": training_unit.pk},
        "training:version_create": {"pk": TrainingCourse.objects.order_by("pk").first().pk},
        "training:person_detail": {"pk": training_completion.person_id},
        "training:person_leave": {"pk": training_completion.person_id},
        "training:completion_action": {"pk": training_completion.pk, "action": "exempt"},
        "training:session_detail": {"pk": training_session.pk},
        "training:session_register": {"pk": training_session.pk},  # an empty form: nothing moves
        "training:session_sheet": {"pk": training_session.pk},  # an empty form: nothing moves
        "training:sheet_download": {"pk": TrainingSheet.objects.order_by("pk").first().pk},
        "training:compliance_report": {
            "period": f"{timezone.localdate().year}-H{1 if timezone.localdate().month <= 6 else 2}",
            "language": "fr",
        },
        "training:registration_cancel": {"pk": training_registration.pk},
        "training:checkin": {"token": training_tokens.issue(training_session)},
        **{name: {"slug": impact_release.slug} for name in ("impact:release", "impact:staff_release")},
        **{f"impact_data:{name}": {"slug": impact_release.slug} for name in ("csv", "json", "schema")},
        "impact:staff_action": {"slug": impact_release.slug, "action": "approve"},
        "impact:testimony_detail": {"pk": testimony.pk},
        "impact:testimony_action": {"pk": testimony.pk, "action": "refuse"},  # unconfirmed: nothing moves
        **{
            f"impact_data:{name}": {"year": impact_release.year, "language": "fr"}
            for name in ("report", "report_signature")
        },
        "wellknown:status_list": {"list_id": StatusList.objects.first().pk},
        "hsds:service": {"pk": service.pk},
        "hsds:organization": {"pk": Organization.objects.first().pk},
        "hsds:service_at_location": {"pk": ServiceAtLocation.objects.first().pk},
        "hsds:taxonomy": {"pk": Taxonomy.objects.first().pk},
        "hsds:taxonomy_term": {"pk": TaxonomyTerm.objects.first().pk},
    }
    owners = {name: partner_a for name in world.values}
    owners["cards:enroll"] = "self"  # enrolment is on behalf of one's own organisation
    owners.update({name: grant_draft.organisation for name in grant_values})
    world.owners = owners
    return world, (city, partner_a, partner_b, service_point, grant_draft.organisation)


def request(client, path):
    response = client.get(path)
    if response.status_code == 405:  # a form endpoint: send it what its page would (an empty form)
        response = client.post(path, {})
    return response


def test_every_url_for_every_principal_matches_the_declared_table():
    started = time.monotonic()
    world, organisations = build_world()
    people = principals(*organisations)
    all_routes = routes()
    names = {route.name for route in all_routes}
    undeclared = sorted(names - set(policy.PAGES))
    stale = sorted(set(policy.PAGES) - names)
    assert not undeclared, f"routes missing from policy.PAGES: {undeclared}"
    assert not stale, f"policy.PAGES names routes that do not exist: {stale}"

    mismatches: list[str] = []
    requests = 0
    seen: Counter = Counter()
    for route in all_routes:
        page = policy.PAGES[route.name]
        path = path_of(route, world.values)
        answers = {}
        for person in people:
            if page.access == policy.SIGN_IN:
                response = person.client.get(path)
                want = SIGN_IN[route.name][person.kind]
            else:
                response = request(person.client, path)
                if page.access == policy.PUBLIC:
                    want = answers.get("anonymous") or outcome(response)
                else:
                    owner = world.owners.get(route.name)
                    if owner == "self":
                        owner = person.organisation
                    want = expected(route.name, page, person, owner)
            requests += 1
            got = outcome(response)
            seen[got] += 1
            answers.setdefault(person.label, got)
            if person.kind == "anonymous":
                answers["anonymous"] = got
            if got != want:
                mismatches.append(
                    f"{route.name} {path} as {person.label}: got {got} ({response.status_code}), want {want}"
                )
        if page.access == policy.PUBLIC and answers["anonymous"] in ("login", "mfa", "denied"):
            mismatches.append(f"{route.name} is declared public but refuses the public ({answers['anonymous']})")
    elapsed = time.monotonic() - started
    print(f"\nURL matrix: {len(all_routes)} routes x {len(people)} principals = {requests} requests in {elapsed:.1f}s")
    print("answers: " + ", ".join(f"{name}={count}" for name, count in sorted(seen.items())))
    assert not mismatches, f"{len(mismatches)} answers differ from policy.PAGES:\n" + "\n".join(mismatches[:80])
