"""Numbered schema migrations, applied in order, each in its own transaction.

A database records each applied step in ``schema_version``; its version is the highest
recorded number. To change the schema, append a :class:`Migration` to :data:`MIGRATIONS`
(never edit a released step) and change :mod:`tthc_flow.store.schema` to match its result.
When a step changes a table that step 1 creates, first replace step 1's body by a frozen
copy of the version-1 DDL, so that new databases still pass through every step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from tthc_flow._time import VN_TZ
from tthc_flow.errors import SchemaVersionError, StoreError
from tthc_flow.store import schema


@dataclass(frozen=True)
class Migration:
    """One schema step: ``apply`` runs inside the transaction that records ``version``."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _create_v1(conn: Connection) -> None:
    # version 1 is the whole current schema (see the module docstring for when to freeze it)
    schema.metadata.create_all(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "events, dossiers, day_sequences, schema_version", _create_v1),
)
"""Every step, in order; the code's schema version is the last one's."""

SCHEMA_VERSION = MIGRATIONS[-1].version
"""The schema version this code reads and writes."""

# any constant shared by every tthc_flow process: serialises migrations on one database
_PG_LOCK_ID = 0x7474_6863


def stored_version(conn: Connection) -> int | None:
    """The database's schema version, or None when it has no tthc_flow schema."""
    if not inspect(conn).has_table("schema_version"):
        return None
    version = conn.execute(
        select(schema.schema_version.c.version)
        .order_by(schema.schema_version.c.version.desc())
        .limit(1)
    ).scalar()
    return int(version) if version is not None else None


def _lock(conn: Connection) -> None:
    # two service processes starting on an empty database must not both create it
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})")


def upgrade(engine: Engine, shown_url: str, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply every missing step of ``migrations``; returns the resulting version.

    Each step runs in its own transaction with the version re-read under a lock, so
    concurrent openers apply each step once. A database newer than ``migrations`` raises
    :class:`SchemaVersionError`.
    """
    target = migrations[-1].version
    for step in migrations:
        with engine.connect() as conn:
            conn.execution_options(tthc_write=True)
            with conn.begin():
                _lock(conn)
                current = stored_version(conn) or 0
                if current > target:
                    raise newer_error(shown_url, current, target)
                if current >= step.version:
                    continue
                try:
                    step.apply(conn)
                except SQLAlchemyError as exc:
                    raise StoreError(
                        f"migration {step.version} ({step.description}) failed on {shown_url}: "
                        f"{exc.__class__.__name__}: {exc.orig if hasattr(exc, 'orig') else exc}"
                    ) from exc
                conn.execute(
                    schema.schema_version.insert().values(
                        version=step.version,
                        description=step.description,
                        applied_at=datetime.now(VN_TZ),
                    )
                )
    return target


def newer_error(shown_url: str, found: int, expected: int) -> SchemaVersionError:
    """The error for a database written by newer code."""
    return SchemaVersionError(
        f"database {shown_url} has schema version {found}, newer than version {expected} "
        "of this tthc_flow; upgrade tthc_flow (never downgrade the database)"
    )
