"""Scheduled jobs run once at a time, whichever host starts them.

Every scheduled command (reminders, retention, purges, publishing, compaction) is a
``JobCommand``. Before it runs, it takes a lock named after the command:

- on PostgreSQL, a session-level advisory lock on a connection of its own, so two app servers
  whose timers fire together never run the same job twice; the lock dies with the connection, so
  a job killed halfway (kill -9, a host that loses power) never leaves it stuck;
- on SQLite (one machine by construction), an ``flock`` on a file beside the database.

A run that finds the lock taken does nothing, says so on stderr and exits 0: the other run is
doing the work. The jobs are also idempotent (each record in its own small transaction), so the
lock is what prevents double work *while* two runs overlap — two reminder e-mails to the same
person, two purges counting the same bookings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, OutputWrapper
from django.db import DatabaseError, connections


class JobBusy(Exception):
    """Another run of the same job holds its lock."""


def _advisory_key(name: str) -> int:
    # A signed 64-bit number derived from the job's name; "sanspeur.job:" keeps it apart from any
    # other advisory lock an operator might take on the same database.
    digest = hashlib.sha256(b"sanspeur.job:" + name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def job_lock(name: str, *, using: str = "default") -> Iterator[None]:
    """Hold the lock of job ``name`` for the block, or raise JobBusy at once."""
    settings_dict = connections[using].settings_dict
    if connections[using].vendor == "postgresql":
        # A connection of its own: the job's work commits and may even close the default
        # connection without letting go of the lock.
        lock_connection = connections.create_connection(using)
        acquired = False
        try:
            with lock_connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [_advisory_key(name)])
                (acquired,) = cursor.fetchone()
            if not acquired:
                raise JobBusy(name)
            yield
        finally:
            if acquired:
                # Let go now, in this session: the server ends a closed session a moment after the
                # client has gone, and a run started at once would find the lock still held.
                try:
                    with lock_connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [_advisory_key(name)])
                except DatabaseError:
                    pass  # a broken session: closing it below ends it, and the lock with it
            lock_connection.close()
        return
    import fcntl

    database = Path(str(settings_dict["NAME"]))
    folder = database.parent if database.name and str(database) != ":memory:" else Path.cwd()
    path = folder / f".{database.name or 'sanspeur'}.job-{name}.lock"
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as busy:
            raise JobBusy(name) from busy
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class JobCommand(BaseCommand):
    """A management command that runs under its job lock (see the module's docstring)."""

    @property
    def job_name(self) -> str:
        return type(self).__module__.rsplit(".", 1)[-1]

    def execute(self, *args, **options):
        try:
            with job_lock(self.job_name):
                return super().execute(*args, **options)
        except JobBusy:
            # execute() is where BaseCommand honours stderr=...; it did not run, so do it here.
            stderr = OutputWrapper(options["stderr"]) if options.get("stderr") else self.stderr
            stderr.write(f"{self.job_name}: another run holds the job lock; this one did nothing.")
            return None
