"""`sanspeur bootstrap`: the first organisation and administrator of a new installation, once."""

import base64
import io
import re

import pytest
from django.core.management import CommandError, call_command

from sanspeur.accounts.models import Organisation, User
from sanspeur.accounts.models import SealedTOTPDevice as TOTPDevice
from sanspeur.core.models import AuditEntry, DataKey
from tests.conftest import screenshot, totp_now

PASSWORD = "un mot de passe assez long 2026"
CITY = "Ville de Montréal — Bureau d'intégration"


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Organisation, User, TOTPDevice, AuditEntry, DataKey)}


def bootstrap(tmp_path, *extra, password=PASSWORD, **kwargs) -> str:
    password_file = tmp_path / "password"
    password_file.write_text(password + "\n", encoding="utf-8")
    out = io.StringIO()
    args = ["--no-input", "--organisation", CITY, "--username", "admin.ville", "--full-name", "Aline Admin"]
    call_command("bootstrap", *args, "--password-file", str(password_file), *extra, stdout=out, **kwargs)
    return out.getvalue()


class ScriptedStdin(io.StringIO):
    """Answers prompts line by line; a callable answer is computed when it is read (the TOTP code)."""

    def __init__(self, answers):
        super().__init__()
        self.answers = list(answers)

    def readline(self, *args):
        if not self.answers:
            return ""
        answer = self.answers.pop(0)
        return (answer() if callable(answer) else answer) + "\n"


def current_code() -> str:
    return totp_now(TOTPDevice.objects.get())


@pytest.mark.django_db
def test_bootstrap_from_flags_creates_the_city_and_its_administrator(tmp_path):
    from sanspeur.accounts.selectors import staff_profile_get

    out = bootstrap(tmp_path, "--email", "aline@example.org")
    organisation = Organisation.objects.get()
    user = User.objects.get()
    assert (organisation.name, organisation.kind, organisation.is_active) == (CITY, "city", True)
    assert user.username == "admin.ville" and user.organisation == organisation
    assert list(user.groups.values_list("name", flat=True)) == ["administrator"]
    assert not user.is_superuser and not user.is_staff  # least privilege: the role, nothing more
    assert user.check_password(PASSWORD)
    assert staff_profile_get(acting_user=user, user=user) == {"full_name": "Aline Admin", "email": "aline@example.org"}
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed  # --no-input: confirmed at first sign-in
    # Nothing to scan in a non-interactive run (its output may end up in a log): no secret printed.
    assert base64.b32encode(device.bin_key).decode() not in out
    assert "/fr/staff/login/" in out
    entries = AuditEntry.objects.filter(actor__isnull=True)
    assert set(entries.values_list("action", flat=True)) == {
        "installation.bootstrap",
        "organisation.create",
        "staff.create",
        "staff.mfa_started",
    }
    assert entries.get(action="organisation.create").detail == {"kind": "city"}
    assert entries.get(action="installation.bootstrap").detail == {
        "administrator": str(user.pk),
        "authenticator_confirmed": False,
    }


@pytest.mark.django_db
def test_password_from_standard_input(tmp_path):
    out = io.StringIO()
    call_command(
        "bootstrap",
        "--no-input",
        "--organisation=Ville",
        "--username=admin.ville",
        "--full-name=Aline Admin",
        "--password-stdin",
        stdin=io.StringIO(PASSWORD + "\n"),
        stdout=out,
    )
    assert User.objects.get().check_password(PASSWORD)


@pytest.mark.django_db
def test_running_twice_fails_and_writes_nothing(tmp_path):
    bootstrap(tmp_path)
    before = counts()
    with pytest.raises(CommandError, match="already set up"):
        call_command(
            "bootstrap",
            "--no-input",
            "--organisation=Autre ville",
            "--username=admin.autre",
            "--full-name=Intrus",
            "--password-file",
            str(tmp_path / "password"),
        )
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("existing", ["city_organisation_only", "partner_account_only"])
def test_refuses_when_the_database_is_not_empty(tmp_path, existing, make_staff, organisation):
    """Each half of the guard: a city organisation without accounts, or accounts without a city."""
    if existing == "city_organisation_only":
        Organisation.objects.create(name="Ville existante", kind="city")
    else:
        make_staff("agent.partner", ["enrollment_agent"], organisation)
    before = counts()
    with pytest.raises(CommandError, match="already set up"):
        bootstrap(tmp_path)
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("existing", ["city_organisation_only", "partner_account_only"])
def test_the_service_itself_refuses_a_database_that_is_not_empty(existing, make_staff, organisation):
    """The guard is in the service too, inside the transaction that writes."""
    from sanspeur.accounts.services import AlreadyInstalledError, installation_bootstrap

    if existing == "city_organisation_only":
        Organisation.objects.create(name="Ville existante", kind="city")
    else:
        make_staff("agent.partner", ["enrollment_agent"], organisation)
    before = counts()
    with pytest.raises(AlreadyInstalledError):
        installation_bootstrap(
            acting_user=None, organisation_name="Ville", username="admin.un", password=PASSWORD, full_name="A"
        )
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("existing", ["city_organisation_only", "partner_account_only"])
def test_interactive_run_refuses_before_asking_anything(existing, make_staff, organisation, monkeypatch):
    if existing == "city_organisation_only":
        Organisation.objects.create(name="Ville existante", kind="city")
    else:
        make_staff("agent.partner", ["enrollment_agent"], organisation)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("asked for a password"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="already set up"):
        call_command("bootstrap", stdin=ScriptedStdin([]), stdout=out)
    assert out.getvalue() == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password, reason",
    [("short pw", "too short"), ("password123456", "too common"), ("123456789012345", "entirely numeric")],
)
def test_weak_password_is_refused_and_nothing_is_written(tmp_path, password, reason):
    with pytest.raises(CommandError, match=f"Password refused: .*{reason}.*Nothing was written"):
        bootstrap(tmp_path, password=password)
    assert set(counts().values()) == {0}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "flags, message",
    [
        (["--username", "Admin Ville!"], "lower-case letters"),
        (["--username", "ab"], "lower-case letters"),
        (["--email", "not-an-email"], "valid email"),
        (["--full-name", "   "], "full name"),
        (["--organisation", ""], "also give --organisation"),
    ],
)
def test_bad_input_exits_with_a_message_and_writes_nothing(tmp_path, flags, message):
    with pytest.raises(CommandError, match=message):
        bootstrap(tmp_path, *flags)
    assert set(counts().values()) == {0}


@pytest.mark.django_db
def test_no_input_needs_every_value(tmp_path):
    with pytest.raises(CommandError, match="--username, --full-name"):
        call_command("bootstrap", "--no-input", "--organisation=Ville", "--password-stdin")
    with pytest.raises(CommandError, match="--password-file PATH or --password-stdin"):
        call_command("bootstrap", "--no-input", "--organisation=Ville", "--username=admin.v", "--full-name=A")
    with pytest.raises(CommandError, match="Cannot read a password"):
        bootstrap(tmp_path, "--password-file", str(tmp_path / "missing"))
    assert set(counts().values()) == {0}


@pytest.mark.django_db
def test_interactive_run_asks_again_then_enrols_the_authenticator(monkeypatch):
    passwords = iter(["abc", "abd", "password123456", "password123456", PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(passwords))
    stdin = ScriptedStdin(["Ville de Montréal", "Admin!", "admin.ville", "Aline Admin", "", current_code])
    out, err = io.StringIO(), io.StringIO()
    call_command("bootstrap", stdin=stdin, stdout=out, stderr=err)
    device = TOTPDevice.objects.get(user__username="admin.ville")
    assert device.confirmed
    assert base64.b32encode(device.bin_key).decode() in out.getvalue()  # the key to type by hand
    assert "\u2580" in out.getvalue() or "\u2584" in out.getvalue()  # the QR code, in half blocks
    assert "lower-case letters" in err.getvalue() and "differ" in err.getvalue() and "too common" in err.getvalue()
    assert AuditEntry.objects.filter(action="staff.mfa_enrolled", actor__isnull=True).exists()


@pytest.mark.django_db
def test_interactive_enter_without_a_code_leaves_enrolment_for_the_first_sign_in(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)
    call_command(
        "bootstrap", stdin=ScriptedStdin(["Ville", "admin.ville", "Aline Admin", "", ""]), stdout=io.StringIO()
    )
    assert not TOTPDevice.objects.get().confirmed


@pytest.mark.django_db
def test_three_wrong_codes_write_nothing(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)
    stdin = ScriptedStdin(["Ville", "admin.ville", "Aline Admin", "", "000000", "000000", "000000"])
    with pytest.raises(CommandError, match="wrong codes: nothing was written"):
        call_command("bootstrap", stdin=stdin, stdout=io.StringIO(), stderr=io.StringIO())
    assert set(counts().values()) == {0}


@pytest.mark.django_db
def test_the_sign_in_page_enrols_the_device_made_by_bootstrap(tmp_path, client):
    """The MFA page shows the key of the unconfirmed device bootstrap made, rather than a new one."""
    bootstrap(tmp_path)
    device = TOTPDevice.objects.get()
    client.post("/fr/staff/login/", {"username": "admin.ville", "password": PASSWORD})
    page = client.get("/fr/staff/mfa/")
    assert base64.b32encode(device.bin_key).decode() in page.content.decode()
    assert TOTPDevice.objects.count() == 1
    response = client.post("/fr/staff/mfa/", {"token": totp_now(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


# --- In the browser: from an empty database to a first partner organisation ------------------------
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_first_run_in_the_browser(tmp_path, page, axe_check):
    assert set(counts().values()) == {0}
    bootstrap(tmp_path)
    device = TOTPDevice.objects.get(user__username="admin.ville", confirmed=False)

    page.goto(page.base_url + "/fr/staff/login/")
    page.get_by_label("Nom d’utilisateur").fill("admin.ville")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/staff/mfa/**")
    assert page.locator(".totp-qr img").is_visible()
    assert page.locator(".secret").inner_text() == base64.b32encode(device.bin_key).decode()
    axe_check(page, "mfa enrolment after bootstrap")
    screenshot(page, "bootstrap-mfa-enrolment-fr")
    page.get_by_label("Code à six chiffres").fill(totp_now(device))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url(re.compile(r".*/fr/staff/$"))
    assert "Aline Admin" in page.locator("h1").inner_text()
    screenshot(page, "bootstrap-dashboard-fr")

    page.get_by_role("link", name="Organisations", exact=True).click()
    page.wait_for_url("**/fr/staff/organisations/")
    assert CITY in page.locator("table").inner_text()
    page.get_by_role("link", name="Ajouter une organisation").click()
    page.wait_for_url("**/fr/staff/organisations/new/")
    axe_check(page, "organisation form fr")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Carrefour d’entraide de Verdun (fictif)")
    page.get_by_label("Organisme communautaire partenaire").check()
    page.get_by_label("Arrondissement").select_option("Verdun")
    screenshot(page, "organisation-form-fr")
    page.get_by_role("button", name="Ajouter l’organisation").click()
    page.wait_for_url("**/fr/staff/organisations/")
    assert "a été ajoutée" in page.locator(".messages").inner_text()
    row = page.locator("tr", has_text="Carrefour d’entraide de Verdun (fictif)")
    assert "Organisme communautaire partenaire" in row.inner_text() and "Verdun" in row.inner_text()
    axe_check(page, "organisation list fr")
    screenshot(page, "organisation-list-fr")
    row.get_by_role("link").click()
    page.wait_for_url("**/fr/staff/organisations/*/")
    assert page.get_by_role("button", name="Désactiver l’organisation").is_visible()
    axe_check(page, "organisation edit fr")
    screenshot(page, "organisation-edit-fr")
    created = Organisation.objects.get(kind="partner")
    assert created.borough == "Verdun"
    assert AuditEntry.objects.filter(action="organisation.create", object_id=str(created.pk)).exists()

    page.goto(page.base_url + "/en/staff/organisations/new/")
    page.get_by_label(re.compile(r"^Name\b")).fill("carrefour d’entraide de verdun (fictif)")
    page.get_by_label("Service point").check()
    page.get_by_role("button", name="Add the organisation").click()
    assert "An organisation already has this name" in page.locator(".error-summary").inner_text()
    axe_check(page, "organisation form en, with an error")
    screenshot(page, "organisation-form-en")
    assert Organisation.objects.count() == 2
