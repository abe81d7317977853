"""``simulate``: replications of a scenario, in parallel processes, into a result with CIs."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from tthc_flow.simulation._des import Replication, ReplicationData
from tthc_flow.simulation._kpis import SimulationResult
from tthc_flow.simulation._scenario import Scenario, Variant, parse_scenario
from tthc_flow.store import Store

BASELINE = "baseline"

_SCENARIOS: dict[tuple[str, str, str], Scenario] = {}


def _replicate(
    text: str,
    source: str,
    base: str,
    variant: dict[str, Any] | None,
    seed: int,
    replication: int,
    keep_events: bool,
) -> ReplicationData:
    """Worker-process entry point: rebuild the scenario once per process, run one replication."""
    key = (text, source, base)
    scenario = _SCENARIOS.get(key)
    if scenario is None:
        scenario = _SCENARIOS[key] = parse_scenario(text, source, Path(base))
    chosen = Variant.model_validate(variant) if variant is not None else None
    return Replication(scenario, chosen, seed, replication, keep_events=keep_events).run()


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
) -> SimulationResult:
    """Simulate ``scenario`` (or one of its variants) ``replications`` times.

    Replication ``r`` uses streams seeded from ``(seed, r)``, whatever the variant: the
    baseline and a variant run with the same seed see the same arrivals and dossiers, so
    :func:`compare` can pair them. ``seed`` defaults to the scenario's.

    The first replication runs in this process and writes into ``store`` when given (e.g. a
    SQLite store to report a simulated year); otherwise, with ``keep_events``, its events
    are kept in a :class:`SimulationStore` at ``result.store``. Other replications keep no
    events and run in ``workers`` processes (default: one per CPU, at most one per
    replication). ``progress`` shows a rich progress bar.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    chosen = scenario.variant(variant)
    seed = scenario.model.seed if seed is None else seed
    name = chosen.name if chosen is not None else BASELINE
    horizon = scenario.model.horizon
    days = (horizon.end - horizon.start).days + 1
    processes = workers if workers is not None else (os.cpu_count() or 1)
    parallel = processes > 1 and replications > 1
    bar = _progress_bar(progress)
    with bar if bar is not None else nullcontext():
        task = bar.add_task(f"{scenario.name}: {name}", total=days * replications) if bar else None

        def tick(amount: int = 1) -> None:
            if bar is not None and task is not None:
                bar.advance(task, amount)

        rest: list[ReplicationData] = []
        futures = []
        pool = (
            ProcessPoolExecutor(max_workers=min(processes, replications - 1)) if parallel else None
        )
        try:
            if pool is not None:
                payload = chosen.model_dump(by_alias=True) if chosen is not None else None
                args = (scenario.text, scenario.source, str(scenario.base), payload, seed)
                futures = [pool.submit(_replicate, *args, r, False) for r in range(1, replications)]
            first = Replication(
                scenario, chosen, seed, 0, store=store, keep_events=keep_events, on_day=tick
            ).run()
            if pool is not None:
                for future in as_completed(futures):
                    rest.append(future.result())
                    tick(days)
            else:
                for r in range(1, replications):
                    rest.append(
                        Replication(scenario, chosen, seed, r, keep_events=False, on_day=tick).run()
                    )
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    data = [first, *sorted(rest, key=lambda d: d.replication)]
    kept = store if store is not None else first.store
    first.store = None  # the result holds it once
    return SimulationResult.build(scenario.name, name, seed, data, kept)


def _progress_bar(enabled: bool) -> Any:
    if not enabled:
        return None
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
