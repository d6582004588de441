from sanspeur.clinics.services import bookings_purge
from sanspeur.core.jobs import JobCommand


class Command(JobCommand):
    help = (
        "Shred reminder contacts of finished time slots and delete individual bookings of events that ended "
        "N days ago (SANSPEUR_CLINICS_PURGE_AFTER_DAYS, default 1). Counters stay. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, **options):
        result = bookings_purge(acting_user=None, days=options["days"])
        self.stdout.write(
            f"reminders shredded: {result['reminders']}, bookings deleted: {result['bookings']}, "
            f"events purged: {result['events']}"
        )
