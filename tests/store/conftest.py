"""Store fixtures: the same behavioural tests run on MemoryStore, SQLite and PostgreSQL.

PostgreSQL comes from the ``pg_url`` fixture of ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tthc_flow.store import MemoryStore, SqlStore


@pytest.fixture(params=["sqlite", "postgres"])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database on each SQL backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tthc.db'}"
    return str(request.getfixturevalue("pg_url"))


StoreFactory = Callable[[], Any]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens a store on one shared database (memory: the same object every time)."""
    opened: list[SqlStore] = []
    if request.param == "memory":
        memory = MemoryStore()
        yield lambda: memory
        return
    url = (
        f"sqlite:///{tmp_path / 'tthc.db'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )

    def factory() -> SqlStore:
        store = SqlStore(url)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: StoreFactory) -> Any:
    """A store of each kind."""
    return open_store()


@pytest.fixture
def sql_store(sql_url: str) -> Iterator[SqlStore]:
    """A SqlStore on each SQL backend."""
    with SqlStore(sql_url) as opened:
        yield opened
