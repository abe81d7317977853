"""Forecasting a period from today's open dossiers, through the real engine.

>>> from tthc_flow.forecast import fit_log, fitted_scenario, warm_start, forecast  # doctest: +SKIP
>>> model = fit_log(store.dossiers(), store.events(), calendar, start, end)  # doctest: +SKIP
>>> warm = warm_start(store.dossiers(), as_of=now, since=period.start_at)  # doctest: +SKIP
>>> scenario = fitted_scenario(model, catalog, calendar, now.date(), period.last)  # doctest: +SKIP
>>> result = forecast(scenario, warm, period=period, arrivals=model.arrivals)  # doctest: +SKIP

See docs/forecast.md.
"""

from tthc_flow.forecast._arrivals import ArrivalFit
from tthc_flow.forecast._backtest import BackTest, Check, back_test
from tthc_flow.forecast._fit import FittedModel, Share, fit_log
from tthc_flow.forecast._goodness import FitChoice, choose
from tthc_flow.forecast._legal import ChangeImpact, dry_run, new_limit
from tthc_flow.forecast._report import fit_report
from tthc_flow.forecast._risk import LateRisk, apology_deadline, draft_apology
from tthc_flow.forecast._run import Forecast, Spread, forecast, indicator_difference
from tthc_flow.forecast._scenario import fitted_scenario
from tthc_flow.forecast._warm import FLOW_INDICATORS, OUTCOMES, WarmStart, warm_start

__all__ = [
    "FLOW_INDICATORS",
    "OUTCOMES",
    "ArrivalFit",
    "BackTest",
    "ChangeImpact",
    "Check",
    "FitChoice",
    "FittedModel",
    "Forecast",
    "LateRisk",
    "Share",
    "Spread",
    "WarmStart",
    "apology_deadline",
    "back_test",
    "choose",
    "draft_apology",
    "dry_run",
    "fit_log",
    "fit_report",
    "fitted_scenario",
    "forecast",
    "indicator_difference",
    "new_limit",
    "warm_start",
]
