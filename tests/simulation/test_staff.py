"""Staff per role: headcount, unlimited roles and a role's own working hours."""

from __future__ import annotations

from datetime import time

from tthc_flow.calendar import WorkingPeriod
from tthc_flow.simulation import Scenario, StaffPool, simulate


def _with_staff(scenario: Scenario, **pools: StaffPool) -> Scenario:
    m = scenario.model
    model = m.model_copy(update={"staff": m.staff | pools})
    return Scenario(model, scenario.catalog, scenario.calendar, "<code>")


def test_a_desk_open_two_hours_a_day_queues_longer_and_is_busier(
    small_scenario: Scenario,
) -> None:
    morning = [WorkingPeriod(start=time(7, 30), end=time(9, 30))]
    short = _with_staff(small_scenario, one_stop=StaffPool(count=2, hours=morning))
    full = simulate(small_scenario, keep_events=False)
    part = simulate(short, keep_events=False)
    # the same dossiers arrive (common random numbers)
    assert part["arrived"].mean == full["arrived"].mean
    assert part["wait_hours.one_stop"].mean > 2 * full["wait_hours.one_stop"].mean
    # utilisation is measured against the desk's own 2 hours, not the 8-hour day
    assert part["utilisation.one_stop"].mean > 2 * full["utilisation.one_stop"].mean
    assert part["utilisation.one_stop"].mean <= 1.0


def test_unlimited_roles_have_no_queue(small_scenario: Scenario) -> None:
    result = simulate(
        _with_staff(small_scenario, specialist=StaffPool(count="unlimited")), keep_events=False
    )
    assert result["wait_hours.specialist"].mean == 0.0
    assert "utilisation.specialist" not in result.kpis
