from sanspeur.clinics.services import reminders_send
from sanspeur.core.jobs import JobCommand


class Command(JobCommand):
    help = (
        "E-mail reminders for bookings starting within 24 hours (each contact once), and send again the "
        "messages the mail relay did not take. Run hourly."
    )

    def handle(self, *args, **options):
        result = reminders_send(acting_user=None)
        self.stdout.write(
            f"e-mails sent: {result['email'] - result['failed']}, not delivered: {result['failed']} "
            f"(tried again at the next run), SMS waiting for a provider: {result['sms_pending']}"
        )
