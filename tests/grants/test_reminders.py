"""Reminders of reports: a week before the due date and once late, in the organisation's language,
each one once however many times (or how many at once) the daily job runs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from sanspeur.grants import services
from sanspeur.grants.management.commands.grants_send_reminders import run_reminders
from sanspeur.grants.models import ApplicantProfile, ReportReminder

from .conftest import into_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(officer, applicant, call):
    ApplicantProfile.objects.create(organisation=applicant.organisation, language="en")
    application = into_review(officer, applicant, call, amount="100000")
    services.application_decide(
        acting_user=officer, application=application, move="approve", amount=Decimal("100000"), resolution_number="CE1"
    )
    services.agreement_schedule(acting_user=officer, application=application)
    return application.reports.get(number=1)


def test_a_reminder_goes_once_before_and_once_after_the_due_date(report, django_capture_on_commit_callbacks):
    early = report.due_on - dt.timedelta(days=30)
    week_before = report.due_on - dt.timedelta(days=3)
    late = report.due_on + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_reminders(today=early) == {"new": 0, "already_sent": 0, "messages": 0}
        assert run_reminders(today=week_before) == {"new": 1, "already_sent": 0, "messages": 1}
        assert run_reminders(today=week_before) == {"new": 0, "already_sent": 1, "messages": 0}
        assert run_reminders(today=week_before + dt.timedelta(days=1))["new"] == 0
        assert run_reminders(today=late) == {"new": 1, "already_sent": 0, "messages": 1}
        assert run_reminders(today=late + dt.timedelta(days=5))["new"] == 0
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject.startswith("Sans peur funding: report 1 is due on")  # the profile says English
    assert mail.outbox[1].subject == "Sans peur funding: report 1 is late"
    assert mail.outbox[0].to == ["collectif.zephirin@example.org"]
    assert ReportReminder.objects.count() == 2


def test_no_reminder_for_a_report_already_in(applicant, report, django_capture_on_commit_callbacks):
    services.report_submit(
        acting_user=applicant, report=report, narrative="Bilan.", spending={"staff": Decimal("1")}, people={}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert run_reminders(today=report.due_on + dt.timedelta(days=3))["new"] == 0
        late = report.due_on + dt.timedelta(days=3)
        assert services.report_remind(acting_user=None, report=report, kind="after", today=late) is None
    assert not mail.outbox


def test_the_reminder_is_in_the_organisation_s_language(report, django_capture_on_commit_callbacks):
    ApplicantProfile.objects.filter(organisation=report.application.organisation).update(language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        run_reminders(today=report.due_on + dt.timedelta(days=1))
    assert mail.outbox[0].subject == "Financement Sans peur : le rapport 1 est en retard"


def test_only_the_daily_job_sends_reminders(officer, report):
    with pytest.raises(PermissionDenied):
        services.report_remind(acting_user=officer, report=report, kind="after", today=report.due_on)


def _run_in_thread(today, barrier, results):
    from django.db import connections

    try:
        barrier.wait(10)
        results.append(run_reminders(today=today)["messages"])
    except Exception as error:  # noqa: BLE001 - reported by the assertion
        results.append(repr(error))
    finally:
        connections.close_all()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_five_runs_at_once_send_one_reminder(report):
    import threading

    barrier, results = threading.Barrier(5), []
    late = report.due_on + dt.timedelta(days=1)
    threads = [threading.Thread(target=_run_in_thread, args=(late, barrier, results)) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == [0, 0, 0, 0, 1], results
    assert len(mail.outbox) == 1 and ReportReminder.objects.count() == 1
