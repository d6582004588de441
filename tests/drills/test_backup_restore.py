"""Drill: back up with ``pg_dump``, lose the database, restore with the commands of docs/deploy.md.

After the restore, with the key files kept apart from the backup: every card verifies against the
trust list published from the restored database (also with the partners' ``sanspeur-verify``),
every sealed record opens, and the record shredded before the backup stays shredded. The dump
itself holds no personal value and not the shredded data key.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sanspeur.credential import decode_claims_unverified

pytestmark = pytest.mark.postgres_only

PASSPHRASE = "unit passphrase for the drill 2026"


def test_backup_then_restore_into_a_new_database(drill):
    started = time.monotonic()
    source = drill.prepared_database()
    printed = drill.directory / "printed-cards.txt"
    expected = drill.worker("populate", "--printed", str(printed), "--passphrase", PASSPHRASE, database=source)
    (drill.directory / "expected.json").write_text(json.dumps(expected))

    # Nightly backup (docs/deploy.md, "Backups and restore"), then the database is lost.
    dump = drill.directory / "sanspeur.dump"
    drill.run(["pg_dump", "--format=custom", "--file", str(dump), source], database=source)
    drill.drop_database(source)

    # Restore, exactly as the operators' procedure says, into a new database.
    target = drill.new_database_name()
    drill.run(["createdb", target], database=target)
    drill.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", "--dbname", target, str(dump)],
        database=target,
    )
    assert "No migrations to apply" in drill.sanspeur("migrate", "--no-input", database=target).stdout
    assert "no issues" in drill.sanspeur("check", "--deploy", database=target).stdout
    drill.sanspeur("cards_publish", database=target)

    restored = drill.worker("restored", "--expected", str(drill.directory / "expected.json"),
                            "--passphrase", PASSPHRASE, database=target)  # fmt: skip
    assert restored["problems"] == [], restored["problems"]
    assert restored["opened"] == len(expected["sealed"]) and restored["shredded_key_is_null"]

    downloads = drill.directory / "downloads"
    downloads.mkdir()
    root = drill.trust_root()
    report = drill.worker("check", "--root", str(root), "--printed", str(printed), "--save-dir", str(downloads),
                          database=target)  # fmt: skip
    assert report["rotation_race"] == [], report["rotation_race"]
    assert report["problems"] == [], "\n".join(report["problems"])
    assert report["verified"] == {"valid": 3, "revoked": 1, "suspended": 1}, report
    assert report["printed"] == {"current valid": 3, "current revoked": 1, "current suspended": 1,
                                 "forgotten revoked": 1}, report  # fmt: skip

    # A partner's verifier, offline, with the files it downloaded from the restored server.
    codes = {decode_claims_unverified(line).card_number: line for line in printed.read_text().splitlines()}
    verifier = Path(sys.executable).parent / "sanspeur-verify"
    statuses = [arg for path in sorted(downloads.glob("status-*")) for arg in ("--status", str(path))]
    for card, (exit_status, reason) in {"valid": (0, "valid"), "forgotten": (1, "revoked")}.items():
        result = subprocess.run(
            [str(verifier), "--trust", str(downloads / "trust-list"), "--trust-root", str(root), *statuses,
             codes[expected["cards"][card]]],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert (result.returncode, json.loads(result.stdout)["reason"]) == (exit_status, reason), result

    # What a stolen backup holds: no personal value, and not the data key destroyed before it.
    plain = drill.run(["pg_restore", "--file", "-", str(dump)], database=target).stdout
    assert "drill.agent" in plain  # the dump is real: a (non-personal) username is in it
    for secret in ("Agent Exercice", "rappel.exercice@example.org", "Mon patron", "drill1@example.org"):
        assert secret not in plain, secret
    assert expected["shredded"]["wrapped"] not in plain
    elapsed = time.monotonic() - started
    print(f"backup drill: {report['cards']} cards, {restored['opened']} sealed records opened, {elapsed:.1f} s")
