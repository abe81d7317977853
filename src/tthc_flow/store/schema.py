"""The SQL schema of :class:`~tthc_flow.store.SqlStore`, as SQLAlchemy Core tables.

The table and column names are a contract: reports build SQL against ``dossiers`` (one row
per dossier, the summary of its events) and audits read ``events``. Import the tables to
build queries that work on SQLite and PostgreSQL alike::

    from sqlalchemy import func, select
    from tthc_flow.store.schema import dossiers
    stmt = select(dossiers.c.agency_code, func.count()).group_by(dossiers.c.agency_code)

Timestamps use :class:`UtcDateTime`: ``timestamptz`` on PostgreSQL, and on SQLite fixed-width
UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` (sorts and compares as text like the instants it
names, and SQLite's date functions read it). Values come back as aware datetimes in
Asia/Ho_Chi_Minh, so they compare equal to what was written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.types import TypeDecorator, TypeEngine

from tthc_flow._time import VN_TZ, require_aware

_SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime: ``timestamptz`` on PostgreSQL, sortable UTC text elsewhere.

    Naive datetimes are refused (they would silently mean two different instants).
    """

    impl = String(26)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """``timestamptz`` on PostgreSQL; fixed-width text on other databases."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TIMESTAMP(timezone=True))
        return dialect.type_descriptor(String(26))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Aware datetime -> database value (UTC)."""
        if value is None:
            return None
        utc = require_aware(value, "stored datetime").astimezone(UTC)
        if dialect.name == "postgresql":
            return utc
        # the same text as strftime(_SQLITE_FORMAT), five times faster
        return utc.replace(tzinfo=None).isoformat(" ", "microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Database value -> aware datetime in Asia/Ho_Chi_Minh."""
        if value is None:
            return None
        if isinstance(value, datetime):
            moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        else:
            # fromisoformat reads the fixed-width text (~10x faster than strptime); the shape
            # check keeps it as strict: altered text must fail, not be read another way
            if len(value) != 26 or value[10] != " " or value[19] != ".":
                # a ValueError on purpose: the store's row readers turn it into an
                # IntegrityError naming the dossier and event (store/_sql.py)
                raise ValueError(f"not a stored moment ({_SQLITE_FORMAT}): {value!r}")
            moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
        return moment.astimezone(VN_TZ)


# SQLite only aliases the rowid (cheap, monotonic with AUTOINCREMENT) for a column declared
# exactly INTEGER; PostgreSQL gets a 64-bit identity.
_SEQ_TYPE = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()
"""Every table of the store (the current schema version)."""

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
)
"""One row per applied migration step; the highest ``version`` is the schema's version."""


def worklist_indexes() -> list[Index]:
    """Schema version 4: the worklist indexes, each ending in the default order (the
    holder's deadline, then the code), so a page is read in index order and stops at its
    limit (docs/worklists.md)."""
    due = ("work_due_at", "code")
    return [
        Index("ix_dossiers_work_agency", "holder_agency", *due),
        Index("ix_dossiers_work_assignee", "holder_agency", "assignee", *due),
        Index("ix_dossiers_work_role", "holder_agency", "holder_role", *due),
        Index("ix_dossiers_work_unit", "holder_agency", "holder_role", "holder_unit", *due),
        Index("ix_dossiers_work_applicant", "holder_agency", "applicant_key"),
        Index("ix_dossiers_applicant_id", "applicant_id_number"),
    ]


dossiers = Table(
    "dossiers",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("procedure_code", String(64), nullable=False),
    Column("procedure_version", Integer, nullable=False),
    Column("agency_code", String(64), nullable=False),
    Column("applicant", Text, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("state", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("on_the_spot", Boolean, nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime),
    Column("clock_started_at", UtcDateTime),
    Column("due_at", UtcDateTime),
    Column("original_due_at", UtcDateTime),
    Column("resolved_at", UtcDateTime),
    Column("returned_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("outcome", String(32)),
    Column("resolution_timeliness", String(32)),
    Column("reschedule_count", Integer, nullable=False),
    Column("supplement_count", Integer, nullable=False),
    Column("fees_due", BigInteger, nullable=False),
    Column("fee_paid", Boolean, nullable=False),
    # schema version 2: figures the reports aggregate in SQL, kept with each append
    Column("processing_seconds", BigInteger),
    Column("paid_online", Boolean, nullable=False, server_default=false()),
    Column("e_result", Boolean, nullable=False, server_default=false()),
    Column("digitised", Boolean, nullable=False, server_default=false()),
    Column("complained", Boolean, nullable=False, server_default=false()),
    # schema version 3: the appointment of an open, unresolved, unpaused dossier (reminders)
    Column("pending_due_at", UtcDateTime),
    # schema version 4: who holds an open dossier now, for worklists (store/_worklist.py)
    Column("holder_agency", String(64)),
    Column("holder_role", String(64)),
    Column("holder_unit", String(64)),
    Column("assignee", Text),
    Column("work_due_at", UtcDateTime),
    Column("applicant_key", Text),
    Column("applicant_id_number", String(64)),
    Index("ix_dossiers_agency_received", "agency_code", "received_at"),
    Index("ix_dossiers_state", "state"),
    Index("ix_dossiers_resolved_at", "resolved_at"),
    Index("ix_dossiers_procedure_code", "procedure_code"),
    Index("ix_dossiers_pending_due_at", "pending_due_at"),
    *worklist_indexes(),
)
"""One row per dossier: its summary after the latest event (``supplement_count``: pauses).

``processing_seconds``: working seconds from the clock start (else the receipt) to the
result, measured with the store's calendar; None until resolved. ``paid_online``,
``e_result``, ``digitised``, ``complained``: the data keys of the same names given with any
command (read by the Decision 766 indicators); ``paid_online`` is also true after an online
payment the engine recorded, ``complained`` after a petition or a dislike rating
(docs/payments.md). ``pending_due_at``: the appointment while
the dossier is open, received, unresolved and not waiting for a supplement, else NULL (the
reminder queries ``Engine.overdue`` and ``Engine.due_soon`` read it through its index).
Schema version 4 (worklists): ``holder_agency``, ``holder_role``, ``holder_unit``,
``assignee`` (the lead handler) and ``work_due_at`` (the holder's deadline) of an open
dossier, NULL once closed; ``applicant_key`` (the name without diacritics, for prefix
search) and ``applicant_id_number`` (store/_worklist.py ``worklist_values``).
"""

events = Table(
    "events",
    metadata,
    Column("seq", _SEQ_TYPE, primary_key=True, autoincrement=True),
    Column("dossier_code", String(64), ForeignKey("dossiers.code"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("trigger", String(64), nullable=False),
    Column("effect", String(64), nullable=False),
    Column("from_state", String(64), nullable=False),
    Column("to_state", String(64), nullable=False),
    Column("actor", Text, nullable=False),
    Column("role", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    # the writer's UTC offset in seconds: the hash covers at.isoformat(), offset included
    Column("at_offset", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("idempotency_key", Text),
    # schema version 3: the writing transaction's id on PostgreSQL (0 elsewhere), the first
    # half of the change feed's position (SqlStore.changes)
    Column("tx", BigInteger, nullable=False, server_default=text("0")),
    UniqueConstraint("dossier_code", "version", name="uq_events_dossier_version"),
    UniqueConstraint("dossier_code", "idempotency_key", name="uq_events_dossier_key"),
    # schema version 2: reports count supplement requests and apologies of a period
    Index("ix_events_effect_at", "effect", "at"),
    # creation keys (version 1) are unique across dossiers: a retried receive finds its dossier
    Index(
        "uq_events_creation_key",
        "idempotency_key",
        unique=True,
        sqlite_where=text("version = 1 AND idempotency_key IS NOT NULL"),
        postgresql_where=text("version = 1 AND idempotency_key IS NOT NULL"),
    ),
    sqlite_autoincrement=True,
)
"""The append-only, hash-chained event log (the source of truth)."""

personal_data = Table(
    "personal_data",
    metadata,
    Column("dossier_code", String(64), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("nonce", String(64)),
    Column("data", Text, nullable=False),
)
"""Schema version 5 (store/_schema_personal.py): the personal data of each hash version 4
event, kept beside the chain (engine/_personal.py): ``data`` the values as canonical JSON,
``nonce`` the random key of their commitment in the event's hashed text (hex). An erasure
replaces ``data`` by placeholders and sets ``nonce`` to NULL (docs/personal-data.md)."""

day_sequences = Table(
    "day_sequences",
    metadata,
    Column("agency_code", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("value", Integer, nullable=False),
)
"""The last number issued per agency and day (for dossier codes)."""

timers = Table(
    "timers",
    metadata,
    Column("dossier_code", String(64), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("due_at", UtcDateTime, nullable=False),
    Column("fired_at", UtcDateTime),
    Index("ix_timers_due_at", "due_at"),
)
"""Schema version 3: each dossier's pending timers (one per kind), written with its events;
``fired_at`` is set once by the scheduler that fired it (``Engine.run_due``)."""

outbox = Table(
    "outbox",
    metadata,
    Column("id", _SEQ_TYPE, primary_key=True, autoincrement=True),
    Column("dossier_code", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("topic", String(64), nullable=False),
    Column("key", Text, nullable=False, unique=True),
    Column("payload", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("available_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("lease_owner", Text),
    Column("lease_until", UtcDateTime),
    Column("delivered_at", UtcDateTime),
    Column("last_error", Text),
    Index("ix_outbox_pending", "delivered_at", "available_at"),
    Index("ix_outbox_dossier", "dossier_code", "topic", "id"),
    sqlite_autoincrement=True,
)
"""Schema version 3: messages for the outside world, written in the transaction of the event
that caused them and delivered at least once (``SqlStore.claim``/``ack``/``retry``)."""

assignment_members = Table(
    "assignment_members",
    metadata,
    Column("official_id", String(128), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("dossier_code", String(64), ForeignKey("dossiers.code"), primary_key=True),
    Column("holder_agency", String(64), nullable=False),
    Column("work_due_at", UtcDateTime, nullable=False),
    Index(
        "ix_assignment_members_page",
        "official_id",
        "kind",
        "holder_agency",
        "work_due_at",
        "dossier_code",
    ),
    Index("ix_assignment_members_dossier", "dossier_code"),
)
"""Schema step "assignment members" (store/_schema_members.py): one row per cooperating
official (``kind`` ``cooperating``) and observer (``observer``) of each open dossier's
current assignment, with the dossier's holder agency and holder's deadline
(``worklist_values``), rewritten with the dossier's appends once it was ever assigned; the
worklists "dossiers where I cooperate" and "dossiers I observe" read
``ix_assignment_members_page`` in deadline order."""

__all__ = [
    "UtcDateTime",
    "assignment_members",
    "day_sequences",
    "dossiers",
    "events",
    "metadata",
    "outbox",
    "personal_data",
    "schema_version",
    "timers",
]
