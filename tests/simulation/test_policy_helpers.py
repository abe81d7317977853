"""tthc_flow.testing: assert_policy and the user-facing example test file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tthc_flow.simulation import Scenario, simulate
from tthc_flow.testing import PolicyViolationAssertion, assert_policy

ROOT = Path(__file__).resolve().parents[2]


def test_assert_policy_passes_and_fails_on_the_targets(small_scenario: Scenario) -> None:
    result = simulate(small_scenario, keep_events=False)
    assert_policy(result, on_time_rate_at_least=0.5, utilisation_below={"one_stop": 0.99})
    with pytest.raises(PolicyViolationAssertion, match=r"utilisation\.one_stop"):
        assert_policy(result, utilisation_below={"one_stop": 0.01})
    with pytest.raises(PolicyViolationAssertion, match="not measured"):
        assert_policy(result, utilisation_below={"nobody": 0.5})


def test_the_example_policy_test_runs_green_under_pytest() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "examples/policy_test_example.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
