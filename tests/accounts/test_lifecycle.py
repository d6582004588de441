"""An account's life: temporary password changed at first sign-in, authenticator reset through a
one-time enrolment link, session key renewed at every step of authentication."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from sanspeur.accounts.models import SealedTOTPDevice as TOTPDevice
from sanspeur.accounts.models import User
from sanspeur.core.models import AuditEntry
from tests.conftest import STAFF_PASSWORD, totp_now

pytestmark = pytest.mark.django_db

TEMPORARY = "mot de passe temporaire 2026"
CHOSEN = "ma phrase secrète bien à moi 77"
LINK = re.compile(r"/fr/staff/enrol/([A-Za-z0-9_-]{20,})/")


def sign_in_password(client, username, password):
    return client.post("/fr/staff/login/", {"username": username, "password": password})


def session_key(client) -> str:
    return client.cookies["sessionid"].value


def enrol_now(client, user) -> None:
    """The MFA page in enrolment mode: confirm the draft authenticator it made."""
    page = client.get("/fr/staff/mfa/")
    assert page.status_code == 200 and 'class="secret"' in page.content.decode(), page.content.decode()[:500]
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/fr/staff/mfa/", {"token": totp_now(device)})
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.fixture
def city_admin(make_staff, city_organisation):
    return make_staff("admin.city", ["administrator"], city_organisation)


@pytest.fixture
def created(mfa_client, city_admin, organisation):
    """An account an administrator made, with a temporary password the administrator knows."""
    response = mfa_client(city_admin).post(
        "/fr/staff/accounts/new/",
        {
            "username": "agent.temp",
            "full_name": "Tania Temporaire",
            "email": "tania@example.org",
            "organisation": str(organisation.pk),
            "roles": ["enrollment_agent"],
            "password": TEMPORARY,
        },
    )
    assert response.status_code == 302
    return User.objects.get(username="agent.temp")


# --- Temporary password ---------------------------------------------------------------------------
def test_temporary_password_is_changed_at_first_sign_in_after_the_second_factor(client, created):
    assert created.must_change_password
    sign_in_password(client, "agent.temp", TEMPORARY)
    # A password alone opens nothing, not even the password change: the second factor comes first.
    response = client.get("/fr/staff/password/")
    assert response.status_code == 302 and "/staff/mfa/" in response["Location"]
    enrol_now(client, created)
    for url in ("/fr/staff/", "/fr/cards/holders/", "/fr/cards/enroll/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/fr/staff/password/"), url
    page = client.get("/fr/staff/password/")
    assert page.status_code == 200
    wrong = client.post(
        "/fr/staff/password/", {"old_password": "pas le bon", "new_password1": CHOSEN, "new_password2": CHOSEN}
    )
    assert wrong.status_code == 400
    same = client.post(
        "/fr/staff/password/", {"old_password": TEMPORARY, "new_password1": TEMPORARY, "new_password2": TEMPORARY}
    )
    assert same.status_code == 400
    done = client.post(
        "/fr/staff/password/", {"old_password": TEMPORARY, "new_password1": CHOSEN, "new_password2": CHOSEN}
    )
    assert done.status_code == 302
    created.refresh_from_db()
    assert not created.must_change_password and created.check_password(CHOSEN)
    assert client.get("/fr/staff/").status_code == 200
    assert AuditEntry.objects.filter(action="staff.password_change", object_id=str(created.pk)).exists()


def test_an_account_made_on_the_server_also_changes_its_password(monkeypatch, organisation):
    from django.core.management import call_command

    monkeypatch.setattr("getpass.getpass", lambda prompt="": TEMPORARY)
    call_command("createstaff", "agent.cli", "--organisation", organisation.name, "--role", "enrollment_agent")
    assert User.objects.get(username="agent.cli").must_change_password


def test_bootstrap_administrator_chose_its_own_password(tmp_path):
    from django.core.management import call_command

    password_file = tmp_path / "password"
    password_file.write_text(CHOSEN + "\n", encoding="utf-8")
    args = ["--no-input", "--organisation", "Ville", "--username", "admin.ville", "--full-name", "Aline Admin"]
    call_command("bootstrap", *args, "--password-file", str(password_file), stdout=__import__("io").StringIO())
    admin = User.objects.get(username="admin.ville")
    assert not admin.must_change_password and not admin.needs_enrolment_link


# --- Authenticator reset --------------------------------------------------------------------------
@pytest.fixture
def enrolled(make_staff, organisation):
    """An agent who chose their password (the administrator does not know it) and enrolled a phone."""
    return make_staff("agent.enrolled", ["enrollment_agent"], organisation)


def reset(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/fr/staff/accounts/{member.pk}/", {"action": "reset_mfa"})
    assert response.status_code == 200, response.status_code
    match = LINK.search(response.content.decode())
    assert match, response.content.decode()[:3000]
    return match.group(0), match.group(1)


def test_after_a_reset_the_password_alone_enrols_nothing(
    client, mfa_client, city_admin, enrolled, django_capture_on_commit_callbacks
):
    from django.test import Client

    reset(mfa_client(city_admin), enrolled, django_capture_on_commit_callbacks)
    assert not TOTPDevice.objects.filter(user=enrolled).exists()
    other = Client()
    sign_in_password(other, "agent.enrolled", STAFF_PASSWORD)
    page = other.get("/fr/staff/mfa/")
    html = page.content.decode()
    assert page.status_code == 403
    assert 'class="secret"' not in html and "totp-qr" not in html
    assert other.post("/fr/staff/mfa/", {"token": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=enrolled).exists()
    assert other.get("/fr/staff/").status_code == 302


def test_the_enrolment_link_with_the_password_enrols_once(
    client, mfa_client, city_admin, enrolled, django_capture_on_commit_callbacks
):
    from django.test import Client

    from sanspeur.accounts.models import EnrolmentLink

    path, token = reset(mfa_client(city_admin), enrolled, django_capture_on_commit_callbacks)
    link = EnrolmentLink.objects.get(user=enrolled)
    assert token not in (link.token_hash or "") and len(link.token_hash) == 64  # stored hashed
    assert link.expires_at - timezone.now() <= datetime.timedelta(hours=24)
    person = Client()
    opened = person.get(path)
    assert opened.status_code == 302 and "/staff/login/" in opened["Location"]
    sign_in_password(person, "agent.enrolled", STAFF_PASSWORD)
    enrol_now(person, enrolled)
    assert person.get("/fr/staff/").status_code == 200
    link.refresh_from_db()
    assert link.used_at is not None
    assert AuditEntry.objects.filter(action="staff.mfa_enrolled", object_id=str(enrolled.pk)).exists()
    # Single use: the same link does not open a second enrolment.
    TOTPDevice.objects.filter(user=enrolled).delete()
    again = Client()
    assert again.get(path).status_code == 404
    sign_in_password(again, "agent.enrolled", STAFF_PASSWORD)
    assert again.get("/fr/staff/mfa/").status_code == 403


def test_an_expired_link_is_refused(client, mfa_client, city_admin, enrolled, django_capture_on_commit_callbacks):
    from sanspeur.accounts.models import EnrolmentLink

    path, _token = reset(mfa_client(city_admin), enrolled, django_capture_on_commit_callbacks)
    EnrolmentLink.objects.filter(user=enrolled).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(path).status_code == 404
    sign_in_password(client, "agent.enrolled", STAFF_PASSWORD)
    assert client.get("/fr/staff/mfa/").status_code == 403


def test_a_link_opens_enrolment_only_for_its_own_account(
    client, mfa_client, city_admin, enrolled, make_staff, organisation, django_capture_on_commit_callbacks
):
    other = make_staff("agent.other", ["enrollment_agent"], organisation)
    client_admin = mfa_client(city_admin)
    path, _token = reset(client_admin, enrolled, django_capture_on_commit_callbacks)
    reset(client_admin, other, django_capture_on_commit_callbacks)
    from django.test import Client

    intruder = Client()
    intruder.get(path)  # the link of agent.enrolled...
    sign_in_password(intruder, "agent.other", STAFF_PASSWORD)  # ...with the password of agent.other
    assert intruder.get("/fr/staff/mfa/").status_code == 403


def test_a_new_reset_cancels_the_previous_link(
    client, mfa_client, city_admin, enrolled, django_capture_on_commit_callbacks
):
    admin = mfa_client(city_admin)
    first, _ = reset(admin, enrolled, django_capture_on_commit_callbacks)
    second, _ = reset(admin, enrolled, django_capture_on_commit_callbacks)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 302


def test_the_reset_is_audited_and_tells_the_person(
    mfa_client, city_admin, enrolled, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    _path, token = reset(mfa_client(city_admin), enrolled, django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [["agent.enrolled@example.org"]]
    message = mail.outbox[0]
    assert "agent.enrolled" in message.body and token not in message.body and token not in message.subject
    actions = set(AuditEntry.objects.filter(object_id=str(enrolled.pk)).values_list("action", flat=True))
    assert {"staff.mfa_reset"} <= actions
    entry = AuditEntry.objects.get(action="staff.mfa_reset", object_id=str(enrolled.pk))
    assert entry.actor == city_admin and token not in str(entry.detail)


def test_nobody_resets_their_own_authenticator(mfa_client, city_admin):
    response = mfa_client(city_admin).post(f"/fr/staff/accounts/{city_admin.pk}/", {"action": "reset_mfa"})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=city_admin).exists()


def test_a_fresh_account_still_enrols_at_first_sign_in_without_a_link(client, make_staff, organisation):
    user = make_staff("agent.fresh", ["enrollment_agent"], organisation, mfa=False)
    sign_in_password(client, "agent.fresh", STAFF_PASSWORD)
    enrol_now(client, user)
    user.refresh_from_db()
    assert user.needs_enrolment_link  # from now on, a new authenticator needs a link
    assert client.get("/fr/staff/").status_code == 200


# --- Session key --------------------------------------------------------------------------------------
def test_the_session_key_changes_at_every_step(client, created):
    client.get("/fr/staff/login/")
    client.cookies["sessionid"] = "x" * 32  # a key planted before sign-in (session fixation)
    sign_in_password(client, "agent.temp", TEMPORARY)
    after_password = session_key(client)
    assert after_password != "x" * 32
    page = client.get("/fr/staff/mfa/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=created, confirmed=False)
    client.post("/fr/staff/mfa/", {"token": totp_now(device)})
    after_code = session_key(client)
    assert after_code != after_password
    client.post("/fr/staff/password/", {"old_password": TEMPORARY, "new_password1": CHOSEN, "new_password2": CHOSEN})
    after_change = session_key(client)
    assert after_change != after_code
    assert client.get("/fr/staff/").status_code == 200


def test_signing_in_again_as_the_same_person_renews_the_key(client, make_staff, organisation):
    user = make_staff("agent.again", ["enrollment_agent"], organisation)
    sign_in_password(client, "agent.again", STAFF_PASSWORD)
    first = session_key(client)
    sign_in_password(client, "agent.again", STAFF_PASSWORD)
    assert session_key(client) != first
    client.post("/fr/staff/mfa/", {"token": totp_now(user.totp_device)})
    assert client.get("/fr/staff/").status_code == 200


def test_the_service_spends_the_link_once_whatever_the_page_checked(mfa_client, city_admin, enrolled):
    """Two tabs racing with one link, or a page that forgot to ask: the service refuses."""
    from sanspeur.accounts import services

    _token, link = services.mfa_reset(acting_user=city_admin, user=enrolled)
    enrolled.refresh_from_db()
    first = services.totp_device_start(acting_user=enrolled, user=enrolled)
    with pytest.raises(services.EnrolmentRefused):
        services.totp_device_confirm(acting_user=enrolled, device=first, link_id=None)
    services.totp_device_confirm(acting_user=enrolled, device=first, link_id=link.pk)
    second = TOTPDevice.objects.create(user=enrolled, name="second", confirmed=False)
    with pytest.raises(services.EnrolmentRefused):
        services.totp_device_confirm(acting_user=enrolled, device=second, link_id=link.pk)
    assert list(TOTPDevice.objects.filter(user=enrolled, confirmed=True)) == [first]
