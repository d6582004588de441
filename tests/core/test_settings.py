import os
import subprocess
import sys

import pytest

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "sanspeur.settings.production",
    "SANSPEUR_SECRET_KEY": "p" * 60 + "-production-like-secret-Zq9",
    "SANSPEUR_ALLOWED_HOSTS": "sanspeur.example.org",
    "SANSPEUR_MASTER_KEY_FILE": "/nonexistent/master-keys.json",
    "DATABASE_URL": "postgres://sanspeur@127.0.0.1:5432/sanspeur",
    "SANSPEUR_CACHE_URL": "redis://127.0.0.1:6379/0",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SANSPEUR_", "DATABASE_URL", "DJANGO_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "sanspeur.manage", *args], env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "missing", ["SANSPEUR_SECRET_KEY", "SANSPEUR_ALLOWED_HOSTS", "SANSPEUR_MASTER_KEY_FILE", "SANSPEUR_CACHE_URL"]
)
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing.replace("_FILE", "") in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
