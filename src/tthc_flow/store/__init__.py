"""Stores for events and dossier summaries: in memory, SQLite (default file) and PostgreSQL."""

# Order matters: the engine imports DossierQuery, MemoryStore and Store from this package, and
# _sql imports the engine, so those three must be bound before _sql is imported.
from tthc_flow.store._protocol import (  # isort: skip
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
from tthc_flow.store._memory import MemoryStore  # isort: skip
from tthc_flow.store import schema
from tthc_flow.store._delivery import DeliveryReport, RetryPolicy, deliver
from tthc_flow.store._migrations import MIGRATIONS, SCHEMA_VERSION, Migration
from tthc_flow.store._sql import SqlStore

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
    "deliver",
    "schema",
]
