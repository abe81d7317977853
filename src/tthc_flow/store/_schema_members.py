"""Frozen copy of what the "assignment members" schema step adds (never edit): the table of
the cooperating officials and observers of each open dossier's current assignment, as its
migration step creates it (the step's number is in ``store/_migrations.py``).

A worklist "dossiers where I cooperate" / "dossiers I observe" is a condition on this table's
primary key (official, kind), never a scan of the assignments in the events
(docs/worklists.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

MEMBERS_DDL = (
    "CREATE TABLE assignment_members ("
    "official_id VARCHAR(128) NOT NULL, "
    "kind VARCHAR(16) NOT NULL, "
    "dossier_code VARCHAR(64) NOT NULL REFERENCES dossiers (code), "
    "PRIMARY KEY (official_id, kind, dossier_code))",
    "CREATE INDEX ix_assignment_members_dossier ON assignment_members (dossier_code)",
)
"""The table and its second index (the rows of one dossier, rewritten with its appends)."""


def create_members(
    conn: Any,
    replayed: Iterable[tuple[str, Any]],
    rows_of: Callable[[Any], Iterable[tuple[str, str]]],
) -> None:
    """Create the table and fill it from ``replayed`` ``(code, dossier)`` pairs, ``rows_of``
    giving each dossier's ``(kind, official)`` rows (``store/_worklist.py member_rows``)."""
    for statement in MEMBERS_DDL:
        conn.exec_driver_sql(statement)
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    insert = (
        "INSERT INTO assignment_members (official_id, kind, dossier_code) "
        f"VALUES ({mark}, {mark}, {mark})"
    )
    for code, dossier in replayed:
        rows = [(official, kind, code) for kind, official in rows_of(dossier)]
        if rows:
            conn.exec_driver_sql(insert, rows)
