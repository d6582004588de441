"""The protection of each figure, alone: unbiased rounding, the noise's scale against ε, and
secondary suppression checked by solving the published table."""

import math
import secrets
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanspeur.impact import disclosure
from sanspeur.impact.disclosure import PUBLISHED, SUPPRESSED


# --- Random rounding ----------------------------------------------------------------------------------
@given(value=st.integers(min_value=0, max_value=10_000), base=st.sampled_from([2, 3, 5, 10]))
def test_random_rounding_is_exactly_unbiased_over_every_draw(value, base):
    """Every outcome of the draw, weighted equally (randbelow is uniform): the mean is the value."""
    outcomes = [disclosure.random_round(value, base, randbelow=lambda n, k=k: k) for k in range(base)]
    assert Fraction(sum(outcomes), base) == value
    assert all(o % base == 0 and abs(o - value) < base for o in outcomes)


@pytest.mark.parametrize("value", [1, 2, 3, 4, 7, 13])
def test_random_rounding_is_unbiased_over_many_real_draws(value):
    draws = 40_000
    total = sum(disclosure.random_round(value, 5) for _ in range(draws))
    # Each draw has variance r(5−r) ≤ 6.25: the mean's standard error is ≤ 0.0125; 5 of them.
    assert abs(total / draws - value) < 5 * math.sqrt(6.25 / draws)


def test_rounding_uses_the_system_csprng_by_default():
    assert disclosure.random_round.__kwdefaults__["randbelow"] is secrets.randbelow


# --- Noise ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("epsilon", [0.25, 0.5, 1.0])
def test_the_noise_scale_matches_epsilon_empirically(epsilon):
    """Discrete Laplace at scale s = Δ/ε: P(Z = k)/P(Z = k + 1) = e^(1/s) and Var Z = 2q/(1−q)²,
    q = e^(−1/s). Measured on OpenDP's own draws, and OpenDP's privacy map gives back ε."""
    scale = disclosure.scale_for(epsilon=epsilon, sensitivity=1)
    assert disclosure.epsilon_of(scale=scale, sensitivity=1) == pytest.approx(epsilon, rel=1e-9)
    draws = 30_000
    sample = [disclosure.noisy(0, scale=scale) for _ in range(draws)]
    q = math.exp(-1 / scale)
    variance = 2 * q / (1 - q) ** 2
    mean = sum(sample) / draws
    measured = sum((x - mean) ** 2 for x in sample) / (draws - 1)
    assert abs(mean) < 5 * math.sqrt(variance / draws)
    assert measured == pytest.approx(variance, rel=0.05)
    # ε measured: given |Z| ≥ 1, |Z| − 1 is geometric with ratio q = e^(−ε/Δ); its mean m gives q = m/(1+m).
    tail = [abs(x) - 1 for x in sample if x != 0]
    m = sum(tail) / len(tail)
    assert -math.log(m / (1 + m)) == pytest.approx(epsilon, rel=0.05)
    # The stated 95 % half-width covers 95 % of draws, is the smallest that does, and is within
    # OpenDP's own (conservative) accuracy bound.
    half = disclosure.noise_half_width(scale)
    inside = sum(1 for x in sample if abs(x) <= half) / draws
    assert inside >= 0.95 - 3 * math.sqrt(0.05 * 0.95 / draws)
    assert 1 - 2 * q**half / (1 + q) < 0.95  # half − 1 would not be enough
    assert half <= disclosure.noise_accuracy(scale)


def test_a_larger_epsilon_means_less_noise():
    assert disclosure.interval(disclosure.scale_for(epsilon=1, sensitivity=1), 5) < disclosure.interval(
        disclosure.scale_for(epsilon=0.25, sensitivity=1), 5
    )


def test_clamp():
    assert disclosure.clamp(-3, upper=10) == 0
    assert disclosure.clamp(12, upper=10) == 10


# --- Suppression, checked by solving the table -----------------------------------------------------------
def solve(table: disclosure.Table) -> dict[str, tuple[int, int]]:
    """What an attacker learns of each suppressed cell from the published table: the range of
    values consistent with the published cells, the total and the cells being non-negative
    (min and max of x_i subject to Σ hidden = total − Σ published, x ≥ 0)."""
    hidden = [area for area, status in table.status.items() if status in SUPPRESSED]
    if table.total is None:
        return {area: (0, math.inf) for area in hidden}
    residual = table.total - sum(v for area, v in table.values.items() if table.status[area] == PUBLISHED)
    if len(hidden) == 1:
        return {hidden[0]: (residual, residual)}
    return {area: (0, residual) for area in hidden}


def assert_nothing_recoverable(table: disclosure.Table, threshold: int) -> None:
    for area, (low, high) in solve(table).items():
        # The attacker can't say the cell is below the threshold, nor pin it: 0 and ≥ threshold both fit.
        assert low == 0 and high >= threshold, (area, low, high)


cells_strategy = st.dictionaries(
    keys=st.sampled_from([f"b{i:02d}" for i in range(19)]),
    values=st.integers(min_value=0, max_value=60).map(lambda v: 5 * (v // 5)),
    min_size=1,
    max_size=19,
)


@settings(max_examples=400)
@given(cells=cells_strategy, threshold=st.sampled_from([10, 20]))
def test_no_suppressed_cell_is_recoverable_from_the_published_totals(cells, threshold):
    table = disclosure.suppress(cells, threshold=threshold, with_total=True)
    assert_nothing_recoverable(table, threshold)
    for area, value in cells.items():
        if value < threshold:
            assert table.values[area] is None  # every small cell is withheld
        if table.status[area] == PUBLISHED:
            assert table.values[area] == value


def test_the_solver_does_find_a_cell_that_primary_suppression_alone_leaves_open():
    """The check above can fail: primary suppression alone leaves one hidden cell, solved exactly."""
    cells = {"a": 5, "b": 40, "c": 55}
    primary_only = disclosure.Table(
        {"a": None, "b": 40, "c": 55}, {"a": "primary", "b": PUBLISHED, "c": PUBLISHED}, 100, PUBLISHED
    )
    assert solve(primary_only)["a"] == (5, 5)
    with pytest.raises(AssertionError):
        assert_nothing_recoverable(primary_only, 10)
    table = disclosure.suppress(cells, threshold=10, with_total=True)
    assert table.status == {"a": "primary", "b": "secondary", "c": PUBLISHED}


def test_two_hidden_zeros_are_not_left_alone_behind_the_total():
    """Two suppressed zeros would be revealed by total − published = 0: a third cell joins them."""
    table = disclosure.suppress({"a": 0, "b": 0, "c": 30, "d": 45}, threshold=10, with_total=True)
    assert table.status["c"] == "secondary"
    assert_nothing_recoverable(table, 10)


def test_a_total_below_the_threshold_is_withheld_too():
    table = disclosure.suppress({"a": 0, "b": 5}, threshold=10, with_total=True)
    assert table.total is None and table.values == {"a": None, "b": None}


def test_cells_hidden_by_an_earlier_version_stay_hidden():
    table = disclosure.suppress({"a": 50, "b": 40, "c": 55}, threshold=10, with_total=True, keep_suppressed={"a"})
    assert table.values["a"] is None and sum(1 for v in table.values.values() if v is None) >= 2


def test_a_cell_withheld_by_its_source_counts_as_hidden():
    table = disclosure.suppress({"a": None, "b": 40}, threshold=10, with_total=False)
    assert table.status["a"] == "source" and table.values == {"a": None, "b": 40}
