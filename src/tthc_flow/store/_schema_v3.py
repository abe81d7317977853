"""Frozen copy of the tables that schema version 3 adds (never edit): what step 3 creates.

Like :mod:`tthc_flow.store._schema_v1`, a later step that changes these tables must leave
this file as it is, so that every database passes through the same steps.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text, text

from tthc_flow.store.schema import UtcDateTime

_ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")


def metadata_v3() -> MetaData:
    """The ``timers`` and ``outbox`` tables as version 3 creates them."""
    metadata = MetaData()
    Table(
        "timers",
        metadata,
        Column("dossier_code", String(64), primary_key=True),
        Column("kind", String(32), primary_key=True),
        Column("due_at", UtcDateTime, nullable=False),
        Column("fired_at", UtcDateTime),
        Index("ix_timers_due_at", "due_at"),
    )
    Table(
        "outbox",
        metadata,
        Column("id", _ID_TYPE, primary_key=True, autoincrement=True),
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
    return metadata
