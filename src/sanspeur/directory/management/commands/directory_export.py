"""Bulk export of the public directory as an HSDS 3.0 JSON package (an array of full services).

It goes through the same public serializer as the API: confidential sites keep their front gate only.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sanspeur.directory import hsds, selectors, tabular


def export_package(lang: str = "fr") -> list[dict]:
    terms = hsds._terms_by_code()
    return [hsds.service(s, lang, terms=terms) for s in selectors.services_queryset().order_by("id")]


class Command(BaseCommand):
    help = "Export the public directory as an HSDS 3.0 JSON package (array of services)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default="-", help="file path, or - for standard output")
        parser.add_argument("--lang", default="fr", choices=["fr", "en", "es", "ar", "ht"])
        parser.add_argument(
            "--format",
            default="json",
            choices=["json", "csv"],
            help="json: HSDS JSON package; csv: HSDS tabular package as a zip (needs --output)",
        )

    def handle(self, *args, output, lang, format, **options):
        if format == "csv":
            if output == "-":
                raise CommandError("--format csv writes a zip file: give --output")
            Path(output).write_bytes(tabular.zip_package(export_package(lang), lang))
            self.stderr.write(f"exported to {output}")
            return
        text = json.dumps(export_package(lang), ensure_ascii=False, indent=1)
        if output == "-":
            self.stdout.write(text)
        else:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"exported to {output}")
