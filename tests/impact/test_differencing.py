"""Differencing: every view the site publishes of a borough table (each version of the release, on
the dashboard, the release page and in the open data), put together, must not single out a borough
cell below the threshold.

The attacker here is as strong as it gets: noise and rounding are switched off (the published
values are the true counts), and the attacker knows which cells a correction changed. Each
published number becomes a linear equation on the unknown counts; a cell is singled out when its
unit vector lies in the span of those equations (exact rational Gaussian elimination)."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from sanspeur.core.boroughs import BOROUGHS
from sanspeur.impact import disclosure

pytestmark = pytest.mark.django_db


def rank(rows: list[list[Fraction]]) -> int:
    matrix = [list(row) for row in rows]
    found, columns = 0, len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((i for i in range(found, len(matrix)) if matrix[i][column] != 0), None)
        if pivot is None:
            continue
        matrix[found], matrix[pivot] = matrix[pivot], matrix[found]
        for i in range(len(matrix)):
            if i != found and matrix[i][column] != 0:
                factor = matrix[i][column] / matrix[found][column]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[found], strict=True)]
        found += 1
    return found


def singled_out(equations: list[list[Fraction]], unknown: int, size: int) -> bool:
    unit = [Fraction(int(i == unknown)) for i in range(size)]
    return rank([*equations, unit]) == rank(equations)


def equations_from_open_data(client, slugs: list[str], columns: dict[tuple[str, str], int], size: int):
    """What an attacker reads: the JSON of each published release (the pages show the same cells)."""
    equations = []
    for slug in slugs:
        data = json.loads(client.get(f"/open-data/impact/{slug}.json").content)
        version = data["version"]

        def column(area, version=version):
            return columns.get((area, f"v{version}"), columns[(area, "")])

        for cell in data["cells"]:
            if cell["value"] is not None:
                row = [Fraction(0)] * size
                row[column(cell["area"])] = Fraction(1)
                equations.append(row)
        if data["total"] and data["total"]["value"] is not None:
            row = [Fraction(0)] * size
            for cell in data["cells"]:
                row[column(cell["area"])] = Fraction(1)
            equations.append(row)
    return equations


@pytest.fixture
def exact(monkeypatch):
    """No noise, no rounding: the attacker sees the true counts."""
    monkeypatch.setattr(disclosure, "noisy", lambda value, *, scale: value)
    monkeypatch.setattr(disclosure, "random_round", lambda value, base=5, **_: value)


def _scenario(client, figures, statistician, approver, publish):
    """A borough table, then a correction of one borough's count (Outremont 50 -> 7)."""
    from sanspeur.impact import services

    base = {name: 40 + 5 * index for index, name in enumerate(BOROUGHS)}
    base.update({"Anjou": 3, "Verdun": 12, "Outremont": 50})
    figures["boroughs"].update(base)
    first = publish("test_boroughs", "2025")
    figures["boroughs"]["Outremont"] = 7
    correction = services.release_prepare(
        acting_user=statistician, indicator="test_boroughs", period="2025", corrects=first, reason="source_error"
    )
    services.release_approve(acting_user=approver, release=correction)
    # Unknowns: every borough once, and Outremont's corrected count as a second unknown.
    columns = {(name, ""): index for index, name in enumerate(BOROUGHS)}
    columns[("Outremont", "v2")] = len(BOROUGHS)
    size = len(BOROUGHS) + 1
    equations = equations_from_open_data(client, [first.slug, correction.slug], columns, size)
    small = [columns[(cell["area"], "")] for cell in first.cells if cell["status"] == "primary"] + [
        columns[("Outremont", "v2")]
    ]
    return equations, small, size, first, correction


def test_two_versions_of_a_borough_table_never_single_out_a_small_cell(
    client, exact, figures, statistician, approver, publish
):
    equations, small, size, first, correction = _scenario(client, figures, statistician, approver, publish)
    assert equations, "the attacker read nothing"
    for unknown in small:
        assert not singled_out(equations, unknown, size), unknown
    # The dashboard and the release page show the same cells as the open data (no other view).
    page = client.get(f"/en/impact/releases/{correction.slug}/").content.decode()
    for cell in correction.cells:
        if cell["value"] is None:
            assert f'>{cell["area"]}</bdi></th>\n      <td class="num"><span class="withheld">' in page


def test_without_keeping_earlier_suppressions_the_correction_would_single_out_a_cell(
    client, exact, monkeypatch, figures, statistician, approver, publish
):
    """The check above can fail: with the rule removed, v1 hides {Anjou, Verdun}, v2 hides
    {Anjou, Outremont} and publishes Verdun — so Anjou = (v1 total − v1 published) − Verdun."""
    real = disclosure.suppress
    monkeypatch.setattr(
        disclosure, "suppress", lambda cells, **kwargs: real(cells, **{**kwargs, "keep_suppressed": frozenset()})
    )
    equations, small, size, _first, _correction = _scenario(client, figures, statistician, approver, publish)
    anjou = BOROUGHS.index("Anjou")
    assert anjou in small and singled_out(equations, anjou, size)


def test_with_the_correction_s_total_published_the_changed_cell_would_be_singled_out(
    client, exact, monkeypatch, figures, statistician, approver, publish
):
    """The check can fail the other way too: had v2 published its total, Outremont's new count
    would be v1's published 50 plus the change of the withheld sum between the two versions."""
    from sanspeur.impact import services

    real_table = disclosure.Table
    monkeypatch.setattr(
        services.disclosure,
        "Table",
        lambda values, status, total, total_status: real_table(
            values,
            status,
            total if total is not None else sum(v or 0 for v in figures["boroughs"].values()),
            disclosure.PUBLISHED,
        ),
    )
    equations, small, size, _first, correction = _scenario(client, figures, statistician, approver, publish)
    assert correction.total is not None
    assert singled_out(equations, size - 1, size)


def test_quarters_and_year_of_a_noisy_figure_cannot_be_differenced_below_the_threshold():
    """Year − the three other quarters estimates a withheld quarter; for every registered noisy
    indicator published both ways, that estimate's noise (OpenDP scales, rounding) has a standard
    deviation of at least the threshold: it cannot tell 0 from the threshold."""
    import math

    from sanspeur.impact import catalogue

    def variance(epsilon, indicator):
        q = math.exp(-epsilon / indicator.sensitivity)
        return 2 * q / (1 - q) ** 2 + indicator.base**2 / 4  # noise, and at most base²/4 from rounding

    checked = 0
    for indicator in catalogue.indicators():
        if indicator.method == catalogue.NOISY and set(indicator.periods) == {catalogue.QUARTER, catalogue.YEAR}:
            sd = math.sqrt(
                variance(indicator.epsilon_for(catalogue.YEAR), indicator)
                + 3 * variance(indicator.epsilon_for(catalogue.QUARTER), indicator)
            )
            assert sd >= indicator.threshold, indicator.code
            checked += 1
    assert checked
    with pytest.raises(ValueError):
        catalogue.Indicator(
            code="exact_both",
            title="x",
            definition="x",
            unit="x",
            source="x",
            count=lambda start, end: {},
            privacy_unit="organisation",
            method=catalogue.REPORTED,
            periods=(catalogue.QUARTER, catalogue.YEAR),
        )


def test_the_solver_sees_a_free_filter_attack():
    """A "city minus Anjou" view, had the site offered free filters, singles Anjou out."""
    size = 3
    total = [Fraction(1)] * size
    minus_anjou = [Fraction(0), Fraction(1), Fraction(1)]
    assert singled_out([total, minus_anjou], 0, size)
    assert not singled_out([total], 0, size)
