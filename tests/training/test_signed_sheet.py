"""A session held without the QR (issue 20, item 3): the scan of its signed sheet is sealed and the
people whose numbers the coordinator typed are checked in — all or none; only coordinators record
or open it (audited); the daily job destroys old scans."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from sanspeur.core.models import AuditEntry, DataKey
from sanspeur.training import services, states
from sanspeur.training.models import Attendance, AttendanceSheet

from .conftest import person

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4\n% a fictional signed sheet ZEPHYRINE\n%%EOF\n"


@pytest.fixture
def held(coordinator, required):
    return services.session_create(
        acting_user=coordinator,
        version=required.current,
        starts_at=timezone.now() - dt.timedelta(hours=3),
        place="PDQ 38",
        trainer=coordinator,
        capacity=20,
        language="fr",
    )


@pytest.fixture
def trainees(coordinator, tree, required):
    return [person(coordinator, tree["pdq38"], name=f"Signataire {n}", number=f"S-{n}") for n in range(2)]


def test_the_sheet_checks_people_in_and_is_sealed(coordinator, held, trainees):
    sheet = services.attendance_sheet_record(
        acting_user=coordinator, session=held, data=SCAN, employee_numbers=["S-0", "S-1", "S-0"]
    )
    assert sheet.people == 2 and sheet.kind == "pdf"
    assert Attendance.objects.filter(session=held).count() == 2
    assert all(t.completions.get().state == states.COMPLETED for t in trainees)
    assert b"ZEPHYRINE" not in bytes(AttendanceSheet.objects.get().sealed)
    entry = AuditEntry.objects.get(action="training.session.sheet")
    assert entry.detail["people"] == 2 and "S-0" not in str(entry.detail)


@pytest.mark.parametrize(
    ("data", "numbers"),
    [
        (SCAN, ["S-0", "UNKNOWN"]),  # one number is not on the list
        (SCAN, []),
        (b"MZ\x90\x00 not a scan", ["S-0"]),
        (b"", ["S-0"]),
    ],
)
def test_nothing_is_recorded_on_bad_input(coordinator, held, trainees, data, numbers):
    with pytest.raises(ValidationError):
        services.attendance_sheet_record(acting_user=coordinator, session=held, data=data, employee_numbers=numbers)
    assert not AttendanceSheet.objects.exists() and not Attendance.objects.exists()


def test_a_session_to_come_takes_no_sheet(coordinator, held, trainees):
    held.starts_at = timezone.now() + dt.timedelta(days=1)
    held.save()
    with pytest.raises(ValidationError):
        services.attendance_sheet_record(acting_user=coordinator, session=held, data=SCAN, employee_numbers=["S-0"])


def test_only_coordinators_record_a_sheet(manager, held, trainees):
    with pytest.raises(PermissionDenied):
        services.attendance_sheet_record(acting_user=manager, session=held, data=SCAN, employee_numbers=["S-0"])
    assert not AttendanceSheet.objects.exists()


def test_the_page_uploads_and_a_coordinator_opens_it_audited(mfa_client, coordinator, manager, held, trainees):
    client = mfa_client(coordinator)
    with translation.override("fr"):
        url = reverse("training:session_sheet", args=[held.pk])
    bad = client.post(url, {"sheet-numbers": "S-0", "sheet-scan": SimpleUploadedFile("a.txt", b"hello")})
    assert bad.status_code == 400 and not AttendanceSheet.objects.exists()
    good = client.post(url, {"sheet-numbers": "S-0\nS-1", "sheet-scan": SimpleUploadedFile("s.pdf", SCAN)})
    assert good.status_code == 302
    sheet = AttendanceSheet.objects.get()
    with translation.override("fr"):
        download = reverse("training:sheet_download", args=[sheet.pk])
    response = client.get(download)
    assert response.status_code == 200 and response.content == SCAN and response["Content-Type"] == "application/pdf"
    assert AuditEntry.objects.filter(action="training.attendancesheet.view", object_id=str(sheet.pk)).exists()
    assert mfa_client(manager).get(download).status_code == 403


def test_old_scans_are_destroyed_by_the_daily_job(coordinator, held, trainees, settings):
    sheet = services.attendance_sheet_record(acting_user=coordinator, session=held, data=SCAN, employee_numbers=["S-0"])
    key = sheet.data_key_id
    later = timezone.localdate() + dt.timedelta(days=settings.SANSPEUR_TRAINING_RETENTION_DAYS + 1)
    assert services.sheets_forget(acting_user=None) == 0
    assert services.sheets_forget(acting_user=None, today=later) == 1
    assert not AttendanceSheet.objects.exists() and DataKey.objects.get(pk=key).wrapped is None
    assert Attendance.objects.filter(session=held).count() == 1  # what it recorded stays
