"""The scenario loader fails only with a located :class:`ScenarioDefinitionError`.

Mutations of the example scenarios (lines deleted, swapped, repeated, values replaced by
hostile scalars, forbidden characters inserted); about 600 inputs per run. The catalog the
scenarios name is loaded for each mutant that passes validation, so the counts stay modest.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

from tests.procedure.test_fuzz import assert_located, mutated_sample, scarred
from tthc_flow.errors import ScenarioDefinitionError
from tthc_flow.simulation import Scenario, parse_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
TEXT = (SCENARIOS / "hai-phong-2020.yaml").read_text(encoding="utf-8")


def _scenario_or_reject(text: str) -> None:
    try:
        result = parse_scenario(text, "fuzz.yaml", base=SCENARIOS)
    except ScenarioDefinitionError as exc:
        # problems of the catalog or calendar files the scenario names are located in those
        # files; the scenario's own come first and are always located
        assert exc.first.file == "fuzz.yaml", str(exc)
        assert_located(ScenarioDefinitionError([p for p in exc.problems if p.file == "fuzz.yaml"]))
    else:
        assert isinstance(result, Scenario)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_sample(tuple(TEXT.splitlines())))
def test_mutated_scenario(text: str) -> None:
    _scenario_or_reject(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scarred(TEXT))
def test_scarred_scenario(text: str) -> None:
    _scenario_or_reject(text)
