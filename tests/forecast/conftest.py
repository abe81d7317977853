"""A department log generated from a known model (the simulator through the real engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tthc_flow.simulation import Scenario, SimulationResult, parse_scenario, simulate
from tthc_flow.testing import EXAMPLE_CATALOG

KNOWN_MODEL = """\
name: known model
horizon: {start: 2026-01-05, end: 2026-03-31}
catalog: so-cong-thuong
seed: 7
arrivals:
  procedures:
    "2.000620": {per_working_day: 8}
    "2.000622": {per_working_day: 5}
    "2.000645": {per_working_day: 3}
  seasonality: {1: 0.7, 2: 1.0, 3: 1.3}
channels: {desk: 0.5, postal: 0.2, online: 0.3}
staff: {one_stop: 3, specialist: 4, leader: 1, inspection_team: unlimited,
        ministry_officer: unlimited}
service:
  reception: {default: {dist: fixed, value: 0.25}}
  steps:
    "2.000620/appraise": {dist: lognormal, mean: 2.0, sd: 1.2}
    "2.000622/appraise": {dist: exponential, mean: 1.5}
  roles:
    specialist: {dist: lognormal, mean: 1.5, sd: 1.0}
    leader: {dist: exponential, mean: 0.3}
  default: {dist: fixed, value: 1}
branching: {supplement_at_reception: 0.08, supplement_during_appraisal: 0.05,
            abandon_supplement: 0.2, withdraw: 0.02, reject: 0.05, apology: 1.0}
delays:
  supplement: {dist: exponential, mean: 4}
"""
"""Rates 8 + 5 + 3 a working day with month factors 0.7 / 1.0 / 1.3. The 4 specialists have
8 x 2 + 5 x 1.5 + 3 x 1.5 = 28 hours of work a day at factor 1 for 32 hours: about 61 % busy
in January, 88 % in February and overloaded in March (36.4 hours), so some dossiers are late;
the leader about 60 % (16 x 0.3 hours, x the month's factor)."""


@pytest.fixture(scope="session")
def known_scenario() -> Scenario:
    catalog = Path(EXAMPLE_CATALOG).resolve()
    return parse_scenario(KNOWN_MODEL, "<known model>", catalog.parent)


@pytest.fixture(scope="session")
def known_log(known_scenario: Scenario) -> SimulationResult:
    """One replication with every event kept: the department's log."""
    return simulate(known_scenario, replications=1, workers=1)
