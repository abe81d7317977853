"""The back-test: a model fitted to the log before a held-out fortnight, started from the
dossiers open at its first moment, reproduces what the log says about that fortnight."""

from __future__ import annotations

from datetime import date

from tthc_flow.forecast import back_test
from tthc_flow.reports import Period
from tthc_flow.simulation import Scenario, SimulationResult


def test_the_fitted_model_reproduces_the_held_out_period(
    known_log: SimulationResult, known_scenario: Scenario
) -> None:
    # fit 5 January - 15 March (March's factor from its first two weeks), hold out 16-31 March
    result = back_test(
        known_log.store,
        known_scenario.catalog,
        known_scenario.calendar,
        fit_from=date(2026, 1, 5),
        period=Period(date(2026, 3, 16), date(2026, 3, 31)),
        replications=40,
    )
    names = {c.name for c in result.checks}
    assert {"2.1 rate", "2.1 dossiers judged", "3.3a rate"} <= names
    assert len(result.result.warm.open) > 20  # it really started from a busy office
    for check in result.checks:
        assert check.inside, (check.name, check.actual, str(check.forecast))
    assert result.passed
