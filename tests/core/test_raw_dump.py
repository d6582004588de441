"""What a thief holding a copy of the database learns: no personal value, and nothing after a shred."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection, transaction

from sanspeur.core import vault

pytestmark = pytest.mark.django_db(transaction=True)

SECRETS = ["Zéphyrine Quasimodo-Lavoie", "zephyrine@example.org", "1987-03-14", "H3S 1Z9"]


def raw_database_bytes() -> bytes:
    """The database as a thief would copy it: the SQLite files, or a pg_dump of the test database."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings["NAME"])
        data = b""
        for candidate in (path, Path(f"{path}-wal")):
            if candidate.exists():
                data += candidate.read_bytes()
        return data
    assert shutil.which("pg_dump"), "pg_dump is needed for the PostgreSQL dump test"
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    command = [
        "pg_dump",
        "--no-owner",
        "-h",
        settings.get("HOST") or "127.0.0.1",
        "-p",
        str(settings.get("PORT") or 5432),
    ]
    if settings.get("USER"):
        command += ["-U", settings["USER"]]
    command.append(settings["NAME"])
    return subprocess.run(command, check=True, capture_output=True, env=env).stdout


def test_database_dump_holds_no_plaintext_and_nothing_readable_after_shredding(make_staff):
    user = make_staff("dump.test", ["auditor"], full_name=SECRETS[0])
    key = vault.datakey_create(purpose="test.person")
    blob = vault.seal_fields(
        key, {"name": SECRETS[0], "email": SECRETS[1], "dob": SECRETS[2], "postal": SECRETS[3]}, context="p:1"
    )
    user.refresh_from_db()
    connection.close()  # flush WAL pages to the file a thief would copy
    dump = raw_database_bytes()
    assert b"dump.test" in dump  # the dump is real: the (non-personal) username is there
    for secret in SECRETS:
        assert secret.encode() not in dump, secret
        assert secret.encode("utf-16-le") not in dump
    wrapped_before = bytes(key.wrapped)
    assert wrapped_before in dump or wrapped_before.hex().encode() in dump

    with transaction.atomic():
        vault.datakey_shred(key)
    connection.close()
    dump = raw_database_bytes()
    assert wrapped_before not in dump and wrapped_before.hex().encode() not in dump
    key.refresh_from_db()
    with pytest.raises(vault.ShreddedError):
        vault.open_fields(key, blob, context="p:1")
