"""The HR file of headcounts: parsed and checked in full before anything is written.

    unit,period,headcount
    SPVM-PDQ38,2026-01,112

``unit`` is a unit's code, ``period`` a month (YYYY-MM), ``headcount`` a whole number. A header
line is required; columns may come in any order; a semicolon works as well as a comma (a
spreadsheet saved in French). Every bad row is listed, with its line number and a translated
reason; one bad row refuses the whole file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_ROWS = 20_000
MAX_BYTES = 2 * 1024 * 1024
MAX_HEADCOUNT = 100_000
COLUMNS = ("unit", "period", "headcount")


@dataclass(frozen=True)
class HeadcountRow:
    line: int
    unit_id: int
    unit_code: str
    unit_name: str
    period: dt.date
    headcount: int


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


def _period(value: str) -> dt.date | None:
    try:
        year, month = value.strip().split("-")
        if len(year) != 4 or len(month) != 2:
            return None
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return None


def headcount_parse(text: str) -> tuple[list[HeadcountRow], list[RowError]]:
    from .models import Unit

    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        return [], [RowError(0, _("The file is larger than 2 MB."))]
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except (StopIteration, csv.Error):
        return [], [RowError(1, _("The file is empty: the first line must name the columns unit, period, headcount."))]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        return [], [
            RowError(
                1,
                _("The first line must name the columns unit, period, headcount (missing: %(missing)s).")
                % {"missing": ", ".join(missing)},
            )
        ]
    position = {column: header.index(column) for column in COLUMNS}
    units = {code: (pk, code, name) for pk, code, name in Unit.objects.values_list("pk", "code", "name_fr")}
    rows: list[HeadcountRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, dt.date], int] = {}
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append(RowError(line, _("The file has more than 20,000 rows.")))
                break
            if len(cells) < len(header):
                errors.append(RowError(line, _("Line %(line)s: a column is missing.") % {"line": line}))
                continue
            code = cells[position["unit"]].strip().upper()
            period = _period(cells[position["period"]])
            count_text = cells[position["headcount"]].strip().replace("\u202f", "").replace(" ", "")
            if code not in units:
                errors.append(
                    RowError(
                        line, _("Line %(line)s: no unit has the code “%(code)s”.") % {"line": line, "code": code[:32]}
                    )
                )
                continue
            if period is None:
                errors.append(
                    RowError(
                        line, _("Line %(line)s: write the period as year-month, for example 2026-01.") % {"line": line}
                    )
                )
                continue
            if not count_text.isdigit() or int(count_text) > MAX_HEADCOUNT:
                errors.append(
                    RowError(
                        line,
                        _("Line %(line)s: the headcount must be a whole number from 0 to 100,000.") % {"line": line},
                    )
                )
                continue
            pk, unit_code, name = units[code]
            if (pk, period) in seen:
                errors.append(
                    RowError(
                        line,
                        _("Line %(line)s: this unit and period are already on line %(first)s.")
                        % {"line": line, "first": seen[(pk, period)]},
                    )
                )
                continue
            seen[(pk, period)] = line
            rows.append(HeadcountRow(line, pk, unit_code, name, period, int(count_text)))
    except csv.Error:
        errors.append(RowError(0, _("The file is not a readable CSV file.")))
    if not rows and not errors:
        errors.append(RowError(2, _("The file has no rows after the first line.")))
    return rows, errors
