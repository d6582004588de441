from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sanspeur.accounts.demo import STAFF, demo_totp_code


class Command(BaseCommand):
    help = "Print the current second-step code of a demo staff account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("Only on a development machine.")
        if username not in {row[0] for row in STAFF}:
            raise CommandError(f"{username} is not a demo account.")
        self.stdout.write(demo_totp_code(username))
