"""No status traces (issue 14), on the rows written before:

- each document check keeps the points its documents reached and its day, not their types (the
  link table itself goes in 0007);
- the enrollment audit entries lose the list of types they recorded. Audit entries are
  append-only (triggers of core/0002); for this one change the triggers are lifted inside this
  migration's transaction and put back exactly as they were;
- a holder with more than one valid card (repeated issuance, before the rule) keeps the newest;
  the others are revoked as issued in error, in the status list too, and each revocation is
  audited — so that 0007 can add the database constraint.
"""

from collections import defaultdict

from django.db import migrations
from django.utils import timezone

ENROLL = "cards.holder.enroll"
REVOKED = 1


def points_instead_of_types(apps, schema_editor):
    Check = apps.get_model("cards", "DocumentCheck")
    for check in Check.objects.prefetch_related("document_types"):
        types = list(check.document_types.all())
        Check.objects.filter(pk=check.pk).update(
            identity_points=sum(t.identity_points for t in types),
            residence_points=sum(t.residence_points for t in types),
            photo_document=any(t.shows_photo for t in types),
            birth_date_document=any(t.shows_birth_date for t in types),
            checked_on=timezone.localdate(check.checked_at),
        )


def _scrub(apps, connection, entries):
    Audit = apps.get_model("core", "AuditEntry")
    for pk, detail in entries:
        Audit.objects.filter(pk=pk).update(detail={k: v for k, v in detail.items() if k != "document_types"})


def audit_entries_without_types(apps, schema_editor):
    Audit = apps.get_model("core", "AuditEntry")
    entries = [
        (pk, detail)
        for pk, detail in Audit.objects.filter(action=ENROLL).values_list("pk", "detail")
        if isinstance(detail, dict) and "document_types" in detail
    ]
    if not entries:
        return
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            _scrub(apps, connection, entries)
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_auditentry'"
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            _scrub(apps, connection, entries)
            for _name, sql in triggers:
                cursor.execute(sql)
        else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
            _scrub(apps, connection, entries)


def one_valid_card_per_holder(apps, schema_editor):
    Card = apps.get_model("cards", "Card")
    StatusEntry = apps.get_model("cards", "StatusEntry")
    StatusList = apps.get_model("cards", "StatusList")
    Audit = apps.get_model("core", "AuditEntry")
    by_holder = defaultdict(list)
    for card in Card.objects.filter(state="active").order_by("-issued_at", "-pk"):
        by_holder[card.holder_id].append(card)
    for cards in by_holder.values():
        for extra in cards[1:]:  # the newest stays valid
            Card.objects.filter(pk=extra.pk).update(state="revoked", reason="error")
            StatusEntry.objects.filter(pk=extra.status_entry_id).update(status=REVOKED)
            list_id = (
                StatusEntry.objects.filter(pk=extra.status_entry_id).values_list("status_list_id", flat=True).get()
            )
            StatusList.objects.filter(pk=list_id).update(token=None)  # re-signed at the next download
            Audit.objects.create(
                action="cards.card.revoke",
                object_type="cards.card",
                object_id=str(extra.pk),
                detail={"reason": "error", "migration": "cards.0006: one valid card per holder"},
            )


def forwards(apps, schema_editor):
    points_instead_of_types(apps, schema_editor)
    audit_entries_without_types(apps, schema_editor)  # before the new entries below (PostgreSQL triggers)
    one_valid_card_per_holder(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0005_document_check_points"),
        ("core", "0002_audit_append_only"),
    ]

    # Irreversible on purpose: the types are not kept anywhere to be put back.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
