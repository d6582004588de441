"""Race-free booking: many parallel connections booking the same slot never overbook it.

Runs on both databases. On PostgreSQL each worker thread has its own connection and the session
row is locked with SELECT ... FOR UPDATE; on SQLite the first statement of each booking transaction
takes the database write lock. The server here allows 100 connections shared with other test
runs, so 40 threads (40 connections) make 200 attempts, 5 each, all released at once by a barrier.
"""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from sanspeur.clinics import services
from sanspeur.clinics.models import Booking

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 40
ATTEMPTS = 200
PLACES = 50


def test_200_parallel_attempts_for_50_places_make_exactly_50_bookings(make_clinic):
    _event, _service, session = make_clinic(capacity=PLACES)
    barrier = threading.Barrier(THREADS)
    outcomes: Counter = Counter()
    lock = threading.Lock()
    vendors = set()

    def worker():
        try:
            vendors.add(connection.vendor)
            connection.ensure_connection()
            barrier.wait()
            for _ in range(ATTEMPTS // THREADS):
                try:
                    services.booking_create(acting_user=None, session_id=session.pk, allow_waitlist=False)
                    result = "booked"
                except services.BookingError:
                    result = "full"
                except Exception as error:  # noqa: BLE001 - counted and asserted below
                    result = f"error:{type(error).__name__}:{error}"
                with lock:
                    outcomes[result] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(outcomes.values()) == ATTEMPTS, outcomes
    assert outcomes["booked"] == PLACES, outcomes
    assert outcomes["full"] == ATTEMPTS - PLACES, outcomes
    assert Booking.objects.filter(session=session, status="confirmed").count() == PLACES
    assert len(set(Booking.objects.values_list("code_hash", flat=True))) == PLACES
    assert vendors == {connection.vendor}


def test_parallel_moves_in_opposite_directions_never_deadlock_nor_overbook(make_clinic):
    """10 people move A→B while 10 move B→A (opposite lock orders if locks were taken naively),
    and 6 race for the 3 places of C: every move completes or is refused cleanly."""
    _e1, _s1, slot_a = make_clinic(capacity=20, title="A")
    _e2, _s2, slot_b = make_clinic(capacity=20, days=3, title="B")
    _e3, _s3, slot_c = make_clinic(capacity=3, days=4, title="C")
    _e4, _s4, slot_d = make_clinic(capacity=6, days=5, title="D")
    plans = (
        [(services.booking_create(acting_user=None, session_id=slot_a.pk)[1], slot_b.pk) for _ in range(10)]
        + [(services.booking_create(acting_user=None, session_id=slot_b.pk)[1], slot_a.pk) for _ in range(10)]
        + [(services.booking_create(acting_user=None, session_id=slot_d.pk)[1], slot_c.pk) for _ in range(6)]
    )
    barrier = threading.Barrier(len(plans))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def worker(code, target):
        try:
            connection.ensure_connection()
            barrier.wait()
            try:
                services.booking_move(acting_user=None, code=code, session_id=target)
                result = f"moved:{target}"
            except services.BookingError:
                result = f"full:{target}"
            except Exception as error:  # noqa: BLE001 - counted and asserted below
                result = f"error:{type(error).__name__}:{error}"
            with lock:
                outcomes[result] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=plan) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert outcomes == Counter(
        {f"moved:{slot_b.pk}": 10, f"moved:{slot_a.pk}": 10, f"moved:{slot_c.pk}": 3, f"full:{slot_c.pk}": 3}
    ), outcomes
    confirmed = Counter(Booking.objects.filter(status="confirmed").values_list("session_id", flat=True))
    assert confirmed == Counter({slot_a.pk: 10, slot_b.pk: 10, slot_c.pk: 3, slot_d.pk: 3})
