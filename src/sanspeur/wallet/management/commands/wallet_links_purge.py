from sanspeur.core.jobs import JobCommand
from sanspeur.wallet.services import phone_links_purge


class Command(JobCommand):
    help = "Delete the one-time phone links that were used or have expired (they would only date a visit). Idempotent."

    def handle(self, *args, **options):
        self.stdout.write(f"phone links deleted: {phone_links_purge(acting_user=None)}")
