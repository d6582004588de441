"""Fixtures shared by every test: staff with a second factor, a real Chromium, axe-core."""

from __future__ import annotations

import importlib
import json
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must still allow the ORM there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("SANSPEUR_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() == "true"
SCREENSHOT_DIR = REPO_ROOT / "var" / "screenshots"


def _require(condition: bool, message: str) -> None:
    """In CI a missing browser or database fails the run; on a laptop it skips with a reason."""
    if condition:
        return
    if IN_CI:
        pytest.fail(message + " (CI=true: browser and database tests are mandatory)")
    pytest.skip(message)


# --- Audit trail triggers on SQLite -------------------------------------------------------------
# The append-only triggers would stop Django from emptying the table between transactional tests
# (SQLite has no TRUNCATE). They are dropped just before that flush and put back before each test.
_audit_migration = importlib.import_module("sanspeur.core.migrations.0002_audit_append_only")


@pytest.fixture(autouse=True)
def _sqlite_audit_triggers(request):
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    if not marked and "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        yield
        return
    if not marked:
        request.getfixturevalue("transactional_db")
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        for statement in _audit_migration.SQLITE:
            cursor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
    yield
    with connection.cursor() as cursor:
        for statement in _audit_migration.SQLITE_REVERSE:
            cursor.execute(statement)


# --- Staff -------------------------------------------------------------------------------------
@pytest.fixture
def organisation(db):
    from sanspeur.accounts.models import Organisation

    return Organisation.objects.create(name="Centre test A", kind="partner", borough="Verdun")


@pytest.fixture
def other_organisation(db):
    from sanspeur.accounts.models import Organisation

    return Organisation.objects.create(name="Centre test B", kind="partner", borough="Lachine")


@pytest.fixture
def city_organisation(db):
    from sanspeur.accounts.models import Organisation

    return Organisation.objects.create(name="Ville test", kind="city")


STAFF_PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def make_staff(db):
    """make_staff("agent", ["enrollment_agent"], organisation, mfa=True) -> user with .totp_device, an
    authenticator whose secret is sealed in the vault (``accounts.SealedTOTPDevice``)."""
    from sanspeur.accounts.models import SealedTOTPDevice
    from sanspeur.accounts.services import staff_user_create

    def make(username, roles, organisation=None, *, mfa=True, full_name="Test Person"):
        user = staff_user_create(
            acting_user=None,
            username=username,
            password=STAFF_PASSWORD,
            organisation=organisation,
            roles=roles,
            full_name=full_name,
            email=f"{username}@example.org",
        )
        user.totp_device = None
        if mfa:
            user.totp_device = SealedTOTPDevice.objects.create(user=user, name="test", confirmed=True)
        return user

    return make


def totp_now(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(page, user, next_path: str = "") -> None:
    """Sign a member of staff in through the real pages (password, then the authenticator's code), by
    the fields' names: the sign-in pages' wording is not what the browser tests are about."""
    page.goto(page.base_url + "/fr/staff/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/staff/mfa/**")
    page.fill("input[name=token]", totp_now(user.totp_device))
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/staff/mfa/" not in url and "/staff/login/" not in url)


def fill_date(page, legend: str, iso: str) -> None:
    """Type a date into the three boxes of the group named ``legend`` (core/widgets.py), by the
    boxes' order — day, month, year — not their labels; "" empties them."""
    group = page.get_by_role("group", name=legend, exact=True)
    day, month, year = iso.split("-")[::-1] if iso else ("", "", "")
    boxes = group.locator("input, select")
    boxes.nth(0).fill(day.lstrip("0"))
    boxes.nth(1).select_option(month.lstrip("0"))
    boxes.nth(2).fill(year)


@pytest.fixture
def cheap_proof_of_work(settings):
    """The anonymous forms' proof of work, made cheap enough for a test to solve (tests/proof.py)."""
    from django.core.cache import cache

    from tests.proof import make_cheap

    make_cheap(settings)
    yield
    cache.clear()


@pytest.fixture
def mfa_client(client):
    """A test client signed in with password and second factor for the given user."""

    def signed_in(user):
        from django_otp import DEVICE_ID_SESSION_KEY

        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = user.totp_device.persistent_id
        session.save()
        return client

    return signed_in


# --- Browser -----------------------------------------------------------------------------------
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium_args() -> list[str]:
    return list(CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def browser(chromium_args):
    _require(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=chromium_args)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-CA", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


DUPLICATE_IDS_JS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll('[id]')) { seen[el.id] = (seen[el.id] || 0) + 1; }
  return Object.keys(seen).filter((id) => seen[id] > 1);
}"""


@pytest.fixture
def axe_check():
    """Run axe-core in the page; fail on any serious or critical violation."""

    def check(page, context_label: str = "") -> list[dict]:
        _require(AXE_JS.exists(), "axe-core is not installed (npm ci)")
        # Evaluated through the DevTools protocol, so the page's strict CSP does not block it.
        page.evaluate(AXE_JS.read_text())
        results = page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations'],"
            " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        )
        serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, f"axe violations on {context_label or page.url}:\n" + json.dumps(
            [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in serious],
            indent=1,
        )
        # axe-core 4.7+ retired its general duplicate-id rules (only ids that ARIA refers to are still
        # checked), yet a label's `for` on a repeated id names the wrong field: checked here (issue 17).
        duplicates = page.evaluate(DUPLICATE_IDS_JS)
        assert not duplicates, f"duplicate id attributes on {context_label or page.url}: {duplicates}"
        return results["violations"]

    return check


def screenshot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pdftoppm_available() -> bool:
    return shutil.which("pdftoppm") is not None


# --- What ran --------------------------------------------------------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """Say plainly which database the run used and how many browser tests ran, for CI readers."""
    from django.db import connection

    passed = terminalreporter.stats.get("passed", [])
    browser = sum(1 for report in passed if "browser" in report.keywords)
    skipped = sum(1 for report in terminalreporter.stats.get("skipped", []) if "browser" in report.keywords)
    postgres_only = sum(1 for report in passed if "postgres_only" in report.keywords)
    terminalreporter.write_line(
        f"sanspeur: database={connection.vendor} browser_tests_passed={browser} browser_tests_skipped={skipped}"
        f" postgres_only_passed={postgres_only}"
    )


# --- PostgreSQL-only tests ---------------------------------------------------------------------
def pytest_runtest_setup(item):
    """``postgres_only`` tests (drills, the production smoke test) run in the PostgreSQL pass of
    ./scripts/test, which CI requires; the SQLite pass skips them and says why."""
    if item.get_closest_marker("postgres_only") and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("PostgreSQL only: runs in the PostgreSQL pass of ./scripts/test")
