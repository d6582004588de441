"""What a copy of the database says about staff sign-in (issue 14): the authenticator's secret is
sealed in the vault under the person's data key, a browser's device cookie is kept only as a keyed
hash, and no sign-in time, address or browser description is stored."""

import base64

import pytest
from django.core import signing
from django.db import connection
from django.test import Client

from sanspeur.accounts import lockout, services
from sanspeur.accounts.models import SealedTOTPDevice, SignInThrottle, User
from tests.conftest import STAFF_PASSWORD, totp_now
from tests.core.test_raw_dump import raw_database_bytes

WRONG = "wrong password!!"


def secret_spellings(secret: bytes) -> list[bytes]:
    b32 = base64.b32encode(secret)
    return [secret, secret.hex().encode(), secret.hex().upper().encode(), b32, b32.rstrip(b"="), b32.lower()]


def sign_in(client, user):
    assert client.post("/fr/staff/login/", {"username": user.username, "password": STAFF_PASSWORD}).status_code == 302
    response = client.post("/fr/staff/mfa/", {"token": totp_now(user.totp_device)})
    assert response.status_code == 302 and "/staff/mfa/" not in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_authenticator_secret(make_staff, organisation):
    confirmed = make_staff("agent.dump", ["enrollment_agent"], organisation)
    newcomer = make_staff("agent.new", ["enrollment_agent"], organisation, mfa=False)
    started = services.totp_device_start(acting_user=newcomer, user=newcomer)  # enrolment under way
    sign_in(Client(), confirmed)  # a verified code updates the device row
    secrets = [bytes(confirmed.totp_device.bin_key), bytes(started.bin_key)]
    assert all(len(secret) == 20 for secret in secrets)
    connection.close()  # flush the SQLite WAL into the files a thief would copy
    dump = raw_database_bytes()
    assert b"agent.dump" in dump  # the dump is real
    for secret in secrets:
        for spelling in secret_spellings(secret):
            assert spelling not in dump, spelling


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_device_cookie(make_staff, organisation):
    user = make_staff("agent.cookie", ["enrollment_agent"], organisation)
    browser = Client()
    sign_in(browser, user)
    browser.post("/fr/staff/logout/")
    cookie = browser.cookies[lockout.COOKIE].value
    [[_account, device_id]] = signing.loads(cookie, salt="sanspeur.accounts.device-cookie")
    browser.post("/fr/staff/login/", {"username": "agent.cookie", "password": WRONG})  # counted for this browser
    row = SignInThrottle.objects.get(device__gt="")
    assert row.device != device_id and len(row.device) == 64  # a keyed hash of the browser's id
    connection.close()
    dump = raw_database_bytes()
    for value in (cookie, device_id, device_id.upper()):
        assert value.encode() not in dump, value
    # and the browser is still told apart from the others: a lock elsewhere does not reach it
    for _ in range(5):
        Client().post("/fr/staff/login/", {"username": "agent.cookie", "password": WRONG})
    assert browser.post("/fr/staff/login/", {"username": "agent.cookie", "password": STAFF_PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_signing_in_stores_no_time_address_or_browser(make_staff, organisation):
    from django.core.exceptions import FieldDoesNotExist

    user = make_staff("agent.meta", ["enrollment_agent"], organisation)
    with pytest.raises(FieldDoesNotExist):
        User._meta.get_field("last_login")
    device_fields = {field.name for field in SealedTOTPDevice._meta.get_fields()}
    assert not device_fields & {"created_at", "last_used_at", "key"}
    sign_in(Client(HTTP_USER_AGENT="Mozilla/5.0 (Test Laptop)", REMOTE_ADDR="203.0.113.9"), user)
    from django.contrib.sessions.models import Session

    for model in (User, SealedTOTPDevice, Session, SignInThrottle):
        for row in model.objects.values():
            text = str(row)
            assert "203.0.113.9" not in text and "Test Laptop" not in text, model


@pytest.mark.django_db
def test_a_sealed_secret_opens_only_on_its_own_device(make_staff, organisation):
    from sanspeur.core import vault

    one = make_staff("agent.one", ["enrollment_agent"], organisation)
    two = make_staff("agent.two", ["enrollment_agent"], organisation)
    SealedTOTPDevice.objects.filter(pk=two.totp_device.pk).update(sealed_key=one.totp_device.sealed_key)
    moved = SealedTOTPDevice.objects.get(pk=two.totp_device.pk)
    with pytest.raises(vault.VaultError):
        moved.bin_key  # noqa: B018 - the property opens the sealed secret


@pytest.mark.django_db
def test_an_authenticator_of_an_account_without_data_key_gets_one(organisation):
    user = User(username="made.on.server")  # as ``createsuperuser`` makes one: no sealed profile
    user.set_password(STAFF_PASSWORD)
    user.save()
    device = SealedTOTPDevice.objects.create(user=user, name="x", confirmed=False)
    user.refresh_from_db()
    assert user.data_key_id is not None
    assert len(SealedTOTPDevice.objects.get(pk=device.pk).bin_key) == 20


# --- The migration: existing authenticators and throttles keep working, sealed and hashed ----------
@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_authenticators_and_hashes_device_ids(make_staff, organisation):
    from django.db.migrations.executor import MigrationExecutor

    user = make_staff("agent.old", ["enrollment_agent"], organisation, mfa=False)
    before = [("accounts", "0004_staff_lifecycle_and_lockout")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    key = bytes(range(1, 21))
    try:
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps
        OldDevice = old.get_model("otp_totp", "TOTPDevice")
        OldDevice.objects.create(user_id=user.pk, name="phone", confirmed=True, key=key.hex(), drift=1, last_t=7)
        old.get_model("accounts", "SignInThrottle").objects.create(
            account="a" * 64, device="0123456789abcdef0123456789abcdef", failures=2
        )
        MigrationExecutor(connection).migrate(leaves)
    finally:
        MigrationExecutor(connection).migrate(leaves)
    device = SealedTOTPDevice.objects.get(user=user)
    assert (device.name, device.confirmed, device.drift, device.last_t) == ("phone", True, 1, 7)
    assert bytes(device.bin_key) == key
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0
    throttle = SignInThrottle.objects.get(account="a" * 64)
    assert throttle.device == lockout.device_key("0123456789abcdef0123456789abcdef")
