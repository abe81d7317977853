"""Differences between a baseline and a variant, with 95 % confidence intervals.

Replications with the same seed and index share their random streams (common random
numbers), so differences are paired replication by replication: the interval of the mean
difference is far narrower than comparing two independent intervals. Results with
different seeds or replication counts fall back to Welch's unpaired interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import fmean, stdev

from tthc_flow.errors import NotFound
from tthc_flow.simulation._kpis import Estimate, SimulationResult, t_quantile
from tthc_flow.simulation._table import format_comparison


@dataclass(frozen=True)
class Difference:
    """One KPI: baseline, variant and variant minus baseline with its interval."""

    kpi: str
    baseline: Estimate
    variant: Estimate
    diff: Estimate
    paired: bool

    @property
    def significant(self) -> bool:
        """The interval of the difference excludes zero."""
        return not math.isnan(self.diff.low) and (self.diff.low > 0 or self.diff.high < 0)


@dataclass(frozen=True)
class Comparison:
    """Every KPI present in both results, compared."""

    baseline: str
    variant: str
    rows: tuple[Difference, ...]

    def __getitem__(self, kpi: str) -> Difference:
        """The difference of KPI ``kpi`` (:class:`~tthc_flow.errors.NotFound`, a KeyError,
        if the comparison has no such KPI)."""
        for row in self.rows:
            if row.kpi == kpi:
                return row
        raise NotFound(
            f"no KPI {kpi!r} in the comparison",
            kind="kpi",
            name=kpi,
            known=tuple(row.kpi for row in self.rows),
        )

    def __str__(self) -> str:
        """Every KPI as :func:`~tthc_flow.simulation.format_comparison` prints it (Vietnamese
        labels and numbers); call that for English (``lang="en"``) or the headline KPIs."""
        return format_comparison(self, kpis=[row.kpi for row in self.rows])

    def to_rows(self) -> list[dict[str, float | str | bool]]:
        """Plain rows for CSV or JSON."""
        return [
            {
                "kpi": r.kpi,
                "baseline": r.baseline.mean,
                "variant": r.variant.mean,
                "difference": r.diff.mean,
                "low": r.diff.low,
                "high": r.diff.high,
                "paired": r.paired,
            }
            for r in self.rows
        ]


def _welch(a: list[float], b: list[float]) -> Estimate:
    mean = fmean(b) - fmean(a)
    if len(a) < 2 or len(b) < 2:
        return Estimate(mean, math.nan, math.nan, min(len(a), len(b)))
    va, vb = stdev(a) ** 2 / len(a), stdev(b) ** 2 / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return Estimate(mean, mean, mean, min(len(a), len(b)))
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = t_quantile(max(int(df), 1)) * se
    return Estimate(mean, mean - half, mean + half, min(len(a), len(b)))


def compare(baseline: SimulationResult, variant: SimulationResult) -> Comparison:
    """Variant minus baseline for every KPI both have (paired when the seeds match)."""
    paired = baseline.seed == variant.seed and len(baseline.replications) == len(
        variant.replications
    )
    rows = []
    for kpi in sorted(set(baseline.kpis) & set(variant.kpis)):
        a, b = list(baseline.kpis[kpi].values), list(variant.kpis[kpi].values)
        pairs = [(x, y) for x, y in zip(a, b, strict=False) if not (math.isnan(x) or math.isnan(y))]
        if paired and pairs:
            diff = Estimate.of([y - x for x, y in pairs])
        else:
            diff = (
                _welch([x for x in a if not math.isnan(x)], [y for y in b if not math.isnan(y)])
                if a and b
                else Estimate(math.nan, math.nan, math.nan, 0)
            )
        rows.append(Difference(kpi, baseline.kpis[kpi], variant.kpis[kpi], diff, paired))
    return Comparison(baseline.variant, variant.variant, tuple(rows))
