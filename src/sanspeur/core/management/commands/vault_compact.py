from django.apps import apps
from django.db import connection

from sanspeur.core.jobs import JobCommand
from sanspeur.core.vault import purge_old_row_versions


class Command(JobCommand):
    help = (
        "Reclaim old row versions so that shredded keys and cleared personal data leave the disk: "
        "VACUUM on PostgreSQL (tables holding data keys or sealed data), a WAL checkpoint on SQLite. "
        "Safe to run daily."
    )

    def handle(self, *args, **options):
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
