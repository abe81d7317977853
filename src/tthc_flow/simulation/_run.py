"""``simulate``: replications (and shards) of a scenario, in parallel processes, into a result."""

from __future__ import annotations

import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from typing import Any

from tthc_flow.errors import ConfigurationError
from tthc_flow.simulation._des import Replication, ReplicationData, merge_shards
from tthc_flow.simulation._kpis import SimulationResult
from tthc_flow.simulation._scenario import Scenario, Variant
from tthc_flow.simulation._work import run_work_item, work_items
from tthc_flow.store import Store

BASELINE = "baseline"


def simulate(
    scenario: Scenario,
    variant: str | Variant | None = None,
    replications: int = 1,
    seed: int | None = None,
    progress: bool = False,
    *,
    store: Store | None = None,
    keep_events: bool = True,
    workers: int | None = None,
    shards: int = 1,
    executor: Executor | None = None,
) -> SimulationResult:
    """Simulate ``scenario`` (or one of its variants) ``replications`` times.

    Replication ``r`` uses streams seeded from ``(seed, r)``, whatever the variant: the
    baseline and a variant run with the same seed see the same arrivals and dossiers, so
    :func:`compare` can pair them. ``seed`` defaults to the scenario's.

    The first replication runs in this process and writes into ``store`` when given (e.g. a
    SQLite store to report a simulated year); otherwise, with ``keep_events``, its events
    are kept in a :class:`SimulationStore` at ``result.store``. Other replications (and the
    first too with ``keep_events=False`` and no store) keep no events and run in
    ``workers`` local processes (default: one per CPU), or as work items
    on ``executor``: any :class:`concurrent.futures.Executor` whose workers can import
    tthc_flow (a ``ProcessPoolExecutor`` of your own, :func:`dask_executor` for a Dask
    cluster). The caller owns an ``executor`` (it is not shut down here). Results are the
    same, bit for bit, however the work items are spread. ``progress`` shows a rich
    progress bar.

    ``shards=k`` models the office as ``k`` independent, identical offices, each receiving
    ``1/k`` of every procedure's arrivals and ``1/k`` of every role's staff (split as evenly
    as whole people allow), and runs each as its own work item: a large city's year on every
    core, or a national one on a cluster. It is a modelling choice, not an exact split:
    pooled queues are a little more efficient than separate ones, which matters little
    when every shard keeps several people per role (each limited role needs at least ``k``
    people). No events are kept with shards.
    """
    if replications < 1:
        raise ConfigurationError(
            "replications must be at least 1", setting="simulate.replications", value=replications
        )
    if shards < 1:
        raise ConfigurationError(
            "shards must be at least 1", setting="simulate.shards", value=shards
        )
    if shards > 1 and store is not None:
        raise ConfigurationError(
            "a store receives the events of one office: use shards=1 with store=",
            setting="simulate.shards",
            value=shards,
        )
    if executor is not None and workers is not None:
        raise ConfigurationError(
            "give workers= (a local process pool) or executor=, not both",
            setting="simulate.executor",
        )
    chosen = scenario.variant(variant)
    seed = scenario.model.seed if seed is None else seed
    name = chosen.name if chosen is not None else BASELINE
    if shards > 1:
        # fail here, in the caller's process, rather than in every worker
        Replication(scenario, chosen, seed, 0, keep_events=False, shard=0, shards=shards)
        keep_events = False
    horizon = scenario.model.horizon
    days = (horizon.end - horizon.start).days + 1
    jobs = [(r, k) for r in range(replications) for k in range(shards)]
    # replication 0 runs here when its events are kept (in ``store`` or ``result.store``);
    # otherwise every work item goes to the pool and this process only waits
    here_first = store is not None or keep_events
    processes = workers if workers is not None else (os.cpu_count() or 1)
    remote = len(jobs) - 1 if here_first else len(jobs)
    own_pool = (
        ProcessPoolExecutor(max_workers=min(processes, remote))
        if executor is None and processes > 1 and len(jobs) > 1 and remote
        else None
    )
    pool = executor if executor is not None else own_pool
    bar = _progress_bar(progress)
    with bar if bar is not None else nullcontext():
        task = bar.add_task(f"{scenario.name}: {name}", total=days * len(jobs)) if bar else None

        def tick(amount: int = 1) -> None:
            if bar is not None and task is not None:
                bar.advance(task, amount)

        futures: list[Future[ReplicationData]] = []
        try:
            if pool is None:
                first = _run_here(scenario, chosen, seed, 0, 0, shards, tick, store, keep_events)
                parts = [_run_here(scenario, chosen, seed, r, k, shards, tick) for r, k in jobs[1:]]
            else:
                # pickled only for a pool: a serial run needs no picklable scenario
                items = work_items(scenario, chosen, seed, replications, shards)
                futures = [pool.submit(run_work_item, item) for item in items[len(jobs) - remote :]]
                if here_first:
                    first = _run_here(
                        scenario, chosen, seed, 0, 0, shards, tick, store, keep_events
                    )
                    parts = _collect(futures, lambda: tick(days))
                else:
                    first, *parts = _collect(futures, lambda: tick(days))
        finally:
            for future in futures:
                future.cancel()  # after a failure: what has not started never will
            if own_pool is not None:
                own_pool.shutdown(cancel_futures=True)
    kept = store if store is not None else first.store
    first.store = None  # the result holds it once
    data = merge_shards([first, *parts])
    return SimulationResult.build(scenario.name, name, seed, data, kept)


def _collect(futures: list[Future[ReplicationData]], done: Any) -> list[ReplicationData]:
    """The work items' data in the order they were submitted (so shards merge the same way
    however the executor finishes them), ticking the progress bar as each arrives."""
    for _ in as_completed(futures):
        done()
    return [future.result() for future in futures]


def _run_here(
    scenario: Scenario,
    variant: Variant | None,
    seed: int,
    replication: int,
    shard: int,
    shards: int,
    tick: Any,
    store: Store | None = None,
    keep_events: bool = False,
) -> ReplicationData:
    """One work item in this process, ticking the progress bar every day."""
    return Replication(
        scenario, variant, seed, replication, store=store, keep_events=keep_events,
        on_day=tick, shard=shard, shards=shards,
    ).run()  # fmt: skip


def _progress_bar(enabled: bool) -> Any:
    if not enabled:
        return None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
