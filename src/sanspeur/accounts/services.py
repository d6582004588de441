"""Writes of the accounts app: each one an action of the kernel (core/actions.py) — one durable
transaction, the authorization policy (accounts/policy.py) asked first, a registered audit entry.

Not actions, on purpose: the sign-in failure counters of ``lockout.py`` (a counter that says
nothing about what anyone did; the lock it may end in is recorded by :func:`signin_lock_record`),
and the two read helpers ``enrolment_link_get`` and ``enrolment_allowed``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sanspeur.core import vault
from sanspeur.core.actions import action, no_change, on_commit
from sanspeur.core.boroughs import BOROUGHS
from sanspeur.core.locks import lock_rows
from sanspeur.core.services import audit_entry_create

from . import policy
from .models import EnrolmentLink, Organisation, SealedTOTPDevice, User

# How long the link an administrator gives after removing an authenticator stays valid.
ENROLMENT_LINK_LIFETIME = timedelta(hours=24)


class AlreadyInstalledError(Exception):
    """The installation already has its city organisation or a staff account: bootstrap runs once."""


def _check_borough(borough: str) -> None:
    if borough and borough not in BOROUGHS:
        raise ValidationError({"borough": f"not one of Montréal's boroughs: {borough!r}"})


# --- The policies of these actions: accounts/policy.py decides; no acting user is the server's
# command line (bootstrap, createstaff, the demo), held to the holding rule only.
def _manages_organisations(acting_user, **_kwargs) -> bool:
    return acting_user is None or policy.can_manage_organisations(acting_user)


def _administers_member(acting_user, *, user: User, **_kwargs) -> bool:
    return acting_user is None or policy.administers_account(acting_user, user)


def _may_create_account(acting_user, *, organisation, roles, is_superuser: bool = False, **_kwargs) -> bool:
    if is_superuser and acting_user is not None:
        raise PermissionDenied("superusers are made on the server only")
    policy.check_grant(acting_user, organisation=organisation, new_roles=roles)  # raises with the reason
    return True


def _may_set_roles(acting_user, *, user: User, roles, **_kwargs) -> bool:
    old = user.groups.values_list("name", flat=True)
    policy.check_grant(acting_user, organisation=user.organisation, old_roles=old, new_roles=roles, member=user)
    return True


def _enrols_own_authenticator(
    acting_user, *, user: User | None = None, device: SealedTOTPDevice | None = None, **_kwargs
) -> bool:
    member = user if user is not None else device.user
    return acting_user is None or policy.owns_credentials(acting_user, member)


def _changes_own_password(acting_user, *, user: User, **_kwargs) -> bool:
    return policy.owns_credentials(acting_user, user)


def _first_run(acting_user, **_kwargs) -> bool:
    return policy.is_command_line(acting_user)


# --- Organisations -----------------------------------------------------------------------------
@action("organisation.create", policy=_manages_organisations)
def organisation_create(*, acting_user: User | None, name: str, kind: str, borough: str = "") -> Organisation:
    _check_borough(borough)
    organisation = Organisation(name=name, kind=kind, borough=borough)
    organisation.full_clean()
    organisation.save()
    audit_entry_create(
        acting_user=acting_user, action="organisation.create", target=organisation, detail={"kind": kind}
    )
    return organisation


_UNSET = object()


@action("organisation.update", policy=_manages_organisations)
def organisation_update(
    *, acting_user: User | None, organisation: Organisation, name=_UNSET, borough=_UNSET, is_active=_UNSET
) -> Organisation:
    """Rename, move or (de)activate an organisation; the audit entry keeps old and new values.

    The city's own organisation is never deactivated: its administrators would lock themselves out
    of the pages that reactivate it.
    """
    current = lock_rows(Organisation.objects.filter(pk=organisation.pk))[0]
    wanted = {"name": name, "borough": borough, "is_active": is_active}
    changes = {
        field: {"old": getattr(current, field), "new": value}
        for field, value in wanted.items()
        if value is not _UNSET and getattr(current, field) != value
    }
    if not changes:
        no_change()
        return organisation
    if "borough" in changes:
        _check_borough(changes["borough"]["new"])
    if current.kind == Organisation.Kind.CITY and changes.get("is_active", {}).get("new") is False:
        raise ValidationError("the city's organisation cannot be deactivated")
    for field, change in changes.items():
        setattr(current, field, change["new"])
    current.full_clean()
    current.save(update_fields=list(changes))
    for field, change in changes.items():
        setattr(organisation, field, change["new"])  # the caller's copy follows
    audit_entry_create(
        acting_user=acting_user, action="organisation.update", target=current, detail={"changes": changes}
    )
    return organisation


# --- Staff accounts ----------------------------------------------------------------------------
@action("staff.create", policy=_may_create_account)
def staff_user_create(
    *,
    acting_user: User | None,
    username: str,
    password: str,
    organisation: Organisation | None,
    roles: list[str],
    full_name: str = "",
    email: str = "",
    is_superuser: bool = False,
    temporary_password: bool | None = None,
) -> User:
    """A new account. ``temporary_password``: the person must choose their own password at first
    sign-in; by default, whenever someone else (an administrator) chose it.

    The policy refuses an account in an organisation the acting user does not administer, a role
    they may not grant or the account may not hold, and a superuser made by anyone but the server.
    """
    if temporary_password is None:
        temporary_password = acting_user is not None
    user = User(
        username=username,
        organisation=organisation,
        is_superuser=is_superuser,
        must_change_password=temporary_password,
    )
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


@action("staff.set_roles", policy=_may_set_roles)
def staff_user_set_roles(*, acting_user: User | None, user: User, roles: list[str]) -> None:
    """Replace an account's roles. The policy refuses what the acting user may not grant (their own
    account, another organisation's, a role beyond their reach) and what the account may not hold
    (a city role on a partner's account), whoever asks: the pages, a command or a script."""
    member = lock_rows(User.objects.filter(pk=user.pk))[0]
    old = sorted(member.groups.values_list("name", flat=True))
    if old == sorted(set(roles)):
        no_change()
        return
    member.groups.set(Group.objects.filter(name__in=roles))
    audit_entry_create(
        acting_user=acting_user,
        action="staff.set_roles",
        target=member,
        detail={"old": old, "roles": sorted(roles)},
    )


@action("staff.deactivate", policy=_administers_member)
def staff_user_deactivate(*, acting_user: User | None, user: User) -> None:
    """The account signs in no more and loses its authenticators. The policy refuses an account the
    acting user does not administer, and their own."""
    member = lock_rows(User.objects.filter(pk=user.pk))[0]
    if not member.is_active:
        no_change()
        return
    member.is_active = user.is_active = False
    member.save(update_fields=["is_active"])
    SealedTOTPDevice.objects.filter(user=member).delete()
    audit_entry_create(acting_user=acting_user, action="staff.deactivate", target=member)


# --- Authenticators and passwords ----------------------------------------------------------------
@action("staff.mfa_started", policy=_enrols_own_authenticator)
def totp_device_start(*, acting_user: User | None, user: User) -> SealedTOTPDevice:
    """A fresh, unconfirmed authenticator for a user who has none yet (replaces an earlier draft).
    It opens nothing until :func:`totp_device_confirm`; only its owner (or the first run) starts one."""
    SealedTOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = SealedTOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    audit_entry_create(acting_user=acting_user, action="staff.mfa_started", target=user)
    return device


class EnrolmentRefused(Exception):
    """Enrolling a new authenticator needs a valid one-time link, and there is none."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def enrolment_link_get(*, token: str) -> EnrolmentLink | None:
    """The unused, unexpired link of an active account whose secret is ``token``, or None."""
    if not token or len(token) > 100:
        return None
    link = EnrolmentLink.objects.select_related("user").filter(token_hash=_token_hash(token)).first()
    if link is None or link.used_at is not None or link.expires_at <= timezone.now() or not link.user.is_active:
        return None
    return link


def enrolment_allowed(*, user: User, link_id) -> bool:
    """A first authenticator is enrolled with the password alone; any later one also takes a valid
    link made for this very account."""
    if not user.needs_enrolment_link:
        return True
    if not link_id:
        return False
    return EnrolmentLink.objects.filter(
        pk=link_id, user=user, used_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


@action("staff.mfa_enrolled", policy=_enrols_own_authenticator)
def totp_device_confirm(*, acting_user: User | None, device: SealedTOTPDevice, link_id=None) -> None:
    """Confirm an authenticator (its owner, after a right code). When the account needs a link, the
    link is spent here, in the same transaction: two tabs racing with one link enrol one
    authenticator at most."""
    user = lock_rows(User.objects.filter(pk=device.user_id))[0]
    link = None
    if user.needs_enrolment_link:
        link = (
            EnrolmentLink.objects.select_for_update()
            .filter(pk=link_id, user=user, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
            if link_id
            else None
        )
        if link is None:
            raise EnrolmentRefused
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user.needs_enrolment_link = True
    user.save(update_fields=["needs_enrolment_link"])
    audit_entry_create(
        acting_user=acting_user, action="staff.mfa_enrolled", target=user, detail={"with_link": link is not None}
    )


@action("staff.password_change", policy=_changes_own_password)
def staff_password_change(*, acting_user: User | None, user: User, password: str) -> None:
    """A person sets their own password (never someone else's): the temporary one is gone."""
    was_temporary = user.must_change_password
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_entry_create(
        acting_user=acting_user, action="staff.password_change", target=user, detail={"temporary": was_temporary}
    )


@action("installation.bootstrap", policy=_first_run)
def installation_bootstrap(
    *,
    acting_user: User | None,
    organisation_name: str,
    username: str,
    password: str,
    full_name: str,
    email: str = "",
    enrol: Callable[[SealedTOTPDevice], bool] | None = None,
) -> tuple[Organisation, User, SealedTOTPDevice]:
    """First run: the city's organisation, its first administrator and an authenticator.

    Refuses once there is a city organisation or any account, so it cannot be used to slip a second
    administrator into a running installation; only the server's command line runs it (no acting
    user). The administrator is not a superuser: the role gives what the work needs and nothing more.

    ``enrol`` (the terminal's dialogue) is called with the new authenticator inside the same
    transaction: True confirms it; an exception (a wrong code, Ctrl-C) leaves nothing written.
    """
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
    device = totp_device_start(acting_user=acting_user, user=user)
    if enrol is not None and enrol(device):
        totp_device_confirm(acting_user=acting_user, device=device)
    audit_entry_create(
        acting_user=acting_user,
        action="installation.bootstrap",
        target=organisation,
        detail={"administrator": str(user.pk), "authenticator_confirmed": device.confirmed},
    )
    return organisation, user, device


@action("staff.mfa_reset", policy=_administers_member)
def mfa_reset(*, acting_user: User | None, user: User) -> tuple[str, EnrolmentLink]:
    """An administrator removes a lost authenticator and gets a one-time enrolment link to give the
    person. Returns the link's secret (shown once, stored only hashed) and the link.

    Neither half is enough alone: the link without the person's password opens nothing, and the
    password without the link enrols nothing. Earlier links of the account stop working. The
    person is told by e-mail (at their work address, if any) once the change is committed, so a
    reset they did not ask for does not go unnoticed.
    """
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    lock_rows(User.objects.filter(pk=user.pk))
    SealedTOTPDevice.objects.filter(user=user).delete()
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    link = EnrolmentLink.objects.create(
        user=user,
        token_hash=_token_hash(token),
        created_by=acting_user,
        expires_at=now + ENROLMENT_LINK_LIFETIME,
    )
    User.objects.filter(pk=user.pk).update(needs_enrolment_link=True)
    user.needs_enrolment_link = True
    audit_entry_create(
        acting_user=acting_user,
        action="staff.mfa_reset",
        target=user,
        detail={"link": link.pk, "expires_at": link.expires_at.isoformat(timespec="minutes")},
    )
    on_commit(lambda: _tell_about_reset(user))
    return token, link


# --- Sign-in lockout ----------------------------------------------------------------------------
@action("staff.signin_locked")
def signin_lock_record(*, acting_user: User | None, username: str, trusted: bool) -> None:
    """Failed sign-ins have just locked a counter (``lockout.py``): an administrator sees that
    someone was guessing. Only for accounts that exist; the counters themselves are not actions."""
    folded = " ".join(username.split()).casefold()
    user = User.objects.filter(username__iexact=folded).first()
    if user is None:
        no_change()
        return
    audit_entry_create(
        acting_user=acting_user,
        action="staff.signin_locked",
        target=user,
        detail={"browsers": "device" if trusted else "untrusted"},
    )


def _tell_about_reset(user: User) -> None:
    """The e-mail names the account, never the link: the link goes from hand to hand."""
    from django.core.mail import send_mail
    from django.utils import translation
    from django.utils.translation import gettext as _

    if user.data_key_id is None or user.sealed_profile is None:
        return
    try:
        email = vault.open_fields(user.data_key, user.sealed_profile, context=user.profile_context).get("email")
    except vault.ShreddedError:
        return
    if not email:
        return
    with translation.override(user.preferred_language or "fr"):
        subject = _("Sans peur: the authenticator of your staff account was removed")
        body = _(
            "An administrator removed the authenticator of the staff account %(username)s. To sign in "
            "again, you need your password and the one-time enrolment link the administrator gives "
            "you in person; it is valid for 24 hours.\n\n"
            "If you did not ask for this, tell your administrator and the city's security team at once."
        ) % {"username": user.get_username()}
    send_mail(subject, body, None, [email])
