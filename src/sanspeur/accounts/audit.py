"""The audit actions of this app: the only names its audit entries may carry (core/actions.py)."""

ACTIONS = {
    "installation.bootstrap": "the first run created the city's organisation and its first administrator",
    "organisation.create": "an organisation was created",
    "organisation.update": "an organisation was renamed, moved or (de)activated (old and new values)",
    "staff.create": "a staff account was created (roles)",
    "staff.deactivate": "a staff account was deactivated",
    "staff.mfa_started": "a staff member without an authenticator was given a new one to enrol (not yet confirmed)",
    "staff.mfa_enrolled": "a staff member enrolled an authenticator (with a one-time link or not)",
    "staff.mfa_reset": ("an administrator removed a staff member's authenticator and issued a one-time enrolment link"),
    "staff.password_change": "a staff member changed their password (a temporary one, or not)",
    "staff.signin_locked": (
        "failed sign-ins locked an account for the browsers it never signed in from, or for one browser"
    ),
    "staff.set_roles": "a staff member's roles changed (old and new)",
    "accounts.user.view_profile": "a staff member opened another staff member's name and e-mail",
}
