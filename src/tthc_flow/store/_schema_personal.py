"""Frozen copy of what the personal-data schema step adds (never edit): the ``personal_data``
table, as the step "schema v5 personal data" creates it (store/_migrations.py).

Like :mod:`tthc_flow.store._schema_v4`, a later step that changes this table must leave this
file as it is, so that every database passes through the same steps. The table holds the
personal data of hash version 4 events beside the chain (engine/_personal.py,
docs/personal-data.md): an erasure replaces ``data`` and clears ``nonce``.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Text

PERSONAL_STEP_DESCRIPTION = (
    "personal_data: the applicant's personal data beside the hash chain, erasable (hash version 4)"
)
"""The ``schema_version`` description of the step."""


def metadata_personal() -> MetaData:
    """The ``personal_data`` table as the step creates it."""
    metadata = MetaData()
    Table(
        "personal_data",
        metadata,
        Column("dossier_code", String(64), primary_key=True),
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("nonce", String(64)),
        Column("data", Text, nullable=False),
    )
    return metadata
