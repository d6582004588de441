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
