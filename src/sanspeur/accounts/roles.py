"""Roles are groups with an explicit list of permissions, kept in step with the declared table of
``policy.py`` after every migration. Least privilege: a role gets what its work needs and nothing
else."""

from django.utils.translation import gettext_lazy as _

from .policy import ROLE_TABLE

_LABELS = {
    "administrator": _("Administrator"),
    "enrollment_agent": _("Enrollment agent"),
    "service_point_verifier": _("Service-point verifier"),
    "clinic_coordinator": _("Clinic coordinator"),
    "clinic_door_staff": _("Clinic door staff"),
    "directory_editor": _("Directory editor"),
    "partner_editor": _("Partner directory contributor"),
    "translator": _("Translator"),
    "program_officer": _("Program officer"),
    "reviewer": _("Reviewer"),
    "grant_applicant": _("Applicant for funding"),
    "protection_caseworker": _("Protection caseworker"),
    "protection_supervisor": _("Protection supervisor"),
    "training_coordinator": _("Training coordinator"),
    "auditor": _("Auditor"),
    "privacy_officer": _("Privacy officer"),
    "legal_counsel": _("Legal counsel"),
    "training_unit_manager": _("Training: unit manager"),
    "statistician": _("Statistician"),
    "statistics_approver": _("Statistics approver"),
    "testimony_moderator": _("Testimony moderator"),
}

# role -> (label, capabilities). The capabilities, and who may hold each role, are declared once,
# in the table of policy.py; this adds the names people read.
ROLES: dict[str, tuple[str, list[str]]] = {
    role: (_LABELS[role], list(entry.capabilities)) for role, entry in ROLE_TABLE.items()
}

# Roles whose members never see personal data of residents; every other role must use MFA.
# Kept empty on purpose: every staff account uses multi-factor login.
ROLES_WITHOUT_PERSONAL_DATA: frozenset[str] = frozenset()

# Idle timeout per role (seconds). The shortest one among a user's roles applies.
ROLE_IDLE_TIMEOUT = {"protection_caseworker": 15 * 60, "protection_supervisor": 15 * 60}


def sync_roles() -> None:
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from .models import Capability

    content_type = ContentType.objects.get_for_model(Capability, for_concrete_model=False)
    for codename, label in Capability._meta.permissions:
        Permission.objects.update_or_create(
            content_type=content_type, codename=codename, defaults={"name": str(label)[:255]}
        )
    for role, (_label, codenames) in ROLES.items():
        group, _created = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(content_type=content_type, codename__in=codenames)
        group.permissions.set(permissions)


def sync_roles_after_migrate(sender, **kwargs) -> None:
    sync_roles()


def role_label(role: str) -> str:
    return str(ROLES[role][0]) if role in ROLES else role
