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
    base = forecast(scenario, warm, **kwargs)
    more = forecast(
        scenario,
        warm,
        variant=Variant(name="+2", extra_staff={"specialist": 2}),
        **kwargs,
    )
    assert more.variant == "+2"
    assert base.indicators["2.1"].mean < 0.97  # the overloaded office is late
    difference = indicator_difference(base, more)
    assert difference.low > 0  # the paired interval excludes no effect
    assert more.indicators["2.1"].mean > base.indicators["2.1"].mean
    # fewer open dossiers at risk with more staff
    at_risk = [sum(r.p_late >= 0.5 for r in f.risks) for f in (base, more)]
    assert at_risk[1] <= at_risk[0]


def test_4_tai_cho_and_a_shorter_limit_apply_to_dossiers_received_from_the_start(
    known_log: SimulationResult, known_scenario: Scenario
) -> None:
    store = known_log.store
    cal = known_scenario.calendar
    model = fit_log(
        list(store.dossiers()), store.events(), cal, date(2026, 1, 5), date(2026, 3, 13)
    )
    period = Period(date(2026, 3, 16), date(2026, 3, 31))
    as_of = cal.next_working_moment(period.start_at)
    warm = warm_start(events=store.events(), as_of=as_of, since=period.start_at)
    model.branching["apology"] = Share(0, 1)  # see the test above
    scenario = fitted_scenario(model, known_scenario.catalog, cal, as_of.date(), period.last)
    kwargs = {"period": period, "arrivals": model.arrivals, "replications": 4, "workers": 1}
    base = forecast(scenario, warm, **kwargs)
    spot = forecast(
        scenario,
        warm,
        variant=Variant(name="4 tại chỗ", on_the_spot=["2.000622"]),
        **kwargs,
    )
    assert base.kpis["on_the_spot"].mean == 0
    assert spot.kpis["on_the_spot"].mean > 0  # new desk dossiers of 2.000622 at the desk
    # the open dossiers kept their version: each of them was simulated in both runs
    assert not base.not_simulated and not spot.not_simulated
    assert len(spot.risks) == len(base.risks) == len(warm.open)
    shorter = forecast(
        scenario,
        warm,
        variant=Variant.model_validate(
            {
                "name": "7 ngày",
                "shorten": [
                    {
                        "from": {"value": 10, "unit": "working_days"},
                        "to": {"value": 2, "unit": "working_days"},
                    }
                ],
            }
        ),
        **kwargs,
    )
    # 2 working days instead of 10 for 2.000620 (8 a day, about 2.3 h of work each): new
    # dossiers are due sooner and some miss it, so the period's 2.1 falls
    assert shorter.indicators["2.1"].mean < base.indicators["2.1"].mean
