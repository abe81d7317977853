"""``forecast``: replications of a warm-started period, in parallel, into one result."""

from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean
from typing import Any

import numpy as np

from tthc_flow._time import VN_TZ
from tthc_flow.engine import ReschedulePolicy
from tthc_flow.errors import ConfigurationError, NotFound
from tthc_flow.forecast._arrivals import ArrivalFit
from tthc_flow.forecast._risk import LateRisk, late_risks
from tthc_flow.forecast._warm import FLOW_INDICATORS, WarmOutcome, WarmReplication, WarmStart
from tthc_flow.reports import IndicatorSet, Period
from tthc_flow.reports import indicator_set as load_set
from tthc_flow.simulation import BASELINE, Estimate, Scenario, SimulationResult, Variant


@dataclass(frozen=True)
class Spread:
    """A forecast quantity over replications: the mean, the 95 % interval of the outcome
    itself (2.5 % and 97.5 % of the replications: where the period's real value should
    fall) and the 95 % confidence interval of the mean (how well the replications pin the
    mean down)."""

    mean: float
    low: float
    high: float
    n: int
    mean_ci: Estimate

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        """From per-replication values (NaN left out)."""
        clean = [v for v in values if not math.isnan(v)]
        if not clean:
            return cls(math.nan, math.nan, math.nan, 0, Estimate.of([]))
        low, high = np.quantile(clean, [0.025, 0.975]).tolist()
        return cls(fmean(clean), float(low), float(high), len(clean), Estimate.of(clean))

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the outcome's 95 % interval."""
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.mean:.4g} [{self.low:.4g}, {self.high:.4g}]"


@dataclass
class Forecast:
    """A period forecast from the dossiers open at ``as_of``."""

    scenario: str
    variant: str
    as_of: datetime
    period: Period | None
    warm: WarmStart
    outcomes: list[WarmOutcome]
    simulation: SimulationResult
    indicators: dict[str, Spread] = field(default_factory=dict)
    points: dict[str, Spread] = field(default_factory=dict)
    risks: list[LateRisk] = field(default_factory=list)

    @property
    def kpis(self) -> dict[str, Estimate]:
        """The simulator's KPIs (warm dossiers included) over the replications."""
        return self.simulation.kpis

    @property
    def not_simulated(self) -> dict[str, str]:
        """Warm dossiers left as they were, and why."""
        return self.outcomes[0].not_simulated if self.outcomes else {}

    def to_apologise(self, at_least: float = 0.5) -> list[LateRisk]:
        """Dossiers with a late risk of ``at_least`` or more for which the one allowed apology
        can still be sent (art. 19.6), the most urgent deadline first."""
        rows = [r for r in self.risks if r.p_late >= at_least and r.apology_by is not None]
        return sorted(rows, key=lambda r: (r.apology_by, -r.p_late, r.code))

    def risk_of(self, code: str) -> LateRisk:
        """The late risk of one open dossier (KeyError if it was not open at ``as_of``)."""
        for row in self.risks:
            if row.code == code:
                return row
        raise NotFound(f"dossier {code} was not open at the warm start", kind="dossier", name=code)


_WORKER: dict[str, Any] = {}


def _init(args: tuple[Any, ...]) -> None:
    _WORKER["args"] = args


def _one(replication: int) -> WarmOutcome:
    scenario, variant, seed, warm, arrivals, period, indicators_of = _WORKER["args"]
    return WarmReplication(
        scenario,
        variant,
        seed,
        replication,
        warm,
        arrivals=arrivals,
        period=period,
        indicators_of=indicators_of,
    ).outcome()


def forecast(
    scenario: Scenario,
    warm: WarmStart,
    *,
    period: Period | None = None,
    arrivals: dict[str, ArrivalFit] | None = None,
    variant: Variant | None = None,
    replications: int = 100,
    seed: int | None = None,
    workers: int | None = None,
    indicator_set: IndicatorSet | str = "2022",
    reschedule: ReschedulePolicy | None = None,
) -> Forecast:
    """Run ``replications`` of ``scenario`` from ``warm`` (its horizon should start on
    ``warm.as_of``'s day and end on the period's last day).

    A ``variant`` (more staff, "4 tại chỗ", a shorter limit, another channel mix) applies
    from the start of the horizon to dossiers *received* from then on; open dossiers keep
    the procedure version they were received under, as the engine does. Replication ``r``
    draws the same arrivals and the same warm-dossier difficulty whatever the variant
    (common random numbers), so a variant's forecast can be compared with the baseline's.
    """
    if replications < 1:
        raise ConfigurationError(
            "replications must be at least 1",
            setting="forecast.replications",
            value=replications,
        )
    horizon = scenario.model.horizon
    day = warm.as_of.astimezone(VN_TZ).date()
    if day != horizon.start:
        raise ConfigurationError(
            f"the scenario's horizon starts {horizon.start}, the warm start is on {day} "
            "(Vietnam time): they must be the same day",
            setting="forecast.warm",
            value=day,
        )
    if variant is not None and variant.effective_from is None:
        variant = variant.model_copy(update={"effective_from": horizon.start})
    seed = scenario.model.seed if seed is None else seed
    # parsed once here, not in every replication
    indicators_of = (
        indicator_set if isinstance(indicator_set, IndicatorSet) else load_set(indicator_set)
    )
    args = (scenario, variant, seed, warm, arrivals, period, indicators_of)
    processes = workers if workers is not None else (os.cpu_count() or 1)
    if processes > 1 and replications > 1:
        with ProcessPoolExecutor(
            max_workers=min(processes, replications), initializer=_init, initargs=(args,)
        ) as pool:
            chunk = max(1, replications // (4 * processes))
            outcomes = list(pool.map(_one, range(replications), chunksize=chunk))
    else:
        _init(args)
        outcomes = [_one(r) for r in range(replications)]
    name = variant.name if variant is not None else BASELINE
    simulation = SimulationResult.build(scenario.name, name, seed, [o.data for o in outcomes])
    result = Forecast(scenario.name, name, warm.as_of, period, warm, outcomes, simulation)
    for ident in FLOW_INDICATORS:
        rates = [_rate(o, ident) for o in outcomes]
        points = []
        for o in outcomes:
            pts = o.indicators.get(ident, (None, None, None))[2]
            points.append(pts if pts is not None else math.nan)
        if any(not math.isnan(v) for v in rates):
            result.indicators[ident] = Spread.of(rates)
        if any(not math.isnan(v) for v in points):
            result.points[ident] = Spread.of(points)
    result.risks = late_risks(
        warm.open,
        [o.outcomes for o in outcomes],
        [list(o.ends) for o in outcomes],
        warm.as_of,
        scenario.calendar,
        reschedule,
    )
    return result


def indicator_difference(base: Forecast, other: Forecast, ident: str = "2.1") -> Estimate:
    """``other`` minus ``base`` for indicator ``ident``'s rate, paired replication by
    replication, with its 95 % t-interval: both runs saw the same arrivals and the same
    difficulty of every dossier (common random numbers), so the interval is much narrower
    than the two forecasts' own. Raises ValueError if the runs cannot be paired."""
    if len(base.outcomes) != len(other.outcomes) or base.simulation.seed != other.simulation.seed:
        raise ConfigurationError(
            "pair forecasts with the same seed and number of replications",
            setting="indicator_difference.other",
        )
    differences = []
    for a, b in zip(base.outcomes, other.outcomes, strict=True):
        ra, rb = _rate(a, ident), _rate(b, ident)
        differences.append(rb - ra)
    return Estimate.of(differences)


def _rate(outcome: WarmOutcome, ident: str) -> float:
    num, den, _ = outcome.indicators.get(ident, (None, None, None))
    return num / den if num is not None and den else math.nan


__all__ = ["Forecast", "Spread", "forecast", "indicator_difference"]
