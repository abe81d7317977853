"""Stores for events and dossier summaries: in memory, SQLite (default file) and PostgreSQL.

The protocol a store implements is the engine's port (:mod:`tthc_flow.engine._store_port`,
re-exported here); the stores import the engine, never the other way round. The SQL store and
its schema load SQLAlchemy, so they are imported on first use: ``from tthc_flow.store import
MemoryStore`` stays light (docs/concepts.md, "Layers").
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tthc_flow.engine._store_port import (
    ChainProblem,
    ChainReport,
    Delivery,
    DossierQuery,
    DossierSummary,
    DueTimer,
    FeedPage,
    FullStore,
    Store,
)
from tthc_flow.store._delivery import DeliveryReport, RetryPolicy, deliver
from tthc_flow.store._memory import MemoryStore
from tthc_flow.store._worklist import (
    WorkItem,
    WorklistPage,
    WorklistQuery,
    WorklistStore,
    normalise_name,
    procedures_in_field,
)

if TYPE_CHECKING:
    from tthc_flow.store import schema
    from tthc_flow.store._migrations import MIGRATIONS, SCHEMA_VERSION, Migration
    from tthc_flow.store._sql import SqlStore

_LAZY = {
    "SqlStore": "tthc_flow.store._sql",
    "MIGRATIONS": "tthc_flow.store._migrations",
    "SCHEMA_VERSION": "tthc_flow.store._migrations",
    "Migration": "tthc_flow.store._migrations",
}


def __getattr__(name: str) -> Any:
    """The SQL names, imported when first asked for (they load SQLAlchemy)."""
    if name == "schema":
        return importlib.import_module("tthc_flow.store.schema")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tthc_flow.store' has no attribute {name!r}")


__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ChainProblem",
    "ChainReport",
    "Delivery",
    "DeliveryReport",
    "DossierQuery",
    "DossierSummary",
    "DueTimer",
    "FeedPage",
    "FullStore",
    "MemoryStore",
    "Migration",
    "RetryPolicy",
    "SqlStore",
    "Store",
    "WorkItem",
    "WorklistPage",
    "WorklistQuery",
    "WorklistStore",
    "deliver",
    "normalise_name",
    "procedures_in_field",
    "schema",
]
