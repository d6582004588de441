"""Print the table of every SANSPEUR_* setting (docs/deploy.md's "Every setting" section)."""

from django.core.management.base import BaseCommand

from sanspeur.settings import registry


class Command(BaseCommand):
    help = "Print every SANSPEUR_* environment variable as a Markdown table, grouped by category."

    def handle(self, *args, **options):
        self.stdout.write(registry.markdown(), ending="")
