"""Decision 766/QĐ-TTg service-quality indicators, by the national portal's formulas.

The formulas are those of the portal's description ("Mô tả công thức tính chỉ số 766",
reproduced in ChippedTopaz/qd766 web/dist/formula-document.js); points and thresholds come
from a versioned :class:`~tthc_flow.reports.IndicatorSet` (``2022`` or the ``2026`` layout).
docs/indicators.md quotes each formula and says what is read from the log, from the catalog
or taken as an :class:`~tthc_flow.reports.IndicatorInputs` input.

Read from each :class:`~tthc_flow.engine.Dossier` (what the engine recorded): receipt,
appointment, result, return, refusal and withdrawal moments, supplement waits, channel, fee
list and online payments (``FeeRecord.paid_online``), and the data keys ``e_result`` (an
electronic result with its result code and file; or both ``e_result_code`` and
``e_result_file``), ``digitised`` (components digitised) and ``paid_online``. Indicator 2.1
(and 5.4, on its basis) uses the portal's own judgement (:mod:`._portal_rule`), not the
engine's timeliness.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tthc_flow.engine import Dossier
from tthc_flow.errors import WrongArgumentType
from tthc_flow.reports._indicator_counts import Value, Values, count, offered_procedures
from tthc_flow.reports._indicator_inputs import IndicatorInputs
from tthc_flow.reports._indicator_set import IndicatorSet, IndicatorSpec, indicator_set
from tthc_flow.reports._period import Period, judgement_moment
from tthc_flow.reports._rounding import percent, round_half_up

COMPUTED = "computed"
MONITORING = "monitoring"
NO_DATA = "no data"


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator of a period: its rate, points and how it was obtained.

    ``status``: ``computed``; ``monitoring`` (no points, or points not determined by the
    sources); ``no data`` (nothing to rate: denominator 0); or ``not computed (input
    missing: ...)``. ``factor`` multiplies the ratio (3.3: the sync rate of 1.4).
    """

    id: str
    name: str
    group: str
    numerator: int | None
    denominator: int | None
    max_points: float | None
    threshold: float
    formula: str
    source: str
    basis: str
    status: str
    factor: float | None = None

    @property
    def ratio(self) -> float | None:
        """numerator ÷ denominator × factor (0..1), None when not computed or nothing to rate."""
        if self.numerator is None or not self.denominator:
            return None
        return self.numerator / self.denominator * (1.0 if self.factor is None else self.factor)

    @property
    def rate(self) -> float | None:
        """:attr:`ratio` in per cent, two decimals half up (the description's rounding)."""
        ratio = self.ratio
        return None if ratio is None else percent(ratio, 1, 2)

    @property
    def points(self) -> float | None:
        """``ratio × max / threshold`` capped at max (two decimals); None without points."""
        ratio = self.ratio
        if ratio is None or not self.max_points:
            return None
        return min(self.max_points, round_half_up(ratio * self.max_points / self.threshold, 2))

    @property
    def computed(self) -> bool:
        """Whether a rate was computed (status computed or monitoring, with data)."""
        return self.ratio is not None

    def as_dict(self) -> dict[str, Any]:
        """Plain data."""
        keys = ("id", "name", "group", "numerator", "denominator", "factor", "rate", "points")
        more = ("max_points", "threshold", "status", "basis", "formula", "source")
        return {k: getattr(self, k) for k in (*keys, *more)}


def score(rate: float, max_points: float, threshold: float = 1.0) -> float:
    """Points of a rate (0..1): ``rate × max_points / threshold``, capped at ``max_points``.

    >>> score(0.4, 12, 0.5), score(0.7, 12, 0.5)
    (9.6, 12)
    """
    if rate >= threshold:
        return max_points
    return round_half_up(rate * max_points / threshold, 2)


def indicators(
    dossiers: Iterable[Dossier],
    period: Period,
    catalog: Any,
    *,
    as_of: datetime | None = None,
    inputs: IndicatorInputs | None = None,
    indicator_set: IndicatorSet | str = "2022",
) -> list[Indicator]:
    """Every indicator of ``indicator_set`` for ``period``, in the set's order.

    Open dossiers are judged at the period end, or at ``as_of`` (default now) if earlier.
    ``inputs`` gives what the log does not hold; an indicator whose input is missing is
    reported ``not computed (input missing: ...)``.
    """
    chosen = _set(indicator_set)
    given = inputs or IndicatorInputs()
    counts = count(dossiers, period, catalog, judgement_moment(period, as_of), given)
    values = Values(counts, offered_procedures(catalog, period), given)
    return [_indicator(spec, values.of(spec)) for spec in chosen.indicators]


def _set(chosen: IndicatorSet | str) -> IndicatorSet:
    return chosen if isinstance(chosen, IndicatorSet) else indicator_set(chosen)


def _indicator(spec: IndicatorSpec, value: Value | None) -> Indicator:
    if value is None:
        numerator = denominator = factor = None
        status = "not computed (no input defined)" if spec.id != "2.2" else MONITORING
    else:
        numerator, denominator, factor, missing = value
        if missing:
            status = f"not computed (input missing: {', '.join(missing)})"
        elif not denominator:
            status = NO_DATA
        else:
            status = COMPUTED if spec.scored else MONITORING
    return Indicator(
        id=spec.id,
        name=spec.name,
        group=spec.group,
        numerator=numerator,
        denominator=denominator,
        max_points=spec.points,
        threshold=spec.threshold,
        formula=spec.formula or "",
        source=spec.source,
        basis=spec.basis,
        status=status,
        factor=factor,
    )


def indicators_sql(
    store: Any,
    period: Period,
    catalog: Any,
    *,
    as_of: datetime | None = None,
    inputs: IndicatorInputs | None = None,
    indicator_set: IndicatorSet | str = "2022",
    agency: str | None = None,
) -> list[Indicator]:
    """:func:`indicators` over the dossiers a store holds (``store.dossiers()``: a
    :class:`~tthc_flow.store.SqlStore` replays them from its events); ``agency``: one
    agency's dossiers only (a tenant of a shared database).

    Not a GROUP BY: the portal's 2.1 rule needs every supplement wait, which the summary
    table does not keep, so the one computation of :func:`indicators` runs on the replayed
    dossiers (correctness over speed). A :class:`~tthc_flow.store.SqlStore` replays them
    from its replica if it has one (``dossiers(may_lag=True)``: a report may lag).
    """
    read = getattr(store, "dossiers", None)
    if not callable(read):
        raise WrongArgumentType(
            f"expected a store with dossiers() (a SqlStore), not {type(store)}",
            argument="store",
            expected="a store with dossiers() (a SqlStore)",
            got=type(store).__name__,
        )
    found = read(may_lag=True) if hasattr(store, "read_engine") else read()
    chosen = found if agency is None else (d for d in found if d.agency_code == agency)
    return indicators(
        chosen, period, catalog, as_of=as_of, inputs=inputs, indicator_set=indicator_set
    )


@dataclass(frozen=True, slots=True)
class GroupScore:
    """The points of one group: earned, out of the scored indicators that were computed,
    out of the group's weight; ``missing``: scored indicators that could not be computed."""

    id: str
    name: str
    max_points: float
    points: float
    computed_max: float
    missing: tuple[str, ...]


def group_scores(
    found: Iterable[Indicator], chosen: IndicatorSet | str = "2022"
) -> list[GroupScore]:
    """Per group of ``chosen``, the sum of the points of ``found`` (from :func:`indicators`).

    Indicators not computed add nothing to ``points`` nor to ``computed_max``: a total over
    ``computed_max`` compares what was measured, never counts a missing input as 0 or full.
    """
    listed = list(found)
    out = []
    for group in _set(chosen).groups:
        scored = [i for i in listed if i.group == group.id and i.max_points]
        done = [i for i in scored if i.points is not None]
        out.append(
            GroupScore(
                id=group.id,
                name=group.name,
                max_points=group.points,
                points=round_half_up(sum(i.points or 0 for i in done), 2),
                computed_max=sum(i.max_points or 0 for i in done),
                missing=tuple(i.id for i in scored if i.points is None),
            )
        )
    return out


def average_days_by_procedure(report: Any) -> dict[str, float | None]:
    """Indicator 2.2 (monitoring): average processing time per procedure, working days.

    ``report`` is ``statistics(..., by="procedure")`` or ``statistics_sql(..., by="procedure")``.
    """
    return {g.key: g.processing_days_avg for g in report.groups if not g.is_total}
