from django.core.management.base import BaseCommand

from sanspeur.clinics.services import reminders_send


class Command(BaseCommand):
    help = "E-mail reminders for bookings starting within 24 hours (each contact once). Run hourly."

    def handle(self, *args, **options):
        result = reminders_send()
        self.stdout.write(f"e-mails sent: {result['email']}, SMS waiting for a provider: {result['sms_pending']}")
