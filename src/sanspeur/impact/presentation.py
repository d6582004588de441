"""How a release reads on a page, in the page's language: labels of periods and areas, the rows
of its table and chart. Shared by the dashboard, the release page and the yearly report."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language, get_language_bidi, pgettext
from django.utils.translation import gettext as _

from sanspeur.core import formats

from . import catalogue, charts, disclosure
from .models import Release


def period_label(period: str) -> str:
    parsed = catalogue.parse_period(period)
    if parsed is None:
        return period
    kind, year, _first, _last = parsed
    if kind == catalogue.YEAR:
        return str(year)
    return pgettext("impact period", "Q%(quarter)s %(year)s") % {"quarter": period[-1], "year": year}


def area_label(area: str) -> str:
    return area or str(catalogue.GEOGRAPHIES[catalogue.CITY])


def suppressed_mark() -> str:
    return pgettext("impact suppressed cell", "withheld")


@dataclass
class Row:
    label: str
    value: int | None
    status: str
    lang: str = ""  # the language the label is written in, when not the page's


def _area_language(release: Release) -> str:
    indicator = catalogue.get(release.indicator)
    language = indicator.area_language if indicator else ""
    return language if language and language != get_language() else ""


def rows_of(release: Release) -> list[Row]:
    lang = _area_language(release)
    return [
        Row(area_label(cell["area"]), cell["value"], cell["status"], lang if cell["area"] else "")
        for cell in release.cells
    ]


def title_of(release: Release) -> str:
    indicator = catalogue.get(release.indicator)
    name = str(indicator.title) if indicator else release.indicator
    return f"{name} — {period_label(release.period)}"


def uncertainty(release: Release) -> str:
    if not release.interval:
        return ""
    return _("± %(n)s, %(level)s") % {"n": release.interval, "level": formats.percent_text(95)}


def _desc(rows: list[tuple[str, int | None]], release: Release | None, *, foreign_labels: bool = False) -> str:
    if foreign_labels:
        # Labels in another language than the page's cannot be marked inside a <desc>: the table
        # beside the chart has them, marked.
        text = _("The values are in the table beside the chart.")
    else:
        text = "; ".join(f"{label}: {value if value is not None else suppressed_mark()}" for label, value in rows)
    if release is not None and release.interval:
        text += ". " + _("Each value is within ± %(n)s of the true count, with %(level)s confidence.") % {
            "n": release.interval,
            "level": formats.percent_text(95),
        }
    return text


def chart_for_release(release: Release) -> charts.Chart | None:
    """A chart of a table with more than one cell (boroughs, services)."""
    if len(release.cells) < 2:
        return None
    indicator = catalogue.get(release.indicator)
    rows = [(area_label(cell["area"]), cell["value"]) for cell in release.cells]
    language = _area_language(release)
    return charts.bar_chart(
        rows,
        label_language=language,
        title=title_of(release),
        desc=_desc(rows, release, foreign_labels=bool(language)),
        interval=release.interval,
        suppressed_mark=suppressed_mark(),
        rtl=get_language_bidi(),
        maximum=100 if indicator is not None and not indicator.additive else None,
    )


def chart_for_series(releases: list[Release], *, title: str) -> charts.Chart | None:
    """The quarters of a year, one bar each (city-wide figures)."""
    if len(releases) < 2:
        return None
    rows = [(period_label(r.period), r.cells[0]["value"] if r.cells else None) for r in releases]
    interval = max(r.interval for r in releases)
    return charts.bar_chart(
        rows,
        title=title,
        desc=_desc(rows, releases[0]),
        interval=interval,
        suppressed_mark=suppressed_mark(),
        rtl=get_language_bidi(),
    )


def is_suppressed(status: str) -> bool:
    return status in disclosure.SUPPRESSED
