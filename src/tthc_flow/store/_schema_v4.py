"""Frozen copy of what schema version 4 adds (never edit): the worklist columns of
``dossiers`` and their indexes, as step 4 creates them.

Like :mod:`tthc_flow.store._schema_v3`, a later step that changes these must leave this file
as it is, so that every database passes through the same steps.
"""

from __future__ import annotations

COLUMNS_V4 = (
    ("holder_agency", "VARCHAR(64)"),
    ("holder_role", "VARCHAR(64)"),
    ("holder_unit", "VARCHAR(64)"),
    ("assignee", "TEXT"),
    ("work_due_at", None),  # UtcDateTime: timestamptz on PostgreSQL, VARCHAR(26) on SQLite
    ("applicant_key", "TEXT"),
    ("applicant_id_number", "VARCHAR(64)"),
)
"""``dossiers`` columns of version 4 and their SQL types (None: a moment)."""

INDEXES_V4 = (
    ("ix_dossiers_work_agency", ("holder_agency", "work_due_at", "code")),
    ("ix_dossiers_work_assignee", ("holder_agency", "assignee", "work_due_at", "code")),
    ("ix_dossiers_work_role", ("holder_agency", "holder_role", "work_due_at", "code")),
    (
        "ix_dossiers_work_unit",
        ("holder_agency", "holder_role", "holder_unit", "work_due_at", "code"),
    ),
    ("ix_dossiers_work_applicant", ("holder_agency", "applicant_key")),
    ("ix_dossiers_applicant_id", ("applicant_id_number",)),
)
"""``dossiers`` indexes of version 4: name and columns."""

STATISTICS_V4 = (
    "CREATE STATISTICS st_dossiers_holder (mcv, dependencies) "
    "ON holder_agency, holder_role, holder_unit, assignee FROM dossiers"
)
"""PostgreSQL only: the holder columns are NULL together for closed dossiers and depend on
each other, which the planner's per-column statistics do not know; without these it
estimated an agency's specialists at 1 % of their number and sorted a bitmap scan (24-180
ms at 1,000,000 dossiers) instead of reading the worklist index in order (0.2 ms)."""
