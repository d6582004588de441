"""Load fictional demo data. Idempotent: running it twice changes nothing the second time.

Each app that has demo data provides ``sanspeur.<app>.demo.load(stdout)``; they run in the order
of INSTALLED_APPS, so an app can rely on the data of the apps before it.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Load fictional demo data for every capability (idempotent). Never on a production database."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo staff logins.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not settings.SANSPEUR_CREATE_MISSING_KEYS:
            raise CommandError("Demo data is for development machines only.")
        for config in apps.get_app_configs():
            if not config.name.startswith("sanspeur."):
                continue
            module_name = f"{config.name}.demo"
            if find_spec(module_name) is None:
                continue
            import_module(module_name).load(stdout=self.stdout, print_logins=not options["quiet_logins"])
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
