"""Validation against queueing theory: M/M/c (Erlang C) at a 24/7 desk, through the engine.

A calendar where every day works 00:00-24:00 (``calendar.all_days``) removes opening hours,
so the one-stop desk is a textbook M/M/c queue: Poisson arrivals (rate lambda per hour),
exponential reception times (rate mu), c clerks, FIFO. Every dossier still goes through the
real engine (receive, handover, steps, return); only the desk has limited staff.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pytest

from tthc_flow.simulation import SimulationResult, parse_scenario, simulate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def erlang_c(lam: float, mu: float, c: int) -> tuple[float, float]:
    """Mean wait in queue (hours) and utilisation of M/M/c."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam), rho


def scenario_text(lam: float, mu: float, c: int, days: int) -> str:
    end = date(2026, 1, 1) + timedelta(days=days - 1)
    return f"""
name: M/M/{c}
horizon: {{start: 2026-01-01, end: {end.isoformat()}, warmup_days: 1, drain_working_days: 0}}
catalog: so-cong-thuong
calendar: {{all_days: true}}
seed: 7
arrivals:
  procedures: {{"2.000620": {{per_working_day: {lam * 24}}}}}
channels: {{online: 1}}
staff: {{one_stop: {c}, specialist: unlimited, leader: unlimited,
        inspection_team: unlimited, ministry_officer: unlimited}}
service:
  reception: {{online: {{dist: exponential, mean: {1 / mu}}}}}
  default: {{dist: fixed, value: 0.01}}
"""


# (lambda per hour, mu per hour, clerks, days): utilisation 0.6, mu = 1, 2 and 0.5; about
# 5,000-9,000 dossiers per case through the engine (6 replications, in parallel)
CASES = [(0.6, 1.0, 1, 60), (2.4, 2.0, 2, 30), (1.0, 0.5, 3, 60)]
_RESULTS: dict[tuple[float, float, int, int], SimulationResult] = {}


def run(case: tuple[float, float, int, int]) -> SimulationResult:
    if case not in _RESULTS:
        lam, mu, c, days = case
        scenario = parse_scenario(scenario_text(lam, mu, c, days), "mmc.yaml", EXAMPLES)
        _RESULTS[case] = simulate(scenario, replications=6, keep_events=False)
    return _RESULTS[case]


@pytest.mark.parametrize(("lam", "mu", "c", "days"), CASES)
def test_desk_waiting_time_and_utilisation_match_erlang_c(
    lam: float, mu: float, c: int, days: int
) -> None:
    result = run((lam, mu, c, days))
    wq, rho = erlang_c(lam, mu, c)
    wait = result["wait_hours.one_stop"]
    util = result["utilisation.one_stop"]
    print(f"M/M/{c} lambda={lam}: Wq theory {wq:.3f} sim {wait}; rho {rho:.3f} sim {util}")
    assert wait.contains(wq), (wq, wait)
    assert util.contains(rho), (rho, util)
    # and the intervals are narrow enough to mean something
    assert wait.half_width < 0.3 * wq, (wq, wait)
    assert util.half_width < 0.08 * rho, (rho, util)


def test_a_slower_desk_waits_longer_than_erlang_c_allows_for_the_faster_one() -> None:
    # guards the test above against intervals so wide that anything passes
    result = run(CASES[0])
    wq_if_twice_as_fast, _ = erlang_c(0.6, 2.0, 1)
    assert not result["wait_hours.one_stop"].contains(wq_if_twice_as_fast)
