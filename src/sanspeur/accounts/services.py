"""Writes of the accounts app: one atomic, audited function per action."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanspeur.core import vault
from sanspeur.core.services import audit_entry_create

from .models import Organisation, User
from .roles import ROLES


def organisation_create(*, acting_user, name: str, kind: str, borough: str = "") -> Organisation:
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name, kind=kind, borough=borough)
        audit_entry_create(acting_user=acting_user, action="organisation.create", target=organisation)
    return organisation


def staff_user_create(
    *,
    acting_user,
    username: str,
    password: str,
    organisation: Organisation | None,
    roles: list[str],
    full_name: str = "",
    email: str = "",
    is_superuser: bool = False,
) -> User:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    with transaction.atomic():
        user = User(username=username, organisation=organisation, is_superuser=is_superuser)
        user.set_password(password)
        user.save()
        user.data_key = vault.datakey_create(purpose="accounts.user")
        user.sealed_profile = vault.seal_fields(
            user.data_key, {"full_name": full_name, "email": email}, context=user.profile_context
        )
        user.save(update_fields=["data_key", "sealed_profile"])
        user.groups.set(Group.objects.filter(name__in=roles))
        audit_entry_create(acting_user=acting_user, action="staff.create", target=user, detail={"roles": sorted(roles)})
    return user


def staff_user_set_roles(*, acting_user, user: User, roles: list[str]) -> None:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    with transaction.atomic():
        user.groups.set(Group.objects.filter(name__in=roles))
        audit_entry_create(
            acting_user=acting_user, action="staff.set_roles", target=user, detail={"roles": sorted(roles)}
        )


def staff_user_deactivate(*, acting_user, user: User) -> None:
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        TOTPDevice.objects.filter(user=user).delete()
        audit_entry_create(acting_user=acting_user, action="staff.deactivate", target=user)


def totp_device_start(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for a user who has none yet (replaces an earlier draft)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def totp_device_confirm(*, acting_user, device: TOTPDevice) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_entry_create(acting_user=acting_user, action="staff.mfa_enrolled", target=device.user)


def mfa_reset(*, acting_user, user: User) -> None:
    """An administrator removes a lost authenticator; the person enrols a new one at next sign-in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        audit_entry_create(acting_user=acting_user, action="staff.mfa_reset", target=user)
