"""Replications and shards on any executor, and on a Dask cluster, give the same results."""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import pytest

from tthc_flow import ConfigurationError
from tthc_flow.simulation import (
    Scenario,
    SimulationResult,
    StaffPool,
    dask_executor,
    simulate,
)


def _two_leaders(small_scenario: Scenario) -> Scenario:
    """The small scenario with a second leader, so that it splits into two shards."""
    m = small_scenario.model
    staff = m.staff | {"leader": StaffPool(count=2)}
    model = m.model_copy(update={"staff": staff})
    return Scenario(model, small_scenario.catalog, small_scenario.calendar, "-")


def _outcome(result: SimulationResult) -> list[tuple[Any, ...]]:
    """Everything a replication measured except its wall time."""
    return [
        (
            r.replication,
            r.counts,
            r.processing_days.tolist(),
            r.citizen_days.tolist(),
            r.wait_sum,
            r.wait_n,
            r.busy_hours,
            r.capacity_hours,
            r.staff,
            r.backlog,
            r.events,
        )
        for r in result.replications
    ]


def test_any_executor_gives_the_serial_results(small_scenario: Scenario) -> None:
    scenario = _two_leaders(small_scenario)
    serial = simulate(scenario, replications=3, shards=2, keep_events=False, workers=1)
    with ThreadPoolExecutor(2) as threads:
        threaded = simulate(scenario, replications=3, shards=2, keep_events=False, executor=threads)
    with ProcessPoolExecutor(2) as processes:
        pooled = simulate(scenario, replications=3, shards=2, keep_events=False, executor=processes)
        # the caller's executor is the caller's: still open for the next study
        assert processes.submit(sum, [1, 2]).result() == 3
    assert _outcome(threaded) == _outcome(serial)
    assert _outcome(pooled) == _outcome(serial)
    assert len(serial.replications) == 3
    # the replications differ from each other: the comparison above can fail
    assert serial.replications[0].counts != serial.replications[1].counts


def test_the_default_local_pool_gives_the_serial_results(small_scenario: Scenario) -> None:
    serial = simulate(small_scenario, replications=3, keep_events=False, workers=1)
    pooled = simulate(small_scenario, replications=3, keep_events=False, workers=2)
    assert _outcome(pooled) == _outcome(serial)


def test_workers_and_an_executor_together_are_refused(small_scenario: Scenario) -> None:
    with (
        ThreadPoolExecutor(1) as threads,
        pytest.raises(ValueError, match=r"workers= .* or executor=") as bad,
    ):
        simulate(small_scenario, replications=2, workers=2, executor=threads)
    assert isinstance(bad.value, ConfigurationError)
    assert bad.value.setting == "simulate.executor"


def test_a_missing_dask_extra_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(ImportError, match=r"pip install 'tthc_flow\[dask\]'") as raised:
        dask_executor()
    assert raised.value.name == "distributed"


def test_a_dask_local_cluster_gives_the_local_pools_results(small_scenario: Scenario) -> None:
    distributed = pytest.importorskip("distributed")
    scenario = _two_leaders(small_scenario)
    local = simulate(scenario, replications=3, shards=2, keep_events=False, workers=2)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_cluster = simulate(
            scenario, replications=3, shards=2, keep_events=False, executor=dask_executor(client)
        )
        # the work items ran in the cluster's worker processes: they unpickled the scenario
        kept = client.run(
            lambda: len(__import__("tthc_flow.simulation._work", fromlist=["x"])._SCENARIOS)
        )
        assert len(kept) == 2 and sum(kept.values()) >= 1
    assert _outcome(on_cluster) == _outcome(local)
