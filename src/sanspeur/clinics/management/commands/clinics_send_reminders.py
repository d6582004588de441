
from sanspeur.clinics.services import reminders_send
from sanspeur.core.jobs import JobCommand


class Command(JobCommand):
    help = "E-mail reminders for bookings starting within 24 hours (each contact once). Run hourly."

    def handle(self, *args, **options):
        result = reminders_send(acting_user=None)
        self.stdout.write(f"e-mails sent: {result['email']}, SMS waiting for a provider: {result['sms_pending']}")
