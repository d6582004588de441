"""Status-list indexes are drawn at random without locking the list (cards/keys.py): a taken index
is refused by the unique index, a list that refuses every draw closes, and desks issuing at the
same time never wait for each other's transaction nor get the same index."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from sanspeur.cards import keys
from sanspeur.cards.models import StatusEntry, StatusList


def test_a_status_list_that_refuses_every_draw_closes_and_the_next_one_opens(db, monkeypatch):
    """Allocation takes no lock on the list: a taken index is refused by the unique index, and a
    list that refuses PROBES draws in a row counts as full."""
    first = keys.open_status_list()
    StatusEntry.objects.create(status_list=first, index=7, keep_until=timezone.now())
    monkeypatch.setattr(keys.secrets, "randbelow", lambda size: 7)  # every draw hits the taken index
    with transaction.atomic():
        entry = keys.allocate_entry(keep_until=timezone.now())
    first.refresh_from_db()
    assert not first.is_open
    assert entry.status_list_id != first.pk and entry.index == 7
    assert StatusList.objects.filter(is_open=True).count() == 1


def test_draws_are_uniform_over_the_free_indexes(db, monkeypatch):
    first = keys.open_status_list()
    for index in (0, 1, 2):
        StatusEntry.objects.create(status_list=first, index=index, keep_until=timezone.now())
    draws = iter([0, 1, 2, 2, 5])
    monkeypatch.setattr(keys.secrets, "randbelow", lambda size: next(draws))
    with transaction.atomic():
        entry = keys.allocate_entry(keep_until=timezone.now())
    assert (entry.status_list_id, entry.index) == (first.pk, 5)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_desks_issuing_at_once_do_not_wait_for_each_other():
    """Two transactions each hold an allocated entry uncommitted: neither blocks the other (the
    list's row is not locked), and their indexes differ."""
    keys.open_status_list()
    first_allocated, release, errors, results = threading.Event(), threading.Event(), [], []

    def desk_one():
        try:
            with transaction.atomic():
                results.append(keys.allocate_entry(keep_until=timezone.now()))
                first_allocated.set()
                release.wait(10)  # holds its transaction open, as an issuance signing a card does
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=desk_one)
    thread.start()
    assert first_allocated.wait(10)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")  # a lock wait would fail here
            second = keys.allocate_entry(keep_until=timezone.now())
    finally:
        release.set()
        thread.join(10)
    assert not errors, errors
    assert (second.status_list_id, second.index) != (results[0].status_list_id, results[0].index)
    assert StatusList.objects.count() == 1
