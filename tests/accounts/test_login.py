import pytest
from django.test import Client

from sanspeur.accounts.models import SealedTOTPDevice as TOTPDevice
from tests.conftest import STAFF_PASSWORD, totp_now

pytestmark = pytest.mark.django_db


def sign_in_password(client, username, password=STAFF_PASSWORD):
    return client.post("/fr/staff/login/", {"username": username, "password": password})


def test_password_then_code_opens_the_dashboard(client, make_staff, organisation):
    user = make_staff("agent.a", ["enrollment_agent"], organisation)
    response = sign_in_password(client, "agent.a")
    assert response.status_code == 302 and response["Location"].startswith("/fr/staff/mfa/")
    # With only the password, the dashboard sends back to the second step.
    assert client.get("/fr/staff/").status_code == 302
    response = client.post("/fr/staff/mfa/", {"token": totp_now(user.totp_device)})
    assert response.status_code == 302
    page = client.get("/fr/staff/")
    assert page.status_code == 200
    assert "Test Person" in page.content.decode()


def test_wrong_password_is_a_translated_error_and_opens_nothing(client, make_staff):
    make_staff("agent.b", ["enrollment_agent"])
    response = sign_in_password(client, "agent.b", "wrong password!!")
    assert response.status_code == 200
    assert "Nom d’utilisateur ou mot de passe incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account(client, make_staff):
    make_staff("agent.c", ["enrollment_agent"])
    for _ in range(5):
        sign_in_password(client, "agent.c", "wrong password!!")
    response = sign_in_password(client, "agent.c")  # even the right password is refused now
    assert response.status_code == 429
    assert "verrouillé" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_code_is_refused_with_a_clear_message(client, make_staff):
    make_staff("agent.d", ["enrollment_agent"])
    sign_in_password(client, "agent.d")
    for bad in ("000000", "12345", "abcdef", "9" * 40):
        response = client.post("/fr/staff/mfa/", {"token": bad})
        assert response.status_code == 400
        assert "errorlist" in response.content.decode()
    assert client.get("/fr/staff/").status_code == 302


def test_first_sign_in_enrols_an_authenticator(client, make_staff):
    user = make_staff("agent.e", ["enrollment_agent"], mfa=False)
    sign_in_password(client, "agent.e")
    page = client.get("/fr/staff/mfa/")
    html = page.content.decode()
    assert "Configurer votre application" in html and 'class="secret"' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/fr/staff/mfa/", {"token": totp_now(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/fr/staff/").status_code == 200


def test_forged_csrf_is_refused_with_a_translated_page(make_staff):
    make_staff("agent.f", ["enrollment_agent"])
    client = Client(enforce_csrf_checks=True)
    response = client.post("/fr/staff/login/", {"username": "agent.f", "password": STAFF_PASSWORD})
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_overlong_fields_are_refused_cleanly(client, make_staff):
    response = client.post("/fr/staff/login/", {"username": "x" * 5000, "password": "y" * 5000})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_open_redirect_is_ignored(client, make_staff):
    user = make_staff("agent.g", ["enrollment_agent"])
    client.post(
        "/fr/staff/login/?next=https://evil.example/",
        {"username": "agent.g", "password": STAFF_PASSWORD, "next": "https://evil.example/"},
    )
    response = client.post(
        "/fr/staff/mfa/?next=https://evil.example/",
        {"token": totp_now(user.totp_device), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/fr/staff/"


@pytest.mark.parametrize("target", ["١٢٣", "accounts:dashboard", "javascript:alert(1)", "//evil.example/", "\\\\evil"])
def test_a_next_that_is_not_a_path_of_this_site_is_ignored(client, make_staff, target):
    user = make_staff("agent.h", ["enrollment_agent"])
    sign_in_password(client, "agent.h")
    response = client.post(f"/fr/staff/mfa/?next={target}", {"token": totp_now(user.totp_device), "next": target})
    assert response.status_code == 302 and response["Location"] == "/fr/staff/"
    assert client.get("/fr/staff/mfa/", {"next": target})["Location"] == "/fr/staff/"
