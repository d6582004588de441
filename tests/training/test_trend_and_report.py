"""Coverage over time and the semi-annual compliance report (issue 20, item 5): the daily job keeps
one snapshot a month (counts only); the unit page shows the trend; the coordinators download the
half-year's PDF, whose figures are those of the snapshot after the half-year, or today's."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from sanspeur.training import report, selectors, services
from sanspeur.training.models import CoverageSnapshot

from .conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed(coordinator, tree, required):
    trained = person(coordinator, tree["pdq38"], name="Un", number="T-1")
    person(coordinator, tree["pdq38"], name="Deux", number="T-2")
    services.completion_record(
        acting_user=coordinator,
        completion=trained.completions.get(),
        version=required.current,
        completed_on=timezone.localdate(),
        score=None,
    )
    return tree


def test_one_snapshot_a_month_with_counts_only(staffed, coordinator):
    today = timezone.localdate()
    rows = services.coverage_snapshot(acting_user=None, today=today)
    assert rows > 0
    assert services.coverage_snapshot(acting_user=None, today=today) == 0  # the same month: nothing
    snapshot = CoverageSnapshot.objects.get(unit=staffed["pdq38"])
    live = selectors.coverage_tree(today=today)[staffed["pdq38"].pk].courses[0]
    assert (snapshot.expected, snapshot.covered, snapshot.target) == (live.expected, live.covered, live.target)
    assert snapshot.covered == 1
    fields = {f.name for f in CoverageSnapshot._meta.concrete_fields}
    assert not fields & {"person", "name", "employee_index"}


def test_only_the_job_or_a_coordinator_snapshots(manager, staffed):
    with pytest.raises(PermissionDenied):
        services.coverage_snapshot(acting_user=manager)
    assert not CoverageSnapshot.objects.exists()


def test_the_trend_is_month_by_month_oldest_first(staffed):
    today = timezone.localdate()
    services.coverage_snapshot(acting_user=None, today=today)
    earlier = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    services.coverage_snapshot(acting_user=None, today=earlier)
    trend = selectors.coverage_trend(staffed["pdq38"], today=today)
    assert [point[0] for point in trend[0]["points"]] == [earlier, today.replace(day=1)]


def test_the_unit_page_shows_the_trend_to_who_sees_the_unit(mfa_client, coordinator, staffed):
    services.coverage_snapshot(acting_user=None)
    client = mfa_client(coordinator)
    with translation.override("fr"):
        url = reverse("training:unit_detail", args=[staffed["pdq38"].pk])
    page = client.get(url).content.decode()
    assert 'id="trend"' in page and "<polyline" in page


def _pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_report_of_the_current_half_year_has_today_s_figures(staffed):
    today = timezone.localdate()
    period = f"{today.year}-H{1 if today.month <= 6 else 2}"
    text = _pdf_text(report.compliance_pdf(period, language="fr"))
    assert period in text and "Unité SPVM" in text and "Un" not in text.split()  # no names
    assert "Zéphyrine" not in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_a_past_half_year_uses_the_snapshot_after_it_or_has_no_report(staffed):
    today = timezone.localdate()
    past_year = today.year - 1
    assert report.compliance_pdf(f"{past_year}-H2", language="en") is None  # no snapshot was kept
    services.coverage_snapshot(acting_user=None, today=dt.date(today.year, 1, 1))
    text = _pdf_text(report.compliance_pdf(f"{past_year}-H2", language="en"))
    assert f"{today.year}-01-01" in text
    assert report.compliance_pdf(f"{today.year + 1}-H1", language="fr") is None  # not begun
    assert report.compliance_pdf("garbage", language="fr") is None


def test_only_coordinators_download_the_report(mfa_client, manager, coordinator, staffed):
    today = timezone.localdate()
    period = f"{today.year}-H{1 if today.month <= 6 else 2}"
    with translation.override("fr"):
        url = reverse("training:compliance_report", args=[period, "fr"])
        bad = reverse("training:compliance_report", args=["1999-H3", "fr"])
    assert mfa_client(manager).get(url).status_code == 403
    client = mfa_client(coordinator)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(bad).status_code == 404
