"""Writes of the accounts app: one atomic, audited function per action."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanspeur.core import vault
from sanspeur.core.boroughs import BOROUGHS
from sanspeur.core.services import audit_entry_create

from .models import Organisation, User
from .roles import ROLES


class AlreadyInstalledError(Exception):
    """The installation already has its city organisation or a staff account: bootstrap runs once."""


def _check_borough(borough: str) -> None:
    if borough and borough not in BOROUGHS:
        raise ValidationError({"borough": f"not one of Montréal's boroughs: {borough!r}"})


def organisation_create(*, acting_user, name: str, kind: str, borough: str = "") -> Organisation:
    _check_borough(borough)
    with transaction.atomic():
        organisation = Organisation(name=name, kind=kind, borough=borough)
        organisation.full_clean()
        organisation.save()
        audit_entry_create(
            acting_user=acting_user, action="organisation.create", target=organisation, detail={"kind": kind}
        )
    return organisation


_UNSET = object()


def organisation_update(
    *, acting_user, organisation: Organisation, name=_UNSET, borough=_UNSET, is_active=_UNSET
) -> Organisation:
    """Rename, move or (de)activate an organisation; the audit entry keeps old and new values.

    The city's own organisation is never deactivated: its administrators would lock themselves out
    of the pages that reactivate it.
    """
    wanted = {"name": name, "borough": borough, "is_active": is_active}
    changes = {
        field: {"old": getattr(organisation, field), "new": value}
        for field, value in wanted.items()
        if value is not _UNSET and getattr(organisation, field) != value
    }
    if not changes:
        return organisation
    if "borough" in changes:
        _check_borough(changes["borough"]["new"])
    if organisation.kind == Organisation.Kind.CITY and changes.get("is_active", {}).get("new") is False:
        raise ValidationError("the city's organisation cannot be deactivated")
    with transaction.atomic():
        for field, change in changes.items():
            setattr(organisation, field, change["new"])
        organisation.full_clean()
        organisation.save(update_fields=list(changes))
        audit_entry_create(
            acting_user=acting_user, action="organisation.update", target=organisation, detail={"changes": changes}
        )
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


def installation_bootstrap(
    *, acting_user, organisation_name: str, username: str, password: str, full_name: str, email: str = ""
) -> tuple[Organisation, User, TOTPDevice]:
    """First run: the city's organisation, its first administrator and an unconfirmed authenticator.

    Refuses once there is a city organisation or any account, so it cannot be used to slip a second
    administrator into a running installation. The administrator is not a superuser: the role gives
    what the work needs and nothing more.
    """
    with transaction.atomic():
        if Organisation.objects.filter(kind=Organisation.Kind.CITY).exists() or User.objects.exists():
            raise AlreadyInstalledError("this installation already has its city organisation or staff accounts")
        organisation = organisation_create(acting_user=acting_user, name=organisation_name, kind=Organisation.Kind.CITY)
        user = staff_user_create(
            acting_user=acting_user,
            username=username,
            password=password,
            organisation=organisation,
            roles=["administrator"],
            full_name=full_name,
            email=email,
        )
        device = totp_device_start(user=user)
    return organisation, user, device


def mfa_reset(*, acting_user, user: User) -> None:
    """An administrator removes a lost authenticator; the person enrols a new one at next sign-in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        audit_entry_create(acting_user=acting_user, action="staff.mfa_reset", target=user)
