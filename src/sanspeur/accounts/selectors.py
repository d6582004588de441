"""Reads of the accounts app."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from sanspeur.core import vault
from sanspeur.core.services import audit_read

from . import policy
from .models import Organisation, SealedTOTPDevice, User
from .roles import ROLE_IDLE_TIMEOUT


def staff_profile_get(*, acting_user, user: User) -> dict[str, str]:
    """A staff member's name and e-mail; reading someone else's is audited."""
    if user.data_key_id is None or user.sealed_profile is None:
        return {"full_name": "", "email": ""}
    if acting_user.pk != user.pk:
        audit_read(acting_user=acting_user, target=user, purpose="view_profile")
    try:
        return vault.open_fields(user.data_key, user.sealed_profile, context=user.profile_context)
    except vault.ShreddedError:
        return {"full_name": "", "email": ""}


def staff_list_for(*, acting_user) -> QuerySet[User]:
    """The city's staff see every account; others only their own organisation's (policy.scope)."""
    users = User.objects.select_related("organisation").prefetch_related("groups").order_by("username")
    return policy.scope(users, acting_user=acting_user, field="organisation")


def role_names(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def confirmed_totp_device(user: User) -> SealedTOTPDevice | None:
    return SealedTOTPDevice.objects.filter(user=user, confirmed=True).first()


def unconfirmed_totp_device(user: User) -> SealedTOTPDevice | None:
    """The authenticator being enrolled, if one was started."""
    return SealedTOTPDevice.objects.filter(user=user, confirmed=False).first()


def idle_timeout_for(user: User, default: int) -> int:
    timeouts = [ROLE_IDLE_TIMEOUT[name] for name in role_names(user) if name in ROLE_IDLE_TIMEOUT]
    return min([default, *timeouts])


def organisations_for(*, acting_user) -> QuerySet[Organisation]:
    """The active organisations a person may attach new staff accounts to (policy)."""
    return policy.organisations_administered(acting_user)


def organisation_list_for(*, acting_user) -> QuerySet[Organisation]:
    """Every organisation, active or not, with its number of active staff accounts, for those who manage them."""
    if not policy.can_manage_organisations(acting_user):
        return Organisation.objects.none()
    return Organisation.objects.annotate(active_staff=Count("staff", filter=Q(staff__is_active=True))).order_by(
        "-is_active", "name"
    )
