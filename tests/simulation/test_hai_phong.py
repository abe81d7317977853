"""The Hải Phòng 2020 example: the seed's volume, and what "4 tại chỗ" changes."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from tthc_flow.simulation import Scenario, SimulationResult, compare, load_scenario, simulate
from tthc_flow.simulation._scenario import Horizon

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "hai-phong-2020.yaml"
TARGET = 5651  # dossiers received 1 Jan - 10 Sep 2020 (seeds/000)


@pytest.fixture(scope="module")
def runs() -> dict[str | None, SimulationResult]:
    scenario = load_scenario(SCENARIO)
    runs = {None: simulate(scenario, replications=1, keep_events=False)}
    # phases compared over summer 2020 only (phase 1 began 1 June), to keep the suite fast
    spring = scenario.model.model_copy(
        update={"horizon": Horizon(start=date(2020, 6, 1), end=date(2020, 8, 31))}
    )
    short = Scenario(spring, scenario.catalog, scenario.calendar, scenario.source)
    runs["short"] = simulate(short, replications=1, keep_events=False)
    for name in ("phase 1", "phase 2"):
        runs[name] = simulate(short, name, replications=1, keep_events=False)
    return runs


def test_dossier_count_is_within_a_poisson_interval_of_the_seed(
    runs: dict[str | None, SimulationResult],
) -> None:
    arrived = runs[None]["arrived"].mean
    assert abs(arrived - TARGET) <= 3 * math.sqrt(TARGET)
    # nearly everything that arrived was received by the end (the desk keeps up)
    assert runs[None]["received"].mean >= 0.98 * arrived


def test_four_on_the_spot_saves_visits_and_time_phase_by_phase(
    runs: dict[str | None, SimulationResult],
) -> None:
    base, one, two = runs["short"], runs["phase 1"], runs["phase 2"]
    assert one["arrived"].mean == base["arrived"].mean  # common random numbers: same dossiers
    saved = [r["visits_saved"].mean for r in (base, one, two)]
    days = [r["processing_days_mean"].mean for r in (base, one, two)]
    assert saved[0] < saved[1] < saved[2]
    assert days[1] < days[0] and days[2] < days[0]
    assert compare(base, two)["on_the_spot"].diff.mean > 0
