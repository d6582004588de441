"""Production smoke test: the install steps of docs/deploy.md, then gunicorn with the production
settings on PostgreSQL and Redis, the pages a first visitor and a first administrator reach, and
every scheduled job once. Runs in the PostgreSQL pass of ./scripts/test (mandatory in CI)."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

from sanspeur.core.keys import new_keyring_document

from .test_shared_cache import redis_url

pytestmark = pytest.mark.postgres_only
GUNICORN = Path(sys.executable).with_name("gunicorn")
SANSPEUR = Path(sys.executable).with_name("sanspeur")
PASSWORD = "smoke-test-first-admin-2026"  # noqa: S105 - a throwaway database


def server_url() -> str:
    url = os.environ["DATABASE_URL"]
    return url.rsplit("/", 1)[0]


@pytest.fixture
def smoke_database():
    name = "smoke_" + secrets.token_hex(4)
    admin_url = os.environ["DATABASE_URL"]
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server_url()}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def production_env(smoke_database, tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    master = keys / "master-keys.json"
    master.write_text(json.dumps(new_keyring_document()))
    master.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANSPEUR_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sanspeur.settings.production",
            "DATABASE_URL": smoke_database,
            "SANSPEUR_SECRET_KEY": secrets.token_urlsafe(50),
            "SANSPEUR_ALLOWED_HOSTS": "sanspeur.example.org",
            "SANSPEUR_MASTER_KEY_FILE": str(master),
            "SANSPEUR_KEY_DIR": str(keys),
            "SANSPEUR_DATA_DIR": str(tmp_path / "data"),
            "SANSPEUR_CACHE_URL": redis_url(),
            "SANSPEUR_PUBLIC_URL": "https://sanspeur.example.org",
            "SANSPEUR_EMAIL_URL": "consolemail://",
        }
    )
    return env


def manage(env, *args, stdin: str | None = None) -> str:
    result = subprocess.run(
        [str(SANSPEUR), *args], env=env, input=stdin, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"sanspeur {' '.join(args)}: {result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Plain HTTP as the reverse proxy forwards it: Host and X-Forwarded-Proto set, cookies kept
    by hand (they are Secure and __Host- prefixed, which a cookie jar would not send over http)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: dict | None = None, headers: dict | None = None, *, https: bool = True):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - loopback only
        request.add_header("Host", "sanspeur.example.org")
        if https:
            request.add_header("X-Forwarded-Proto", "https")
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.headers, response.read()


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else "gunicorn exited"
        try:
            status, _headers, _body = Browser(base).request("/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("gunicorn did not answer /healthz within 60 s")


def test_a_production_install_starts_serves_and_runs_its_jobs(production_env, tmp_path):
    env = production_env
    # The install steps of docs/deploy.md, in order.
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "cards_keys", "create")
    assert "no issues" in manage(env, "check", "--deploy", "--fail-level", "WARNING")
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    bootstrap = manage(
        env,
        "bootstrap",
        "--no-input",
        "--organisation",
        "Ville de Montréal",
        "--username",
        "admin.city",
        "--full-name",
        "Première Administratrice",
        "--password-file",
        str(password_file),
    )
    assert "admin.city" in bootstrap

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn
        [str(GUNICORN), "sanspeur.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        wait_until_up(base, process)
        browser = Browser(base)

        # Plain http is sent to https: the proxy terminates TLS (HSTS and secure cookies follow).
        status, headers, _ = Browser(base).request("/fr/", https=False)
        assert status == 301 and headers["Location"].startswith("https://sanspeur.example.org/")

        status, headers, body = browser.request("/")
        assert status == 302 and headers["Location"].endswith("/fr/")
        status, headers, body = browser.request("/fr/")
        assert status == 200 and 'lang="fr"' in body.decode()
        assert "max-age=63072000" in headers["Strict-Transport-Security"]
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', body.decode())
        assert stylesheet, "the home page links its stylesheet"
        assert browser.request(stylesheet.group(1))[0] == 200  # collected, hashed, served by WhiteNoise

        status, headers, body = browser.request("/.well-known/sanspeur/trust-list")
        assert status == 200 and headers["Content-Type"].startswith("application/jose")
        assert body.count(b".") == 2  # a compact JWS

        # The first administrator signs in with the password; the second factor comes next.
        status, _, body = browser.request("/fr/staff/login/")
        assert status == 200
        assert "__Host-csrftoken" in browser.cookies
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        status, headers, _ = browser.request(
            "/fr/staff/login/",
            {"csrfmiddlewaretoken": token, "username": "admin.city", "password": PASSWORD},
            headers={
                "Referer": "https://sanspeur.example.org/fr/staff/login/",
                "Origin": "https://sanspeur.example.org",
            },
        )
        assert status == 302 and "/fr/staff/mfa/" in headers["Location"], status
        assert "__Host-sessionid" in browser.cookies
        status, _, body = browser.request("/fr/staff/mfa/")
        assert status == 200 and b"otpauth" not in body.split(b"<body", 1)[0]
        # Without the second factor, staff pages stay closed.
        status, headers, _ = browser.request("/fr/staff/accounts/")
        assert status == 302 and "/fr/staff/mfa/" in headers["Location"]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        process.stderr.close()

    # Every scheduled job once, as the timers in deploy/systemd run them.
    for job in (
        "cards_publish",
        "cards_retention",
        "cards_send_reminders",
        "clinics_release_no_shows",
        "clinics_send_reminders",
        "clinics_purge",
        "protection_retention",
        "vault_compact",
        "clearsessions",
    ):
        manage(env, job)
