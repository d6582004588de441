"""Document types can reveal status (a consular card, a work permit): no record keeps which types a
person showed (issue 14). What stays is what accountability needs — the points the documents
reached, who checked them and on which day — and nothing of the kind in audit entries or logs."""

import json
import logging

import pytest
from django.utils import timezone

from sanspeur.cards import services
from sanspeur.cards.models import DocumentCheck, DocumentType, Holder
from sanspeur.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def type_words(documents):
    return {d.code for d in documents} | {d.name_fr for d in documents} | {d.name_en for d in documents}


def test_enrollment_keeps_the_points_reached_and_who_checked_never_the_types(enrolled, agent, documents):
    holder, _card = enrolled
    check = DocumentCheck.objects.get(holder=holder)
    # passport (3 identity, photo, birth date) + birth certificate (1 identity) + shelter letter (1 residence)
    assert (check.identity_points, check.residence_points) == (4, 1)
    assert (check.photo_document, check.birth_date_document) == (True, True)
    assert check.checked_by == agent
    assert check.checked_on == timezone.localdate(holder.created_at)  # the day, no time
    stored = json.dumps(
        {f.attname: str(getattr(check, f.attname)) for f in DocumentCheck._meta.concrete_fields}, ensure_ascii=False
    )
    for word in type_words(documents):
        assert word not in stored
    assert not any(f.is_relation and f.related_model is DocumentType for f in DocumentCheck._meta.get_fields())


def test_the_enrollment_audit_entry_holds_points_not_types(enrolled, documents):
    holder, _card = enrolled
    entry = AuditEntry.objects.get(action="cards.holder.enroll", object_id=str(holder.pk))
    assert entry.detail == {"identity_points": 4, "residence_points": 1}
    text = json.dumps(entry.detail, ensure_ascii=False)
    for word in type_words(documents):
        assert word not in text


def test_no_audit_entry_names_a_document_type_after_forget_or_shred(enrolled, agent, documents):
    holder, card = enrolled
    services.card_replace(acting_user=agent, card=card, reason="lost")
    services.holder_forget(acting_user=agent, holder=holder)
    assert not DocumentCheck.objects.filter(holder_id=holder.pk).exists()
    words = type_words(documents)
    for entry in AuditEntry.objects.all():
        text = json.dumps(entry.detail, ensure_ascii=False)
        assert not any(word in text for word in words), (entry.action, entry.detail)


def test_enrollment_logs_no_document_type(agent, documents, caplog):
    from sanspeur.cards.faces import face_jpeg

    from .conftest import PROFILE

    with caplog.at_level(logging.DEBUG):
        services.holder_enroll(
            acting_user=agent,
            organisation=agent.organisation,
            profile=dict(PROFILE),
            photo_jpeg=face_jpeg(1),
            document_types=documents,
        )
    words = type_words(documents) | {str(d.pk) for d in documents} - {"1", "2", "3"}
    for record in caplog.records:
        message = record.getMessage()
        assert not any(word in message for word in words if len(word) > 3), message


def test_the_holder_page_shows_the_points_and_the_day_not_the_types(mfa_client, agent, enrolled, documents):
    holder, _card = enrolled
    text = mfa_client(agent).get(f"/fr/cards/holders/{holder.pk}/").content.decode()
    assert "agent.a" in text and timezone.localdate(holder.created_at).isoformat() in text
    assert "points d’identité : 4, points de résidence : 1" in text
    for document in documents:
        assert document.name_fr not in text, document.code


# --- The migration: existing checks lose their types; extra valid cards are revoked ----------------
@pytest.mark.django_db(transaction=True)
def test_the_migration_drops_existing_types_and_keeps_one_valid_card(agent, documents):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from sanspeur.cards.faces import face_jpeg
    from sanspeur.cards.models import Card, StatusEntry
    from sanspeur.cards.services import add_months
    from sanspeur.core.models import AuditEntry as Audit

    from .conftest import PROFILE

    holder, first = services.holder_enroll(
        acting_user=agent,
        organisation=agent.organisation,
        profile=dict(PROFILE),
        photo_jpeg=face_jpeg(1),
        document_types=documents,
    )
    before = [("cards", "0004_document_type_names")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps
        OldCheck = old.get_model("cards", "DocumentCheck")
        OldCard = old.get_model("cards", "Card")
        check = OldCheck.objects.get(holder_id=holder.pk)
        check.document_types.set(
            OldCheck.document_types.field.related_model.objects.filter(code__in=[d.code for d in documents])
        )
        # The bug this migration cleans up after: a second valid card for the same holder.
        now = first.issued_at
        # An entry as the code of that time made it (the models of that migration state).
        OldEntry = old.get_model("cards", "StatusEntry")
        taken = set(
            OldEntry.objects.filter(status_list_id=first.status_entry.status_list_id).values_list("index", flat=True)
        )
        entry = OldEntry.objects.create(
            status_list_id=first.status_entry.status_list_id,
            index=next(i for i in range(10**6) if i not in taken),
            keep_until=add_months(now, 24),
        )
        extra = OldCard.objects.create(
            holder_id=holder.pk,
            number="ZZ00000001",
            state="active",
            status_entry_id=entry.pk,
            signing_kid=first.signing_kid,
            issued_at=now.replace(year=now.year - 1),
            expires_at=add_months(now, 12),
        )
        Audit.objects.create(
            action="cards.holder.enroll",
            object_type="cards.holder",
            object_id=str(holder.pk),
            detail={"document_types": sorted(d.code for d in documents), "kept": 1},
        )
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
    finally:
        MigrationExecutor(connection).migrate(leaves)

    check = DocumentCheck.objects.get(holder=holder)
    assert (check.identity_points, check.residence_points) == (4, 1)
    assert (check.photo_document, check.birth_date_document) == (True, True)
    assert not [t for t in connection.introspection.table_names() if "documentcheck_document_types" in t]
    # The newest valid card stays valid; the other is revoked, in the status list too, and audited.
    assert Card.objects.get(pk=first.pk).state == "active"
    revoked = Card.objects.get(pk=extra.pk)
    assert (revoked.state, revoked.reason) == ("revoked", "error")
    assert StatusEntry.objects.get(pk=revoked.status_entry_id).status == StatusEntry.Status.REVOKED
    assert Audit.objects.filter(action="cards.card.revoke", object_id=str(extra.pk)).exists()
    # Earlier enrollment entries keep everything but the types.
    for entry in Audit.objects.filter(action="cards.holder.enroll"):
        assert "document_types" not in entry.detail
    assert Audit.objects.filter(action="cards.holder.enroll", detail__kept=1).exists()
    assert Holder.objects.filter(pk=holder.pk).exists()
