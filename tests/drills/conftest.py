"""Drills on a real PostgreSQL server: databases of their own, processes that run the real code.

A drill never uses the pytest-django test database. It creates its own databases on the server of
``DATABASE_URL`` and drops them at the end, and runs everything in child processes configured like
a production host (``sanspeur.settings.production``, a master-key file and signing keys in a
temporary directory), with the commands an operator types (``sanspeur migrate``, ``pg_dump``...).

Every drill is marked ``postgres_only``: skipped in the SQLite pass of scripts/test, run in the
PostgreSQL pass (which CI requires). Each one takes 5-25 s on two cores.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import REPO_ROOT, _require

CHILD_TIMEOUT = 60
WORKER = "from tests.drills.worker import main; main()"


@pytest.fixture(autouse=True)
def _postgresql_client_tools():
    """The SQLite pass never gets here (tests/conftest.py skips ``postgres_only``); the PostgreSQL
    pass needs the client tools, and with CI=true their absence fails the run instead of skipping."""
    for tool in ("pg_dump", "pg_restore", "createdb"):
        _require(shutil.which(tool) is not None, f"{tool} (postgresql-client) is needed by the drills")


class Drill:
    """Databases, key files and child processes of one drill."""

    def __init__(self, directory: Path) -> None:
        from django.conf import settings

        from sanspeur.core.keys import new_keyring_document

        server = settings.DATABASES["default"]
        self.host = server.get("HOST") or "127.0.0.1"
        self.port = str(server.get("PORT") or 5432)
        self.user = server.get("USER") or "postgres"
        self.password = server.get("PASSWORD") or ""
        self.maintenance_db = server["NAME"]
        self.directory = directory
        self.key_dir = directory / "keys"
        self.key_dir.mkdir(mode=0o700)
        self.master_key_file = self.key_dir / "master-keys.json"
        self.master_key_file.write_text(json.dumps(new_keyring_document()))
        self.master_key_file.chmod(0o600)
        self.databases: list[str] = []
        self.children: list[subprocess.Popen] = []

    # --- databases ---------------------------------------------------------------------------
    def _admin(self):
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=self.maintenance_db,
            autocommit=True,
        )

    def new_database_name(self) -> str:
        name = f"drill_{secrets.token_hex(6)}"
        self.databases.append(name)
        return name

    def create_database(self) -> str:
        from psycopg import sql

        name = self.new_database_name()
        with self._admin() as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        with self._admin() as connection:
            connection.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))

    def drop_databases(self) -> None:
        from psycopg import sql

        with self._admin() as connection:
            for name in self.databases:
                connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def url(self, database: str) -> str:
        credentials = quote(self.user, safe="") + (":" + quote(self.password, safe="") if self.password else "")
        return f"postgres://{credentials}@{self.host}:{self.port}/{database}"

    # --- processes ---------------------------------------------------------------------------
    def env(self, database: str) -> dict[str, str]:
        """A production host's environment (docs/deploy.md), pointed at the drill's files."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SANSPEUR_", "DJANGO_", "PG"))}
        env.pop("DATABASE_URL", None)
        data_dir = self.directory / "data"
        (data_dir / "static").mkdir(parents=True, exist_ok=True)
        env.update(
            DJANGO_SETTINGS_MODULE="sanspeur.settings.production",
            DATABASE_URL=self.url(database),
            SANSPEUR_SECRET_KEY="drill-" + secrets.token_hex(24),
            SANSPEUR_ALLOWED_HOSTS="localhost",
            SANSPEUR_ALLOW_LOCAL_CACHE="true",
            SANSPEUR_KEY_DIR=str(self.key_dir),
            SANSPEUR_MASTER_KEY_FILE=str(self.master_key_file),
            SANSPEUR_DATA_DIR=str(data_dir),
            # libpq's variables, for pg_dump / createdb / pg_restore as an operator sets them.
            PGHOST=self.host,
            PGPORT=self.port,
            PGUSER=self.user,
            PYTHONDONTWRITEBYTECODE="1",
        )
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def run(self, argv: list[str], database: str, *, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            argv,
            cwd=REPO_ROOT,
            env=self.env(database),
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
        )
        if check and result.returncode != 0:
            output = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            raise AssertionError(f"{argv} exited {result.returncode}:\n{output}")
        return result

    def sanspeur(self, *args: str, database: str, check: bool = True) -> subprocess.CompletedProcess:
        """The operators' console script (``sanspeur migrate``...)."""
        return self.run([*self.sanspeur_command(), *args], database, check=check)

    def worker(self, *args: str, database: str) -> dict:
        """Run one action of ``worker.py`` to the end; its JSON answer."""
        result = self.run([sys.executable, "-c", WORKER, *args], database)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def spawn(self, *args: str, database: str) -> subprocess.Popen:
        """A worker left running (see ``start``)."""
        return self.start([sys.executable, "-c", WORKER, *args], database)

    def start(self, argv: list[str], database: str) -> subprocess.Popen:
        """A process left running; its error output goes to ``child.stderr_path``."""
        stderr_path = self.directory / f"child-{len(self.children)}.stderr"
        with stderr_path.open("w") as stderr:
            child = subprocess.Popen(
                argv, cwd=REPO_ROOT, env=self.env(database), stdout=subprocess.PIPE, stderr=stderr, text=True, bufsize=1
            )
        child.stderr_path = stderr_path
        self.children.append(child)
        return child

    def sanspeur_command(self) -> list[str]:
        script = Path(sys.executable).parent / "sanspeur"
        return [str(script)] if script.exists() else [sys.executable, "-m", "sanspeur.manage"]

    def stop_children(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.kill()
            child.communicate(timeout=CHILD_TIMEOUT)

    # --- a ready database ----------------------------------------------------------------------
    def prepared_database(self) -> str:
        """A new database, migrated, with signing keys and an enrollment agent."""
        database = self.create_database()
        self.sanspeur("migrate", "--no-input", "-v", "0", database=database)
        self.sanspeur("cards_keys", "create", database=database)
        self.worker("seed", database=database)
        return database

    def trust_root(self) -> Path:
        """The trust-list root public key, as a verifier pins it (taken from the key files)."""
        from sanspeur.credential import PURPOSE_TRUST_LIST, KeyStore

        store = KeyStore(self.key_dir / "signing")
        path = self.directory / "pinned-root.pem"
        path.write_bytes(store.export_public_pem(store.active(PURPOSE_TRUST_LIST).kid))
        return path


@pytest.fixture
def drill(tmp_path):
    drill = Drill(tmp_path)
    try:
        yield drill
    finally:
        try:
            drill.stop_children()
        finally:
            drill.drop_databases()
