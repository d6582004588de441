"""The semi-annual compliance report (issue 20, item 5): a PDF for the training coordinators and
the services' management — every service and the units just below it, per required course, with
the coverage against the target at the end of the half-year, the month-by-month trend of the
half-year, and the published outcome figures next to police coverage. Counts only: never a person.

The figures at the end of a half-year that is over are the snapshot the daily job kept on the first
day of the next month (``CoverageSnapshot``); for the half-year under way they are today's. ReportLab
with the card's embedded fonts, as the other reports.
"""

from __future__ import annotations

import datetime as dt
import re
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import CoverageSnapshot, Unit

REPORT_LANGUAGES = ("fr", "en")
_PERIOD = re.compile(r"(20[0-9]{2})-H([12])")


def period_bounds(period: str) -> tuple[dt.date, dt.date] | None:
    match = _PERIOD.fullmatch(period or "")
    if match is None:
        return None
    year, half = int(match.group(1)), int(match.group(2))
    return (dt.date(year, 1, 1), dt.date(year, 6, 30)) if half == 1 else (dt.date(year, 7, 1), dt.date(year, 12, 31))


def _rows_at(period_end: dt.date, today: dt.date) -> tuple[list[dict], dt.date] | None:
    """(rows, as-of day): the snapshot after the period for a period that is over, else today's."""
    from .selectors import coverage_tree

    units = {unit.pk: unit for unit in Unit.objects.filter(depth__lte=1)}
    if period_end < today:
        month = period_end + dt.timedelta(days=1)
        snapshots = CoverageSnapshot.objects.filter(month=month, unit_id__in=units).select_related("course")
        if not snapshots.exists():
            return None
        from .selectors import course_titles

        titles = course_titles()
        rows = [
            {
                "unit": units[s.unit_id],
                "course": titles.get(s.course_id, ""),
                "expected": s.expected,
                "covered": s.covered,
                "percent": s.percent,
                "target": s.target,
                "overdue": None,
            }
            for s in snapshots
        ]
        as_of = month
    else:
        rows = [
            {
                "unit": entry.unit,
                "course": course.title,
                "expected": course.expected,
                "covered": course.covered,
                "percent": course.percent,
                "target": course.target,
                "overdue": course.overdue,
            }
            for pk, entry in coverage_tree(today=today).items()
            if pk in units
            for course in entry.courses
        ]
        as_of = today
    rows.sort(key=lambda row: (row["unit"].path, row["course"]))
    return rows, as_of


def compliance_pdf(period: str, *, language: str, today: dt.date | None = None) -> bytes | None:
    """The report of ``period`` ("2026-H1"), or None when the half-year has not begun or its figures
    were not kept."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from sanspeur.cards.printing import BOLD, REGULAR, fonts
    from sanspeur.core.pdf import pdf_bytes

    from .selectors import outcome_series

    bounds = period_bounds(period)
    today = today or timezone.localdate()
    if bounds is None or bounds[0] > today or language not in REPORT_LANGUAGES:
        return None
    found = _rows_at(bounds[1], today)
    if found is None:
        return None
    rows, as_of = found
    fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12)
    heading = ParagraphStyle("heading", fontName=BOLD, fontSize=15, leading=19, spaceAfter=6)
    subheading = ParagraphStyle("subheading", fontName=BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3)
    with translation.override(language):
        title = _("Training on access without fear: compliance report %(period)s") % {"period": period}
        story = [
            Paragraph(escape(title), heading),
            Paragraph(
                escape(
                    _("Coverage of each service and of the units just below it on %(day)s, against the target.")
                    % {"day": as_of.isoformat()}
                ),
                body,
            ),
            Spacer(1, 3 * mm),
        ]
        table = [[_("Unit"), _("Course"), _("Expected"), _("Trained"), _("Coverage"), _("Target"), _("Overdue")]]
        for row in rows:
            table.append(
                [
                    Paragraph(escape(("— " if row["unit"].depth else "") + row["unit"].name), body),
                    Paragraph(escape(row["course"]), body),
                    str(row["expected"]),
                    str(row["covered"]),
                    "—" if row["percent"] is None else f"{row['percent']} %",
                    f"{row['target']} %",
                    "—" if row["overdue"] is None else str(row["overdue"]),
                ]
            )
        grid = Table(table, colWidths=[52 * mm, 40 * mm, 18 * mm, 18 * mm, 18 * mm, 16 * mm, 16 * mm], repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), BOLD),
                    ("FONTNAME", (0, 1), (-1, -1), REGULAR),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                    ("GRID", (0, 1), (-1, -1), 0.25, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(grid)
        trend = CoverageSnapshot.objects.filter(
            unit__depth=0, month__gte=bounds[0], month__lte=min(bounds[1] + dt.timedelta(days=1), as_of)
        ).select_related("unit")
        if trend.exists():
            story.append(Paragraph(escape(_("Month by month")), subheading))
            lines = {}
            for snapshot in trend.order_by("unit__path", "course_id", "month"):
                lines.setdefault((snapshot.unit.name, snapshot.course_id), []).append(snapshot)
            for (name, _course), snapshots in lines.items():
                points = ", ".join(
                    f"{s.month.strftime('%Y-%m')}: {'—' if s.percent is None else str(s.percent) + ' %'}"
                    for s in snapshots
                )
                story.append(Paragraph(escape(f"{name} — {points}"), body))
        outcomes = [figure for figures in outcome_series().values() for figure in figures]
        if outcomes:
            story.append(
                Paragraph(escape(_("Police status checks with the border agency (published figures)")), subheading)
            )
            for figure in outcomes:
                story.append(Paragraph(escape(f"{figure.period_label}: {figure.count} — {figure.source}"), body))
        story.append(Spacer(1, 4 * mm))
        story.append(
            Paragraph(
                escape(
                    _(
                        "Counts only: this report names nobody. Units of fewer than ten people are "
                        "included for management; the public figures suppress them."
                    )
                ),
                body,
            )
        )
        return pdf_bytes(story, title=title, language=language, margins_mm=(16, 16, 16, 16))
