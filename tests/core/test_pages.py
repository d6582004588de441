"""Pages without a count: the audit trail's page reads one row more than it shows and never counts
the table (core/pages.py); any page number gives a page, never an error."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sanspeur.core.models import AuditEntry
from sanspeur.core.pages import MAX_PAGE, window_page
from sanspeur.core.services import audit_entry_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    with transaction.atomic():
        for n in range(7):
            audit_entry_create(acting_user=None, action="cards.holder.search", object_type="test", object_id=str(n))
    return AuditEntry.objects.order_by("-id")


@pytest.mark.parametrize(
    ("raw", "number", "shown", "older"),
    [
        (None, 1, 3, True),
        ("2", 2, 3, True),
        ("3", 3, 1, False),
        ("0", 1, 3, True),
        ("x", 1, 3, True),
        ("9" * 30, 1, 3, True),
    ],
)
def test_a_page_shows_its_rows_and_knows_if_there_is_an_older_one(entries, raw, number, shown, older):
    page = window_page(entries, raw, 3)
    assert (page.number, len(page), page.has_next, page.has_previous) == (number, shown, older, number > 1)


def test_the_deepest_page_has_no_older_link(entries):
    page = window_page(entries, str(MAX_PAGE + 5), 1)
    assert page.number == MAX_PAGE and not page.has_next


def test_the_audit_page_never_counts_the_trail(mfa_client, make_staff, city_organisation, entries):
    auditor = make_staff("audrey.auditor", ["auditor"], city_organisation)
    client = mfa_client(auditor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/fr/staff/audit/?action=cards.holder&page=2")
    assert response.status_code == 200
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "auditentry" in q["sql"].lower()]
