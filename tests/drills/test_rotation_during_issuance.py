"""Drill: the card signing key is rotated several times while a service desk keeps issuing cards.

One process issues (enrollments, replacements, renewals, revocations...) without pause; another
runs the ``cards_keys rotate card`` command again and again, sometimes back to back. Afterwards
every card, old and new, must verify against the current trust list: a retired key stays listed
until the last card it signed expires (docs/cards.md, "Keys and publication").

The drill found two races, both fixed (a test below fails if either comes back):

1. *Trust ended before the card did.* ``card_issue`` reads the active key, signs, then commits;
   the rotation computed the old key's ``trusted_until`` from the cards already committed, so a
   card signed and committed a moment later was not counted (refused as ``unknown_issuer`` when
   the key had no committed card yet). A retired card key now stays trusted at least as long as
   a card issued at the rotation would be valid (``keys.rotation_trusted_until``).
2. *No active key for a moment.* ``KeyStore.rotate`` retired the old key before writing the new
   one; an issuance in between failed, and so did a revocation whose after-commit status-list
   rebuild landed there. The new key is now written first (the newest active key signs).
"""

import json
import subprocess
import time

import psycopg
import pytest

pytestmark = pytest.mark.postgres_only

ROTATIONS = 8


def _finish(child) -> dict:
    stdout, _ = child.communicate(timeout=60)
    assert child.returncode == 0, child.stderr_path.read_text()[-3000:]
    return json.loads(stdout.strip().splitlines()[-1])


def test_rotating_the_card_key_while_issuing_keeps_every_card_verifying(drill):
    started = time.monotonic()
    database = drill.prepared_database()
    printed = drill.directory / "printed-cards.txt"
    stop = drill.directory / "stop"
    issuer = drill.spawn("issue", "--keep-going", "--printed", str(printed), "--stop-file", str(stop),
                         database=database)  # fmt: skip
    rotator = drill.spawn("rotate", "--count", str(ROTATIONS), "--start-after", "1.0", "--max-gap", "0.3",
                          database=database)  # fmt: skip
    rotated = _finish(rotator)
    time.sleep(0.5)  # a few more cards with the last key
    stop.touch()
    issued = _finish(issuer)

    drill.sanspeur("cards_publish", database=database)
    report = drill.worker("check", "--root", str(drill.trust_root()), "--printed", str(printed), database=database)
    print(
        f"rotation drill: {rotated['rotations']} rotations, {report['cards']} cards signed with"
        f" {report['card_keys']['keys_with_cards']} of {report['card_keys']['card_keys']} card keys, outcomes"
        f" {issued['outcomes']}, verified {report['verified']}, printed {report['printed']},"
        f" {time.monotonic() - started:.1f} s"
    )
    errors = {name: count for name, count in issued["outcomes"].items() if name.startswith("error")}
    assert errors == {}  # race 2: never a moment without a signing key
    assert report["problems"] == [], "\n".join(report["problems"][:30])
    assert report["rotation_race"] == []  # race 1: no card outlives its key's trust
    assert report["card_keys"]["card_keys"] == ROTATIONS + 1, report["card_keys"]
    assert report["card_keys"]["keys_with_cards"] >= ROTATIONS // 2, report["card_keys"]


def test_a_card_signed_while_its_key_is_rotated_still_verifies(drill):
    """The first card is held between its signature and its commit while an operator rotates the key."""
    database = drill.prepared_database()
    printed = drill.directory / "printed-cards.txt"
    with psycopg.connect(drill.url(database)) as blocker, psycopg.connect(drill.url(database), autocommit=True) as spy:
        # The card row cannot be inserted while this lock is held; reading the cards is still possible.
        blocker.execute("LOCK TABLE cards_card IN SHARE MODE")
        issuer = drill.spawn("issue", "--count", "1", "--printed", str(printed), database=database)
        deadline = time.monotonic() + 20
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"
        while spy.execute(waiting, (database,)).fetchone()[0] == 0:
            assert time.monotonic() < deadline and issuer.poll() is None, "the issuer never reached the card insert"
            time.sleep(0.05)
        rotation = drill.start([*drill.sanspeur_command(), "cards_keys", "rotate", "card"], database)
        try:
            rotation.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass  # a rotation that waits for the card in flight is a correct fix: let the card go on
        blocker.rollback()
    assert rotation.wait(timeout=60) == 0, rotation.stderr_path.read_text()[-3000:]
    assert "enroll" in _finish(issuer)["outcomes"]

    drill.sanspeur("cards_publish", database=database)
    report = drill.worker("check", "--root", str(drill.trust_root()), "--printed", str(printed), database=database)
    assert report["cards"] == 1
    assert report["problems"] == [], report["problems"]
    assert report["rotation_race"] == [], report["rotation_race"]  # race 1
