"""Daily job: remind holders whose card expires within SANSPEUR_CARD_REMINDER_DAYS (default 30).

One small transaction per card, each card reminded once per expiry: safe to run again or to kill.
"""

from django.utils import timezone

from sanspeur.core.jobs import JobCommand

from ...selectors import cards_due_for_reminder
from ...services import card_renewal_remind


def run_reminders(*, now=None) -> dict:
    now = now or timezone.now()
    outcomes = {"email": 0, "sms_pending": 0, "no_contact": 0, "skipped": 0}
    for card in cards_due_for_reminder(now=now):
        outcomes[card_renewal_remind(acting_user=None, card=card, now=now)] += 1
    return outcomes


class Command(JobCommand):
    help = "E-mail a renewal reminder to holders whose card expires soon (once per expiry)."

    def handle(self, *args, **options):
        outcomes = run_reminders()
        self.stdout.write(" ".join(f"{name}={count}" for name, count in outcomes.items()))
