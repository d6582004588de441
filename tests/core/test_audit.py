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


# --- Entries about anonymous actions (issue 14) --------------------------------------------------
def _local_midnight(moment):
    from datetime import datetime, time

    from django.utils import timezone

    return datetime.combine(timezone.localdate(moment), time.min, tzinfo=timezone.get_current_timezone())


@pytest.mark.django_db
def test_an_anonymous_entry_is_dated_to_the_day_and_points_at_nothing(make_staff):
    from django.utils import timezone

    from sanspeur.core.audit import anonymous_entry_create

    door = make_staff("door.anon", ["clinic_door_staff"])
    with transaction.atomic():
        before = audit_entry_create(acting_user=door, action="vault.rewrap")
        audit_entry = anonymous_entry_create(
            acting_user=door, action="vault.rewrap", object_type="clinics.booking", detail={"places": 2}
        )
    entry = AuditEntry.objects.get(pk=audit_entry.pk)
    assert entry.at == _local_midnight(timezone.now())
    assert (entry.object_type, entry.object_id, entry.detail) == ("clinics.booking", "", {"places": 2})
    assert entry.actor == door  # who acted stays: a member of staff answers for the day's work
    # Its number says nothing about when it was written either: not the next of the sequence.
    assert entry.pk < 0 and before.pk > 0


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_entry_obeys_the_kernels_rules():
    from sanspeur.core.actions import UnregisteredAuditAction, action
    from sanspeur.core.audit import anonymous_entry_create

    with pytest.raises(RuntimeError):
        anonymous_entry_create(acting_user=None, action="vault.rewrap", object_type="clinics.booking")
    with pytest.raises(UnregisteredAuditAction), transaction.atomic():
        anonymous_entry_create(acting_user=None, action="nobody.declared.this", object_type="x")

    @action("vault.rewrap")
    def counted(*, acting_user: None) -> None:
        anonymous_entry_create(acting_user=acting_user, action="vault.rewrap", object_type="clinics.booking")

    counted(acting_user=None)  # the kernel counts it as the action's entry: no ActionError
    assert AuditEntry.objects.filter(action="vault.rewrap", object_id="").count() == 1
