import io

import pytest
from django.db import connection, transaction

from sanspeur.core import vault
from sanspeur.core.keys import key_provider
from sanspeur.core.models import DataKey

pytestmark = pytest.mark.django_db


def test_sealed_fields_round_trip_and_ciphertext_hides_values():
    key = vault.datakey_create(purpose="test")
    blob = vault.seal_fields(key, {"name": "Amélie Nothomb-Test"}, context="rec:1")
    assert b"Am\xc3\xa9lie" not in blob and b"Nothomb" not in blob
    assert vault.open_fields(key, blob, context="rec:1") == {"name": "Amélie Nothomb-Test"}


def test_blob_moved_to_another_record_does_not_open():
    key = vault.datakey_create(purpose="test")
    blob = vault.seal_fields(key, {"name": "X"}, context="rec:1")
    with pytest.raises(vault.VaultError):
        vault.open_fields(key, blob, context="rec:2")


def test_blob_sealed_with_another_records_key_does_not_open():
    first, second = vault.datakey_create(purpose="test"), vault.datakey_create(purpose="test")
    blob = vault.seal_fields(first, {"name": "X"}, context="rec:1")
    with pytest.raises(vault.VaultError):
        vault.open_fields(second, blob, context="rec:1")


def test_tampered_blob_is_refused():
    key = vault.datakey_create(purpose="test")
    blob = bytearray(vault.seal_fields(key, {"name": "X"}, context="rec:1"))
    blob[-1] ^= 1
    with pytest.raises(vault.VaultError):
        vault.open_fields(key, bytes(blob), context="rec:1")


def test_shredded_key_cannot_be_unwrapped_even_with_the_master_key():
    key = vault.datakey_create(purpose="test")
    blob = vault.seal_fields(key, {"name": "Shred Me"}, context="rec:1")
    with transaction.atomic():
        vault.datakey_shred(key)
    reloaded = DataKey.objects.get(pk=key.pk)
    assert reloaded.wrapped is None and reloaded.shredded_on is not None
    with pytest.raises(vault.ShreddedError):
        vault.open_fields(reloaded, blob, context="rec:1")
    # Nothing left to try the master keys on: the wrapped key bytes are gone from the row.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT wrapped FROM core_datakey WHERE id = %s", [key.pk.hex if connection.vendor == "sqlite" else key.pk]
        )
        assert cursor.fetchone()[0] is None


def test_master_key_rotation_rewraps_the_bucket_keys_without_touching_sealed_data(settings, tmp_path):
    from django.core.management import call_command

    key = vault.datakey_create(purpose="test")
    blob = vault.seal_fields(key, {"name": "Rotated"}, context="rec:1")
    provider = key_provider()
    old_master = provider.current_key_id()
    assert old_master in provider.bucket_master_keys()
    call_command("rotate_master_key", "--retire-old", stdout=io.StringIO())
    assert provider.bucket_master_keys() == {provider.current_key_id()} != {old_master}
    assert old_master not in provider.key_ids()
    reloaded = DataKey.objects.get(pk=key.pk)
    assert bytes(reloaded.wrapped) == bytes(key.wrapped)  # the data key's row is not touched
    key_provider.cache_clear()  # a new process: reads the re-wrapped bucket key from its file
    assert vault.open_fields(reloaded, blob, context="rec:1") == {"name": "Rotated"}


def test_a_data_key_of_before_the_buckets_moves_into_one_at_the_next_rotation():
    """Keys wrapped by a master key (issue 14's migration keeps them) are moved into a bucket."""
    from django.core.management import call_command

    from sanspeur.core.vault import _key_context

    provider = key_provider()
    legacy = DataKey(purpose="test")
    raw = b"k" * 32
    legacy.master_key_id, legacy.wrapped = provider.wrap(raw, context=_key_context(legacy.id))
    legacy.save(force_insert=True)
    blob = vault.seal_fields(legacy, {"name": "Old"}, context="rec:1")
    call_command("rotate_master_key", "--retire-old", stdout=io.StringIO())
    moved = DataKey.objects.get(pk=legacy.pk)
    assert moved.bucket.startswith("test/") and moved.master_key_id == ""
    assert vault.open_fields(moved, blob, context="rec:1") == {"name": "Old"}


def test_blind_index_is_stable_normalised_and_keyed():
    a = vault.blind_index("holder", "Élise  Tremblay-Côté", "1990-01-02")
    b = vault.blind_index("holder", "elise tremblay cote", "1990-01-02")
    c = vault.blind_index("other-purpose", "elise tremblay cote", "1990-01-02")
    assert a == b
    assert a != c
    assert "elise" not in a


@pytest.mark.django_db(transaction=True)
def test_vault_compact_runs_on_this_database():
    from django.core.management import call_command

    out = io.StringIO()
    call_command("vault_compact", stdout=out)
    assert "vacuumed" in out.getvalue() or "checkpointed" in out.getvalue()


def test_a_batch_of_data_keys_opens_like_single_ones_and_creates_missing_buckets_once(settings):
    """The batch API (bulk loads): each key in its own random bucket, wrapped by that bucket's key."""
    from sanspeur.core.models import KeyBucket

    settings.SANSPEUR_VAULT_BUCKETS = 8
    keys = vault.datakeys_create_many(purpose="test.batch", count=40, batch_size=7)
    assert len({key.pk for key in keys}) == 40
    assert KeyBucket.objects.filter(name__startswith="test.batch/").count() <= 8
    for key in keys[:10]:
        stored = type(key).objects.get(pk=key.pk)
        blob = vault.seal_fields(stored, {"name": "Zéphyrine"}, context="t")
        assert vault.open_fields(stored, blob, context="t") == {"name": "Zéphyrine"}
    assert vault.datakeys_create_many(purpose="test.batch", count=0) == []
