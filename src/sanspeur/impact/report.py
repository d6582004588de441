"""The yearly report: a PDF in French or English drawn from the year's published releases (the same
figures, labels and uncertainty as the dashboard), with the catalogue's definitions and the budget
spent; signed like the transparency report (core/publications.py: a detached JWS beside the file).

ReportLab (already used for the cards and the transparency report) with the card's embedded DejaVu
fonts; the document carries its title, author and language. ReportLab's open-source edition writes
no structure tree, so the PDF is not tagged (PDF/UA): the same figures are on the accessible HTML
dashboard and in the open data."""

from __future__ import annotations

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from . import catalogue, presentation, selectors

REPORT_LANGUAGES = ("fr", "en")


def report_name(year: int, language: str) -> str:
    return f"impact-report-{year}-{language}.pdf"


def year_releases(year: int) -> list:
    """The current version of every published release of ``year`` (corrections applied)."""
    return [r for r in selectors.current(selectors.published().filter(year=year))]


def report_years() -> list[int]:
    return sorted(set(selectors.published().values_list("year", flat=True)), reverse=True)


def _value(value) -> str:
    return str(value) if value is not None else presentation.suppressed_mark()


def _testimony_paragraphs(testimony, body) -> list:
    """A testimony as paragraphs: Arabic script shaped and put in visual order line by line (a PDF
    draws glyphs left to right), right-aligned; other scripts as they are. Escaped for ReportLab."""
    import textwrap
    from xml.sax.saxutils import escape

    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from sanspeur.cards.printing import visual

    if testimony.direction != "rtl":
        return [Paragraph(escape(part), body) for part in testimony.text.split("\n") if part.strip()]
    right = ParagraphStyle("rtl", parent=body, alignment=TA_RIGHT)
    lines = [line for part in testimony.text.split("\n") for line in textwrap.wrap(part, 80)]
    return [Paragraph(escape(visual(line)), right) for line in lines]


def _testimonies(year: int, *, body, subheading) -> list:
    """The year's published testimonies (the redacted text, as on the site), with their month."""
    from django.utils.dateformat import format as date_format
    from django.utils.formats import get_format
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    found = selectors.published_testimonies(year=year)
    if not found:
        return []
    story = [
        Paragraph(_("Testimonies"), subheading),
        Paragraph(
            _("In their own words, with their consent; names, places and days were taken out before publishing."),
            body,
        ),
    ]
    for testimony in found:
        caption = f"— {testimony.author}, {date_format(testimony.month_date, get_format('YEAR_MONTH_FORMAT'))}"
        story.append(
            KeepTogether([*_testimony_paragraphs(testimony, body), Paragraph(caption, body), Spacer(1, 3 * mm)])
        )
    return story


def report_pdf(year: int, *, language: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from sanspeur.cards.printing import BOLD, REGULAR, fonts
    from sanspeur.core.pdf import pdf_bytes

    fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=12.5)
    heading = ParagraphStyle("heading", fontName=BOLD, fontSize=16, leading=20, spaceAfter=6)
    subheading = ParagraphStyle("subheading", fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=3)
    releases = year_releases(year)
    with translation.override(language):
        title = _("Reported impact %(year)s") % {"year": year}
        story = [
            Paragraph(title, heading),
            Paragraph(
                _(
                    "What the city's access-without-fear services did, in figures that cannot expose anyone: "
                    "counts about people carry a little random noise, are rounded to 5 and small numbers are "
                    "withheld."
                ),
                body,
            ),
        ]
        for indicator in catalogue.indicators():
            own = sorted((r for r in releases if r.indicator == indicator.code), key=lambda r: r.period)
            if not own:
                continue
            story.append(Paragraph(str(indicator.title), subheading))
            story.append(Paragraph(str(indicator.definition), body))
            rows = [[_("Period"), _("Area"), str(indicator.unit).capitalize(), _("Uncertainty")]]
            for release in own:
                period = presentation.period_label(release.period)
                margin = presentation.uncertainty(release)
                for row in presentation.rows_of(release):
                    rows.append(
                        [period, Paragraph(row.label, body), _value(row.value), margin if row.value is not None else ""]
                    )
                if release.total_status:
                    rows.append([period, _("Total"), _value(release.total), ""])
            table = Table(rows, colWidths=[24 * mm, 92 * mm, 26 * mm, 30 * mm], repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, 0), BOLD),
                        ("FONTNAME", (0, 1), (-1, -1), REGULAR),
                        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                        ("ALIGN", (2, 0), (3, -1), "RIGHT"),
                        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                        ("GRID", (0, 1), (-1, -1), 0.25, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(table)
            notes = [indicator.method_label]
            for release in own:
                if release.epsilon:
                    label = presentation.period_label(release.period)
                    notes.append(f"{_('Privacy loss (ε)')} {label}: {number_format(release.epsilon.normalize())}")
            story.append(Paragraph(" · ".join(str(note) for note in notes), body))
        story += _testimonies(year, body=body, subheading=subheading)
        story.append(Paragraph(_("Method and privacy"), subheading))
        for line in selectors.budget_lines(year):
            spent, budget = number_format(line.spent.normalize()), number_format(line.budget.normalize())
            story.append(
                Paragraph(
                    _("Privacy budget of %(year)s") % {"year": year} + f" — {line.label}: ε {spent} / {budget}",
                    body,
                )
            )
        story.append(Spacer(1, 4 * mm))
        story.append(
            Paragraph(
                _(
                    "This report is signed with the city's published key; the signature is the file's name "
                    "followed by .jws."
                ),
                body,
            )
        )
        return pdf_bytes(story, title=title, language=language)
