"""Stores for events and dossier summaries: in memory, SQLite (default file) and PostgreSQL."""

from tthc_flow.store import schema
from tthc_flow.store._memory import MemoryStore
from tthc_flow.store._migrations import MIGRATIONS, SCHEMA_VERSION, Migration
from tthc_flow.store._protocol import ChainReport, DossierQuery, Store
from tthc_flow.store._sql import SqlStore

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ChainReport",
    "DossierQuery",
    "MemoryStore",
    "Migration",
    "SqlStore",
    "Store",
    "schema",
]
