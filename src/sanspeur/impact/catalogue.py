"""The indicator catalogue: what the city publishes about its impact, each figure declared once
with its definition, unit, source, privacy unit, periods, geography and protection method.

Other apps register their own indicators (``register``) from their ``AppConfig.ready`` — the grants
app, for example, its grantee-reported aggregates — without this app importing them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from sanspeur.core.boroughs import BOROUGHS

# --- Protection methods (issue 21: a, b, c) --------------------------------------------------------------
EXACT = "exact"  # operational, non-personal counts (clinics held, requests received)
NOISY = "noisy"  # person-derived counts: OpenDP noise, clamp, random rounding, suppression
REPORTED = "reported"  # aggregates reported by grantees or other apps: rounding and suppression only
METHODS = {
    EXACT: _("Exact count (operational, about no person)"),
    NOISY: _("Differential privacy noise, random rounding to 5, suppression"),
    REPORTED: _("Random rounding and suppression"),
}

CITY, BOROUGH = "city", "borough"
GEOGRAPHIES = {CITY: _("The whole city"), BOROUGH: _("The 19 boroughs")}
QUARTER, YEAR = "quarter", "year"
PERIOD_KINDS = {QUARTER: _("each quarter"), YEAR: _("each year")}

#: privacy unit -> (label, yearly budget ε). Every noisy release spends from the budget of its
#: privacy unit for the year of its period (services.release_prepare).
PRIVACY_UNITS: dict[str, tuple[Any, float]] = {
    "person": (_("a person"), 2.0),
    "visit": (_("a visit to a clinic"), 2.0),
    "organisation": (_("an organisation"), 2.0),
    "staff": (_("a member of staff"), 2.0),
    "record": (_("a record about no person"), 0.0),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    title: Any  # lazy translations
    definition: Any
    unit: Any
    source: str  # the app's model or selector it reads (code, shown as code on the method page)
    count: Callable[[dt.date, dt.date], dict[str, int | None]]  # area ("" = city) -> count, None = withheld
    privacy_unit: str
    method: str
    periods: tuple[str, ...] = (QUARTER, YEAR)
    geography: str = CITY
    sensitivity: int = 1  # how much one privacy unit can move one cell
    upper: int = 1_000_000  # the clamp's upper bound
    epsilon: dict[str, float] = field(default_factory=lambda: {QUARTER: 0.25, YEAR: 0.5})
    threshold: int = 10
    base: int = 5  # random rounding base (1: none)
    additive: bool = True  # cells add up to a published total (counts); False for shares
    area_language: str = ""  # areas named by data in one language (training units: "fr"), marked so
    order: int = 0  # where it shows among the others (stable: same order, registration order)

    @property
    def with_total(self) -> bool:
        return self.additive and self.geography == BOROUGH

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]{1,40}", self.code):
            raise ValueError(f"indicator code {self.code!r}")
        if self.method not in METHODS or self.geography not in GEOGRAPHIES or self.privacy_unit not in PRIVACY_UNITS:
            raise ValueError(f"indicator {self.code}: unknown method, geography or privacy unit")
        if not set(self.periods) <= {QUARTER, YEAR}:
            raise ValueError(f"indicator {self.code}: periods")
        if self.method == NOISY and any(self.epsilon.get(p, 0) <= 0 for p in self.periods):
            raise ValueError(f"indicator {self.code}: a noisy indicator needs ε for each period")
        if self.method == REPORTED and len(self.periods) > 1:
            # Without noise, a year minus three published quarters would give a withheld quarter.
            raise ValueError(f"indicator {self.code}: a figure without noise is published for one kind of period")
        if self.geography == BOROUGH and QUARTER in self.periods:
            # No borough cut for quarters: a borough's year minus three quarters would be a quarter's cell.
            raise ValueError(f"indicator {self.code}: boroughs are published per year only")

    @property
    def method_label(self) -> str:
        return str(METHODS[self.method])

    @property
    def geography_label(self) -> str:
        return str(GEOGRAPHIES[self.geography])

    @property
    def privacy_unit_label(self) -> str:
        return str(PRIVACY_UNITS[self.privacy_unit][0])

    @property
    def periods_label(self) -> str:
        from sanspeur.core.formats import join_list

        return join_list(str(PERIOD_KINDS[kind]) for kind in self.periods)

    def epsilon_for(self, period_kind: str) -> float:
        return float(self.epsilon.get(period_kind, 0)) if self.method == NOISY else 0.0

    def areas(self) -> list[str]:
        return list(BOROUGHS) if self.geography == BOROUGH else [""]


_REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    """Add an indicator to the catalogue (once; a second one with the same code is an error)."""
    existing = _REGISTRY.get(indicator.code)
    if existing is not None and existing is not indicator:
        raise ValueError(f"indicator {indicator.code!r} is registered twice")
    _REGISTRY[indicator.code] = indicator
    return indicator


def unregister(code: str) -> None:
    """For tests that register a throw-away indicator."""
    _REGISTRY.pop(code, None)


def get(code: str) -> Indicator | None:
    return _REGISTRY.get(code)


def indicators() -> list[Indicator]:
    """Every registered indicator: the built-in ones first, then other apps' (by ``order``)."""
    return sorted(_REGISTRY.values(), key=lambda indicator: indicator.order)


# --- Periods -------------------------------------------------------------------------------------------
_PERIOD = re.compile(r"(?P<year>20[0-9]{2})(?:-Q(?P<quarter>[1-4]))?")


def parse_period(text: str) -> tuple[str, int, dt.date, dt.date] | None:
    """ "2026" or "2026-Q3" -> (kind, year, first day, last day); None for anything else."""
    match = _PERIOD.fullmatch(text or "")
    if match is None:
        return None
    year = int(match["year"])
    if match["quarter"] is None:
        return YEAR, year, dt.date(year, 1, 1), dt.date(year, 12, 31)
    quarter = int(match["quarter"])
    first = dt.date(year, 3 * quarter - 2, 1)
    last = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
    return QUARTER, year, first, last


def periods_of(year: int, kind: str) -> list[str]:
    return [str(year)] if kind == YEAR else [f"{year}-Q{q}" for q in range(1, 5)]
