"""Every ``SANSPEUR_*`` environment variable, declared once: type, default, production rule, meaning.

The settings modules read the environment only through ``Environment``; apps read the result as
``settings.SANSPEUR_*`` and never repeat a default. ``sanspeur settings_doc`` prints this table for
docs/deploy.md, and the system check sanspeur.W001 names variables that are set but declared here
under no name (a typo would otherwise keep the default without a word).

Runs while the settings load: it imports neither the project nor ``django.conf.settings``.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

PREFIX = "SANSPEUR_"
SAME = object()  # "the same as the development default" / "a Django setting of the same name"

CATEGORIES = {
    "core": "Core",
    "accounts": "Staff accounts",
    "cards": "Cards",
    "verifier": "Verifier",
    "directory": "Directory",
    "clinics": "Clinics",
    "protection": "Protection unit",
    "accountability": "Accountability",
    "tools": "Scripts and tests",
}


# --- Types: each turns the environment's text into a value, or says what it expected ----------
def _int(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError(f"must be a whole number, not {raw!r}") from None


def _float(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError(f"must be a number, not {raw!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, not {raw!r}")
    return value


def _bool(raw: str) -> bool:
    word = raw.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"must be true or false, not {raw!r}")


def _list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _url(raw: str) -> str:
    # The value may hold a password: errors never repeat it.
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http:// or https:// address")
    return raw


def _url_or_path(raw: str) -> str:
    return raw if raw.startswith("/") and not raw.startswith("//") else _url(raw)


def url_origin(value: str | None) -> str:
    """``https://host:port`` of an absolute URL; "" for a path on this site or nothing."""
    parts = urlsplit(value or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _json(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise ValueError("must be a JSON document") from None


def _json_object(raw: str) -> dict:
    value = _json(raw)
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")
    return value


def _json_urls(raw: str) -> list[str]:
    value = _json(raw)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError('must be a JSON list of addresses, such as ["https://…/status/1"]')
    for item in value:
        _url_or_path(item)
    return value


def _json_profiles(raw: str) -> list[dict]:
    value = _json(raw)
    shape = 'must be a JSON list of {"id": …, "label": …, "fields": […]} objects'
    if not isinstance(value, list):
        raise ValueError(shape)
    for profile in value:
        if not isinstance(profile, dict) or not {"id", "label", "fields"} <= profile.keys():
            raise ValueError(shape)
        if not isinstance(profile["fields"], list):
            raise ValueError(shape)
    return value


def _datetime(raw: str) -> datetime:
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"must be an ISO 8601 date and time, not {raw!r}") from None


def _email_url(raw: str) -> str:
    try:
        environ.Env.email_url_config(raw)
    except Exception:  # noqa: BLE001 - django-environ raises several kinds; the message says what to do
        raise ValueError("must be an e-mail URL such as smtp+tls://user:password@host:587") from None
    return raw


def _cache_url(raw: str) -> str:
    if not raw.startswith(("redis://", "rediss://", "unix://", "locmem://")):
        raise ValueError("must start with redis://, rediss://, unix:// or locmem://")
    return raw


def _dotted_path(raw: str) -> str:
    if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", raw):
        raise ValueError(f"must be a dotted Python path, not {raw!r}")
    return raw


PARSERS: dict[str, Callable[[str], Any]] = {
    "str": str,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "list": _list,
    "path": Path,
    "url": _url,
    "url or path": _url_or_path,
    "json object": _json_object,
    "json list of URLs": _json_urls,
    "json list of profiles": _json_profiles,
    "datetime": _datetime,
    "e-mail URL": _email_url,
    "cache URL": _cache_url,
    "dotted path": _dotted_path,
}


@dataclass(frozen=True)
class Setting:
    """One environment variable.

    ``default`` is the development value; ``production_default`` the value of the shared base
    settings (production and tests) when it differs. ``setting`` is the Django setting it feeds:
    ``SAME`` for ``settings.<name>`` (set by base.py for every such variable), another name for
    documentation (base.py assigns it), or None when only scripts, tests or the key provider read
    the variable. ``shown`` replaces the default in the table when the value is computed at start.
    """

    name: str
    kind: str
    default: Any
    category: str
    description: str
    production: str = ""
    production_default: Any = SAME
    setting: Any = SAME
    shown: str = ""
    minimum: float | None = 0

    def parse(self, raw: str) -> Any:
        value = PARSERS[self.kind](raw)
        if self.kind in ("int", "float") and self.minimum is not None and value < self.minimum:
            raise ValueError(f"must be at least {self.minimum:g}, not {raw!r}")
        return value

    @property
    def django_setting(self) -> str | None:
        return self.name if self.setting is SAME else self.setting

    def default_for(self, *, development: bool) -> Any:
        return self.default if development or self.production_default is SAME else self.production_default


def _s(name: str, kind: str, default: Any, category: str, description: str, **options: Any) -> Setting:
    return Setting(PREFIX + name, kind, default, category, description, **options)


PRODUCTION_ONLY = "read by production settings only"
NEVER_IN_PRODUCTION = "ignored in production"

# fmt: off
SETTINGS: tuple[Setting, ...] = (
    # --- core ---------------------------------------------------------------------------------
    _s("DATA_DIR", "path", None, "core", "Where the SQLite file, collected static files and development keys live.",
       setting="DATA_DIR", shown="`./var` (in the working directory)"),
    _s("SECRET_KEY", "str", "dev-only-not-secret-" + "x" * 40, "core", "Django's secret key (signs sessions, tokens).",
       production="required", production_default="", setting="SECRET_KEY",
       shown="a fixed development-only value"),
    _s("ALLOWED_HOSTS", "list", ["127.0.0.1", "localhost"], "core", "Comma-separated host names the site answers to.",
       production="required", production_default=[], setting="ALLOWED_HOSTS"),
    _s("DEBUG", "bool", True, "core", "Django's debug mode (development only).",
       production=NEVER_IN_PRODUCTION + " and tests: always false", production_default=False, setting="DEBUG"),
    _s("CACHE_URL", "cache URL", "locmem://", "core",
       "Cache for rate limits and single-use form tokens: `redis://host:port/db` or `locmem://` (one process).",
       production="must be redis://, rediss:// or unix:// unless SANSPEUR_ALLOW_LOCAL_CACHE", setting="CACHES"),
    _s("ALLOW_LOCAL_CACHE", "bool", False, "core",
       "Let a single-process deployment use a per-process cache instead of Redis.", production=PRODUCTION_ONLY,
       setting=None),
    _s("ALLOW_SQLITE", "bool", False, "core", "Let production settings run on SQLite (benchmarks, trials).",
       production=PRODUCTION_ONLY, setting=None),
    _s("CONN_MAX_AGE", "int", 60, "core",
       "Seconds a worker keeps its database connection (`?conn_max_age=` in DATABASE_URL wins).",
       production=PRODUCTION_ONLY, setting='DATABASES["default"]["CONN_MAX_AGE"]'),
    _s("SSL_REDIRECT", "bool", True, "core", "Redirect plain HTTP to HTTPS.", production=PRODUCTION_ONLY,
       setting="SECURE_SSL_REDIRECT"),
    _s("KEY_DIR", "path", None, "core", "Card signing keys and the development master-key file.",
       shown="`$SANSPEUR_DATA_DIR/keys` (tests: a temporary directory)"),
    _s("KEY_PROVIDER", "dotted path", "sanspeur.core.keys.FileKeyProvider", "core",
       "Class that holds the vault's master keys (a KMS or HSM may replace the file provider)."),
    _s("VAULT_BUCKETS", "int", 4096, "core",
       "Bucket keys per purpose that wrap the vault's data keys; forgetting a record re-wraps the others "
       "of its bucket (about records / buckets of them), a look-up computes one index per bucket.",
       setting="SANSPEUR_VAULT_BUCKETS", minimum=1),
    _s("MASTER_KEY", "json object", None, "core",
       "The master-key JSON document itself (from a secret manager); read by the key provider, never a setting.",
       production="required, or SANSPEUR_MASTER_KEY_FILE", setting=None,
       shown="generated in `$SANSPEUR_KEY_DIR/master-keys.json`"),
    _s("MASTER_KEY_FILE", "path", None, "core", "Path of the master-key JSON document (mode 0600).",
       production="required, or SANSPEUR_MASTER_KEY", setting=None, shown="`$SANSPEUR_KEY_DIR/master-keys.json`"),
    _s("CREATE_MISSING_KEYS", "bool", True, "core", "Create missing master and signing keys at first use.",
       production=NEVER_IN_PRODUCTION + ": always false", production_default=False),
    _s("CITY_NAME", "str", "Montréal", "core", "The city's name, on pages and cards."),
    _s("EMERGENCY_PHONE", "str", "911", "core",
       "Emergency number (immediate danger), on the home page and footer."),
    _s("COMMUNITY_PHONE", "str", "211", "core",
       "Community and social services information line, on the home page and footer (none when empty)."),
    _s("CITY_PHONE", "str", "311", "core",
       "The city's information line, on the home page and footer (none when empty)."),
    _s("CITY_CONTACT_URL", "url", "", "core",
       "The city's own contact page, linked from the footer (none when empty).", shown="empty"),
    _s("PUBLIC_URL", "url", "http://127.0.0.1:8000", "core",
       "Public address of the site, for links in reminders (none when empty).", production_default="",
       shown="`http://127.0.0.1:8000`"),
    _s("EMAIL_URL", "e-mail URL", "consolemail://", "core",
       "Outgoing mail for reminders people asked for, e.g. `smtp+tls://user:password@mail.example.org:587`.",
       production_default="smtp://localhost:25", setting="EMAIL_*"),
    _s("EMAIL_FROM", "str", "Sans peur <ne-pas-repondre@localhost>", "core", "Sender of reminders.",
       setting="DEFAULT_FROM_EMAIL"),
    _s("MAIL_ATTEMPTS", "int", 3, "core",
       "Times a message to a reminder contact is tried (once per reminder run) while the mail relay refuses it or "
       "cannot be reached; after the last, the contact is shredded.", minimum=1),
    _s("NODE_MODULES", "path", None, "core", "npm packages served as static files (Leaflet, barcode reader).",
       setting="NODE_MODULES_DIR", shown="`node_modules` of the source checkout"),
    # Abuse resistance of the public forms (core/antiabuse.py, docs/privacy.md); issue 15.
    _s("POW_COST", "int", 1000, "core", "PBKDF2-SHA-256 iterations of each try of the public forms' proof of work.",
       minimum=1),
    _s("POW_COUNTER_MAX", "int", 3600, "core",
       "The proof of work's answer is drawn between a third of this and this: the tries a browser makes.", minimum=3),
    _s("POW_TTL_SECONDS", "int", 600, "core",
       "How long a proof-of-work challenge stays valid; a spent one is remembered as long.", minimum=30),
    _s("GUESS_FREE_MISSES", "int", 10, "core",
       "Wrong booking codes or codenames per bucket (a slice of all possible ones) before delays start."),
    _s("GUESS_MAX_DELAY", "int", 900, "core",
       "Longest wait, in seconds, after wrong codes in one bucket (waits double from 1 s).", minimum=1),
    # --- accounts -----------------------------------------------------------------------------
    _s("IDLE_TIMEOUT_SECONDS", "int", 30 * 60, "accounts", "A staff session ends after this long without a request.",
       setting="SESSION_COOKIE_AGE", minimum=1),
    _s("LOGIN_FAILURE_LIMIT", "int", 5, "accounts",
       "Failed sign-ins in a row before an account is locked for browsers that never signed in to it "
       "(or for one browser that did: device cookies, docs/staff.md).", minimum=1),
    _s("LOGIN_COOLOFF_HOURS", "float", 0.5, "accounts", "How long such a lock lasts."),
    # --- cards --------------------------------------------------------------------------------
    _s("CARD_ISSUER", "url", "https://sanspeur.montreal.ca", "cards",
       "Issuer printed in every card and trust list; the card's status-list URI starts with it."),
    _s("CARD_RETENTION_DAYS", "int", 90, "cards",
       "Days after a holder's last card expired before the record is crypto-shredded."),
    _s("CARD_REMINDER_DAYS", "int", 30, "cards", "Remind holders who asked for it this many days before expiry."),
    _s("STATUS_LIST_TTL_SECONDS", "int", 3600, "cards", "Lifetime of a signed status list (re-signed at half)."),
    _s("STATUS_LIST_SIZE", "int", 131072, "cards", "Entries per status list (never less than 131072).",
       minimum=131072),
    _s("STATUS_KEY_OVERLAP_DAYS", "int", 8, "cards", "Days a retired status-list key stays in the trust list."),
    _s("TRUST_LIST_REFRESH_HOURS", "int", 24, "cards", "Age at which the published trust list is re-signed."),
    # --- verifier -----------------------------------------------------------------------------
    _s("VERIFY_TRUST_LIST_URL", "url or path", None, "verifier", "Where verifiers fetch the trust list.",
       shown="this site's `/.well-known/sanspeur/` trust list"),
    _s("VERIFY_STATUS_LIST_URLS", "json list of URLs", None, "verifier", "Where verifiers fetch status lists.",
       shown="this site's status lists"),
    _s("VERIFY_TRUST_ROOT_PEM", "str", None, "verifier",
       "PEM of the root that signs the trust list, pinned in the app.",
       shown="the cards app's trust root"),
    _s("VERIFY_MAX_STATUS_AGE_SECONDS", "int", 7 * 24 * 3600, "verifier",
       "Oldest status list an offline verifier still accepts."),
    _s("VERIFY_LEEWAY_SECONDS", "int", 300, "verifier", "Clock skew tolerated by verifiers."),
    _s("VERIFY_REFRESH_SECONDS", "int", 60, "verifier", "How often a verifier online refreshes its lists."),
    _s("VERIFY_PROFILES", "json list of profiles", None, "verifier",
       "Service-point profiles: which card fields each kind of service sees.", shown="the built-in four profiles"),
    # --- wallet (the card in a phone, docs/wallet.md) -------------------------------------------
    _s("WALLET_LINK_MINUTES", "int", 15, "cards", "Minutes a one-time link to put a card in a phone stays usable.",
       minimum=1),
    _s("WALLET_PASS_CERTIFICATE", "path", None, "cards",
       "PEM certificate of the city's Apple Wallet pass type; unset: no .pkpass is offered.", shown="unset"),
    _s("WALLET_PASS_KEY", "path", None, "cards", "PEM private key (unencrypted) of that certificate.", shown="unset"),
    _s("WALLET_PASS_WWDR", "path", None, "cards", "PEM of Apple's WWDR intermediate certificate.", shown="unset"),
    _s("WALLET_PASS_TYPE_ID", "str", "pass.ca.montreal.sanspeur", "cards", "The pass type identifier."),
    _s("WALLET_PASS_TEAM_ID", "str", "", "cards", "The Apple team identifier of the pass certificate.",
       shown="empty"),
    # --- directory ----------------------------------------------------------------------------
    _s("MAP_TILE_URL", "url or path", "", "directory",
       "Map tile template: a path on this site (`/tiles/{z}/{x}/{y}.png`) or a tile server whose origin is"
       " then allowed in the pages' img-src; empty: no map (docs/directory.md).",
       shown="empty"),
    _s("DIRECTORY_FIXED_NOW", "datetime", None, "directory",
       "Test hook: fixes the directory's clock (ISO date and time, Montréal time if naive).",
       production=NEVER_IN_PRODUCTION, shown="unset (the real clock)"),
    # --- clinics ------------------------------------------------------------------------------
    _s("CLINICS_MIN_FORM_SECONDS", "float", 3.0, "clinics", "A booking form sent sooner than this is refused."),
    _s("CLINICS_RATE_PER_SLOT", "int", 30, "clinics", "Booking attempts per time slot per minute."),
    _s("CLINICS_RATE_GLOBAL", "int", 300, "clinics",
       "Retired: no limit is global any more (a flood could lock everyone out); ignored."),
    _s("CLINICS_LOOKUP_MISSES", "int", 120, "clinics",
       "Retired: wrong codes are limited per bucket (SANSPEUR_GUESS_FREE_MISSES); ignored."),
    _s("CLINICS_SLOT_SHARE_PER_MINUTE", "float", 0.1, "clinics",
       "Share of a time slot's places that can be booked per minute (at least one code's worth of places)."),
    _s("CLINICS_FALLBACK_PER_SLOT", "int", 2, "clinics",
       "Bookings per time slot per 10 minutes through the question shown to browsers without JavaScript."),
    _s("CLINICS_PURGE_AFTER_DAYS", "int", 1, "clinics", "Days after an event before its bookings are deleted."),
    # --- protection ---------------------------------------------------------------------------
    _s("PROTECTION_ATTACHMENT_MAX_BYTES", "int", 5 * 1024 * 1024, "protection", "Largest attachment accepted."),
    _s("PROTECTION_IMAGE_MAX_PIXELS", "int", 16_000_000, "protection",
       "Largest photo decoded; larger JPEGs are decoded at half or quarter scale, larger PNGs refused.",
       minimum=10_000),
    # libsodium's Argon2id "interactive" limits (nacl.pwhash.argon2id; a test keeps them equal).
    _s("PROTECTION_KDF_OPSLIMIT", "int", 2, "protection", "Argon2id passes that derive the unit key.", minimum=1),
    _s("PROTECTION_KDF_MEMLIMIT", "int", 64 * 1024 * 1024, "protection", "Argon2id memory (bytes) for the unit key.",
       minimum=8192),
    _s("PROTECTION_SCRYPT_N", "int", 2**14, "protection", "scrypt cost of a codename (a power of two).", minimum=2),
    _s("PROTECTION_CODENAME_GLOBAL_LIMIT", "int", 100, "protection",
       "Retired: failed codenames are limited per bucket (SANSPEUR_GUESS_FREE_MISSES); ignored."),
    _s("PROTECTION_CODENAME_PER_ID_LIMIT", "int", 5, "protection", "Failed look-ups per window for one codename."),
    _s("PROTECTION_CODENAME_WINDOW", "int", 15 * 60, "protection", "Window of the codename limits, in seconds."),
    _s("PROTECTION_CODENAME_UNCLAIMED_DAYS", "int", 180, "protection",
       "Codename access ends after this many days without the person coming back."),
    _s("PROTECTION_RETENTION_DAYS", "int", 730, "protection", "Days after closing before a case is crypto-shredded."),
    _s("PROTECTION_UNLOCK_SECONDS", "int", 15 * 60, "protection", "How long the unlocked unit key stays usable."),
    _s("PROTECTION_RECEIPT_SECONDS", "int", 10 * 60, "protection",
       "How long the page after sending a report can show the codename again (reload), at most.", minimum=30),
    _s("PROTECTION_VIOLENCE_LINE", "str", "1-800-363-9010", "protection",
       "Conjugal and family violence line (SOS violence conjugale, 24 h), on the protection pages (none when empty)."),
    _s("PROTECTION_PSYCHOSOCIAL_LINE", "str", "811", "protection",
       "Psychosocial crisis line (Info-Social 811, 24 h), on the protection pages (none when empty)."),
    _s("PROTECTION_SUICIDE_LINE", "str", "988", "protection",
       "Suicide crisis line (9-8-8, 24 h), on the protection pages (none when empty)."),
    _s("PROTECTION_DEMO_PASSPHRASE", "str", None, "protection",
       "Unit-key passphrase set by `sanspeur load_demo`; read by the demo loader, never a setting.", setting=None,
       shown="the demo's built-in passphrase"),
    _s("TRAINING_RETENTION_DAYS", "int", 730, "accountability",
       "Days after a trainee leaves before their individual training record (name, e-mail, completions, "
       "attendance) is forgotten by `sanspeur training_daily`.", minimum=1),
    # --- accountability ---------------------------------------------------------------------------
    _s("CANARY_ENABLED", "bool", False, "accountability",
       "Publish the monthly signed statement (canary) at /.well-known/sanspeur/canary.txt. Off until the "
       "city's legal counsel has approved its wording and what stopping it would mean."),
    # --- tools: read by scripts and tests, never Django settings ------------------------------
    _s("VENV", "path", None, "tools", "Virtualenv used by scripts/demo and scripts/test.", setting=None,
       shown="`.venv` of the checkout"),
    _s("ADDRESS", "str", "127.0.0.1:8000", "tools", "Address scripts/demo serves on.", setting=None),
    _s("TEST_POSTGRES_URL", "str", "postgres://postgres@127.0.0.1:5432/postgres", "tools",
       "PostgreSQL server of scripts/test's second run.", setting=None),
    _s("TEST_REDIS_URL", "str", "redis://127.0.0.1:6379/15", "tools", "Redis of the shared-cache test.", setting=None),
    _s("TEST_REDIS_URL_POSTGRES", "str", "redis://127.0.0.1:6379/14", "tools",
       "Redis of the shared-cache test in scripts/test's PostgreSQL run (beside the SQLite one).", setting=None),
    _s("TEST_IN_SERIES", "bool", False, "tools",
       "true: scripts/test runs the SQLite pass, then the PostgreSQL one, instead of side by side.", setting=None),
    _s("MUTATION_DB_TEMPLATE", "path", None, "tools",
       "Set by scripts/mutation: a migrated SQLite test database copied by each mutant's run.", setting=None),
    _s("TEST_DB_NAME", "str", None, "tools", "Name of the test database on PostgreSQL (test settings).",
       setting='DATABASES["default"]["TEST"]["NAME"]', shown="`test_sanspeur_<pid>`"),
    _s("CHROMIUM", "path", "/usr/bin/chromium", "tools", "Chromium driven by the browser tests and benchmarks.",
       setting=None),
)
# fmt: on

REGISTRY: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}


class Environment:
    """The declared variables of one environment, all parsed at once: a bad value stops the start."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        self.given: dict[str, Any] = {}
        problems = []
        for setting in SETTINGS:
            raw = environ.get(setting.name, "")
            if raw == "":  # an empty variable counts as unset (systemd and .env files write them)
                continue
            try:
                self.given[setting.name] = setting.parse(raw)
            except ValueError as error:
                problems.append(f"{setting.name} {error}")
        if problems:
            raise ImproperlyConfigured("Invalid environment: " + "; ".join(problems) + ".")

    def __call__(self, name: str, *, development: bool = False) -> Any:
        if name in self.given:
            return self.given[name]
        # A copy: a setting that is a list must not share the object the table holds.
        return copy.deepcopy(REGISTRY[name].default_for(development=development))

    def is_set(self, name: str) -> bool:
        if name not in REGISTRY:  # a bug in the settings modules, not in the environment
            raise KeyError(name)
        return name in self.given

    def django_settings(self, *, development: bool = False) -> dict[str, Any]:
        """Every variable that is read as ``settings.<its own name>``."""
        return {s.name: self(s.name, development=development) for s in SETTINGS if s.setting is SAME}


def unknown(environ: Mapping[str, str] | None = None) -> list[tuple[str, str | None]]:
    """(name, closest declared name or None) for each ``SANSPEUR_*`` variable declared nowhere."""
    environ = os.environ if environ is None else environ
    return [
        (name, next(iter(difflib.get_close_matches(name, REGISTRY, n=1)), None))
        for name in sorted(environ)
        if name.startswith(PREFIX) and name not in REGISTRY
    ]


# --- Documentation ------------------------------------------------------------------------------
def _show(value: Any) -> str:
    if value is None or value == "":
        return "unset" if value is None else "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return f"`{','.join(value)}`" if value else "empty"
    if isinstance(value, float):
        return f"`{value:g}`"
    return f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """The table of docs/deploy.md's "Every setting" section (tests compare it byte for byte)."""
    lines = [
        "Set as environment variables; `sanspeur settings_doc` prints this table. An empty variable counts",
        "as unset. A value that does not parse stops the start with `ImproperlyConfigured` naming the",
        "variable; a `SANSPEUR_*` variable that is not listed here raises warning `sanspeur.W001` in",
        "`sanspeur check`. *Default* is the development value.",
    ]
    for category, title in CATEGORIES.items():
        lines += ["", f"### {title}", "", "| Variable | Type | Default | Production | Description |"]
        lines.append("| --- | --- | --- | --- | --- |")
        for setting in (s for s in SETTINGS if s.category == category):
            default = setting.shown or _show(setting.default)
            rule = setting.production
            if not rule and setting.production_default is not SAME:
                rule = f"default {_show(setting.production_default)}"
            description = setting.description
            target = setting.django_setting
            if target not in (None, setting.name):
                description += f" Django: `{target}`."
            cells = [f"`{setting.name}`", setting.kind, default, rule or "—", description]
            lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"
