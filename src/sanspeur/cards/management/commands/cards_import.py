"""Import the certificates of the previous system from a CSV file (all or nothing).

Columns (header row required, UTF-8): given_names, family_names, date_of_birth (YYYY-MM-DD),
borough, postal_code, phone, email, preferred_language, organisation. See docs/cards.md.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from sanspeur.accounts.models import Organisation

from ...forms import ImportRowForm
from ...services import holder_import

REQUIRED_COLUMNS = ("given_names", "family_names", "date_of_birth", "borough", "postal_code")
OPTIONAL_COLUMNS = ("phone", "email", "preferred_language", "organisation")


def read_rows(path: Path, default_organisation=None) -> tuple[list[dict], list[str]]:
    """Validated rows and a line-by-line error report (no personal value in the report)."""
    errors: list[str] = []
    rows: list[dict] = []
    organisations = {o.name: o for o in Organisation.objects.all()}
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        return [], [f"cannot read {path}: {error.strerror}"]
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        if missing or unknown:
            return [], [f"line 1: missing columns {missing}, unknown columns {unknown}"]
        for line_number, raw in enumerate(reader, start=2):
            data = {k: (v or "").strip() for k, v in raw.items() if k}
            form = ImportRowForm(data)
            problems = []
            if not form.is_valid():
                for field, field_errors in form.errors.items():
                    problems += [f"{field}: {message}" for message in field_errors]
            organisation = default_organisation
            if data.get("organisation"):
                organisation = organisations.get(data["organisation"])
                if organisation is None:
                    problems.append("organisation: unknown organisation")
            if organisation is None:
                problems.append("organisation: missing (column or --organisation)")
            if problems:
                errors += [f"line {line_number}: {problem}" for problem in problems]
                continue
            row = dict(form.cleaned_data)
            row["date_of_birth"] = row["date_of_birth"].isoformat()
            row["organisation"] = organisation
            rows.append(row)
    return rows, errors


class Command(BaseCommand):
    help = "Import holders from the previous system's CSV (all or nothing). They get a new card at their next visit."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", help="Organisation name for rows without an organisation column.")

    def handle(self, *args, **options):
        translation.activate("en")
        default = None
        if options.get("organisation"):
            default = Organisation.objects.filter(name=options["organisation"]).first()
            if default is None:
                raise CommandError("unknown organisation")
        rows, errors = read_rows(Path(options["file"]), default)
        if errors:
            raise CommandError("nothing imported:\n" + "\n".join(errors))
        created = holder_import(acting_user=None, organisation=default, rows=rows)
        self.stdout.write(f"{len(created)} holder(s) imported; each needs a new card at the next visit")
