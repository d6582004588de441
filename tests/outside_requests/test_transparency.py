"""The transparency page's numbers come from the register: published requests only, persons in bands."""

import pytest
from django.utils import translation

from sanspeur.outside_requests import selectors
from sanspeur.outside_requests.models import OutsideRequest

from .conftest import register

pytestmark = pytest.mark.django_db


def _published(user, outcome, persons=1, **overrides):
    request = register(user, **overrides)
    OutsideRequest.objects.filter(pk=request.pk).update(
        state="published", outcome=outcome, persons_affected=persons, responded_on=request.received_on
    )
    return request


def test_counts_shares_and_bands_come_from_published_requests_only(privacy, client):
    _published(privacy, "refused", instrument="informal", requester_type="border_agency")
    _published(privacy, "refused", instrument="informal", requester_type="border_agency")
    _published(privacy, "no_records", instrument="administrative", requester_type="immigration")
    _published(privacy, "partially_disclosed", persons=12)
    register(privacy, non_disclosure_order=True)  # still secret: not counted
    with translation.override("en"):
        report = selectors.transparency()
    assert report["total"] == 4
    assert (report["refused_share"], report["no_records_share"]) == (50, 25)
    assert dict(report["persons_bands"]) == {"1": 0, "2–9": 0, "10–49": 1, "50+": 0}
    rows = {(row["requester"], row["instrument"], row["outcome"]): row["n"] for row in report["rows"]}
    assert rows[("Border agency", "Informal request (voluntary)", "Refused")] == 2
    assert report["median_days"] == 0
    page = client.get("/ar/accountability/transparency/").content.decode()
    assert '<strong id="transparency-total"><bdi dir="ltr">4</bdi></strong>' in page
    assert "وكالة الحدود" in page


@pytest.mark.parametrize(("number", "label"), [(0, "0"), (1, "1"), (2, "2–9"), (9, "2–9"), (10, "10–49"), (50, "50+")])
def test_bands(number, label):
    assert selectors.band(number) == label


def test_refusal_counts_by_service_type_hide_small_cells_and_what_would_reveal_them(client, service):
    """A published row never lets a reader solve for a count below 5."""
    from django.utils import timezone

    from sanspeur.directory.models import TaxonomyTerm
    from sanspeur.outside_requests.models import RefusalReport

    term = TaxonomyTerm.objects.exclude(name__ar=None).order_by("code").first()  # the seeded taxonomy
    service.needs.add(term)
    today = timezone.localdate()
    for what, n in (("asked_status", 2), ("refused_card", 7), ("called_police", 9)):
        for _ in range(n):
            RefusalReport.objects.create(service=service, what=what, happened_on=today, received_on=today)
    with translation.override("en"):
        table = selectors.refusal_counts_by_service_type()
    row = table["rows"][0]
    kinds = [value for value, _label in RefusalReport.What.choices]
    cells = dict(zip(kinds, row["cells"], strict=True))
    assert cells["asked_status"] is None  # 2: below the threshold
    assert cells["refused_card"] is None  # secondary: else total - shown cells = 2
    assert cells["called_police"] == 9 and row["total"] == 18
    shown = sum(n for n in row["cells"] if n)
    hidden = [n for n in row["cells"] if n is None]
    assert len(hidden) >= 2 or row["total"] is None, "one hidden cell would be total minus the others"
    assert row["total"] - shown == 9  # what a reader can solve: the sum of two cells, never one
    page = client.get("/ar/accountability/transparency/").content.decode()
    assert term.name["ar"] in page and 'id="refusal-table"' in page
