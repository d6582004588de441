"""Issue 14: the auditor who seizes the database server after a "forget".

The auditor holds everything the database server holds — its table and index files, PostgreSQL's
write-ahead log (or SQLite's file and its ``-wal``), and a backup taken *before* the forget — plus
every key the key provider still holds (master keys and bucket keys) and the ids of the forgotten
records. They look for every copy of the records' wrapped data keys near those ids and try every
key on each; they compute the identity index of a guessed name and birth date under every key and
look for it. After the forget, nothing opens and nothing matches.

The same procedure run *before* the forget opens the backup's keys and finds the index: the test
can fail (and did, on PostgreSQL, before the bucket keys: the old wrapped keys in ``pg_wal`` still
opened with the master key).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection
from django.utils import timezone

from sanspeur.core import vault
from sanspeur.core.keys import _INDEX_LABEL, _WRAP_LABEL, key_provider
from sanspeur.core.models import DataKey
from tests.cards.conftest import PROFILE
from tests.core.test_raw_dump import raw_database_bytes

pytestmark = pytest.mark.django_db(transaction=True)

GUESS = (PROFILE["given_names"], PROFILE["family_names"], PROFILE["date_of_birth"])
WINDOW = 1024  # bytes searched on each side of a record id for its wrapped key
WRAPPED_SIZE = 12 + 32 + 16  # nonce, AES-256 key, tag


@pytest.fixture
def own_keys(settings, tmp_path):
    """The auditor's view of the key provider: only this test's keys (a fresh key folder)."""
    settings.SANSPEUR_KEY_DIR = tmp_path / "keys"
    key_provider.cache_clear()
    yield settings.SANSPEUR_KEY_DIR
    key_provider.cache_clear()


# --- what the auditor holds -------------------------------------------------------------------
def held_keys() -> list[tuple[str, bytes]]:
    """Every key the provider still holds, as (kind, key): master keys, and for every generation
    of every bucket key left in its files, the key that wraps data keys and the one of indexes."""
    provider = key_provider()
    keys = [("master", key) for key in provider._keys.values()]
    for bucket in provider.bucket_names():
        for generation, entry in provider._read_bucket(bucket).items():
            raw = provider._open_entry(bucket, generation, entry)
            keys.append(("wrap", hmac.new(raw, _WRAP_LABEL, hashlib.sha256).digest()))
            keys.append(("index", hmac.new(raw, _INDEX_LABEL, hashlib.sha256).digest()))
    return keys


def opens(wrapped: bytes, data_key_id, keys) -> bool:
    context = vault._key_context(data_key_id)
    for kind, key in keys:
        if kind == "index":
            continue
        try:
            AESGCM(key).decrypt(wrapped[:12], wrapped[12:], context)
        except InvalidTag:
            continue
        return True
    return False


def indexes_computable(keys) -> set[bytes]:
    """The identity index of the guess under every key held, as the hex text stored in a row."""
    value = vault._normalised(GUESS)
    message = b"cards.holder\x00" + value.encode()
    found = {key_provider().blind_index("cards.holder", value).encode()}
    found |= {hmac.new(key, message, hashlib.sha256).hexdigest().encode() for kind, key in keys if kind == "index"}
    return found


def server_files() -> list[Path]:
    """Every file of the database on the server: the table and index files and the WAL."""
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()]
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        data = Path(cursor.fetchone()[0])
        cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
        oid = cursor.fetchone()[0]
    files = [p for p in (data / "base" / str(oid)).iterdir() if p.is_file()]
    files += [p for p in (data / "pg_wal").iterdir() if p.is_file()]
    return files


def read_server() -> bytes:
    try:
        return b"".join(path.read_bytes() for path in server_files())
    except PermissionError as error:  # the test must run where the auditor would: as the files' owner or root
        pytest.fail(f"cannot read the database server's files ({error}): run the tests as root or postgres")


def id_forms(data_key_id) -> list[bytes]:
    """How a record id is written in the files: 16 bytes on PostgreSQL, 32 hex digits on SQLite."""
    return [data_key_id.bytes, data_key_id.hex.encode()]


def candidates_near_ids(blob: bytes, data_key_id) -> set[bytes]:
    """Every 60-byte string within WINDOW bytes of an occurrence of the record's id."""
    found = set()
    for form in id_forms(data_key_id):
        for match in re.finditer(re.escape(form), blob):
            start, end = max(0, match.start() - WINDOW), min(len(blob), match.end() + WINDOW)
            found.update(blob[i : i + WRAPPED_SIZE] for i in range(start, end - WRAPPED_SIZE + 1))
    return found


# --- the backup taken before the forget --------------------------------------------------------
def take_backup(tmp_path: Path) -> Path:
    target = tmp_path / "backup"
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        connection.connection.backup(destination)
        destination.close()
    else:
        target.write_bytes(raw_database_bytes())  # pg_dump, plain format
    return target


def backup_bytes(backup: Path) -> bytes:
    return backup.read_bytes()


def backup_wrapped_keys(backup: Path) -> dict[str, bytes]:
    """The data keys of the backup, by id: read from its core_datakey table."""
    if connection.vendor == "sqlite":
        database = sqlite3.connect(backup)
        rows = database.execute("SELECT id, wrapped FROM core_datakey WHERE wrapped IS NOT NULL").fetchall()
        database.close()
        return {str(_uuid(row[0])): bytes(row[1]) for row in rows}
    text = backup.read_text()
    header = re.search(r"^COPY public\.core_datakey \(([^)]*)\) FROM stdin;\n", text, re.M)
    assert header, "the dump has the data keys' table"
    columns = [c.strip().strip('"') for c in header.group(1).split(",")]
    found = {}
    for line in text[header.end() :].split("\n"):
        if line == "\\.":
            break
        row = dict(zip(columns, line.split("\t"), strict=True))
        if row["wrapped"] != "\\N":
            found[row["id"]] = bytes.fromhex(row["wrapped"].removeprefix("\\\\x"))
    return found


def _uuid(value):
    import uuid

    return uuid.UUID(value)


# --- the records the auditor is after ------------------------------------------------------------
def make_markers(make_staff, organisation, make_clinic_session):
    """A cardholder, a booking with a reminder address and a sealed record of another purpose."""
    from sanspeur.cards.services import holder_enroll
    from sanspeur.clinics.services import booking_create
    from tests.cards.conftest import face_jpeg

    documents = _documents()
    agent = make_staff("audit.agent", ["enrollment_agent"], organisation)
    holder, _card = holder_enroll(
        acting_user=agent,
        organisation=organisation,
        profile=dict(PROFILE),
        photo_jpeg=face_jpeg(1),
        document_types=documents,
    )
    session = make_clinic_session()
    booking, _code = booking_create(acting_user=None, session_id=session.pk, reminder="rappel-xq7@example.org")
    other = vault.datakey_create(purpose="test.other")
    vault.seal_fields(other, {"note": "Ornithorynque-Zanzibar"}, context="other:1")
    return holder, booking, other


def _documents():
    import importlib

    from django.apps import apps

    from sanspeur.cards.models import DocumentType

    importlib.import_module("sanspeur.cards.migrations.0002_default_document_rules").seed(apps, None)
    return list(DocumentType.objects.filter(code__in=["passport", "birth-certificate", "shelter-letter"]))


@pytest.fixture
def make_clinic_session(db):
    from datetime import time

    from sanspeur.clinics import services

    def make():
        now = timezone.now()
        event = services.event_save(
            acting_user=None,
            data={
                "title": "Clinique",
                "date": timezone.localdate() + timedelta(days=1),
                "start_time": time(9, 0),
                "end_time": time(17, 0),
                "address": "1, rue Test",
                "borough": "Verdun",
                "languages": ",fr,",
            },
        )
        service = services.service_create(acting_user=None, event=event, kind="vaccination", max_places_per_code=1)
        starts = now + timedelta(days=1)
        return services.session_create(
            acting_user=None,
            service=service,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            capacity=5,
            released_at=now - timedelta(hours=1),
        )

    return make


def forget(holder, booking, other, admin):
    from sanspeur.cards.services import holder_forget
    from sanspeur.clinics.services import bookings_purge

    holder_forget(acting_user=admin, holder=holder)
    bookings_purge(acting_user=None, now=timezone.now() + timedelta(days=2))
    vault.datakey_shred(other)


def checkpoint():
    """Make the server write what it holds in memory: the auditor copies the files after this."""
    from django.core.management import call_command

    call_command("vault_compact", stdout=io.StringIO())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    connection.close()


def test_after_a_forget_nothing_on_the_database_server_or_in_an_earlier_backup_opens(
    own_keys, make_staff, organisation, make_clinic_session, tmp_path
):
    holder, booking, other = make_markers(make_staff, organisation, make_clinic_session)
    markers = [holder.data_key, DataKey.objects.get(pk=booking.reminder_key_id), other]
    ids = [key.pk for key in markers]
    old_wrapped = {key.pk: bytes(DataKey.objects.get(pk=key.pk).wrapped) for key in markers}
    old_index = holder.duplicate_index.encode()
    backup = take_backup(tmp_path)

    # Before the forget the procedure works: the backup's keys open, the guess's index is found.
    keys = held_keys()
    in_backup = backup_wrapped_keys(backup)
    assert all(opens(in_backup[str(i)], i, keys) for i in ids)
    assert old_index in backup_bytes(backup) and old_index in indexes_computable(keys)

    admin = make_staff("audit.admin", ["administrator", "enrollment_agent"], organisation)
    forget(holder, booking, other, admin)
    checkpoint()

    keys = held_keys()
    server, earlier = read_server(), backup_bytes(backup)
    for data_key_id in ids:
        # The old wrapped key is still there to be found — in the backup at least, and on
        # PostgreSQL in the WAL — and nothing the provider holds opens it.
        assert old_wrapped[data_key_id] in server + earlier or old_wrapped[data_key_id].hex().encode() in earlier
        assert not opens(old_wrapped[data_key_id], data_key_id, keys)
        assert not opens(in_backup[str(data_key_id)], data_key_id, keys)
        # Every 60 bytes near the record's id, in the server's files and in the backup: none opens.
        near = candidates_near_ids(server, data_key_id) | candidates_near_ids(earlier, data_key_id)
        assert near, "the record's id is in the files: the search is real"
        opened = [candidate for candidate in near if opens(candidate, data_key_id, keys)]
        assert opened == [], f"{data_key_id} opens from the files"
    # No index the auditor can compute for the guessed identity is anywhere.
    for value in indexes_computable(keys):
        assert value not in server and value not in earlier, "a blind index confirms the guessed identity"


def in_the_same_bucket(first: DataKey, purpose: str) -> DataKey:
    """A second data key, placed in ``first``'s bucket (buckets are picked at random)."""
    provider = key_provider()
    second = vault.datakey_create(purpose=purpose)
    raw = vault._unwrap(second)
    second.bucket, second.generation = first.bucket, first.generation
    second.wrapped = provider.bucket_wrap(first.bucket, first.generation, raw, context=vault._key_context(second.pk))
    DataKey.objects.filter(pk=second.pk).update(
        bucket=first.bucket, generation=first.generation, wrapped=second.wrapped
    )
    return second


def test_the_bucket_key_of_a_forgotten_record_is_destroyed_and_its_siblings_still_open(own_keys):
    provider = key_provider()
    first = vault.datakey_create(purpose="test.sibling")
    bucket = first.bucket
    sibling = in_the_same_bucket(first, "test.sibling")
    blob = vault.seal_fields(sibling, {"name": "Sibling"}, context="s:1")

    vault.datakey_shred(first)
    assert provider.bucket_generations(bucket) == [first.generation + 1]
    fresh = DataKey.objects.get(pk=sibling.pk)
    assert fresh.generation == first.generation + 1 and bytes(fresh.wrapped) != bytes(sibling.wrapped)
    assert vault.open_fields(fresh, blob, context="s:1") == {"name": "Sibling"}
    # An object read before the rotation still opens (it reads the row again).
    assert vault.open_fields(sibling, blob, context="s:1") == {"name": "Sibling"}


def test_a_stopped_rotation_leaves_the_old_generation_to_the_daily_compaction(own_keys, monkeypatch):
    from django.core.management import call_command

    provider = key_provider()
    key = vault.datakey_create(purpose="test.stopped")
    # The process stops after the commit, before the destruction (its on-commit hook never runs).
    monkeypatch.setattr(provider, "bucket_keys_destroy", lambda bucket, *, below: [])
    vault.datakey_shred(key)
    monkeypatch.undo()
    assert provider.bucket_generations(key.bucket) == [key.generation, key.generation + 1]
    call_command("vault_compact", stdout=io.StringIO())
    assert provider.bucket_generations(key.bucket) == [key.generation + 1]


def test_the_data_keys_table_dates_keys_to_the_day():
    from django.db import models

    for field in DataKey._meta.concrete_fields:
        assert not isinstance(field, models.DateTimeField | models.TimeField), field.name


def test_a_restore_from_backups_forgets_again_what_was_forgotten_after_them(own_keys):
    """docs/deploy.md, "Backups and restore": the database and the key folder are restored from the
    night's backups, the current journal of forgotten keys is kept, ``vault_replay_forgets`` runs."""
    import shutil

    from django.core.management import call_command

    from sanspeur.core.models import KeyBucket

    forgotten = vault.datakey_create(purpose="test.restore")
    kept = in_the_same_bucket(forgotten, "test.restore")
    blobs = {key.pk: vault.seal_fields(key, {"n": str(key.pk)}, context="r") for key in (forgotten, kept)}
    rows = {key.pk: (bytes(key.wrapped), key.generation) for key in (forgotten, kept)}
    generation = KeyBucket.objects.get(name=forgotten.bucket).generation
    buckets = own_keys / "buckets"
    shutil.copytree(buckets, own_keys.parent / "keys-backup")  # the night's backups

    vault.datakey_shred(forgotten)  # the next morning
    journal = (buckets / "forgotten.log").read_text()
    assert str(forgotten.pk) in journal and "test" not in journal  # ids and days only

    # The database is lost: both backups are restored; the current journal is kept.
    for pk, (wrapped, number) in rows.items():
        DataKey.objects.filter(pk=pk).update(wrapped=wrapped, generation=number, shredded_on=None)
    KeyBucket.objects.filter(name=forgotten.bucket).update(generation=generation)
    shutil.rmtree(buckets)
    shutil.copytree(own_keys.parent / "keys-backup", buckets)
    (buckets / "forgotten.log").write_text(journal)
    key_provider.cache_clear()
    restored = DataKey.objects.get(pk=forgotten.pk)
    assert vault.open_fields(restored, blobs[forgotten.pk], context="r")  # forgetting was undone

    call_command("vault_replay_forgets", stdout=io.StringIO())
    with pytest.raises(vault.ShreddedError):
        vault.open_fields(DataKey.objects.get(pk=forgotten.pk), blobs[forgotten.pk], context="r")
    assert not opens(rows[forgotten.pk][0], forgotten.pk, held_keys())
    assert vault.open_fields(DataKey.objects.get(pk=kept.pk), blobs[kept.pk], context="r") == {"n": str(kept.pk)}
    # Nothing left to replay: a second run destroys nothing more.
    out = io.StringIO()
    call_command("vault_replay_forgets", stdout=out)
    assert "0 data keys" in out.getvalue()


def test_when_a_holder_is_forgotten_the_others_of_the_bucket_are_still_found(
    own_keys, settings, make_staff, organisation
):
    from sanspeur.cards.models import Holder
    from sanspeur.cards.services import _same_identity, holder_enroll, holder_forget
    from tests.cards.conftest import face_jpeg

    settings.SANSPEUR_VAULT_BUCKETS = 1  # every holder in the same bucket
    documents = _documents()
    agent = make_staff("bucket.agent", ["enrollment_agent", "administrator"], organisation)
    people = [dict(PROFILE, given_names=name) for name in ("Aïcha", "Bertrand", "Chloé")]
    holders = [
        holder_enroll(acting_user=agent, organisation=organisation, profile=person, photo_jpeg=face_jpeg(1),
                      document_types=documents)[0]
        for person in people
    ]  # fmt: skip
    assert len({holder.data_key.bucket for holder in holders}) == 1
    before = {h.pk: h.duplicate_index for h in Holder.objects.filter(pk__in=[h.pk for h in holders])}

    holder_forget(acting_user=agent, holder=holders[0])
    after = {h.pk: h.duplicate_index for h in Holder.objects.filter(pk__in=[h.pk for h in holders[1:]])}
    for holder, person in zip(holders[1:], people[1:], strict=True):
        assert after[holder.pk] != before[holder.pk]  # indexed again, under the new generation
        found = _same_identity(person["given_names"], person["family_names"], person["date_of_birth"])
        assert list(found.values_list("pk", flat=True)) == [holder.pk]
    assert not _same_identity(people[0]["given_names"], people[0]["family_names"], people[0]["date_of_birth"])
