"""Creating SQLAlchemy engines for the store: URL checks, SQLite pragmas, clear errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from tthc_flow.errors import StoreError

SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for another process's write lock before failing."""

SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


def reason(exc: BaseException) -> str:
    """The first line of the driver's message, without SQLAlchemy's long suffixes."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(inner).strip().splitlines()
    return f"{inner.__class__.__name__}: {text[0] if text else ''}".rstrip(": ")


RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
"""PostgreSQL's serialization failure and deadlock: the transaction was rolled back whole,
and running it again resolves it (mapped to ConcurrencyConflict)."""


def retryable(exc: BaseException) -> bool:
    """Whether a driver error means "rolled back, run it again" (deadlock, serialization)."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    return getattr(inner, "sqlstate", None) in RETRYABLE_SQLSTATES


def parse(url: str) -> URL:
    """The parsed URL, or :class:`StoreError` naming what is wrong."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"not a database URL: {url!r}; use e.g. sqlite:///path/to/tthc.db or "
            "postgresql+psycopg://user:password@host:5432/dbname"
        ) from exc
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
        raise StoreError(
            f"database URL {parsed.render_as_string(hide_password=True)}: tthc_flow uses "
            "psycopg 3; write postgresql+psycopg://user:password@host:5432/dbname"
        )
    return parsed


def _sqlite_file(url: URL) -> tuple[Path, bool] | None:
    """The file a SQLite URL names and whether it asks for read-only access (a
    ``file:PATH?mode=ro`` URI, see :func:`read_only_url`); None for memory and other backends."""
    database = str(url.database or "")
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if not database.startswith("file:"):
        return Path(database), False
    # SQLAlchemy reads the URI's parameters (mode=ro) into the URL's query
    return Path(unquote(database.removeprefix("file:"))), url.query.get("mode") == "ro"


def require_existing_file(url: URL, shown: str) -> None:
    """For ``create=False``: a SQLite file URL must name an existing file (connecting would
    create an empty one)."""
    from tthc_flow.errors import SchemaVersionError

    found = _sqlite_file(url)
    if found is not None and not found[0].exists():
        raise SchemaVersionError(
            f"database {shown} does not exist (create=False); create it with "
            f"`python -m tthc_flow.store upgrade {shown}` or open it with create=True"
        )


def read_only_url(path: str | Path) -> str:
    """A URL that opens the SQLite file ``path`` for reading only: nothing is ever written to
    it (the ``tthc`` commands that only read use it on files they are given)."""
    return f"sqlite:///file:{quote(str(Path(path).resolve()))}?mode=ro&uri=true"


def read_only_sqlite(url: URL) -> URL | None:
    """The URL to open a SQLite file read-only with, when ``url`` asks for it
    (:func:`read_only_url`) or names an existing file this process may not write (an
    archived copy kept for an audit); else None.

    Opened normally, SQLite must write to the file (switch to WAL, create the ``-shm`` file)
    and fails with "attempt to write a readonly database". In a folder we may write,
    ``mode=ro`` still sees other writers' commits; in a read-only folder without a ``-shm``
    file SQLite can only read the file as ``immutable`` (no locks, nothing of a ``-wal``
    file), so a copy with uncheckpointed commits in its ``-wal`` file is refused rather than
    read short.
    """
    found = _sqlite_file(url)
    if found is None:
        return None
    path, asked = found
    if not path.is_file() or not (asked or not os.access(path, os.W_OK)):
        return None
    shared = Path(f"{path}-shm").exists() or os.access(path.parent, os.W_OK)
    log = Path(f"{path}-wal")
    if not shared and log.exists() and log.stat().st_size > 0:
        raise StoreError(
            f"database {path} is read-only and its {log.name} holds commits that cannot be "
            "read without writing; copy both files to a folder you may write"
        )
    query = {**url.query, "mode": "ro", "uri": "true"}
    if not shared:
        query["immutable"] = "1"
    return url.set(database=f"file:{quote(str(path.resolve()))}", query=query)


def build(
    url: URL,
    synchronous: str = "FULL",
    pool_size: int = 5,
    max_overflow: int = 10,
    pool_pre_ping: bool = False,
) -> Engine:
    """An engine for ``url``; SQLite connections get WAL, a busy timeout and foreign keys.

    File and server databases use a ``QueuePool`` of ``pool_size`` connections (plus
    ``max_overflow`` under load). When a command meets a dropped connection, SQLAlchemy
    invalidates the whole pool, so that command fails with a :class:`StoreError` and the
    next one opens fresh connections; ``pool_pre_ping`` also tests each connection before
    use (one more round trip per command) so that even that one command does not fail.

    A SQLite file this process may not write, or one asked for read-only, is opened
    read-only (:func:`read_only_sqlite`): reading works, a write fails with the driver's
    "readonly database" error.
    """
    shown = url.render_as_string(hide_password=True)
    read_only = read_only_sqlite(url)
    url = read_only or url
    if synchronous.upper() not in SYNCHRONOUS_MODES:
        raise StoreError(f"synchronous={synchronous!r}: use one of {', '.join(SYNCHRONOUS_MODES)}")
    for name, value in (("pool_size", pool_size), ("max_overflow", max_overflow)):
        if type(value) is not int or value < 0 or (name == "pool_size" and value < 1):
            raise StoreError(f"{name}={value!r}: a whole number (pool_size at least 1)")
    kwargs: dict[str, Any] = {}
    backend = url.get_backend_name()
    memory = backend == "sqlite" and url.database in (None, "", ":memory:")
    if memory:
        # one shared connection, else every pooled connection would be a new empty database
        kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=pool_pre_ping)
    if backend == "sqlite" and not memory:
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    elif backend == "postgresql" and "connect_timeout" not in url.query:
        kwargs["connect_args"] = {"connect_timeout": 10}
    try:
        engine = create_engine(url, **kwargs)
    except ImportError as exc:
        raise StoreError(
            f"the driver for {shown} is not installed ({exc}); for PostgreSQL install "
            "tthc_flow[postgres] and use postgresql+psycopg://..."
        ) from exc
    except (ArgumentError, SQLAlchemyError) as exc:
        raise StoreError(f"cannot use database URL {shown}: {reason(exc)}") from exc
    if backend == "sqlite":
        # no WAL in memory, nor for a read-only file: switching it to WAL would write to it
        _sqlite_events(engine, not memory and read_only is None, synchronous.upper())
    return engine


def _sqlite_events(engine: Engine, wal: bool, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own implicit BEGIN cannot choose IMMEDIATE; we emit BEGIN ourselves
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if wal:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # deleted and overwritten content is zeroed, not left in free space: an erasure of
        # personal data (docs/personal-data.md) must leave no copy in the file
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # a writer takes the write lock up front: a deferred transaction that reads and then
        # writes fails with "database is locked" instead of waiting when another writer wins
        write = conn.get_execution_options().get("tthc_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
