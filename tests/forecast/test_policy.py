"""A policy's effect on the forecast: an overloaded office (2 specialists for about 4.5
people's work in March: 8 x 2 + 5 x 1.5 + 3 x 1.5 hours a day x 1.3) forecast with two more
specialists is more often on time, and the paired difference's interval says so."""

from __future__ import annotations

from datetime import date

from tthc_flow.forecast import (
    Share,
    fit_log,
    fitted_scenario,
    forecast,
    indicator_difference,
    warm_start,
)
from tthc_flow.reports import Period
from tthc_flow.simulation import Scenario, SimulationResult, Variant


def test_more_specialists_raise_the_forecast_on_time_rate(
    known_log: SimulationResult, known_scenario: Scenario
) -> None:
    store = known_log.store
    cal = known_scenario.calendar
    model = fit_log(
        list(store.dossiers()), store.events(), cal, date(2026, 1, 5), date(2026, 3, 13)
    )
    # a unit that never apologises: an apology moves NgayHenTra, and the portal's 2.1 judges
    # against the moved date, so with apologies an overloaded office still looks on time
    model.branching["apology"] = Share(0, 1)
    period = Period(date(2026, 3, 16), date(2026, 3, 31))
    as_of = cal.next_working_moment(period.start_at)
    warm = warm_start(events=store.events(), as_of=as_of, since=period.start_at)
    scenario = fitted_scenario(
        model, known_scenario.catalog, cal, as_of.date(), period.last, staff={"specialist": 2}
    )
    kwargs = {"period": period, "arrivals": model.arrivals, "replications": 12}
    base = forecast(scenario, warm, **kwargs)  # type: ignore[arg-type]
    more = forecast(
        scenario,
        warm,
        variant=Variant(name="+2", extra_staff={"specialist": 2}),
        **kwargs,  # type: ignore[arg-type]
    )
    assert more.variant == "+2"
    assert base.indicators["2.1"].mean < 0.97  # the overloaded office is late
    difference = indicator_difference(base, more)
    assert difference.low > 0  # the paired interval excludes no effect
    assert more.indicators["2.1"].mean > base.indicators["2.1"].mean
    # fewer open dossiers at risk with more staff
    at_risk = [sum(r.p_late >= 0.5 for r in f.risks) for f in (base, more)]
    assert at_risk[1] <= at_risk[0]
