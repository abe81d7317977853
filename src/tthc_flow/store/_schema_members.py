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


def members_ddl(moment: str) -> tuple[str, ...]:
    """The table and its indexes; ``moment`` is the dialect's type of a moment."""
    return (
        "CREATE TABLE assignment_members ("
        "official_id VARCHAR(128) NOT NULL, "
        "kind VARCHAR(16) NOT NULL, "
        "dossier_code VARCHAR(64) NOT NULL REFERENCES dossiers (code), "
        "holder_agency VARCHAR(64) NOT NULL, "
        f"work_due_at {moment} NOT NULL, "
        "PRIMARY KEY (official_id, kind, dossier_code))",
        # a page of one official's cooperations (observations) by deadline, in index order
        "CREATE INDEX ix_assignment_members_page ON assignment_members "
        "(official_id, kind, holder_agency, work_due_at, dossier_code)",
        # the rows of one dossier, rewritten with its appends
        "CREATE INDEX ix_assignment_members_dossier ON assignment_members (dossier_code)",
    )


def create_members(
    conn: Any,
    replayed: Iterable[tuple[str, Any]],
    rows_of: Callable[[Any], Iterable[tuple[Any, ...]]],
    table: Any,
) -> None:
    """Create the table and fill it from ``replayed`` ``(code, dossier)`` pairs, ``rows_of``
    giving each dossier's rows in column order (``store/_worklist.py member_values``), written
    through ``table`` (the SQLAlchemy table, whose moment type binds ``work_due_at``)."""
    postgres = conn.dialect.name == "postgresql"
    for statement in members_ddl("timestamptz" if postgres else "VARCHAR(26)"):
        conn.exec_driver_sql(statement)
    for _code, dossier in replayed:
        rows = [dict(zip(_COLUMNS, row, strict=True)) for row in rows_of(dossier)]
        if rows:
            conn.execute(table.insert(), rows)


_COLUMNS = ("official_id", "kind", "dossier_code", "holder_agency", "work_due_at")
