"""Replications and shards on a Dask cluster (optional: ``pip install 'tthc_flow[dask]'``).

>>> from distributed import Client                              # doctest: +SKIP
>>> from tthc_flow.simulation import dask_executor, simulate     # doctest: +SKIP
>>> with Client("tcp://scheduler:8786") as client:               # doctest: +SKIP
...     result = simulate(scenario, replications=1000, executor=dask_executor(client))

Every work item (one shard of one replication) becomes one Dask task; the scheduler spreads
them over the cluster's workers. Workers need tthc_flow (the same version) installed; the
scenario travels inside each task, so they need no files.
"""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any

from tthc_flow.errors import ConfigurationError

INSTALL_HINT = "pip install 'tthc_flow[dask]'"


def dask_executor(client: Any = None, *, address: str | None = None) -> Executor:
    """A :class:`concurrent.futures.Executor` that runs work items on a Dask cluster.

    ``client``: a ``distributed.Client`` (the caller keeps it and closes it); or
    ``address``: a scheduler to connect to (``"tcp://host:8786"``); neither: the client of
    the current Dask context (``distributed.get_client()``). Tasks are submitted as impure
    (``pure=False``): two equal work items are two runs, never one cached result.

    Raises ``ImportError`` naming the extra to install when Dask distributed is missing.
    """
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            f"dask_executor needs Dask distributed, which is not installed: {INSTALL_HINT}",
            name="distributed",
        ) from exc
    if client is not None and address is not None:
        raise ConfigurationError(
            "give a client or an address, not both", setting="dask_executor.address"
        )
    if client is None:
        # a new connection stays open for the life of the process (the caller has no handle)
        client = (
            distributed.Client(address)  # type: ignore[no-untyped-call]
            if address is not None
            else distributed.get_client()
        )
    executor: Executor = client.get_executor(pure=False)
    return executor


__all__ = ["INSTALL_HINT", "dask_executor"]
