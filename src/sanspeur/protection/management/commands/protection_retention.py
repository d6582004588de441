"""Daily job: crypto-shred closed cases past retention and drop unclaimed codenames.

Each case is handled by its own action (``services.case_shred``, ``services.codename_drop``), in its
own small transaction: if the job is killed, every case is either done or untouched, and the next
run carries on. Running it twice changes nothing.
"""

from datetime import timedelta

from django.utils import timezone

from sanspeur.core.jobs import JobCommand
from sanspeur.protection.models import Case
from sanspeur.protection.services import case_shred, codename_drop, retention_settings


def run_retention(*, today=None) -> dict:
    today = today or timezone.localdate()
    keep_days, unclaimed_days = retention_settings()
    shredded = dropped = 0
    for case in Case.objects.filter(state=Case.State.CLOSED, closed_on__lte=today - timedelta(days=keep_days)):
        case_shred(acting_user=None, case=case)
        shredded += 1
    stale = Case.objects.filter(
        codename_lookup__isnull=False, reporter_seen_on__lte=today - timedelta(days=unclaimed_days)
    )
    for case in stale:
        codename_drop(acting_user=None, case=case)
        dropped += 1
    return {"shredded": shredded, "codenames_dropped": dropped}


class Command(JobCommand):
    help = "Crypto-shred closed cases past retention and drop unclaimed codenames (idempotent)."

    def handle(self, *args, **options):
        result = run_retention()
        self.stdout.write(f"shredded={result['shredded']} codenames_dropped={result['codenames_dropped']}")
