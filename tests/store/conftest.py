"""Store fixtures: the same behavioural tests run on MemoryStore, SQLite and PostgreSQL.

PostgreSQL tests read ``TTHC_TEST_POSTGRES_URL`` and are skipped without it, unless
``TTHC_REQUIRE_POSTGRES=1`` (CI), where a missing URL fails. Each test gets its own
PostgreSQL schema (via ``search_path`` in the URL) so parallel runs never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tthc_flow.store import MemoryStore, SqlStore


def _postgres_base() -> str:
    url = os.environ.get("TTHC_TEST_POSTGRES_URL")
    if not url:
        message = "TTHC_TEST_POSTGRES_URL is not set"
        if os.environ.get("TTHC_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{message} but TTHC_REQUIRE_POSTGRES=1")
        pytest.skip(message)
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    base = _postgres_base()
    name = f"tthc_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={name}')}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        admin.dispose()


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
