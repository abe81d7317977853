"""The replica of a :class:`~tthc_flow.store.SqlStore`: a second engine for reads that may lag.

A replica is a copy of the primary that trails it: a PostgreSQL hot standby fed by streaming
replication, or, for SQLite, a copy of the file taken at a moment. The library never sets one
up, creates its schema or migrates it (that is the replication's job: the schema arrives with
the primary's changes). It only checks at open that the replica holds the schema version this
code reads, and opens it so that nothing can be written to it by mistake: a SQLite file
read-only (``mode=ro``), PostgreSQL sessions with ``default_transaction_read_only`` (a hot
standby refuses writes anyway; a plain second database would otherwise accept them and fork
from the primary). docs/store.md, "Reading from a replica", says which reads go there.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from tthc_flow.errors import SchemaVersionError, StoreError
from tthc_flow.store import _engine
from tthc_flow.store._migrations import SCHEMA_VERSION, missing_parts, stored_version

_READ_ONLY_SESSION = "-c default_transaction_read_only=on"


def read_only(url: URL, shown: str) -> URL:
    """``url`` opened so that nothing is written through it (see the module notes).

    A SQLite file must exist: connecting would otherwise create an empty one, and a replica
    is never created by the library (:class:`SchemaVersionError`)."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = str(url.database or "")
        if database in ("", ":memory:"):
            raise StoreError(
                f"replica {shown}: an in-memory SQLite database cannot be a replica; name a file"
            )
        if database.startswith("file:"):  # already a URI (perhaps mode=ro): keep its options
            _existing(unquote(database.removeprefix("file:")), shown)
            return url.update_query_dict({"mode": "ro", "uri": "true"})
        path = _existing(database, shown)
        return url.set(database=f"file:{quote(path)}", query={"mode": "ro", "uri": "true"})
    if backend == "postgresql":
        options = url.query.get("options", "")
        before = " ".join(options) if isinstance(options, tuple) else options
        return url.update_query_dict({"options": f"{before} {_READ_ONLY_SESSION}".strip()})
    return url


def _existing(database: str, shown: str) -> str:
    path = Path(database)
    if not path.is_file():
        raise SchemaVersionError(
            f"replica database {shown} does not exist; tthc_flow never creates a replica "
            "(copy or replicate the primary there first)"
        )
    return str(path.resolve())


def open_replica(
    url: URL,
    shown: str,
    *,
    synchronous: str,
    pool_size: int,
    max_overflow: int,
    pool_pre_ping: bool,
) -> Engine:
    """An engine on the replica at ``url``, after checking it holds this code's schema."""
    engine = _engine.build(
        read_only(url, shown), synchronous, pool_size, max_overflow, pool_pre_ping
    )
    try:
        check_schema(engine, shown)
    except BaseException:
        engine.dispose()
        raise
    return engine


def check_schema(engine: Engine, shown: str) -> None:
    """:class:`SchemaVersionError` naming the replica unless it holds exactly this code's
    schema version, complete. Read only: a replica behind an upgrade is refused, not migrated
    (it catches up when the primary's migration has been replayed on it)."""
    try:
        with engine.connect() as conn:
            found = stored_version(conn)
            missing = missing_parts(conn) if found == SCHEMA_VERSION else []
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open replica database {shown}: {_engine.reason(exc)}") from exc
    if found is None:
        raise SchemaVersionError(
            f"replica database {shown} has no tthc_flow schema; tthc_flow never creates or "
            "migrates a replica: point read_url at a copy or a standby of the primary"
        )
    if found != SCHEMA_VERSION:
        raise SchemaVersionError(
            f"replica database {shown} has schema version {found}, this code reads version "
            f"{SCHEMA_VERSION}; a replica receives the primary's migrations by replication "
            "(wait until it has replayed them), tthc_flow never migrates it"
        )
    if missing:
        raise SchemaVersionError(
            f"replica database {shown} claims schema version {SCHEMA_VERSION} but lacks "
            f"{', '.join(missing)}; it was altered outside tthc_flow"
        )
