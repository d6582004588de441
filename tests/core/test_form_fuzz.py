"""Form fuzzer: every page of the URL map, every form on it, hostile values — never a server error.

The walk covers every route of ``get_resolver()`` (machine URLs and the language-prefixed pages),
with path parameters filled from the demo data (``load_demo``) and, again, with ids that do not
exist or do not parse. Each page is fetched as an anonymous visitor and as members of staff holding
every role there is — a city account with every role a city account may hold, a partner account
with every partner role (no single account may hold both kinds) — with the second factor given and
the protection unit unlocked; every ``<form>`` found is
submitted with hostile values: empty, huge and negative numbers, ids that are not ids, very long
text, NUL and other control characters, right-to-left marks, ``../``, JSON-looking text, duplicated
keys, missing fields, unknown choices for selects and checkboxes. Query strings get the same
treatment. The run is deterministic (fixed seed, fixed order) and bounded (a fixed number of
submissions per form), and runs on SQLite and PostgreSQL alike.

What is asserted: no response is a 5xx and none shows a traceback. Each failure is reported once
per route and exception, with the traceback of the server error. ``KNOWN_ELSEWHERE`` lists the
server errors found in code outside this change's reach, each with a strict ``xfail`` test below
that reproduces it: when its owner fixes it, that test fails until the entry is removed.
"""

from __future__ import annotations

import io
import os
import random
import re
import traceback
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core import signals
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

from tests.cards.conftest import agent, documents, enrolled  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

SEED = 20260415
LANGUAGES = ("fr", "en", "es", "ar", "ht")
SUBMISSIONS_PER_FORM = 5  # besides the empty and the as-rendered submissions
FORMS_PER_PAGE = 6  # forms of the same shape (one per time slot, say) count once
HUGE = "99999999999999999999"

HOSTILE_TEXT = [
    "",
    " ",
    HUGE,
    "-" + HUGE,
    "-1",
    "0",
    "1e309",
    "NaN",
    "-0.0",
    "not-a-uuid",
    "x" * 5000,
    "a\x00b",
    "\x00",
    "\x1b[31m\x07",
    "\u202e\u200fعربي\u200e",
    "../../../etc/passwd",
    "..%2F..%2F",
    '{"id": 1, "__proto__": {"admin": true}}',
    "[1, 2, 3]",
    "null",
    "١٢٣",
    "１２３",
    "𝟙𝟚𝟛",
    "e\u0301" * 300,
    "👩🏽‍⚕️" * 50,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31T25:61",
    "http://evil.example/",
    "//evil.example/",
    "\ufeff\ufffe\uffff",
]
HOSTILE_IDS = ["", HUGE, "-1", "0", "abc", "1.5", "\x00", "00000000-0000-0000-0000-000000000000"]
HOSTILE_QUERY_KEYS = ["page", "per_page", "id", "pk", "q", "next", "session", "service", "event", "state", "lang"]

# (route, exception type) per database: server errors in files this change may not edit, owned by
# other changes, each reproduced by a strict xfail test at the end of this file.
NUL_IN_TEXT = "django.db.utils.DataError"  # PostgreSQL text fields cannot contain NUL (0x00) bytes
KNOWN_ELSEWHERE: dict[str, set] = {"sqlite": set(), "postgresql": set()}

# Routes that end the fuzzer's own session or lock the protection unit: submitted last.
LAST = ("accounts:logout", "protection:lock")


# --- What the walk needs from the demo data -------------------------------------------------------
@dataclass
class World:
    staff: dict  # identity -> user
    values: dict = field(default_factory=dict)  # route name -> kwargs
    extra_ids: list = field(default_factory=list)  # ids of real objects, offered to selects too


def _build_world(make_staff) -> World:
    from sanspeur.accounts.models import Organisation, User
    from sanspeur.accounts.policy import roles_for
    from sanspeur.cards.models import Card, DocumentType, Holder, StatusList
    from sanspeur.clinics import services as clinic_services
    from sanspeur.clinics.models import Event, Session
    from sanspeur.directory.models import Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
    from sanspeur.protection.models import Case

    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    # No single account may hold every role (city-wide roles are the city's, the partner editor is
    # a partner's): one city account and one partner account, each with every role its kind may hold.
    city = Organisation.objects.filter(kind="city").order_by("name").first()
    organisation = Organisation.objects.filter(kind="partner").order_by("name").first()
    staff = {
        "city-staff": make_staff("fuzz.city", roles_for(city), city, full_name="Fuzz City"),
        "partner-staff": make_staff("fuzz.partner", roles_for(organisation), organisation, full_name="Fuzz Partner"),
    }
    holder = Holder.objects.filter(organisation=organisation).first() or Holder.objects.first()
    if holder.organisation_id != organisation.pk:
        holder.organisation = organisation
        holder.save(update_fields=["organisation"])
    card = holder.cards.first() or Card.objects.first()
    event = Event.objects.filter(organisations=organisation).first() or Event.objects.first()
    session = Session.objects.filter(service__event=event).order_by("starts_at").first()
    _booking, code = clinic_services.booking_create(acting_user=None, session_id=session.pk, places=1, language="fr")
    case = Case.objects.first()
    service = Service.objects.filter(status="active").order_by("id").first()
    status_list = StatusList.objects.first()
    other_user = User.objects.exclude(username__startswith="fuzz.").order_by("username").first()
    world = World(staff=staff)
    holder_routes = ("holder_detail", "holder_issue", "holder_forget")
    card_routes = ("card_pdf", "card_renew", "card_replace", "card_revoke", "card_suspend", "card_reinstate")
    world.values = {
        "accounts:staff_detail": {"user_id": other_user.pk},
        "accounts:enrol": {"token": "not-a-link-" + "x" * 30},  # a real one would enrol the fuzzer
        "accounts:organisation_edit": {"organisation_id": organisation.pk},
        **{f"cards:{name}": {"pk": holder.pk} for name in holder_routes},
        **{f"cards:{name}": {"pk": card.pk} for name in card_routes},
        "cards:document_type_edit": {"pk": DocumentType.objects.order_by("pk").first().pk},
        "clinics:event_detail": {"pk": event.pk},
        "clinics:event_poster": {"pk": event.pk},
        "clinics:book": {"session_id": session.pk},
        "clinics:booking": {"code": code},
        "clinics:booking_ics": {"code": code},
        "clinics:staff_event_detail": {"pk": event.pk},
        "clinics:staff_event_edit": {"pk": event.pk},
        "clinics:staff_event_report": {"pk": event.pk},
        "clinics:checkin_event": {"pk": event.pk},
        "directory:detail": {"pk": service.pk},
        "directory:propose": {"pk": service.pk},
        "protection:case_detail": {"reference": case.reference},
        "protection:attachment": {"reference": case.reference, "attachment_id": 1},
        "protection:case_action": {"reference": case.reference, "action": "note"},
        "pow_challenge": {"scope": "clinics.book"},
        "wellknown:status_list": {"list_id": status_list.pk if status_list else "1"},
        "hsds:service": {"pk": service.pk},
        "hsds:organization": {"pk": Organization.objects.first().pk},
        "hsds:service_at_location": {"pk": ServiceAtLocation.objects.first().pk},
        "hsds:taxonomy": {"pk": Taxonomy.objects.first().pk},
        "hsds:taxonomy_term": {"pk": TaxonomyTerm.objects.first().pk},
    }
    world.extra_ids = [str(event.pk), str(session.pk), str(service.pk), str(other_user.pk)]
    return world


# --- The URL map ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    name: str
    parts: tuple  # the route's pattern pieces, e.g. ("cards/", "holders/<uuid:pk>/")
    localized: bool
    converters: dict


def routes() -> list[Route]:
    found = []

    def walk(patterns, namespace="", parts=(), localized=False, converters=None):
        for entry in patterns:
            entry_converters = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
            if isinstance(entry, URLResolver):
                is_locale = isinstance(entry.pattern, LocalePrefixPattern)
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(
                    entry.url_patterns,
                    ns,
                    parts if is_locale else (*parts, str(entry.pattern)),
                    localized or is_locale,
                    entry_converters,
                )
            elif isinstance(entry, URLPattern) and entry.name:
                found.append(
                    Route(f"{namespace}{entry.name}", (*parts, str(entry.pattern)), localized, entry_converters)
                )

    walk(get_resolver().url_patterns)
    return sorted(found, key=lambda r: (r.name in LAST, r.name))


PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def hostile_path_values(route: Route, rng: random.Random) -> list[dict]:
    """Path parameters that match the route's converters but name nothing, or overflow."""
    variants = []
    names = PARAM.findall("".join(route.parts))
    for converter, name in names:
        converter = converter or "str"
        if converter == "int":
            values = [HUGE, "0"]
        elif converter == "uuid":
            values = [str(uuid.UUID(int=rng.getrandbits(128), version=4))]
        elif converter == "slug":
            values = ["a" * 300, "-"]
        else:
            values = ["\u202e..%2e%2e", "x" * 400, "%00", "NaN"]
        for value in values:
            variants.append({n: (value if n == name else None) for _c, n in names})
    return variants


def build_path(route: Route, kwargs: dict, language: str) -> str | None:
    """The path of ``route`` with ``kwargs``; a ``None`` value is filled from the demo data."""
    if route.name.endswith(":not_found"):  # the API's catch-all: any path under its prefix
        return "/api/hsds/" + (kwargs.get("tail") or "nothing-here")
    text = "".join(route.parts)
    path = PARAM.sub(lambda m: str(kwargs[m.group("name")]), text)
    prefix = f"/{language}/" if route.localized else "/"
    return prefix + path.lstrip("^").rstrip("$")


# --- Forms ----------------------------------------------------------------------------------------
@dataclass
class Form:
    action: str
    method: str
    fields: list = field(default_factory=list)  # (name, kind, value, options)


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: list | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form.fields.append((a["name"], kind + "-off", a.get("value", "on"), []))
            elif kind not in ("submit", "image", "reset", "button", "file"):
                self._form.fields.append((a["name"], kind, a.get("value", ""), []))
            elif kind == "submit":
                self._form.fields.append((a["name"], "submit", a.get("value", ""), []))
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._form.fields.append((a["name"], "submit", a.get("value", ""), []))
        elif tag == "select":
            self._select = [a["name"], "select", "", []]
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select[3].append(a.get("value", ""))
            if "selected" in a or not self._select[2]:
                self._select[2] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.fields.append([a["name"], "textarea", "", []])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form and self._form.fields:
            self._form.fields[-1][2] += data


def forms_of(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    unique, shapes = [], set()
    for form in parser.forms:
        shape = (re.sub(r"\d+|[0-9a-f-]{36}", "N", form.action), tuple(f[0] for f in form.fields))
        if shape not in shapes:
            shapes.add(shape)
            unique.append(form)
    return unique[:FORMS_PER_PAGE]


def as_rendered(form: Form) -> dict:
    data: dict = {}
    for name, kind, value, _options in form.fields:
        if kind.endswith("-off") or kind == "submit" and name in data:
            continue
        data.setdefault(name, []).append(value)
    return data


def hostile_submission(form: Form, rng: random.Random, extra_ids: list) -> dict:
    data: dict = {}
    for name, kind, value, options in form.fields:
        roll = rng.random()
        if roll < 0.1:
            continue  # a missing field
        if kind in ("select", "checkbox-off", "radio-off", "checkbox", "radio") or name.endswith("_id"):
            choices = [*HOSTILE_IDS, *extra_ids, *(options or [value])]
            values = rng.sample(choices, k=min(len(choices), rng.choice([1, 1, 2, 3])))
        elif kind in ("hidden", "submit") and roll < 0.5:
            values = [value]  # keep the action and the form token sometimes, to get past them
        else:
            values = [rng.choice(HOSTILE_TEXT)]
        if rng.random() < 0.15:
            values = [*values, rng.choice(HOSTILE_TEXT)]  # a duplicated key
        data.setdefault(name, []).extend(values)
    if rng.random() < 0.5:
        data[rng.choice(["id", "pk", "extra", "documents", "__proto__"])] = [rng.choice(HOSTILE_IDS)]
    return data


def hostile_query(rng: random.Random) -> dict:
    keys = rng.sample(HOSTILE_QUERY_KEYS, k=4)
    return {key: rng.choice([*HOSTILE_IDS, *HOSTILE_TEXT]) for key in keys}


# --- The run --------------------------------------------------------------------------------------
class Recorder:
    def __init__(self):
        self.failures: dict = {}
        self.tracebacks: list = []
        self.requests = 0

    def exception(self, sender, request=None, **kwargs):
        self.tracebacks.append(traceback.format_exc())

    def check(self, who, method, route, url, data, response):
        self.requests += 1
        if os.environ.get("FUZZ_LOG"):
            print(who, method, route.name, url[:80], response.status_code)  # noqa: T201
        body = response.content[:200_000] if not getattr(response, "streaming", False) else b""
        crashed = response.status_code >= 500 or b"Traceback (most recent call last)" in body
        trace, self.tracebacks = "\n".join(self.tracebacks), []
        if not crashed:
            return
        last = trace.strip().splitlines()[-1] if trace.strip() else f"HTTP {response.status_code}"
        key = (route.name, last.split(":")[0])  # the exception's type: its message may echo the input
        if key not in self.failures:
            shown = {k: [v[:60] for v in vs] if isinstance(vs, list) else str(vs)[:60] for k, vs in data.items()}
            self.failures[key] = f"{last[:300]}\n{who} {method} {url[:160]} {shown}\n{trace[-3000:]}"


def _sign_in(client: Client, user) -> Client:
    """Signed in with the second factor given and the protection unit unlocked — again if a page
    (a password change, a lock button, a sign-out) ended that."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from sanspeur.protection.demo import DEMO_PASSPHRASE

    session = client.session
    if session.get("_auth_user_id") == str(user.pk) and session.get(DEVICE_ID_SESSION_KEY):
        return client
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totp_device.persistent_id
    session.save()
    with translation.override("fr"):
        client.post(reverse("protection:unlock"), {"passphrase": DEMO_PASSPHRASE})
    return client


def _send(client, method, url, data):
    if method == "post":
        return client.post(url, data)
    return client.get(url, data)


def _fuzz_route(route, who, client, world, recorder, rng):
    if route.name.endswith(":not_found"):
        kwargs_list = [{"tail": "services/not-a-uuid"}, {"tail": "../" * 3}]
    else:
        names = [name for _converter, name in PARAM.findall("".join(route.parts))]
        # A route not in World.values yet (a page added since) is still walked, with made-up values.
        known = world.values.get(route.name) or {name: "unknown" for name in names}
        kwargs_list = [known]
        for variant in hostile_path_values(route, rng) if names else []:
            kwargs_list.append({k: (v if v is not None else known[k]) for k, v in variant.items()})
    language = rng.choice(LANGUAGES)
    for kwargs in kwargs_list:
        url = build_path(route, kwargs, language)
        page = client.get(url)
        recorder.check(who, "GET", route, url, {}, page)
        for method in ("get", "post"):
            data = hostile_query(rng)
            recorder.check(who, method.upper(), route, url, data, _send(client, method, url, data))
        if kwargs is not kwargs_list[0] or page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        for form in forms_of(page.content.decode("utf-8", "replace")):
            target = urljoin(url, form.action) if form.action else url
            if urlsplit(target).netloc or _view_name(urlsplit(target).path) in LAST:
                continue  # another site, or the sign-out and lock buttons present on every page
            method = "post" if form.method == "post" else "get"
            submissions = [{}, as_rendered(form)]
            submissions += [hostile_submission(form, rng, world.extra_ids) for _ in range(SUBMISSIONS_PER_FORM)]
            for data in submissions:
                recorder.check(who, method.upper(), route, target, data, _send(client, method, target, data))


def _view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


@pytest.fixture
def recorder():
    recording = Recorder()
    signals.got_request_exception.connect(recording.exception)
    yield recording
    signals.got_request_exception.disconnect(recording.exception)


def test_no_hostile_input_causes_a_server_error(make_staff, recorder, settings):
    settings.SANSPEUR_CLINICS_MIN_FORM_SECONDS = 0
    world = _build_world(make_staff)
    clients = {who: Client(raise_request_exception=False) for who in ("anonymous", *world.staff)}
    all_routes = routes()
    assert len(all_routes) > 60
    for route in all_routes:
        for who, client in clients.items():
            if who in world.staff:
                _sign_in(client, world.staff[who])
            rng = random.Random(f"{SEED}:{who}:{route.name}")
            with translation.override("fr"):
                _fuzz_route(route, who, client, world, recorder, rng)
    known = KNOWN_ELSEWHERE.get(connection.vendor, set())
    new = {key: detail for key, detail in recorder.failures.items() if key not in known}
    report = "\n\n".join(f"[{name}] {last}\n{detail}" for (name, last), detail in sorted(new.items()))
    assert not new, f"{len(new)} distinct server errors in {recorder.requests} requests:\n{report}"


# --- The server errors owned elsewhere, reproduced one by one ---------------------------------------
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")


def test_a_nul_in_a_case_reference_is_a_404(make_staff, city_organisation, mfa_client):
    from sanspeur.protection.demo import load

    load(stdout=io.StringIO(), print_logins=False)
    client = mfa_client(make_staff("fuzz.caseworker", ["protection_caseworker"], city_organisation))
    client.raise_request_exception = False
    assert client.get("/fr/protection/cases/%00/").status_code == 404


def test_a_next_that_is_a_bare_word_is_ignored(make_staff, city_organisation, mfa_client):
    client = mfa_client(make_staff("fuzz.next", ["auditor"], city_organisation))
    client.raise_request_exception = False
    response = client.post("/fr/staff/mfa/", {"next": "dashboard-please"})
    assert response.status_code == 302 and response["Location"] == "/fr/staff/"


def test_a_nul_in_the_enrollment_token_is_a_form_error(make_staff, organisation, mfa_client):
    client = mfa_client(make_staff("fuzz.agent", ["enrollment_agent"], organisation))
    client.raise_request_exception = False
    assert client.post("/fr/cards/enroll/", {"submission_token": "a\x00b"}).status_code == 200


def test_a_nul_in_the_card_number_search_finds_nothing(make_staff, organisation, mfa_client):
    client = mfa_client(make_staff("fuzz.search", ["enrollment_agent"], organisation))
    client.raise_request_exception = False
    assert client.get("/fr/cards/holders/", {"number": "\x00"}).status_code == 200


def test_the_pdf_of_a_revoked_card_is_not_a_server_error(agent, mfa_client, enrolled):  # noqa: F811
    from sanspeur.cards.models import Card
    from sanspeur.cards.services import card_revoke

    _holder, card = enrolled
    card_revoke(acting_user=agent, card=card, reason=Card.Reason.LOST)
    client = mfa_client(agent)
    client.raise_request_exception = False
    assert client.get(f"/fr/cards/cards/{card.pk}/card.pdf").status_code == 404
