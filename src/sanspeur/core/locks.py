"""Row locks taken one way: inside a transaction, in a fixed order, with a time limit.

Two transactions that lock the same rows in different orders deadlock; one that waits forever
for a lock holds a worker forever. ``lock_rows`` sorts by primary key, refuses to run outside a
transaction (a lock outside one is released at once and protects nothing), and on PostgreSQL
gives up after ``timeout`` seconds with ``LockTimeout``. SQLite has no row locks: its IMMEDIATE
transactions (settings/base.py) already take the database's write lock when they begin, with the
connection's busy timeout.
"""

from __future__ import annotations

from django.db import DatabaseError, connections, router
from django.db.models import Model, QuerySet


class LockTimeout(Exception):
    """The rows stayed locked by another transaction longer than allowed."""


def lock_rows(queryset: QuerySet, *, timeout: float = 10.0) -> list[Model]:
    """``select_for_update`` the rows of ``queryset`` in primary-key order and return them."""
    alias = router.db_for_write(queryset.model)
    connection = connections[alias]
    if not connection.in_atomic_block:
        raise RuntimeError("lock_rows() runs inside a transaction (an action), or it locks nothing")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # SET LOCAL: the limit ends with this transaction; an integer of milliseconds.
            cursor.execute(f"SET LOCAL lock_timeout = {max(1, int(timeout * 1000))}")
    try:
        return list(queryset.select_for_update().order_by("pk"))
    except DatabaseError as error:
        if connection.vendor == "postgresql" and getattr(getattr(error, "__cause__", None), "sqlstate", "") == "55P03":
            raise LockTimeout(str(queryset.model._meta.label)) from error
        raise
