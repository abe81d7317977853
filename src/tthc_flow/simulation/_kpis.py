"""KPIs of replications and their 95 % confidence intervals (Student's t).

Each replication yields one value per KPI (e.g. its on-time rate); the estimate is the mean
over replications with the half-width ``t(0.975, n-1) * s / sqrt(n)``. With one replication
the interval is unknown (NaN): run several to get one.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean, quantiles, stdev
from typing import Any

from tthc_flow._safe_text import csv_text
from tthc_flow.simulation._des import ReplicationData

_T975 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120,
    17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064,
    25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042,
}  # fmt: skip


def t_quantile(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom (scipy if present)."""
    try:
        from scipy.stats import t  # type: ignore[import-untyped,unused-ignore]

        return float(t.ppf(0.975, df))
    except ImportError:  # pragma: no cover - depends on the environment
        if df in _T975:
            return _T975[df]
        return 1.96 + 2.4 / df  # close to the table beyond 30 (2.021 at 40, 2.000 at 60)


@dataclass(frozen=True)
class Estimate:
    """A KPI over replications: mean and 95 % confidence interval."""

    mean: float
    low: float
    high: float
    n: int
    values: tuple[float, ...] = ()

    @classmethod
    def of(cls, values: list[float]) -> Estimate:
        """Mean and t-interval of per-replication values (NaN values are left out)."""
        clean = [v for v in values if not math.isnan(v)]
        if not clean:
            return cls(math.nan, math.nan, math.nan, 0, tuple(values))
        mean = fmean(clean)
        if len(clean) < 2:
            return cls(mean, math.nan, math.nan, 1, tuple(values))
        half = t_quantile(len(clean) - 1) * stdev(clean) / math.sqrt(len(clean))
        return cls(mean, mean - half, mean + half, len(clean), tuple(values))

    @property
    def half_width(self) -> float:
        """Half the interval's width."""
        return (self.high - self.low) / 2.0

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the interval."""
        return self.low <= value <= self.high

    def __str__(self) -> str:
        if math.isnan(self.low):
            return f"{self.mean:.4g}"
        return f"{self.mean:.4g} [{self.low:.4g}, {self.high:.4g}]"


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def replication_kpis(data: ReplicationData) -> dict[str, float]:
    """The KPIs of one replication, by name."""
    c = data.counts
    k: dict[str, float] = {
        name: float(c.get(name, 0))
        for name in (
            "arrived", "received", "resolved", "early", "on_time", "late", "rejected",
            "withdrawn", "returned", "rescheduled", "open_at_end", "resolved_at_end", "in_progress_at_end",
            "censored", "censored_overdue", "on_the_spot",
            "visits", "visits_saved",
        )
    }  # fmt: skip
    # dossiers still open after the drain and already past their appointment are late
    # whatever happens next: count them, so a clogged office cannot look punctual
    k["on_time_rate"] = _ratio(
        c.get("early", 0) + c.get("on_time", 0),
        c.get("resolved", 0) + c.get("censored_overdue", 0),
    )
    days = sorted(data.processing_days)
    k["processing_days_mean"] = fmean(days) if days else math.nan
    if len(days) >= 2:
        cuts = quantiles(days, n=10, method="inclusive")
        k["processing_days_median"] = quantiles(days, n=2, method="inclusive")[0]
        k["processing_days_p90"] = cuts[8]
    else:
        k["processing_days_median"] = k["processing_days_p90"] = k["processing_days_mean"]
    k["citizen_days_mean"] = fmean(data.citizen_days) if data.citizen_days else math.nan
    k["visits_saved_per_dossier"] = _ratio(c.get("visits_saved", 0), c.get("returned", 0))
    for role in sorted(data.wait_sum):
        k[f"wait_hours.{role}"] = _ratio(data.wait_sum[role], data.wait_n[role])
        busy = _ratio(data.busy_hours[role], data.measured_by_role.get(role, data.measured_hours))
        k[f"busy_servers.{role}"] = busy
        if role in data.capacity_hours:  # staff-hours, so a change of headcount counts
            k[f"utilisation.{role}"] = _ratio(data.busy_hours[role], data.capacity_hours[role])
        elif role in data.staff:
            k[f"utilisation.{role}"] = busy / data.staff[role]
    k["backlog_mean"] = fmean(v for _, v in data.backlog) if data.backlog else math.nan
    return k


@dataclass
class SimulationResult:
    """Replications of one scenario (variant) and their KPI estimates.

    ``kpis`` maps KPI names to :class:`Estimate`; ``backlog`` gives the open dossiers at the
    start of each day, averaged over replications; ``store`` holds the events of the first
    replication when they were kept (export or report them like a real year).
    """

    scenario: str
    variant: str
    seed: int
    replications: list[ReplicationData]
    kpis: dict[str, Estimate] = field(default_factory=dict)
    store: Any = None

    @classmethod
    def build(
        cls, scenario: str, variant: str, seed: int, data: list[ReplicationData], store: Any = None
    ) -> SimulationResult:
        """Compute the estimates from raw replication data."""
        per_rep = [replication_kpis(d) for d in data]
        names = sorted({name for k in per_rep for name in k})
        kpis = {n: Estimate.of([k.get(n, math.nan) for k in per_rep]) for n in names}
        return cls(scenario, variant, seed, data, kpis, store)

    def __getitem__(self, name: str) -> Estimate:
        return self.kpis[name]

    @property
    def backlog(self) -> list[tuple[str, float]]:
        """Open dossiers at the start of each day, mean over replications."""
        if not self.replications:
            return []
        days = [day for day, _ in self.replications[0].backlog]
        series = [[v for _, v in r.backlog] for r in self.replications]
        return [(day, fmean(s[i] for s in series)) for i, day in enumerate(days)]

    @property
    def processing_days(self) -> list[float]:
        """Processing times (working days) of every resolved dossier of every replication."""
        return [v for r in self.replications for v in r.processing_days]

    @property
    def seconds(self) -> float:
        """Total simulation time of the replications (CPU seconds, summed over workers)."""
        return sum(r.seconds for r in self.replications)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: KPI estimates, counts per replication, backlog."""
        return {
            "scenario": self.scenario,
            "variant": self.variant,
            "seed": self.seed,
            "replications": len(self.replications),
            "kpis": {
                name: {"mean": e.mean, "low": e.low, "high": e.high, "n": e.n}
                for name, e in self.kpis.items()
            },
            "counts": [r.counts for r in self.replications],
            "backlog": self.backlog,
        }

    def to_json(self, path: str | Path) -> None:
        """Write :meth:`to_dict` as JSON (NaN written as null)."""

        def clean(value: Any) -> Any:
            if isinstance(value, float) and math.isnan(value):
                return None
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [clean(v) for v in value]
            return value

        Path(path).write_text(
            json.dumps(clean(self.to_dict()), ensure_ascii=False, indent=2), encoding="utf-8"
        )

    def to_csv(self, path: str | Path) -> None:
        """Write one row per KPI: name, mean, low, high, n."""
        with Path(path).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["variant", "kpi", "mean", "low", "high", "n"])
            for name, e in self.kpis.items():
                writer.writerow([csv_text(self.variant), name, e.mean, e.low, e.high, e.n])

    def summary(self) -> str:
        """A short text table of the main KPIs."""
        lines = [f"{self.scenario} / {self.variant}: {len(self.replications)} replication(s)"]
        for name, e in self.kpis.items():
            lines.append(f"  {name:32} {e}")
        return "\n".join(lines)
