"""Rules about who may do what that depend on more than one permission.

A permission says what a role can do; these rules add *where*: the city's own staff look after
every organisation, a partner's staff only after their own. Views and selectors ask here, so each
rule is written once.
"""

from __future__ import annotations

from .models import Organisation


def _works_for_the_city(user) -> bool:
    organisation = getattr(user, "organisation", None)
    return organisation is not None and organisation.kind == Organisation.Kind.CITY


def sees_all_organisations(user) -> bool:
    """City staff (and superusers) see every organisation's records; everyone else only their own's."""
    return bool(getattr(user, "is_superuser", False)) or _works_for_the_city(user)


def can_manage_organisations(user) -> bool:
    """Only administrators of the city create, rename and deactivate organisations.

    A partner's administrator manages their own staff, never the list of organisations.
    """
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.has_perm("accounts.manage_staff")
        and _works_for_the_city(user)
    )
