"""Daily job: remind funded organisations of their progress reports, a week before the due date and
once it has passed, in the organisation's language. Each reminder once (ReportReminder): safe to
run again, twice at once, or to kill; one small transaction per reminder."""

import datetime as dt

from django.utils import timezone

from sanspeur.core.jobs import JobCommand

from ... import services, states
from ...models import Report


def run_reminders(*, today=None) -> dict:
    today = today or timezone.localdate()
    outcomes = {"new": 0, "already_sent": 0, "messages": 0}
    open_reports = Report.objects.filter(
        state__in=[states.DUE, states.CHANGES_REQUESTED],
        due_on__lte=today + dt.timedelta(days=services.REMIND_BEFORE_DAYS),
    ).order_by("pk")
    for report in open_reports:
        kind = services.reminder_kind(report, today)
        if kind is None:
            continue
        sent = services.report_remind(acting_user=None, report=report, kind=kind, today=today)
        if sent is None:
            outcomes["already_sent"] += 1
        else:
            outcomes["new"] += 1
            outcomes["messages"] += sent
    return outcomes


class Command(JobCommand):
    help = "E-mail funded organisations about reports due soon or late (each reminder once)."

    def handle(self, *args, **options):
        outcomes = run_reminders()
        self.stdout.write(" ".join(f"{name}={count}" for name, count in outcomes.items()))
