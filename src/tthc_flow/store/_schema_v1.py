"""Frozen copy of schema version 1 (never edit): what migration step 1 creates.

New databases pass through every step, so step 1 must keep creating exactly the version-1
tables even though :mod:`tthc_flow.store.schema` has moved on.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from tthc_flow.store.schema import UtcDateTime

_SEQ_TYPE = BigInteger().with_variant(Integer(), "sqlite")


def metadata_v1() -> MetaData:
    """The four tables of schema version 1."""
    md = MetaData()
    Table(
        "schema_version",
        md,
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("description", Text, nullable=False),
        Column("applied_at", UtcDateTime, nullable=False),
    )
    Table(
        "dossiers",
        md,
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
        Index("ix_dossiers_agency_received", "agency_code", "received_at"),
        Index("ix_dossiers_state", "state"),
        Index("ix_dossiers_resolved_at", "resolved_at"),
        Index("ix_dossiers_procedure_code", "procedure_code"),
    )
    Table(
        "events",
        md,
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
        Column("at_offset", Integer, nullable=False),
        Column("payload", Text, nullable=False),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        Column("idempotency_key", Text),
        UniqueConstraint("dossier_code", "version", name="uq_events_dossier_version"),
        UniqueConstraint("dossier_code", "idempotency_key", name="uq_events_dossier_key"),
        Index(
            "uq_events_creation_key",
            "idempotency_key",
            unique=True,
            sqlite_where=text("version = 1 AND idempotency_key IS NOT NULL"),
            postgresql_where=text("version = 1 AND idempotency_key IS NOT NULL"),
        ),
        sqlite_autoincrement=True,
    )
    Table(
        "day_sequences",
        md,
        Column("agency_code", String(64), primary_key=True),
        Column("day", Date, primary_key=True),
        Column("value", Integer, nullable=False),
    )
    return md
