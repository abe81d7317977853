"""Work items: one shard of one replication, self-contained, for any executor.

A work item carries the scenario as pickled bytes (the validated model, catalog, calendar
and replayed arrivals, never its YAML text) with their SHA-256, the variant, the seed and
which replication and shard to run. A worker process unpickles each scenario once and
keeps it (its calendar tables warm) for the next items of the same run, so a local process
pool, a ``ProcessPoolExecutor`` of the caller's or a Dask cluster run the same function on
the same input: the results depend on ``(seed, replication, shard)`` only.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import OrderedDict
from dataclasses import dataclass

from tthc_flow.simulation._des import Replication, ReplicationData
from tthc_flow.simulation._scenario import Scenario, Variant

_KEEP = 4  # scenarios kept per worker process (a study compares a few variants at a time)
_SCENARIOS: OrderedDict[str, Scenario] = OrderedDict()


@dataclass(frozen=True)
class WorkItem:
    """Shard ``shard`` of ``shards`` of replication ``replication`` of a pickled scenario."""

    scenario: bytes
    digest: str
    variant: Variant | None
    seed: int
    replication: int
    shard: int
    shards: int


def work_items(
    scenario: Scenario, variant: Variant | None, seed: int, replications: int, shards: int
) -> list[WorkItem]:
    """Every shard of every replication, replication-major (the order results merge in)."""
    blob = pickle.dumps(scenario, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.sha256(blob).hexdigest()
    return [
        WorkItem(blob, digest, variant, seed, r, k, shards)
        for r in range(replications)
        for k in range(shards)
    ]


def run_work_item(item: WorkItem) -> ReplicationData:
    """Run one work item where it lands (a worker process); no events are kept."""
    scenario = _SCENARIOS.get(item.digest)
    if scenario is None:
        scenario = _SCENARIOS[item.digest] = pickle.loads(item.scenario)
        while len(_SCENARIOS) > _KEEP:
            _SCENARIOS.popitem(last=False)
    else:
        _SCENARIOS.move_to_end(item.digest)
    return Replication(
        scenario,
        item.variant,
        item.seed,
        item.replication,
        keep_events=False,
        shard=item.shard,
        shards=item.shards,
    ).run()


__all__ = ["WorkItem", "run_work_item", "work_items"]
