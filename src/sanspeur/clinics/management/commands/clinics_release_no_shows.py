
from sanspeur.clinics.services import bookings_release_no_shows
from sanspeur.core.jobs import JobCommand


class Command(JobCommand):
    help = "Mark bookings not checked in within the grace period as no-shows and offer their places. Run every 5 min."

    def handle(self, *args, **options):
        self.stdout.write(f"bookings released: {bookings_release_no_shows()}")
