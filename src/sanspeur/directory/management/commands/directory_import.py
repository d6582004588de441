"""Import an HSDS 3.0 JSON package (validated, all-or-nothing)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sanspeur.directory.importer import ImportErrors, package_import


class Command(BaseCommand):
    help = "Import an HSDS 3.0 JSON package (a service, an array of services or a paginated list)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--lang", default="en", choices=["fr", "en", "es", "ar", "ht"], help="language of the package's texts"
        )

    def handle(self, *args, path, lang, **options):
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {path}: {exc.__class__.__name__}") from exc
        try:
            counts = package_import(acting_user=None, data=data, lang=lang, name=Path(path).name)
        except ImportErrors as exc:
            for line in exc.errors:
                self.stderr.write(line)
            raise CommandError(f"nothing imported: {len(exc.errors)} error(s)") from exc
        self.stdout.write(
            f"imported {counts['services']} service(s) in {lang}: {counts['services_created']} new,"
            f" {counts['services_updated']} changed (a version each), the others unchanged"
        )
