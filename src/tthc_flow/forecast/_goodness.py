"""Choosing a service-time distribution by the Kolmogorov-Smirnov test.

Candidates are the families the simulator samples (:mod:`tthc_flow.simulation`): fixed,
exponential and lognormal, each with maximum-likelihood parameters; the one with the smallest
KS statistic ``D`` wins, and when even it is rejected at the 1 % level (and there are enough
values to say so) the observed values themselves are used (``empirical``).

The p-value is the asymptotic Kolmogorov distribution with Stephens' small-sample correction
(``lambda = (sqrt(n) + 0.12 + 0.11 / sqrt(n)) * D``). Parameters estimated from the same data
make it conservative (Lilliefors): a fitted family is rejected less often than it should be,
which is why the choice is made by ``D``, and the p-value is reported to say how well it fits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from tthc_flow.errors import ConfigurationError
from tthc_flow.simulation import Empirical, Exponential, Fixed, Lognormal

_NORMAL = NormalDist()
REJECT_AT = 0.01
"""Below this p-value the best family is rejected and the values are used as they are."""
EMPIRICAL_MIN = 30
"""Fewer values than this cannot reject a family: the best one is kept."""
EMPIRICAL_POINTS = 200
"""At most this many quantiles of the observed values are kept in an empirical fit."""


@dataclass(frozen=True, slots=True)
class FitChoice:
    """The distribution chosen for a set of values, and how well each candidate fitted."""

    dist: Fixed | Exponential | Lognormal | Empirical
    n: int
    ks: float
    p_value: float
    candidates: tuple[tuple[str, float, float], ...]
    """(family, D, p-value) of every candidate tried."""

    @property
    def family(self) -> str:
        """The chosen family's name (``dist`` key in scenario YAML)."""
        return self.dist.dist


def kolmogorov_p(d: float, n: int) -> float:
    """P(D_n >= d) under the null, asymptotic with Stephens' correction."""
    if n <= 0 or d <= 0:
        return 1.0
    root = math.sqrt(n)
    lam = (root + 0.12 + 0.11 / root) * d
    if lam < 0.2:
        return 1.0
    total = 0.0
    for j in range(1, 101):
        term = 2.0 * (-1) ** (j - 1) * math.exp(-2.0 * j * j * lam * lam)
        total += term
        if abs(term) < 1e-12:
            break
    return min(max(total, 0.0), 1.0)


def ks_statistic(values: np.ndarray, cdf: np.ndarray) -> float:
    """``sup |F_n - F|`` of sorted ``values`` against the model CDF at those values."""
    n = len(values)
    upper = np.arange(1, n + 1) / n - cdf
    lower = cdf - np.arange(0, n) / n
    return float(max(upper.max(), lower.max()))


def _lognormal_cdf(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    z = (np.log(np.maximum(x, 1e-300)) - mu) / (sigma * math.sqrt(2.0))
    erf = np.vectorize(math.erf)
    return np.asarray(0.5 * (1.0 + erf(z)), dtype=float)


def choose(values: list[float] | np.ndarray) -> FitChoice:
    """The best of fixed, exponential and lognormal for ``values`` (> 0), by KS.

    Raises ValueError for an empty list or a value that is not positive and finite.
    """
    x = np.sort(np.asarray(values, dtype=float))
    if x.size == 0:
        raise ConfigurationError("no values to fit", setting="choose.values")
    if not np.all(np.isfinite(x)) or x[0] <= 0:
        raise ConfigurationError(
            "service times must be positive and finite", setting="choose.values"
        )
    n = int(x.size)
    mean = float(x.mean())
    if n == 1 or float(x.std()) <= 1e-9 * mean:
        fixed = Fixed(dist="fixed", value=mean)
        return FitChoice(fixed, n, 0.0, 1.0, (("fixed", 0.0, 1.0),))
    tried: list[tuple[str, float, float, Exponential | Lognormal]] = []
    d_exp = ks_statistic(x, 1.0 - np.exp(-x / mean))
    tried.append(
        (
            "exponential",
            d_exp,
            kolmogorov_p(d_exp, n),
            Exponential.model_validate({"dist": "exponential", "mean": mean}),
        )
    )
    logs = np.log(x)
    mu, sigma = float(logs.mean()), float(logs.std())
    if sigma > 0:
        d_log = ks_statistic(x, _lognormal_cdf(x, mu, sigma))
        m = math.exp(mu + sigma * sigma / 2.0)
        sd = m * math.sqrt(math.expm1(sigma * sigma))
        tried.append(
            (
                "lognormal",
                d_log,
                kolmogorov_p(d_log, n),
                Lognormal.model_validate({"dist": "lognormal", "mean": m, "sd": sd}),
            )
        )
    _, d, p, best = min(tried, key=lambda t: t[1])
    summary = tuple((t[0], t[1], t[2]) for t in tried)
    if p < REJECT_AT and n >= EMPIRICAL_MIN:
        points = min(n, EMPIRICAL_POINTS)
        qs = np.quantile(x, (np.arange(points) + 0.5) / points)
        empirical = Empirical(dist="empirical", values=[float(v) for v in qs])
        return FitChoice(empirical, n, d, p, summary)
    return FitChoice(best, n, d, p, summary)


__all__ = ["FitChoice", "choose", "kolmogorov_p", "ks_statistic"]
