from django.core.management.base import BaseCommand

from sanspeur.protection.services import retention_run


class Command(BaseCommand):
    help = "Crypto-shred closed cases past retention and drop unclaimed codenames (idempotent)."

    def handle(self, *args, **options):
        result = retention_run(acting_user=None)
        self.stdout.write(f"shredded={result['shredded']} codenames_dropped={result['codenames_dropped']}")
