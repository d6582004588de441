"""Reads of the impact app. The public reads published releases only — never a draft, never a
figure computed on the fly: what the dashboard, the open data and the report show is what two
people approved, as it was approved."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from . import catalogue, states
from .catalogue import Indicator
from .models import PrivacyBudget, Release

MAX_ROWS = 200  # every public list is bounded


def published() -> QuerySet[Release]:
    return Release.objects.filter(state=states.PUBLISHED)


def release_by_slug(slug: str) -> Release | None:
    return published().filter(slug=slug).select_related("corrects").first()


def is_superseded(release: Release) -> bool:
    return published().filter(corrects=release).exists()


def current(queryset: QuerySet[Release]) -> list[Release]:
    """The latest published version of each (indicator, period) in ``queryset``."""
    latest: dict[tuple[str, str], Release] = {}
    for release in queryset.order_by("indicator", "period", "version"):
        latest[(release.indicator, release.period)] = release
    return list(latest.values())


@dataclass
class Panel:
    """One indicator on the dashboard: its latest published year, and its latest four quarters."""

    indicator: Indicator
    year: Release | None
    quarters: list[Release]


def _kind(release: Release) -> str:
    parsed = catalogue.parse_period(release.period)
    return parsed[0] if parsed else ""


def dashboard() -> list[Panel]:
    panels = []
    releases = current(published())
    for indicator in catalogue.indicators():
        own = sorted((r for r in releases if r.indicator == indicator.code), key=lambda r: r.period)
        years = [r for r in own if _kind(r) == catalogue.YEAR]
        quarters = [r for r in own if _kind(r) == catalogue.QUARTER][-4:]
        if not years and not quarters:
            continue
        panels.append(Panel(indicator, years[-1] if years else None, quarters))
    return panels


def errata() -> list[Release]:
    """Every correction, newest first, with the release it corrects."""
    return list(
        published().filter(corrects__isnull=False).select_related("corrects").order_by("-approved_on", "-id")[:MAX_ROWS]
    )


def all_published() -> list[Release]:
    return list(published().order_by("-year", "indicator", "period", "version")[: MAX_ROWS * 5])


@dataclass
class BudgetLine:
    privacy_unit: str
    label: str
    year: int
    budget: Decimal
    spent: Decimal

    @property
    def left(self) -> Decimal:
        return self.budget - self.spent


def budget_lines(year: int) -> list[BudgetLine]:
    from .services import spent

    stored = {b.privacy_unit: b.epsilon for b in PrivacyBudget.objects.filter(year=year)}
    lines = []
    for unit, (label, default) in catalogue.PRIVACY_UNITS.items():
        if default == 0 and unit not in stored:
            continue
        budget = stored.get(unit, Decimal(str(default)))
        lines.append(BudgetLine(unit, str(label), year, budget, spent(unit, year)))
    return lines


def staff_releases(*, state: str = "") -> list[Release]:
    queryset = Release.objects.select_related("prepared_by", "approved_by").order_by("-id")
    if state:
        queryset = queryset.filter(state=state)
    return list(queryset[:MAX_ROWS])


def releases_due(*, today, years: int = 2) -> list[tuple[str, str]]:
    """The calendar: (indicator, period) whose period is over and that have no release yet (drafts
    and published ones count; a discarded draft does not), over the last ``years`` years."""
    taken = set(
        Release.objects.exclude(state=states.DISCARDED)
        .filter(year__gte=today.year - years)
        .values_list("indicator", "period")
    )
    due = []
    for indicator in catalogue.indicators():
        for year in range(today.year - years + 1, today.year + 1):
            for kind in indicator.periods:
                for period in catalogue.periods_of(year, kind):
                    if catalogue.parse_period(period)[3] < today and (indicator.code, period) not in taken:
                        due.append((indicator.code, period))
    return due[:MAX_ROWS]


# --- Work queues (the dashboard's tiles, accounts/dashboard.py) ---------------------------------------
def drafts_to_approve_count() -> int:
    """Prepared releases waiting for a second person's approval."""
    return Release.objects.filter(state=states.DRAFT).count()


# --- Testimonies -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublishedTestimony:
    pk: str
    text: str
    language: str
    month: str  # "YYYY-MM"
    author: str  # its label

    @property
    def month_date(self):
        """The first of the month, for ``|date:"YEAR_MONTH_FORMAT"`` (never shown as a day)."""
        import datetime as dt

        year, number = (int(part) for part in self.month.split("-"))
        return dt.date(year, number, 1)

    @property
    def direction(self) -> str:
        return "rtl" if self.language == "ar" else "ltr"


def published_testimonies(*, year: int | None = None, limit: int = 200) -> list[PublishedTestimony]:
    """The published testimonies, newest month first (their redacted text opened from the vault);
    with ``year``, those shown with a month of that year (the yearly report)."""
    from .models import Testimony
    from .services import testimony_text

    rows = Testimony.objects.filter(state=states.PUBLISHED).select_related("text_key").order_by("-month", "id")
    if year is not None:
        rows = rows.filter(month__startswith=f"{year:04d}-")
    found = []
    for testimony in rows[:limit]:
        text = testimony_text(testimony)
        if text:
            found.append(
                PublishedTestimony(
                    str(testimony.pk), text, testimony.language, testimony.month, testimony.get_author_display()
                )
            )
    return found


def testimony_queue() -> dict[str, QuerySet]:
    """The moderators' queues: to redact, to approve (a second person), and the last closed ones."""
    from .models import Testimony

    base = Testimony.objects.select_related("redacted_by", "approved_by").only(
        "id",
        "language",
        "author",
        "received_on",
        "state",
        "month",
        "redacted_by",
        "redacted_on",
        "approved_by",
        "published_on",
        "closed_on",
    )
    return {
        "received": base.filter(state=states.RECEIVED).order_by("received_on", "id"),
        "redacted": base.filter(state=states.REDACTED).order_by("redacted_on", "id"),
        "closed": base.exclude(state__in=[states.RECEIVED, states.REDACTED]).order_by("-received_on", "id")[:50],
    }


def testimony_counts() -> dict[str, int]:
    """How many testimonies wait for each step (the moderators' dashboard)."""
    from django.db.models import Count

    from .models import Testimony

    rows = (
        Testimony.objects.filter(state__in=[states.RECEIVED, states.REDACTED]).values("state").annotate(n=Count("id"))
    )
    counts = {states.RECEIVED: 0, states.REDACTED: 0}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def testimony_follow(codename: str):
    """The testimony a codename follows, or None (same path and time for a wrong one). Raises
    protection.selectors.RateLimited after too many wrong codenames in its bucket or for its id."""
    from sanspeur.protection.selectors import codename_open

    from .models import Testimony
    from .services import TESTIMONY_CODENAME

    found = codename_open(
        codename,
        purpose=TESTIMONY_CODENAME,
        find=lambda lookup: Testimony.objects.filter(codename_lookup=lookup).first(),
    )
    return found[0] if found else None
