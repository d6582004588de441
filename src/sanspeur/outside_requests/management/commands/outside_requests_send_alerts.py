"""Daily job: e-mail the register's handlers about deadlines near or past, non-disclosure orders
expiring or expired, and deferred notices due. Each alert once (AlertNotice): safe to run again or
to kill; one small transaction per alert."""

from sanspeur.core.jobs import JobCommand

from ... import selectors, services


def run_alerts(*, today=None) -> dict:
    outcomes = {"new": 0, "already_sent": 0, "messages": 0}
    for alert in selectors.dashboard_alerts(today=today):
        sent = services.alert_notify(acting_user=None, request=alert.request, kind=alert.kind, on=alert.on)
        if sent is None:
            outcomes["already_sent"] += 1
        else:
            outcomes["new"] += 1
            outcomes["messages"] += sent
    return outcomes


class Command(JobCommand):
    help = "E-mail the register's handlers about deadlines and orders (each alert once)."

    def handle(self, *args, **options):
        outcomes = run_alerts()
        self.stdout.write(" ".join(f"{name}={count}" for name, count in outcomes.items()))
