"""Pin a service policy in pytest: run with ``pytest examples/policy_test_example.py``.

The department promises 98 % of dossiers on time and wants the desk below 85 % busy.
If a change (fewer staff, a shorter limit) breaks that promise in simulation, this fails.
"""

from __future__ import annotations

from tthc_flow.simulation import Scenario, simulate
from tthc_flow.testing import assert_policy

pytest_plugins = ["tthc_flow.testing"]


def test_the_department_keeps_its_promise(small_scenario: Scenario) -> None:
    result = simulate(small_scenario, replications=2, keep_events=False)
    assert_policy(result, on_time_rate_at_least=0.98, utilisation_below={"one_stop": 0.85})
