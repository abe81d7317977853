"""Forecasting a department's quarter from 2,000 open dossiers, 100 replications.

A year-start log is generated through the engine (5 Jan - 1 Apr 2026, nothing drained, so the
office is mid-stream on 1 April), the model is fitted to it, and the second quarter is
forecast from the dossiers open on 1 April 08:00 (``forecast``). The baseline is the plain
simulator running the same fitted scenario from an empty office (``simulate``) with the same
replications in the same run; both print their seconds, dossiers per replication and the
ratio. Run: ``python benchmarks/forecast.py [--replications 100] [--workers 2]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# this folder's calendar.py would shadow the standard library's calendar module
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import time  # noqa: E402
from datetime import date, datetime  # noqa: E402

from tthc_flow._time import VN_TZ  # noqa: E402
from tthc_flow.forecast import fit_log, fitted_scenario, forecast, warm_start  # noqa: E402
from tthc_flow.reports import Period  # noqa: E402
from tthc_flow.simulation import parse_scenario, simulate  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

LOG = """\
name: busy department (log)
horizon: {start: 2026-01-05, end: 2026-03-31, drain_working_days: 0}
catalog: so-cong-thuong
seed: 3
arrivals:
  total: {per_working_day: 190}
channels: {desk: 0.5, postal: 0.1, online: 0.4}
staff: {one_stop: 14, specialist: 55, leader: 6, inspection_team: 8, ministry_officer: 4}
service:
  reception: {default: {dist: lognormal, mean: 0.3, sd: 0.15}}
  roles:
    specialist: {dist: lognormal, mean: 2.0, sd: 1.2}
    leader: {dist: exponential, mean: 0.2}
    one_stop: {dist: lognormal, mean: 0.5, sd: 0.3}
    inspection_team: {dist: lognormal, mean: 3.0, sd: 1.5}
    ministry_officer: {dist: lognormal, mean: 4.0, sd: 2.0}
branching: {supplement_at_reception: 0.06, supplement_during_appraisal: 0.04,
            abandon_supplement: 0.1, withdraw: 0.005, reject: 0.02}
delays:
  supplement: {dist: exponential, mean: 5}
  collection: {dist: exponential, mean: 25}  # results left uncollected keep dossiers open
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    began = time.perf_counter()
    log_scenario = parse_scenario(LOG, "<log>", EXAMPLES)
    log = simulate(log_scenario, replications=1, workers=1)
    store = log.store
    print(f"log: {store.event_count} events, {time.perf_counter() - began:.1f} s")
    cal = log_scenario.calendar
    started = time.perf_counter()
    model = fit_log(
        list(store.dossiers()), store.events(), cal, date(2026, 1, 5), date(2026, 3, 31)
    )
    print(f"fit: {time.perf_counter() - started:.1f} s")
    as_of = datetime(2026, 4, 1, 8, 0, tzinfo=VN_TZ)
    period = Period.quarter(2026, 2)
    warm = warm_start(store.dossiers(), as_of=as_of, since=period.start_at)
    print(f"open dossiers on {as_of:%d/%m/%Y %H:%M}: {len(warm.open)}")
    # 20 working days after the quarter: every dossier open on 1 April is due by then
    scenario = fitted_scenario(
        model, log_scenario.catalog, cal, as_of.date(), period.last, drain_working_days=20
    )
    n = args.replications

    started = time.perf_counter()
    base = simulate(scenario, replications=n, keep_events=False, workers=args.workers)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    result = forecast(
        scenario,
        warm,
        period=period,
        arrivals=model.arrivals,
        replications=n,
        workers=args.workers,
    )
    warm_s = time.perf_counter() - started
    cold_n = base["arrived"].mean
    warm_n = result.kpis["arrived"].mean + len(warm.open)
    print(f"baseline (empty office, simulate): {cold:.1f} s, {cold_n:.0f} dossiers/replication")
    print(
        f"forecast (warm, indicators, risk):  {warm_s:.1f} s, {warm_n:.0f} dossiers/replication "
        f"({len(warm.open)} open at the start)"
    )
    print(
        f"ratio forecast / baseline: {warm_s / cold:.2f}x; per dossier "
        f"{(warm_s / warm_n) / (cold / cold_n):.2f}x"
    )
    print(f"766 2.1 forecast: {result.indicators['2.1']}, points {result.points['2.1']}")
    late = sum(1 for r in result.risks if r.p_late >= 0.5)
    print(f"open dossiers with late risk >= 50 %: {late}")


if __name__ == "__main__":
    main()
