"""Back-test: fit on the log before a held-out period, forecast it from the dossiers open at
its start, and compare with what the log says happened.

The comparison is each flow indicator's rate and the number of dossiers it judged (2.1's
denominator) against the forecast's 95 % outcome interval (2.5 % - 97.5 % of the
replications): a model that reproduces the log puts the real value inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.forecast._fit import FittedModel, fit_log
from tthc_flow.forecast._run import Forecast, Spread, forecast
from tthc_flow.forecast._scenario import fitted_scenario
from tthc_flow.forecast._warm import FLOW_INDICATORS, states_at, warm_start
from tthc_flow.procedure import Catalog
from tthc_flow.reports import Period, indicators


@dataclass(frozen=True)
class Check:
    """One quantity of the held-out period: the log's value and the forecast's interval."""

    name: str
    actual: float
    forecast: Spread

    @property
    def inside(self) -> bool:
        """Whether the log's value lies in the forecast's 95 % outcome interval."""
        return self.forecast.contains(self.actual)


@dataclass
class BackTest:
    """The model fitted before the period, the forecast of the period, and the checks."""

    model: FittedModel
    result: Forecast
    checks: list[Check]

    @property
    def passed(self) -> bool:
        """Every check inside its interval."""
        return all(c.inside for c in self.checks)


def back_test(
    store: Any,
    catalog: Catalog,
    calendar: WorkCalendar,
    *,
    fit_from: date,
    period: Period,
    replications: int = 40,
    workers: int | None = None,
    staff: dict[str, int | str] | None = None,
) -> BackTest:
    """Fit ``fit_from`` .. the day before ``period`` on the log as it stood at the period's
    first working moment (events replayed up to it: nothing after the split leaks into the
    fit; steps still open then give no service time), forecast ``period`` from the dossiers
    open at that moment, compare with what the log says happened."""
    start = period.first
    as_of = calendar.next_working_moment(datetime.combine(start, time(0), VN_TZ))
    # the fit sees only what the log held at the split: no step, outcome or wait after it
    before = [e for e in store.events() if e.at < as_of]
    model = fit_log(states_at(before, as_of), before, calendar, fit_from, start - timedelta(days=1))
    warm = warm_start(events=store.events(), as_of=as_of, since=period.start_at)
    scenario = fitted_scenario(model, catalog, calendar, as_of.date(), period.last, staff=staff)
    result = forecast(
        scenario,
        warm,
        period=period,
        arrivals=model.arrivals,
        replications=replications,
        workers=workers,
    )
    actual = {
        i.id: i
        for i in indicators(store.dossiers(), period, catalog, as_of=period.end_at)
        if i.id in FLOW_INDICATORS
    }
    checks = []
    for ident, spread in result.indicators.items():
        found = actual.get(ident)
        if found is not None and found.ratio is not None:
            checks.append(Check(f"{ident} rate", found.ratio, spread))
    handled = actual.get("2.1")
    if handled is not None and handled.denominator is not None:
        counts = [
            float(o.indicators["2.1"][1] or 0) for o in result.outcomes if "2.1" in o.indicators
        ]
        checks.append(Check("2.1 dossiers judged", float(handled.denominator), Spread.of(counts)))
    return BackTest(model, result, checks)


__all__ = ["BackTest", "Check", "back_test"]
