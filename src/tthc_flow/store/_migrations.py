"""Numbered schema migrations, applied in order, each in its own transaction.

A database records each applied step in ``schema_version``; its version is the highest
recorded number. To change the schema, append a :class:`Migration` to :data:`MIGRATIONS`
(never edit a released step) and change :mod:`tthc_flow.store.schema` to match its result.
When a step changes a table that step 1 creates, first replace step 1's body by a frozen
copy of the version-1 DDL, so that new databases still pass through every step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select, update
from sqlalchemy.exc import SQLAlchemyError

from tthc_flow._time import VN_TZ
from tthc_flow.errors import SchemaVersionError, StoreError
from tthc_flow.store import schema
from tthc_flow.store._schema_personal import PERSONAL_STEP_DESCRIPTION as _PERSONAL_STEP
from tthc_flow.store._schema_v1 import metadata_v1


@dataclass(frozen=True)
class Migration:
    """One schema step: ``apply`` runs inside the transaction that records ``version``."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _create_v1(conn: Connection) -> None:
    metadata_v1().create_all(conn)


_FLAGS_V2 = ("paid_online", "e_result", "digitised", "complained")


def _add_report_columns_v2(conn: Connection) -> None:
    """Processing time and indicator flags in ``dossiers``; an index for period counts.

    Backfills every existing dossier from the replay of its events, with the calendar the
    opening store was given (``conn.info["tthc_calendar"]``, default the national one).
    """
    false = "0" if conn.dialect.name == "sqlite" else "false"
    conn.exec_driver_sql("ALTER TABLE dossiers ADD COLUMN processing_seconds BIGINT")
    for flag in _FLAGS_V2:
        conn.exec_driver_sql(
            f"ALTER TABLE dossiers ADD COLUMN {flag} BOOLEAN NOT NULL DEFAULT {false}"
        )
    conn.exec_driver_sql("CREATE INDEX ix_events_effect_at ON events (effect, at)")
    _backfill_v2(conn)


def _columns_before_v3(events: Any) -> list[Any]:
    """The ``events`` columns that exist from version 2 on (``tx`` came with version 3)."""
    return [c for c in events.columns if c.name != "tx"]


def _replayed(conn: Connection, *where: Any) -> Iterator[tuple[str, Any]]:
    """Every dossier matching ``where`` as ``(code, replayed dossier)``, 500 at a time (the
    backfills of the migration steps)."""
    from tthc_flow.engine._dossier import replay
    from tthc_flow.store._rows import row_event

    d, e = schema.dossiers, schema.events
    after = ""
    while True:
        codes = list(
            conn.execute(
                select(d.c.code).where(d.c.code > after, *where).order_by(d.c.code).limit(500)
            ).scalars()
        )
        if not codes:
            return
        chains: dict[str, list[Any]] = {}
        rows = conn.execute(
            select(*_columns_before_v3(e))
            .where(e.c.dossier_code.in_(codes))
            .order_by(e.c.dossier_code, e.c.version)
        )
        for row in rows:
            chains.setdefault(row.dossier_code, []).append(row_event(row._mapping))
        for code, chain in chains.items():
            yield code, replay(chain)
        after = codes[-1]


def _backfill_v2(conn: Connection) -> None:
    from tthc_flow.calendar import WorkCalendar
    from tthc_flow.store._rows import summary_row

    calendar = conn.info.get("tthc_calendar") or WorkCalendar.vietnam()
    names = ("processing_seconds", *_FLAGS_V2)
    for code, dossier in _replayed(conn):
        summary = summary_row(dossier, calendar)
        values = {name: summary[name] for name in names}
        if values["processing_seconds"] is not None or any(values[f] for f in _FLAGS_V2):
            conn.execute(
                update(schema.dossiers).where(schema.dossiers.c.code == code).values(**values)
            )


def _add_service_tables_v3(conn: Connection) -> None:
    """Timers, the outbox, ``dossiers.pending_due_at`` and the change feed's ``events.tx``.

    Backfills ``pending_due_at`` and the timers of every open dossier from the replay of its
    events (default reminder policy and the opening store's calendar). On PostgreSQL new
    events take the writing transaction's id as ``tx``; existing ones keep 0 (committed).
    """
    from tthc_flow.store._schema_v3 import metadata_v3

    metadata_v3().create_all(conn)
    postgres = conn.dialect.name == "postgresql"
    moment = "timestamptz" if postgres else "VARCHAR(26)"  # UtcDateTime per dialect
    conn.exec_driver_sql(f"ALTER TABLE dossiers ADD COLUMN pending_due_at {moment}")
    if postgres:
        conn.exec_driver_sql("ALTER TABLE events ADD COLUMN tx BIGINT NOT NULL DEFAULT 0")
        conn.exec_driver_sql(
            "ALTER TABLE events ALTER COLUMN tx SET DEFAULT (pg_current_xact_id()::text::bigint)"
        )
        conn.exec_driver_sql("CREATE INDEX ix_events_tx_seq ON events (tx, seq)")
    else:
        conn.exec_driver_sql("ALTER TABLE events ADD COLUMN tx BIGINT NOT NULL DEFAULT 0")
    conn.exec_driver_sql("CREATE INDEX ix_dossiers_pending_due_at ON dossiers (pending_due_at)")
    _backfill_v3(conn)


def _backfill_v3(conn: Connection) -> None:
    from tthc_flow.calendar import WorkCalendar
    from tthc_flow.engine._dossier import OPEN_STATES_EXCLUDED
    from tthc_flow.engine._policies import Policies
    from tthc_flow.engine._timers import due_soon_at, pending_due_at, timers_of

    calendar = conn.info.get("tthc_calendar") or WorkCalendar.vietnam()
    reminders = Policies().reminders
    d, t = schema.dossiers, schema.timers
    open_only = d.c.state.not_in(sorted(OPEN_STATES_EXCLUDED))
    for code, dossier in _replayed(conn, open_only):
        conn.execute(
            update(d).where(d.c.code == code).values(pending_due_at=pending_due_at(dossier))
        )
        found = timers_of(dossier, lambda due: due_soon_at(due, calendar, reminders), reminders)
        for kind, due in found.items():
            conn.execute(t.insert().values(dossier_code=code, kind=kind, due_at=due))


def _add_worklist_columns_v4(conn: Connection) -> None:
    """Who holds each open dossier (agency, role, unit, lead handler, deadline) and the
    applicant's search keys, with the worklist indexes; backfilled from the replay of every
    dossier's events (store/_worklist.py ``worklist_values``)."""
    from tthc_flow.store._schema_v4 import COLUMNS_V4, INDEXES_V4, STATISTICS_V4
    from tthc_flow.store._worklist import WORKLIST_COLUMNS, worklist_values

    moment = "timestamptz" if conn.dialect.name == "postgresql" else "VARCHAR(26)"
    for name, kind in COLUMNS_V4:
        conn.exec_driver_sql(f"ALTER TABLE dossiers ADD COLUMN {name} {kind or moment}")
    for index, columns in INDEXES_V4:
        conn.exec_driver_sql(f"CREATE INDEX {index} ON dossiers ({', '.join(columns)})")
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(STATISTICS_V4)
    d = schema.dossiers
    for code, dossier in _replayed(conn):
        values = dict(zip(WORKLIST_COLUMNS, worklist_values(dossier), strict=True))
        conn.execute(update(d).where(d.c.code == code).values(**values))


def _add_personal_data_v5(conn: Connection) -> None:
    """The ``personal_data`` table (store/_schema_personal.py). Nothing to backfill: events
    written before it hold their personal data inside the hashed text (hash version 2) and
    keep them there (docs/personal-data.md)."""
    from tthc_flow.store._schema_personal import metadata_personal

    metadata_personal().create_all(conn)


def _add_assignment_members(conn: Connection) -> None:
    """The cooperating officials and observers of each open dossier's current assignment
    (``assignment_members``, store/_schema_members.py), backfilled from the replay of every
    open dossier's events (store/_worklist.py ``member_values``)."""
    from tthc_flow.engine._dossier import OPEN_STATES_EXCLUDED
    from tthc_flow.store._schema_members import create_members
    from tthc_flow.store._worklist import member_values

    open_only = schema.dossiers.c.state.not_in(sorted(OPEN_STATES_EXCLUDED))
    create_members(conn, _replayed(conn, open_only), member_values, schema.assignment_members)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "events, dossiers, day_sequences, schema_version", _create_v1),
    Migration(
        2,
        "dossiers.processing_seconds and indicator flags; index events (effect, at)",
        _add_report_columns_v2,
    ),
    Migration(
        3,
        "timers, outbox, dossiers.pending_due_at, events.tx (the change feed)",
        _add_service_tables_v3,
    ),
    Migration(
        4,
        "dossiers: holder agency, role, unit, assignee, work_due_at, applicant keys; "
        "worklist indexes",
        _add_worklist_columns_v4,
    ),
    Migration(5, _PERSONAL_STEP, _add_personal_data_v5),
    Migration(
        6,
        "assignment members: cooperating officials and observers of open dossiers",
        _add_assignment_members,
    ),
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


def upgrade(
    engine: Engine,
    shown_url: str,
    migrations: Sequence[Migration] = MIGRATIONS,
    *,
    calendar: Any = None,
) -> int:
    """Apply every missing step of ``migrations``; returns the resulting version.

    Each step runs in its own transaction with the version re-read under a lock, so
    concurrent openers apply each step once. A database newer than ``migrations`` raises
    :class:`SchemaVersionError`. ``calendar`` (a WorkCalendar) measures backfilled
    processing times.
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
                if calendar is not None:
                    conn.info["tthc_calendar"] = calendar
                try:
                    step.apply(conn)
                except SQLAlchemyError as exc:
                    raise StoreError(
                        f"migration {step.version} ({step.description}) failed on {shown_url}: "
                        f"{exc.__class__.__name__}: {exc.orig if hasattr(exc, 'orig') else exc}"
                    ) from exc
                finally:
                    conn.info.pop("tthc_calendar", None)
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


TTHC_TABLES = (
    "dossiers",
    "events",
    "day_sequences",
    "timers",
    "outbox",
    "personal_data",
    "assignment_members",
)
"""Tables of a tthc_flow schema besides ``schema_version``."""


def foreign_tables(conn: Connection) -> list[str]:
    """tthc_flow table names present in a database that has no ``schema_version``."""
    names = set(inspect(conn).get_table_names())
    return [] if "schema_version" in names else sorted(names & set(TTHC_TABLES))


def missing_parts(conn: Connection) -> list[str]:
    """Tables and columns of the current schema that the database lacks (empty: complete)."""
    inspector = inspect(conn)
    present = set(inspector.get_table_names())
    missing: list[str] = []
    for table in schema.metadata.sorted_tables:
        if table.name not in present:
            missing.append(f"table {table.name}")
            continue
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        missing += [f"column {table.name}.{c.name}" for c in table.columns if c.name not in columns]
    return missing
