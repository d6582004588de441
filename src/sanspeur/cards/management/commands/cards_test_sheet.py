"""Write the verifier test sheet (PDF): a city prints it to check that a phone model reads its cards."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ...testsheet import sheet_pdf


class Command(BaseCommand):
    help = "Write the verifier test sheet: a card-length code, signed by no trusted key, to check a phone model."

    def add_arguments(self, parser):
        parser.add_argument("output", help="PDF file to write")

    def handle(self, *args, **options):
        path = Path(options["output"])
        path.write_bytes(sheet_pdf())
        self.stdout.write(f"Test sheet written to {path}")
