"""Every SANSPEUR_* variable is declared once (sanspeur/settings/registry.py), reaches its Django
setting, fails loudly when malformed, and is documented in docs/deploy.md."""

import io
import json
import re
from pathlib import Path

import nacl.pwhash
import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from sanspeur.settings import registry
from tests.core.test_settings import PRODUCTION_ENV, run_manage

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("src", "scripts", "bench", "tests", ".ci", "README.md")
NAME = re.compile(r"SANSPEUR_[A-Z0-9_]+")
BINARY_SUFFIXES = {".mo", ".pyc", ".so", ".png", ".jpg", ".jpeg", ".pdf", ".sqlite3", ".woff", ".woff2", ".wasm"}
TEST_ENV = {"DJANGO_SETTINGS_MODULE": "sanspeur.settings.test"}
# Prints the settings named in argv as JSON (Path and datetime as text).
PROBE = (
    "import json; from django.conf import settings; "
    "print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))"
)


def scanned_files():
    for top in SCANNED:
        path = ROOT / top
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            # This file spells unknown names on purpose (the W001 tests).
            if file == Path(__file__).resolve() or "__pycache__" in file.parts or file.suffix in BINARY_SUFFIXES:
                continue
            try:
                yield file, file.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def probe(names: list[str], env: dict[str, str]) -> dict:
    result = run_manage("shell", "-c", PROBE.format(names=names), env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- (a) declared, (b) read once ------------------------------------------------------------------
def test_every_sanspeur_name_in_the_repository_is_declared():
    found: dict[str, set[str]] = {}
    for file, text in scanned_files():
        for name in NAME.findall(text):
            found.setdefault(name, set()).add(str(file.relative_to(ROOT)))
    assert {"SANSPEUR_CARD_ISSUER", "SANSPEUR_VENV", "SANSPEUR_CHROMIUM"} <= found.keys()  # the scan sees them
    undeclared = {name: sorted(files) for name, files in found.items() if name not in registry.REGISTRY}
    assert not undeclared, f"declare these in src/sanspeur/settings/registry.py: {undeclared}"


def test_the_registry_is_well_formed():
    assert len(registry.REGISTRY) == len(registry.SETTINGS)
    for setting in registry.SETTINGS:
        assert setting.name.startswith(registry.PREFIX)
        assert setting.kind in registry.PARSERS, setting.name
        assert setting.category in registry.CATEGORIES, setting.name
        assert setting.description.endswith("."), setting.name
        if setting.category == "tools":
            assert setting.django_setting != setting.name, f"{setting.name} is for scripts and tests only"


def test_no_app_code_reads_a_sanspeur_setting_with_its_own_default():
    pattern = re.compile(r"getattr\(\s*settings\s*,\s*[\"']SANSPEUR_")
    offenders = [
        f"{file.relative_to(ROOT)}:{number}"
        for file in sorted((ROOT / "src").rglob("*.py"))
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not offenders, f"use settings.SANSPEUR_… (the default lives in registry.py): {offenders}"


def test_argon2id_defaults_are_libsodiums_interactive_limits():
    assert registry.REGISTRY["SANSPEUR_PROTECTION_KDF_OPSLIMIT"].default == nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE
    assert registry.REGISTRY["SANSPEUR_PROTECTION_KDF_MEMLIMIT"].default == nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE


# --- (c) documented -------------------------------------------------------------------------------
def test_deploy_doc_holds_the_generated_table():
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = text.split("## Every setting\n", 1)[1]
    documented = section.split("<!-- settings:begin -->\n", 1)[1].split("<!-- settings:end -->", 1)[0]
    assert documented == registry.markdown(), "run `sanspeur settings_doc` and paste it into docs/deploy.md"


def test_settings_doc_command_prints_every_setting():
    out = io.StringIO()
    call_command("settings_doc", stdout=out)
    assert out.getvalue() == registry.markdown()
    for setting in registry.SETTINGS:
        assert f"| `{setting.name}` |" in out.getvalue()


# --- (d) from the environment to the setting ------------------------------------------------------
def test_values_from_the_environment_reach_the_settings_in_production():
    given = {
        "SANSPEUR_CARD_ISSUER": "https://cartes.example.org",
        "SANSPEUR_CARD_RETENTION_DAYS": "120",
        "SANSPEUR_MAP_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png",
        "SANSPEUR_CLINICS_MIN_FORM_SECONDS": "1.5",
        "SANSPEUR_VERIFY_PROFILES": '[{"id": "pool", "label": "Pool", "fields": ["photo", "borough"]}]',
        "SANSPEUR_IDLE_TIMEOUT_SECONDS": "600",
        "SANSPEUR_EMAIL_FROM": "Ville <ne-pas-repondre@example.org>",
    }
    values = probe(
        [
            "SANSPEUR_CARD_ISSUER",
            "SANSPEUR_CARD_RETENTION_DAYS",
            "SANSPEUR_MAP_TILE_URL",
            "SANSPEUR_CLINICS_MIN_FORM_SECONDS",
            "SANSPEUR_VERIFY_PROFILES",
            "SESSION_COOKIE_AGE",
            "DEFAULT_FROM_EMAIL",
        ],
        env=PRODUCTION_ENV | given,
    )
    assert values == {
        "SANSPEUR_CARD_ISSUER": "https://cartes.example.org",
        "SANSPEUR_CARD_RETENTION_DAYS": 120,
        "SANSPEUR_MAP_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png",
        "SANSPEUR_CLINICS_MIN_FORM_SECONDS": 1.5,
        "SANSPEUR_VERIFY_PROFILES": [{"id": "pool", "label": "Pool", "fields": ["photo", "borough"]}],
        "SESSION_COOKIE_AGE": 600,
        "DEFAULT_FROM_EMAIL": "Ville <ne-pas-repondre@example.org>",
    }


@pytest.mark.parametrize("development", [True, False], ids=["dev", "production"])
def test_unset_variables_give_the_declared_defaults(development, tmp_path):
    """Each settings module applies the registry's defaults (dev.py those that differ)."""
    own = [s for s in registry.SETTINGS if s.setting is registry.SAME and s.name != "SANSPEUR_KEY_DIR"]
    if development:
        env = {"DJANGO_SETTINGS_MODULE": "sanspeur.settings.dev", "SANSPEUR_DATA_DIR": str(tmp_path)}
    else:
        env = PRODUCTION_ENV
    values = probe([s.name for s in own] + ["DEBUG", "ALLOWED_HOSTS", "EMAIL_BACKEND"], env=env)
    expected = json.loads(json.dumps({s.name: s.default_for(development=development) for s in own}, default=str))
    assert {s.name: values[s.name] for s in own} == expected
    assert values["DEBUG"] is development
    if development:
        assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
        assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    else:
        assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_test_settings_use_a_key_dir_from_the_environment(tmp_path):
    assert probe(["SANSPEUR_KEY_DIR"], env=TEST_ENV | {"SANSPEUR_KEY_DIR": str(tmp_path)}) == {
        "SANSPEUR_KEY_DIR": str(tmp_path)
    }
    assert "sanspeur-test-keys-" in probe(["SANSPEUR_KEY_DIR"], env=TEST_ENV)["SANSPEUR_KEY_DIR"]


# --- (e) malformed values -------------------------------------------------------------------------
def test_an_invalid_integer_stops_the_start_naming_the_variable():
    result = run_manage("check", env=TEST_ENV | {"SANSPEUR_CARD_RETENTION_DAYS": "abc"})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert "SANSPEUR_CARD_RETENTION_DAYS must be a whole number, not 'abc'" in last_line
    assert "ValueError" not in result.stderr


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("SANSPEUR_CARD_RETENTION_DAYS", "-1", "at least 0"),
        ("SANSPEUR_STATUS_LIST_SIZE", "1000", "at least 131072"),
        ("SANSPEUR_CLINICS_MIN_FORM_SECONDS", "nan", "finite"),
        ("SANSPEUR_SSL_REDIRECT", "maybe", "true or false"),
        ("SANSPEUR_CARD_ISSUER", "sanspeur.example.org", "http:// or https://"),
        ("SANSPEUR_VERIFY_PROFILES", '{"id": "x"}', "JSON list"),
        ("SANSPEUR_VERIFY_STATUS_LIST_URLS", "not json", "JSON"),
        ("SANSPEUR_MASTER_KEY", "[1, 2]", "JSON object"),
        ("SANSPEUR_CACHE_URL", "memcached://127.0.0.1", "redis://"),
        ("SANSPEUR_KEY_PROVIDER", "not a path", "dotted Python path"),
        ("SANSPEUR_DIRECTORY_FIXED_NOW", "tuesday", "ISO 8601"),
    ],
)
def test_malformed_values_are_refused_with_the_variable_name(name, raw, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(name)) as error:
        registry.Environment({name: raw})
    assert message in str(error.value)


def test_errors_never_repeat_a_password_from_an_address():
    with pytest.raises(ImproperlyConfigured) as error:
        registry.Environment({"SANSPEUR_EMAIL_URL": "bogus://relay:hunter2@mail.example.org:587"})
    assert "SANSPEUR_EMAIL_URL" in str(error.value)
    assert "hunter2" not in str(error.value)


def test_every_problem_is_reported_at_once_and_empty_counts_as_unset():
    with pytest.raises(ImproperlyConfigured) as error:
        registry.Environment({"SANSPEUR_CONN_MAX_AGE": "x", "SANSPEUR_ALLOW_SQLITE": "si"})
    assert "SANSPEUR_CONN_MAX_AGE" in str(error.value) and "SANSPEUR_ALLOW_SQLITE" in str(error.value)
    environment = registry.Environment({"SANSPEUR_CARD_RETENTION_DAYS": ""})
    assert not environment.is_set("SANSPEUR_CARD_RETENTION_DAYS")
    assert environment("SANSPEUR_CARD_RETENTION_DAYS") == 90


# --- (f) unknown variables ------------------------------------------------------------------------
def test_an_unknown_variable_is_named_with_the_closest_known_one(monkeypatch):
    monkeypatch.setenv("SANSPEUR_CARD_RETENTON_DAYS", "30")
    warnings = [m for m in checks.run_checks() if m.id == "sanspeur.W001" and "RETENTON" in m.msg]
    assert len(warnings) == 1 and isinstance(warnings[0], checks.Warning)
    assert warnings[0].msg.startswith("SANSPEUR_CARD_RETENTON_DAYS is set in the environment")
    assert warnings[0].hint.startswith("Did you mean SANSPEUR_CARD_RETENTION_DAYS?")
    assert registry.unknown({"SANSPEUR_CARD_ISSUER": "https://x.example", "HOME": "/root"}) == []


def test_check_warns_about_an_unknown_variable():
    result = run_manage("check", env=TEST_ENV | {"SANSPEUR_FOO": "1"})
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "sanspeur.W001" in output and "SANSPEUR_FOO is set in the environment" in output
    failing = run_manage("check", "--fail-level", "WARNING", env=TEST_ENV | {"SANSPEUR_FOO": "1"})
    assert failing.returncode != 0
