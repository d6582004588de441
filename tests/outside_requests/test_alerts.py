"""Deadline and order alerts: e-mailed once to the register's handlers, with references and dates
only; the register's dates as a calendar file."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from sanspeur.outside_requests.management.commands.outside_requests_send_alerts import run_alerts
from sanspeur.outside_requests.models import AlertNotice

from .conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_and_ordered(privacy):
    today = timezone.localdate()
    due = register(privacy, due_on=today + dt.timedelta(days=2))
    ordered = register(privacy, non_disclosure_order=True, ndo_expires_on=today + dt.timedelta(days=10))
    return due, ordered


def test_each_alert_is_mailed_once_to_every_handler_with_no_name(
    privacy, legal, make_staff, organisation, due_and_ordered, mailoutbox, django_capture_on_commit_callbacks
):
    make_staff("partner.admin", ["administrator"], organisation)  # not a handler: never told
    due, ordered = due_and_ordered
    with django_capture_on_commit_callbacks(execute=True):
        first = run_alerts()
    assert first == {"new": 2, "already_sent": 0, "messages": 4}  # two alerts × the two handlers
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [f"{u.username}@example.org" for u in (privacy, legal)] * 2
    )
    subjects = {message.subject for message in mailoutbox}
    assert any(due.reference in subject for subject in subjects)
    assert any(ordered.reference in subject for subject in subjects)
    for message in mailoutbox:
        text = message.subject + message.body
        assert "Zéphyrine" not in text and "Fictional police" not in text and "QUASIMODO" not in text
    with django_capture_on_commit_callbacks(execute=True):
        second = run_alerts()
    assert second == {"new": 0, "already_sent": 2, "messages": 0}
    assert len(mailoutbox) == 4
    assert AlertNotice.objects.count() == 2


def test_the_job_runs_under_its_lock(privacy, due_and_ordered, capsys):
    call_command("outside_requests_send_alerts")
    assert "new=2" in capsys.readouterr().out


def test_an_alert_is_written_in_the_handler_language(
    make_staff, city_organisation, due_and_ordered, mailoutbox, django_capture_on_commit_callbacks
):
    from sanspeur.accounts.models import User

    User.objects.filter(username="priya.privacy").update(preferred_language="es")
    User.objects.filter(username__in=["lea.legal"]).delete()
    with django_capture_on_commit_callbacks(execute=True):
        run_alerts()
    assert all("Solicitud externa" in message.subject for message in mailoutbox)


def test_the_calendar_file_lists_the_register_dates_for_handlers_only(
    mfa_client, privacy, make_staff, organisation, due_and_ordered
):
    due, ordered = due_and_ordered
    text = mfa_client(privacy).get("/en/accountability/requests/calendar.ics").content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert f"UID:{due.reference}-due@" in text and f"UID:{ordered.reference}-ndo@" in text
    assert f"DTSTART;VALUE=DATE:{due.due_on:%Y%m%d}" in text
    assert "Zéphyrine" not in text
    outsider = make_staff("partner.admin2", ["administrator"], organisation)
    assert mfa_client(outsider).get("/en/accountability/requests/calendar.ics").status_code == 403
