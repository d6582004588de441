"""Sign-in lockout with device cookies (OWASP): someone guessing passwords locks out only the
browsers that never signed in to the account; its owner's browser keeps working. No address."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from sanspeur.accounts.models import SealedTOTPDevice as TOTPDevice
from sanspeur.core.models import AuditEntry
from tests.conftest import STAFF_PASSWORD, totp_now

pytestmark = pytest.mark.django_db

WRONG = "wrong password!!"
LIMIT = 5


def password_step(client, username, password=STAFF_PASSWORD):
    return client.post("/fr/staff/login/", {"username": username, "password": password})


def full_sign_in(client, user) -> None:
    TOTPDevice.objects.filter(pk=user.totp_device.pk).update(last_t=-1)  # the same code may be typed again
    response = password_step(client, user.username)
    assert response.status_code == 302 and "/staff/mfa/" in response["Location"]
    response = client.post("/fr/staff/mfa/", {"token": totp_now(user.totp_device)})
    assert response.status_code == 302 and "/staff/mfa/" not in response["Location"]


def trusted_browser(user) -> Client:
    """A browser its owner signed in with (password and code), then signed out of."""
    browser = Client()
    full_sign_in(browser, user)
    browser.post("/fr/staff/logout/")
    return browser


def guess(client, username, times=LIMIT):
    for _ in range(times):
        password_step(client, username, WRONG)


@pytest.fixture
def agent(make_staff, organisation):
    return make_staff("agent.lock", ["enrollment_agent"], organisation)


def test_guessing_locks_unknown_browsers_but_not_the_owners(agent):
    owner = trusted_browser(agent)
    attacker = Client()
    guess(attacker, "agent.lock")
    assert password_step(attacker, "agent.lock").status_code == 429  # even the right password
    assert password_step(Client(), "agent.lock").status_code == 429  # any browser without the cookie
    response = password_step(owner, "agent.lock")
    assert response.status_code == 302 and "/staff/mfa/" in response["Location"]


def test_the_device_cookie_is_issued_after_the_second_factor_only(agent):
    browser = Client()
    password_step(browser, "agent.lock")
    assert not any(name.startswith("sp_device") for name in browser.cookies)
    browser.post("/fr/staff/mfa/", {"token": totp_now(agent.totp_device)})
    cookie = next(morsel for name, morsel in browser.cookies.items() if name.startswith("sp_device"))
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert "agent.lock" not in cookie.value  # it names the account by a keyed hash, not in clear


def test_a_cookie_for_another_account_or_a_forged_one_is_not_trusted(agent, make_staff, organisation):
    other = make_staff("agent.other", ["enrollment_agent"], organisation)
    browser = trusted_browser(other)  # trusted for agent.other only
    forged = trusted_browser(agent)
    guess(Client(), "agent.lock")
    assert password_step(browser, "agent.lock").status_code == 429
    for name in list(forged.cookies):
        if name.startswith("sp_device"):
            forged.cookies[name] = forged.cookies[name].value[:-3] + "AAA"
    assert password_step(forged, "agent.lock").status_code == 429


def test_guessing_from_a_trusted_browser_locks_only_that_browser(agent):
    stolen = trusted_browser(agent)
    owner = trusted_browser(agent)
    guess(stolen, "agent.lock")
    assert password_step(stolen, "agent.lock").status_code == 429
    assert password_step(owner, "agent.lock").status_code == 302
    assert password_step(Client(), "agent.lock").status_code == 302


def test_unknown_usernames_lock_like_real_ones(db):
    browser = Client()
    guess(browser, "nobody.here")
    assert password_step(browser, "nobody.here").status_code == 429


def test_case_and_spaces_do_not_open_a_new_counter(agent):
    browser = Client()
    for typed in ("agent.lock", "AGENT.LOCK", " agent.lock", "Agent.Lock", "agent.lock "):
        password_step(browser, typed, WRONG)
    assert password_step(browser, "agent.lock").status_code == 429


def test_the_lock_ends_after_the_cooloff(agent, settings):
    from sanspeur.accounts.models import SignInThrottle

    guess(Client(), "agent.lock")
    assert password_step(Client(), "agent.lock").status_code == 429
    SignInThrottle.objects.update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    assert password_step(Client(), "agent.lock").status_code == 302


def test_failures_below_the_limit_are_forgotten_after_a_success(agent):
    browser = Client()
    guess(browser, "agent.lock", LIMIT - 1)
    assert password_step(browser, "agent.lock").status_code == 302
    browser.post("/fr/staff/logout/")
    guess(browser, "agent.lock", LIMIT - 1)
    assert password_step(browser, "agent.lock").status_code == 302


def test_a_lock_is_audited_without_any_address(agent):
    from sanspeur.accounts.models import SignInThrottle

    guess(Client(REMOTE_ADDR="203.0.113.9"), "agent.lock")
    entry = AuditEntry.objects.get(action="staff.signin_locked", object_id=str(agent.pk))
    assert entry.detail == {"browsers": "untrusted"}
    fields = {field.name for field in SignInThrottle._meta.get_fields()}
    assert not {name for name in fields if "ip" in name.split("_") or "addr" in name}
    for row in SignInThrottle.objects.values():
        assert "203.0.113.9" not in str(row) and "agent.lock" not in str(row)


def test_wrong_current_passwords_on_the_password_page_count_and_end_the_session(agent):
    browser = Client()
    full_sign_in(browser, agent)
    for _ in range(LIMIT - 1):
        response = browser.post(
            "/fr/staff/password/", {"old_password": WRONG, "new_password1": "x" * 14, "new_password2": "x" * 14}
        )
        assert response.status_code == 400
    response = browser.post(
        "/fr/staff/password/", {"old_password": WRONG, "new_password1": "x" * 14, "new_password2": "x" * 14}
    )
    assert response.status_code == 429
    assert browser.get("/fr/staff/").status_code == 302  # signed out
    assert password_step(browser, "agent.lock").status_code == 429  # this browser, for this account
    assert password_step(Client(), "agent.lock").status_code == 302  # the others are not locked
