from sanspeur.core import services
from sanspeur.core.jobs import JobCommand


class Command(JobCommand):
    help = (
        "After restoring the database from a backup: destroy again the data keys that were forgotten "
        "after the backup was taken (the key provider keeps their ids, never anything personal), and "
        "clear the sealed fields of the records that used them. Run it before opening the site."
    )

    def handle(self, *args, **options):
        count = services.forgets_replay(acting_user=None)
        self.stdout.write(f"Forgotten again: {count} data keys.")
