"""Disclosure control, pure functions: the noise (OpenDP), the clamp, unbiased random rounding and
suppression with secondary suppression. No Django import; every figure a release publishes goes
through here (services.release_prepare), in this order:

    count -> discrete Laplace noise (OpenDP) -> clamp -> random rounding to base 5 -> suppression

Only the published values are ever stored: the exact count and the noisy value before rounding
live in memory during one preparation and are gone after it.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

PUBLISHED, PRIMARY, SECONDARY, SOURCE = "published", "primary", "secondary", "source"
SUPPRESSED = frozenset({PRIMARY, SECONDARY, SOURCE})
CONFIDENCE = 0.95


@lru_cache(maxsize=64)
def _laplace(scale: float):
    """OpenDP's discrete Laplace (two-sided geometric) mechanism on integers, at ``scale``."""
    from opendp.domains import atom_domain
    from opendp.measurements import make_laplace
    from opendp.metrics import absolute_distance
    from opendp.mod import enable_features

    enable_features("contrib")
    return make_laplace(atom_domain(T=int), absolute_distance(T=int), scale=float(scale))


def mechanism_name() -> str:
    from importlib.metadata import version

    return f"discrete Laplace (OpenDP {version('opendp')})"


def scale_for(*, epsilon: float, sensitivity: int) -> float:
    """Pure ε-DP for a count whose value one privacy unit can move by ``sensitivity``."""
    if epsilon <= 0 or sensitivity <= 0:
        raise ValueError("epsilon and sensitivity must be positive")
    return sensitivity / epsilon


def epsilon_of(*, scale: float, sensitivity: int) -> float:
    """The privacy loss OpenDP's own privacy map gives for this measurement (not our arithmetic)."""
    return float(_laplace(scale).map(sensitivity))


def noisy(value: int, *, scale: float) -> int:
    """``value`` plus discrete Laplace noise, drawn by OpenDP (its sampler uses the OS's CSPRNG)."""
    return int(_laplace(scale)(int(value)))


def noise_accuracy(scale: float, *, confidence: float = CONFIDENCE) -> float:
    """OpenDP's accuracy for this scale: a half-width ``a`` with P(|noise| <= a) >= confidence
    (conservative for integers: it is derived for the continuous Laplace)."""
    from opendp.accuracy import discrete_laplacian_scale_to_accuracy

    return float(discrete_laplacian_scale_to_accuracy(float(scale), 1 - confidence))


def noise_half_width(scale: float, *, confidence: float = CONFIDENCE) -> int:
    """The smallest integer k with P(|noise| <= k) >= confidence, exactly, for the discrete
    Laplace: P(|Z| > k) = 2 q^(k+1) / (1 + q), q = exp(−1/scale). Never more than OpenDP's bound."""
    q = math.exp(-1 / scale)
    k = math.ceil(math.log((1 - confidence) * (1 + q) / 2) / math.log(q)) - 1
    while 2 * q ** (k + 1) / (1 + q) > 1 - confidence:  # guard against floating-point rounding
        k += 1
    while k > 0 and 2 * q**k / (1 + q) <= 1 - confidence:
        k -= 1
    return max(k, 0)


def interval(scale: float | None, base: int) -> int:
    """The "± n, 95 %" shown beside a published value: the noise's 95 % half-width, plus what
    random rounding can move a value by (base − 1). 0 for an exact, unrounded figure."""
    noise = noise_half_width(scale) if scale else 0
    return noise + (base - 1 if base > 1 else 0)


def clamp(value: int, *, lower: int = 0, upper: int) -> int:
    return max(lower, min(upper, value))


def random_round(value: int, base: int = 5, *, randbelow: Callable[[int], int] = secrets.randbelow) -> int:
    """Unbiased random rounding (Statistics Canada's): to the multiple of ``base`` below with
    probability 1 − r/base, above with probability r/base, r being the remainder. E[result] = value."""
    if base <= 1:
        return value
    low, remainder = divmod(value, base)
    return base * (low + (1 if randbelow(base) < remainder else 0))


@dataclass(frozen=True)
class Table:
    """One published table: cells (area -> value or None) with their status, and the total."""

    values: dict[str, int | None]
    status: dict[str, str]
    total: int | None
    total_status: str


def suppress(
    cells: Mapping[str, int | None],
    *,
    threshold: int,
    with_total: bool,
    keep_suppressed: frozenset[str] = frozenset(),
) -> Table:
    """Suppress every cell below ``threshold`` (primary), then, when a total is published, more
    cells (secondary, smallest first) until the table cannot be solved for any of them: never
    exactly one suppressed cell, and the suppressed cells together at least ``threshold`` (so the
    difference "total − published cells" never pins a suppressed cell below the threshold).

    ``None`` cells were already withheld by their source (status ``source``). ``keep_suppressed``:
    cells withheld by an earlier version of the same release stay withheld (a correction must not
    publish a cell the first version hid: the two versions together would reveal it).
    """
    status: dict[str, str] = {}
    for area, value in cells.items():
        if value is None:
            status[area] = SOURCE
        elif value < threshold or area in keep_suppressed:
            status[area] = PRIMARY
        else:
            status[area] = PUBLISHED
    total = sum(value for value in cells.values() if value is not None)
    if not with_total:
        values = {area: (value if status[area] == PUBLISHED else None) for area, value in cells.items()}
        return Table(values, status, None, "")

    def hidden_sum() -> int:
        return sum(cells[area] or 0 for area, s in status.items() if s in SUPPRESSED)

    def hidden_count() -> int:
        return sum(1 for s in status.values() if s in SUPPRESSED)

    while hidden_count() and (hidden_count() == 1 or hidden_sum() < threshold):
        candidates = sorted((value, area) for area, value in cells.items() if status[area] == PUBLISHED)
        if not candidates:
            break
        status[candidates[0][1]] = SECONDARY
    total_status = PUBLISHED
    if total < threshold or (hidden_count() and hidden_sum() < threshold):
        total_status = PRIMARY  # nothing left to hide the suppressed cells behind: withhold the total too
    values = {area: (value if status[area] == PUBLISHED else None) for area, value in cells.items()}
    return Table(values, status, total if total_status == PUBLISHED else None, total_status)


def exact_table(cells: Mapping[str, int | None], *, with_total: bool) -> Table:
    """Operational counts about no person: published as they are."""
    total = sum(value or 0 for value in cells.values()) if with_total else None
    status = {area: (SOURCE if value is None else PUBLISHED) for area, value in cells.items()}
    return Table(dict(cells), status, total, PUBLISHED if with_total else "")
