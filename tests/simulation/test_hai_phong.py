"""The Hải Phòng 2020 example: the seed's figures, and what "4 tại chỗ" changes."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pytest

from tthc_flow.simulation import (
    Rate,
    Scenario,
    SimulationResult,
    compare,
    load_scenario,
    simulate,
)
from tthc_flow.simulation._scenario import Horizon

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "hai-phong-2020.yaml"
# seeds/000 (Sở Công Thương Hải Phòng, 1 Jan - 10 Sep 2020): received, resolved, in progress,
# withdrawn
RECEIVED, RESOLVED, IN_PROGRESS, WITHDRAWN = 5651, 5610, 20, 21


@pytest.fixture(scope="module")
def year() -> SimulationResult:
    return simulate(load_scenario(SCENARIO), replications=3, keep_events=False)


@pytest.fixture(scope="module")
def summer() -> dict[str | None, SimulationResult]:
    scenario = load_scenario(SCENARIO)
    m = scenario.model
    working = sum(
        scenario.calendar.is_working_day(m.horizon.start + timedelta(days=i))
        for i in range((m.horizon.end - m.horizon.start).days + 1)
    )
    # phases compared over summer 2020 only (phase 1 began 1 June), at the seed's daily rate
    arrivals = m.arrivals.model_copy(update={"total": Rate(per_working_day=RECEIVED / working)})
    model = m.model_copy(
        update={
            "horizon": Horizon(start=date(2020, 6, 1), end=date(2020, 8, 31)),
            "arrivals": arrivals,
        }
    )
    short = Scenario(model, scenario.catalog, scenario.calendar, scenario.source)
    return {
        name: simulate(short, name, keep_events=False)
        for name in (None, "giai đoạn 1", "giai đoạn 2")
    }


def test_the_seed_figures_are_reproduced(year: SimulationResult) -> None:
    received = year["received"]
    assert received.n == 3
    assert abs(received.mean - RECEIVED) <= 3 * math.sqrt(RECEIVED / 3)
    # what a report on 10 Sep 2020 shows: resolved, still in progress, withdrawn
    assert abs(year["resolved_at_end"].mean - RESOLVED) <= 0.02 * RESOLVED
    assert 5 <= year["in_progress_at_end"].mean <= 60
    assert 10 <= year["withdrawn"].mean <= 35
    assert year["censored"].mean == 0  # the drain resolves everything received


def test_four_on_the_spot_saves_visits_and_time_phase_by_phase(
    summer: dict[str | None, SimulationResult],
) -> None:
    base, one, two = summer[None], summer["giai đoạn 1"], summer["giai đoạn 2"]
    assert one["arrived"].mean == base["arrived"].mean  # common random numbers: same dossiers
    saved = [r["visits_saved"].mean for r in (base, one, two)]
    days = [r["processing_days_mean"].mean for r in (base, one, two)]
    assert saved[0] < saved[1] < saved[2]
    assert days[1] < days[0] and days[2] < days[0]
    assert compare(base, two)["on_the_spot"].diff.mean > 0
