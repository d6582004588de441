import pytest
from django.db import DatabaseError, connection, transaction

from sanspeur.core.models import AppendOnlyError, AuditEntry
from sanspeur.core.services import audit_entry_create


@pytest.mark.django_db(transaction=True)
def test_audit_entry_is_written_only_inside_a_transaction(make_staff):
    user = make_staff("auditor1", ["auditor"])
    with pytest.raises(RuntimeError):
        audit_entry_create(acting_user=user, action="vault.rewrap")
    with transaction.atomic():
        entry = audit_entry_create(acting_user=user, action="vault.rewrap", object_type="t", object_id="1")
    assert entry.actor_username == "auditor1"


@pytest.mark.django_db
def test_audit_entries_cannot_be_changed_or_deleted_by_the_application(make_staff):
    user = make_staff("auditor2", ["auditor"])
    with transaction.atomic():
        entry = audit_entry_create(acting_user=user, action="vault.rewrap")
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_change_audit_entries(make_staff):
    user = make_staff("auditor3", ["auditor"])
    with transaction.atomic():
        entry = audit_entry_create(acting_user=user, action="vault.rewrap")
    for statement in (
        "UPDATE core_auditentry SET action = 'tampered' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "vault.rewrap"


@pytest.mark.django_db
def test_creating_staff_is_audited_without_personal_data(make_staff):
    user = make_staff("agent.audit", ["enrollment_agent"], full_name="Bérénice Secretname")
    entry = AuditEntry.objects.get(action="staff.create", object_id=str(user.pk))
    assert "Secretname" not in str(entry.detail) and "Secretname" not in str(entry)
