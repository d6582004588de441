"""Drill: ``kill -9`` of a process issuing cards, many times, at random moments.

A service desk's worker can die at any instant (OOM killer, power cut, a deploy). Whatever moment
the kill lands on, the database must hold whole cards only: no holder without a card, no card
without its sealed code or status index, no data key that nobody owns, no index allocated twice;
and after ``sanspeur cards_publish`` every card verifies offline with the status it has.
"""

import os
import queue
import random
import signal
import threading
import time
from collections import Counter

import pytest

pytestmark = pytest.mark.postgres_only

KILLS = 20
READY_TIMEOUT = 20.0


def _reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _wait_ready(child, lines: queue.Queue) -> list[str]:
    seen = []
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        if line is None:
            child.wait()
            raise AssertionError(f"worker died before it was ready:\n{child.stderr_path.read_text()[-3000:]}")
        seen.append(line)
        if line == "ready":
            return seen


def test_kill_9_at_random_moments_leaves_only_whole_cards(drill):
    started = time.monotonic()
    database = drill.prepared_database()
    printed = drill.directory / "printed-cards.txt"
    pending = drill.directory / "pending-enrollment"
    rng = random.Random()  # noqa: S311 - the moments of the kills; the seed is printed on failure
    seed = rng.randrange(10**6)
    rng.seed(seed)
    mid_write = 0
    resubmitted: Counter = Counter()
    for round_number in range(KILLS):
        child = drill.spawn(
            "issue", "--seed", str(seed + round_number), "--printed", str(printed), "--pending", str(pending),
            database=database,
        )  # fmt: skip
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_reader, args=(child.stdout, lines), daemon=True).start()
        resubmitted.update(line.split(": ")[1] for line in _wait_ready(child, lines) if line.startswith("resubmitted"))
        time.sleep(rng.uniform(0.02, 0.6))
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL, child.stderr_path.read_text()[-3000:]
        output = []
        while (line := lines.get(timeout=10)) is not None:
            output.append(line)
        mid_write += bool(output) and output[-1].startswith("begin")

    # The desk carries on after the last crash (and submits the interrupted enrollment again).
    after = drill.worker("issue", "--count", "5", "--seed", "1", "--printed", str(printed), "--pending", str(pending),
                         database=database)  # fmt: skip
    assert not any(name.startswith("error") for name in after["outcomes"]), after

    drill.sanspeur("cards_publish", database=database)
    report = drill.worker("check", "--root", str(drill.trust_root()), "--printed", str(printed), database=database)
    elapsed = time.monotonic() - started
    print(
        f"kill drill: seed {seed}, {KILLS} kills ({mid_write} in the middle of an operation; interrupted"
        f" enrollments submitted again: {dict(resubmitted)}), {report['cards']} cards, {report['holders']}"
        f" holders, {report['forgotten']} forgotten, verified {report['verified']}, printed {report['printed']},"
        f" {elapsed:.1f} s"
    )
    assert report["rotation_race"] == [], report["rotation_race"]
    assert report["problems"] == [], f"seed {seed}: " + "\n".join(report["problems"][:30])
    assert report["cards"] >= KILLS, report  # the drill really issued cards between the kills
    assert mid_write >= KILLS // 2, mid_write  # and most kills landed inside an operation
    assert sum(report["printed"].values()) >= report["cards"] // 2, report
