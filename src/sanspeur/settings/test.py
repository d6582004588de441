"""Tests: same code paths as production, fast hashing, throwaway keys in a temporary directory."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, config

DEBUG = False
SECRET_KEY = "test-only-secret-key-" + "y" * 40  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SANSPEUR_CREATE_MISSING_KEYS = True
# Throwaway keys, unless the environment names a directory: a test that starts the application in
# subprocesses gives them its own SANSPEUR_KEY_DIR so that every process holds the same keys.
if not config.is_set("SANSPEUR_KEY_DIR"):
    SANSPEUR_KEY_DIR = Path(tempfile.mkdtemp(prefix="sanspeur-test-keys-"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Several test runs may share one PostgreSQL server (developers, CI): name the test database apart.
# On SQLite the test database is a real file, so that tests can read its raw bytes like a thief would.
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"]["NAME"] = str(Path(tempfile.mkdtemp(prefix="sanspeur-test-db-")) / "test.sqlite3")
else:
    DATABASES["default"]["TEST"]["NAME"] = config("SANSPEUR_TEST_DB_NAME") or f"test_sanspeur_{os.getpid()}"
    # A test's commit need not wait for its write-ahead log to reach the disk (the database is
    # thrown away): about a third of the time of each commit (docs/benchmarks.md, "The test suite").
    # Nothing is lost that a test reads: the WAL is still written, and CHECKPOINT flushes it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
SANSPEUR_LOGIN_FAILURE_LIMIT = 5
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="sanspeur-test-static-"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
