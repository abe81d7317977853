"""Stores for events and dossier summaries: in memory, SQLite (default file) and PostgreSQL."""

from tthc_flow.store._memory import MemoryStore
from tthc_flow.store._protocol import ChainReport, DossierQuery, Store

__all__ = ["ChainReport", "DossierQuery", "MemoryStore", "Store"]
