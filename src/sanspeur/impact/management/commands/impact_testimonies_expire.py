from sanspeur.core.jobs import JobCommand
from sanspeur.impact.services import UNMODERATED_DAYS, testimonies_expire


class Command(JobCommand):
    help = (
        f"Destroy the testimonies that no moderator redacted or refused within {UNMODERATED_DAYS} days "
        "(their words are never kept waiting). Idempotent."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"testimonies destroyed: {testimonies_expire(acting_user=None)}")
