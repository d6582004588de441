
from sanspeur.core.jobs import JobCommand
from sanspeur.protection.services import retention_run


class Command(JobCommand):
    help = "Crypto-shred closed cases past retention and drop unclaimed codenames (idempotent)."

    def handle(self, *args, **options):
        result = retention_run(acting_user=None)
        self.stdout.write(f"shredded={result['shredded']} codenames_dropped={result['codenames_dropped']}")
