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
                    services.booking_create(session_id=session.pk, allow_waitlist=False)
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
