"""Arrival rates with weekday and monthly seasonality, fitted to a log's daily counts.

The model of one procedure: the number of dossiers arriving on working day ``d`` is Poisson
with mean ``base * weekday[d.weekday()] * month[d.month]``. Its maximum-likelihood fit is
found by iterative proportional fitting (raking the weekday and month margins in turn), the
factors normalised to average 1 over the fitted days, so ``base`` is the mean per working
day. A procedure with few arrivals takes the department's pooled factors and only its own
``base`` (the factors of 200 dossiers would be mostly noise).

The fit is judged by Pearson's dispersion ``X^2 / df`` (1 for Poisson counts; much above 1
means the days vary more than the model allows) with a chi-square p-value (Wilson-Hilferty).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

from tthc_flow.errors import ConfigurationError

_NORMAL = NormalDist()
POOL_BELOW = 200
"""A procedure with fewer arrivals in the window takes the pooled seasonal factors."""


@dataclass(frozen=True, slots=True)
class ArrivalFit:
    """Fitted arrivals of one procedure (or of the whole department: ``code`` ``*``)."""

    code: str
    per_working_day: float
    weekday: tuple[float, ...]
    """Factor per weekday, Monday first (7 values; 1 for a weekday never worked)."""
    month: tuple[float, ...]
    """Factor per month, January first (12 values; 1 for a month outside the window)."""
    pooled: bool
    """The factors are the department's (too few arrivals for the procedure's own)."""
    count: int
    days: int
    dispersion: float
    p_value: float

    def rate_on(self, day: date) -> float:
        """Expected arrivals on working day ``day``."""
        return self.per_working_day * self.weekday[day.weekday()] * self.month[day.month - 1]


def _rake(days: Sequence[date], counts: Sequence[int]) -> tuple[float, list[float], list[float]]:
    total = sum(counts)
    base = total / len(days) if days else 0.0
    wd = [1.0] * 7
    mo = [1.0] * 12
    if total == 0:
        return 0.0, wd, mo
    for _ in range(50):
        change = 0.0
        for factors, key, other in ((wd, _weekday, _month), (mo, _month, _weekday)):
            other_f = mo if factors is wd else wd
            num = [0.0] * len(factors)
            den = [0.0] * len(factors)
            for day, n in zip(days, counts, strict=True):
                num[key(day)] += n
                den[key(day)] += base * other_f[other(day)]
            for i in range(len(factors)):
                if den[i] > 0:
                    new = num[i] / den[i]
                    change = max(change, abs(new - factors[i]))
                    factors[i] = new
        if change < 1e-9:
            break
    for factors, key in ((wd, _weekday), (mo, _month)):
        mean = sum(factors[key(d)] for d in days) / len(days)
        if mean > 0:
            for i in range(len(factors)):
                factors[i] /= mean
            base *= mean
    return base, wd, mo


def _weekday(day: date) -> int:
    return day.weekday()


def _month(day: date) -> int:
    return day.month - 1


def chi2_p(x2: float, df: int) -> float:
    """Upper tail of chi-square with ``df`` degrees of freedom (Wilson-Hilferty)."""
    if df <= 0:
        return math.nan
    k = 2.0 / (9.0 * df)
    z = ((x2 / df) ** (1.0 / 3.0) - (1.0 - k)) / math.sqrt(k)
    return 1.0 - _NORMAL.cdf(z)


def _judge(
    code: str,
    days: Sequence[date],
    counts: Sequence[int],
    base: float,
    wd: list[float],
    mo: list[float],
    pooled: bool,
) -> ArrivalFit:
    x2 = 0.0
    for day, n in zip(days, counts, strict=True):
        mu = base * wd[day.weekday()] * mo[day.month - 1]
        if mu > 0:
            x2 += (n - mu) ** 2 / mu
    params = 1 if pooled else len({d.weekday() for d in days}) + len({d.month for d in days}) - 1
    df = len(days) - params
    return ArrivalFit(
        code=code,
        per_working_day=base,
        weekday=tuple(wd),
        month=tuple(mo),
        pooled=pooled,
        count=sum(counts),
        days=len(days),
        dispersion=x2 / df if df > 0 else math.nan,
        p_value=chi2_p(x2, df),
    )


def fit_arrivals(
    days: Sequence[date], per_code: Mapping[str, Sequence[int]], *, pool_below: int = POOL_BELOW
) -> tuple[ArrivalFit, dict[str, ArrivalFit]]:
    """The department's pooled fit and one per procedure, from counts per working day
    (``per_code[code][i]`` arrivals on ``days[i]``)."""
    if not days:
        raise ConfigurationError("no working day in the fitting window", setting="fit_log.start")
    totals = [sum(c[i] for c in per_code.values()) for i in range(len(days))]
    base, wd, mo = _rake(days, totals)
    pooled = _judge("*", days, totals, base, wd, mo, False)
    fits: dict[str, ArrivalFit] = {}
    weight = sum(wd[d.weekday()] * mo[d.month - 1] for d in days)
    for code, counts in sorted(per_code.items()):
        if sum(counts) >= pool_below:
            b, w, m = _rake(days, counts)
            fits[code] = _judge(code, days, counts, b, w, m, False)
        else:
            fits[code] = _judge(code, days, counts, sum(counts) / weight, wd, mo, True)
    return pooled, fits


__all__ = ["POOL_BELOW", "ArrivalFit", "chi2_p", "fit_arrivals"]
