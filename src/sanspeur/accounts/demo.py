"""Fictional organisations and staff for the demo. Every login uses a known authenticator key."""

import base64
import hashlib

from django_otp.oath import TOTP

from .models import Organisation, SealedTOTPDevice, User
from .roles import ROLES, sync_roles
from .services import organisation_create, staff_user_create

DEMO_PASSWORD = "demo-sans-peur-2026"  # noqa: S105 - fictional accounts on a development machine

ORGANISATIONS = [
    ("Ville de Montréal — Bureau d'intégration des nouveaux arrivants", "city", ""),
    ("Centre communautaire Côte-des-Neiges (fictif)", "partner", "Côte-des-Neiges–Notre-Dame-de-Grâce"),
    ("Maison d'accueil Saint-Michel (fictive)", "partner", "Villeray–Saint-Michel–Parc-Extension"),
    ("Bibliothèque du Plateau (fictive)", "service_point", "Le Plateau-Mont-Royal"),
    ("Banque alimentaire de Montréal-Nord (fictive)", "service_point", "Montréal-Nord"),
]

# username, organisation index, roles, display name (fictional)
STAFF = [
    ("admin", 0, ["administrator"], "Alex Admin"),
    ("auditor", 0, ["auditor"], "Awa Auditrice"),
    ("agent.cdn", 1, ["enrollment_agent"], "Camille Agent"),
    ("agent.stmichel", 2, ["enrollment_agent"], "Samir Agent"),
    ("verifier.library", 3, ["service_point_verifier"], "Lou Bibliothèque"),
    ("verifier.foodbank", 4, ["service_point_verifier"], "Nadia Banque"),
    ("clinics", 0, ["clinic_coordinator"], "Chris Cliniques"),
    ("door.cdn", 1, ["clinic_door_staff"], "Dani Accueil"),
    ("editor", 0, ["directory_editor"], "Eli Éditrice"),
    ("partner.cdn", 1, ["partner_editor"], "Pat Partenaire"),
    ("program", 0, ["program_officer"], "Paul Programme"),
    ("reviewer", 0, ["reviewer"], "Rita Révision"),
    ("caseworker", 0, ["protection_caseworker"], "Kim Intervenante"),
    ("supervisor", 0, ["protection_supervisor"], "Sam Superviseur"),
    ("training", 0, ["training_coordinator"], "Tao Formation"),
]


def demo_totp_key(username: str) -> str:
    """A fixed authenticator key per demo account (hex)."""
    return hashlib.sha256(b"sanspeur-demo-totp:" + username.encode()).hexdigest()[:40]


def demo_totp_secret(username: str) -> str:
    return base64.b32encode(bytes.fromhex(demo_totp_key(username))).decode("ascii")


def demo_totp_code(username: str) -> str:
    return f"{TOTP(bytes.fromhex(demo_totp_key(username))).token():06d}"


def demo_staff_account(username: str, roles: list[str], full_name: str, organisation) -> User:
    """A demo member of staff with the demo password and a confirmed authenticator whose key is
    derived from the username (``demo_totp_key``), sealed like any other; created when missing.
    Other apps' demo data use it for their own roles."""
    user = User.objects.filter(username=username).first() or staff_user_create(
        acting_user=None,
        username=username,
        password=DEMO_PASSWORD,
        organisation=organisation,
        roles=roles,
        full_name=full_name,
        email=f"{username}@example.org",
    )
    secret = bytes.fromhex(demo_totp_key(username))
    device = SealedTOTPDevice.objects.filter(user=user, name="demo authenticator").first()
    if device is None or device.bin_key != secret:
        device = device or SealedTOTPDevice(user=user, name="demo authenticator")
        device.set_secret(secret)  # sealed in the vault like any other
        device.confirmed = True
        device.save()
    return user


def load(*, stdout, print_logins: bool = True) -> None:
    """Idempotent step by step: each organisation and account is its own action (they cannot share
    one transaction), created only when missing, so a run cut short is completed by the next."""
    sync_roles()
    organisations = []
    for name, kind, borough in ORGANISATIONS:
        # One city organisation per installation: on a bootstrapped database, the demo joins it.
        existing = (
            Organisation.objects.filter(kind=kind).first()
            if kind == Organisation.Kind.CITY
            else Organisation.objects.filter(name=name).first()
        )
        organisations.append(existing or organisation_create(acting_user=None, name=name, kind=kind, borough=borough))
    for username, org_index, roles, full_name in STAFF:
        assert set(roles) <= set(ROLES)
        demo_staff_account(username, roles, full_name, organisations[org_index])
    if print_logins:
        stdout.write("\nDemo staff logins (fictional). Password for every account: " + DEMO_PASSWORD)
        stdout.write(
            "Second step: add the key to an authenticator app, or run `./scripts/sanspeur demo_totp USERNAME`.\n"
        )
        stdout.write(f"{'username':<20} {'role':<24} authenticator key (base32)")
        for username, _org, roles, _name in STAFF:
            stdout.write(f"{username:<20} {roles[0]:<24} {demo_totp_secret(username)}")
        stdout.write("")
