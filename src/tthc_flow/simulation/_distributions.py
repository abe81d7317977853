"""Service-time and delay distributions, sampled by inverse transform.

Every distribution maps a uniform ``u`` in [0, 1) to a value (:meth:`quantile`). The simulator
draws a fixed number of uniforms per dossier and maps them here, so two variants of a
scenario give the same dossier the same "difficulty" even when its workflow changes: that is
what makes common random numbers work across variants.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import accumulate
from statistics import NormalDist
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_NORMAL = NormalDist()
_EPS = 1e-12


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def quantile(self, u: float) -> float:  # pragma: no cover - overridden
        """The value whose cumulative probability is ``u``."""
        raise NotImplementedError

    @property
    def mean(self) -> float:  # pragma: no cover - overridden
        """The distribution's expected value."""
        raise NotImplementedError


class Fixed(_Dist):
    """Always ``value``: ``{dist: fixed, value: 0.5}``."""

    dist: Literal["fixed"]
    value: Annotated[float, Field(ge=0)]

    def quantile(self, u: float) -> float:
        """``value`` whatever ``u``."""
        return self.value

    @property
    def mean(self) -> float:
        """``value``."""
        return self.value


class Exponential(_Dist):
    """Exponential with the given mean: ``{dist: exponential, mean: 2}``."""

    dist: Literal["exponential"]
    mean_: Annotated[float, Field(gt=0, alias="mean")]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def quantile(self, u: float) -> float:
        """``-mean * ln(1 - u)``."""
        return -self.mean_ * math.log(max(1.0 - u, _EPS))

    @property
    def mean(self) -> float:
        """The mean given."""
        return self.mean_


class Lognormal(_Dist):
    """Lognormal given by its own mean and standard deviation (not those of the log):
    ``{dist: lognormal, mean: 3, sd: 1.5}``. Right-skewed, like real appraisal times."""

    dist: Literal["lognormal"]
    mean_: Annotated[float, Field(gt=0, alias="mean")]
    sd: Annotated[float, Field(gt=0)]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def _params(self) -> tuple[float, float]:
        sigma2 = math.log(1.0 + (self.sd / self.mean_) ** 2)
        return math.log(self.mean_) - sigma2 / 2.0, math.sqrt(sigma2)

    def quantile(self, u: float) -> float:
        """``exp(mu + sigma * z(u))``."""
        mu, sigma = self._params()
        return math.exp(mu + sigma * _NORMAL.inv_cdf(min(max(u, _EPS), 1.0 - _EPS)))

    @property
    def mean(self) -> float:
        """The mean given."""
        return self.mean_


class Triangular(_Dist):
    """Triangular on [low, high] with peak at ``mode``: ``{dist: triangular, low: 1, mode: 2, high: 6}``."""

    dist: Literal["triangular"]
    low: Annotated[float, Field(ge=0)]
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("need low <= mode <= high and low < high")
        return self

    def quantile(self, u: float) -> float:
        """Closed-form inverse of the triangular CDF."""
        a, c, b = self.low, self.mode, self.high
        cut = (c - a) / (b - a)
        if u < cut:
            return a + math.sqrt(u * (b - a) * (c - a))
        return b - math.sqrt((1.0 - u) * (b - a) * (b - c))

    @property
    def mean(self) -> float:
        """``(low + mode + high) / 3``."""
        return (self.low + self.mode + self.high) / 3.0


class Empirical(_Dist):
    """Observed values, optionally weighted: ``{dist: empirical, values: [1, 2, 8]}``."""

    dist: Literal["empirical"]
    values: list[Annotated[float, Field(ge=0)]] = Field(min_length=1)
    weights: list[Annotated[float, Field(gt=0)]] | None = None

    @model_validator(mode="after")
    def _same_length(self) -> Empirical:
        if self.weights is not None and len(self.weights) != len(self.values):
            raise ValueError("weights must have one entry per value")
        return self

    def _cumulative(self) -> list[float]:
        weights = self.weights or [1.0] * len(self.values)
        total = sum(weights)
        return [w / total for w in accumulate(weights)]

    def quantile(self, u: float) -> float:
        """The value whose cumulative weight first exceeds ``u``."""
        index = bisect_right(self._cumulative(), u)
        return self.values[min(index, len(self.values) - 1)]

    @property
    def mean(self) -> float:
        """The weighted mean of the values."""
        weights = self.weights or [1.0] * len(self.values)
        return sum(v * w for v, w in zip(self.values, weights, strict=True)) / sum(weights)


Distribution = Annotated[
    Fixed | Exponential | Lognormal | Triangular | Empirical, Field(discriminator="dist")
]
"""Any distribution, chosen by the ``dist`` key in YAML."""


class Sampler:
    """A fast, precomputed form of a distribution (pydantic attribute access is slow in loops)."""

    __slots__ = ("_cum", "_kind", "_mu", "_sigma", "_values", "a", "b", "c", "mean")

    def __init__(self, dist: Fixed | Exponential | Lognormal | Triangular | Empirical) -> None:
        self.mean = dist.mean
        self._kind = dist.dist
        self.a = self.b = self.c = 0.0
        self._mu = self._sigma = 0.0
        self._cum: list[float] = []
        self._values: list[float] = []
        if isinstance(dist, Fixed):
            self.a = dist.value
        elif isinstance(dist, Lognormal):
            self._mu, self._sigma = dist._params()
        elif isinstance(dist, Triangular):
            self.a, self.c, self.b = dist.low, dist.mode, dist.high
        elif isinstance(dist, Empirical):
            self._cum, self._values = dist._cumulative(), list(dist.values)

    def __call__(self, u: float) -> float:
        """The value at cumulative probability ``u``."""
        kind = self._kind
        if kind == "exponential":
            return -self.mean * math.log(max(1.0 - u, _EPS))
        if kind == "fixed":
            return self.a
        if kind == "lognormal":
            z = _NORMAL.inv_cdf(min(max(u, _EPS), 1.0 - _EPS))
            return math.exp(self._mu + self._sigma * z)
        if kind == "triangular":
            a, b, c = self.a, self.b, self.c
            if u < (c - a) / (b - a):
                return a + math.sqrt(u * (b - a) * (c - a))
            return b - math.sqrt((1.0 - u) * (b - a) * (b - c))
        index = bisect_right(self._cum, u)
        return self._values[min(index, len(self._values) - 1)]
