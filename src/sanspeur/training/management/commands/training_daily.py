"""Daily job: move completions to expiring or expired, send the reminders that are due (each once:
training/reminders.py), mark the no-shows of sessions held, and forget the records of people who
left before the retention limit. Safe to run again or to kill."""

from sanspeur.core.jobs import JobCommand

from ... import services


class Command(JobCommand):
    help = "Age training completions and send the reminders that are due (each once)."

    def handle(self, *args, **options):
        aged = services.completion_age(acting_user=None)
        sent = services.reminders_run()
        forgotten = services.people_forget(acting_user=None)
        sheets = services.sheets_forget(acting_user=None)
        no_shows = services.sessions_mark_no_shows(acting_user=None)
        snapshot = services.coverage_snapshot(acting_user=None)
        summary = {
            **aged,
            **sent,
            "forgotten": forgotten,
            "no_shows": no_shows,
            "snapshot_rows": snapshot,
            "sheets_forgotten": sheets,
        }
        self.stdout.write(" ".join(f"{name}={count}" for name, count in summary.items()))
