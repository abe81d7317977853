"""Worker processes run exactly the scenario they were given; shards add up."""

from __future__ import annotations

import pickle

import pytest

from tthc_flow.errors import ConfigurationError, NotFound, ScenarioDefinitionError
from tthc_flow.simulation import Rate, Scenario, StaffPool, simulate


def _busier(small_scenario: Scenario) -> Scenario:
    """The small scenario with twice the arrivals, changed in code (its YAML text is not)."""
    m = small_scenario.model
    arrivals = m.arrivals.model_copy(update={"total": Rate(per_working_day=24)})
    model = m.model_copy(update={"arrivals": arrivals})
    return Scenario(model, small_scenario.catalog, small_scenario.calendar, "<code>", "", None)


def test_parallel_workers_run_a_scenario_changed_in_code(small_scenario: Scenario) -> None:
    busier = _busier(small_scenario)
    serial = simulate(busier, replications=2, keep_events=False, workers=1)
    parallel = simulate(busier, replications=2, keep_events=False, workers=2)
    original = simulate(small_scenario, replications=2, keep_events=False, workers=1)
    assert [r.counts for r in parallel.replications] == [r.counts for r in serial.replications]
    # the change matters: the YAML text's scenario would have half the dossiers
    assert parallel["arrived"].mean > 1.6 * original["arrived"].mean


def test_scenario_errors_survive_a_process_boundary() -> None:
    from tthc_flow.errors import Problem

    error = ScenarioDefinitionError([Problem("s.yaml", 3, 5, "staff.x", "no role 'x'")])
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ScenarioDefinitionError
    assert copy.problems == error.problems
    assert str(copy) == str(error)


def test_shards_are_independent_offices_that_add_up(small_scenario: Scenario) -> None:
    m = small_scenario.model
    staff = m.staff | {"leader": StaffPool(count=2)}
    two_leaders = Scenario(
        m.model_copy(update={"staff": staff}), small_scenario.catalog, small_scenario.calendar, "-"
    )
    whole = simulate(two_leaders, keep_events=False, workers=1)
    split = simulate(two_leaders, keep_events=False, workers=2, shards=2)
    (data,) = split.replications
    assert data.staff == whole.replications[0].staff  # 2+4+2 people, split and added back
    assert split.store is None
    # each office gets half the arrivals: the total is the same Poisson mean
    assert abs(split["arrived"].mean - whole["arrived"].mean) < 4 * whole["arrived"].mean ** 0.5
    assert split["on_time_rate"].mean > 0.5
    assert len(split.backlog) == len(whole.backlog)


def test_wrong_run_arguments_and_variant_names_are_library_errors(
    small_scenario: Scenario,
) -> None:
    """simulate(replications=0) and an unknown variant name say which setting or name is
    wrong, as fields (docs/errors.md), and are still a ValueError / KeyError."""
    with pytest.raises(ValueError, match="at least 1") as bad:
        simulate(small_scenario, replications=0)
    assert isinstance(bad.value, ConfigurationError)
    assert (bad.value.setting, bad.value.value) == ("simulate.replications", 0)
    with pytest.raises(KeyError, match="no variant 'fewer staff'") as missing:
        small_scenario.variant("fewer staff")
    assert isinstance(missing.value, NotFound)
    assert (missing.value.kind, missing.value.name, missing.value.known) == (
        "variant",
        "fewer staff",
        ("more staff",),  # the one variant of SMALL_SCENARIO
    )


def test_shards_need_enough_people_in_every_limited_role(small_scenario: Scenario) -> None:
    with pytest.raises(ValueError, match="'leader' has 1") as bad:
        simulate(small_scenario, keep_events=False, shards=2)
    assert isinstance(bad.value, ConfigurationError)
    assert (bad.value.setting, bad.value.value) == ("simulate.shards", 2)
