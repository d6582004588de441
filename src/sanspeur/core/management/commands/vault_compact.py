from datetime import timedelta

from django.apps import apps
from django.db import connection
from django.utils import timezone

from sanspeur.core.jobs import JobCommand
from sanspeur.core.keys import key_provider
from sanspeur.core.vault import JOURNAL_DAYS, destroy_stale_generations, purge_old_row_versions


class Command(JobCommand):
    help = (
        "Destroy bucket key generations an interrupted rotation left behind, and reclaim old row "
        "versions so that shredded keys and cleared personal data leave the disk: "
        "VACUUM on PostgreSQL (tables holding data keys or sealed data), a WAL checkpoint on SQLite. "
        "Safe to run daily."
    )

    def handle(self, *args, **options):
        destroyed = destroy_stale_generations()
        if destroyed:
            self.stdout.write(f"Destroyed {destroyed} bucket key generations left by an interrupted rotation.")
        provider = key_provider()
        if hasattr(provider, "forget_journal_prune"):
            before = timezone.localdate() - timedelta(days=JOURNAL_DAYS)
            provider.forget_journal_prune(before.isoformat())
        if connection.vendor != "postgresql":
            purge_old_row_versions()
            self.stdout.write("SQLite: write-ahead log checkpointed and truncated.")
            return
        tables = sorted(
            model._meta.db_table
            for model in apps.get_models()
            if model._meta.label == "core.DataKey"
            or any(field.name.startswith("sealed") for field in model._meta.concrete_fields)
        )
        connection.ensure_connection()
        previous = connection.connection.autocommit
        connection.connection.autocommit = True  # VACUUM cannot run inside a transaction
        try:
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f'VACUUM "{table}"')  # noqa: S608 - names come from our models
        finally:
            connection.connection.autocommit = previous
        self.stdout.write(f"PostgreSQL: vacuumed {len(tables)} tables.")
