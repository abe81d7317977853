"""``simulate``: replications (and shards) of a scenario, in parallel processes, into a result."""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from typing import Any

from tthc_flow.simulation._des import Replication, ReplicationData, merge_shards
from tthc_flow.simulation._kpis import SimulationResult
from tthc_flow.simulation._scenario import Scenario, Variant
from tthc_flow.store import Store

BASELINE = "baseline"

_WORKER: dict[str, Scenario] = {}


def _init_worker(scenario: Scenario) -> None:
    """Worker-process initialiser: the scenario arrives pickled once per process (the
    validated model, catalog and calendar, never re-parsed from its YAML text)."""
    _WORKER["scenario"] = scenario


def _replicate(
    variant: Variant | None, seed: int, replication: int, shard: int, shards: int
) -> ReplicationData:
    """Worker-process entry point: one shard of one replication, no events kept."""
    return Replication(
        _WORKER["scenario"],
        variant,
        seed,
        replication,
        keep_events=False,
        shard=shard,
        shards=shards,
    ).run()


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
) -> SimulationResult:
    """Simulate ``scenario`` (or one of its variants) ``replications`` times.

    Replication ``r`` uses streams seeded from ``(seed, r)``, whatever the variant: the
    baseline and a variant run with the same seed see the same arrivals and dossiers, so
    :func:`compare` can pair them. ``seed`` defaults to the scenario's.

    The first replication runs in this process and writes into ``store`` when given (e.g. a
    SQLite store to report a simulated year); otherwise, with ``keep_events``, its events
    are kept in a :class:`SimulationStore` at ``result.store``. Other replications keep no
    events and run in ``workers`` processes (default: one per CPU). ``progress`` shows a rich
    progress bar.

    ``shards=k`` models the office as ``k`` independent, identical offices, each receiving
    ``1/k`` of every procedure's arrivals and ``1/k`` of every role's staff (split as evenly
    as whole people allow), and runs them in parallel: a large city's year on every core.
    It is a modelling choice, not an exact split: pooled queues are a little more efficient
    than separate ones, which matters little when every shard keeps several people per role
    (each limited role needs at least ``k`` people). No events are kept with shards.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    if shards < 1:
        raise ValueError("shards must be at least 1")
    if shards > 1 and store is not None:
        raise ValueError("a store receives the events of one office: use shards=1 with store=")
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
    processes = workers if workers is not None else (os.cpu_count() or 1)
    parallel = processes > 1 and len(jobs) > 1
    bar = _progress_bar(progress)
    with bar if bar is not None else nullcontext():
        task = bar.add_task(f"{scenario.name}: {name}", total=days * len(jobs)) if bar else None

        def tick(amount: int = 1) -> None:
            if bar is not None and task is not None:
                bar.advance(task, amount)

        parts: list[ReplicationData] = []
        futures: list[Future[ReplicationData]] = []
        pool = (
            ProcessPoolExecutor(
                max_workers=min(processes, len(jobs) - 1),
                initializer=_init_worker,
                initargs=(scenario,),
            )
            if parallel
            else None
        )
        try:
            if pool is not None:
                futures = [pool.submit(_replicate, chosen, seed, r, k, shards) for r, k in jobs[1:]]
            first = Replication(
                scenario, chosen, seed, 0, store=store, keep_events=keep_events, on_day=tick,
                shard=0, shards=shards,
            ).run()  # fmt: skip
            if pool is not None:
                for future in as_completed(futures):
                    parts.append(future.result())
                    tick(days)
            else:
                for r, k in jobs[1:]:
                    parts.append(
                        Replication(
                            scenario, chosen, seed, r, keep_events=False, on_day=tick,
                            shard=k, shards=shards,
                        ).run()
                    )  # fmt: skip
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    kept = store if store is not None else first.store
    first.store = None  # the result holds it once
    data = merge_shards([first, *parts])
    return SimulationResult.build(scenario.name, name, seed, data, kept)


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
