"""Worklist pages in SQL: one SELECT on the indexed worklist columns of ``dossiers``.

Every filter is a condition on a summary column (:mod:`tthc_flow.store._worklist` decides
their values once per append); the order is ``(sort column, code)`` and the cursor a keyset
condition on the same pair, so a page reads the matching index in order and stops at its
limit whatever the page number (no OFFSET). The in-memory twin is
``_worklist.memory_worklist``; one contract test runs both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, literal, select, tuple_

from tthc_flow.store._worklist import (
    ITEM_FIELDS,
    WorkItem,
    WorklistPage,
    WorklistQuery,
    decode_cursor,
    encode_cursor,
)
from tthc_flow.store.schema import dossiers

_ITEMS = select(*(dossiers.c[name] for name in ITEM_FIELDS))


def _prefix(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as a range the column's index answers (LIKE with
    a leading constant is not index-usable on PostgreSQL without a pattern operator class,
    nor on SQLite for a case-sensitive column)."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


def statement(q: WorklistQuery) -> Select[Any]:
    """The SELECT of one page of ``q`` (its limit plus one row, to know if more follow)."""
    c = dossiers.c
    where: list[ColumnElement[bool]] = [c.holder_agency == q.agency, c.work_due_at.is_not(None)]
    if q.assignee is not None:
        where.append(c.assignee == q.assignee)
    if q.unassigned:
        where.append(c.assignee.is_(None))
    if q.role is not None:
        where.append(c.holder_role == q.role)
    if q.unit is not None:
        where.append(c.holder_unit == q.unit)
    if q.states is not None:
        where.append(c.state.in_(sorted(q.states)))
    if q.procedure_codes is not None:
        where.append(c.procedure_code.in_(sorted(q.procedure_codes)))
    if q.channels is not None:
        where.append(c.channel.in_(sorted(q.channels)))
    if q.owner_agency is not None:
        where.append(c.agency_code == q.owner_agency)
    if q.received_from is not None:
        where.append(c.received_at >= q.received_from)
    if q.received_until is not None:
        where.append(c.received_at < q.received_until)
    if q.due_from is not None:
        where.append(c.work_due_at >= q.due_from)
    if q.due_before is not None:
        where.append(c.work_due_at < q.due_before)
    if q.applicant is not None:
        where.append(_prefix(c.applicant_key, q.applicant))
    if q.applicant_id is not None:
        where.append(c.applicant_id_number == q.applicant_id)
    if q.code is not None:
        where.append(_prefix(c.code, q.code))
    key = c[q.sort_column]
    if q.after is not None:
        value, code = decode_cursor(q.after, q.sort, q.descending)
        if q.sort == "code":
            where.append(c.code < code if q.descending else c.code > code)
        else:
            # a row-value comparison: PostgreSQL and SQLite both seek the index with it; the
            # bound values typed as the columns (a moment is stored as UTC)
            pair = tuple_(key, c.code)
            bound = tuple_(literal(value, key.type), literal(code, c.code.type))
            where.append(pair < bound if q.descending else pair > bound)
    if q.sort == "code":
        order = [c.code.desc() if q.descending else c.code]
    else:
        order = [key.desc(), c.code.desc()] if q.descending else [key, c.code]
    return _ITEMS.where(*where).order_by(*order).limit(q.limit + 1)


def page(conn: Connection, q: WorklistQuery) -> WorklistPage:
    """One page of ``q`` read on ``conn``."""
    rows = [WorkItem(*row) for row in conn.execute(statement(q))]
    more = len(rows) > q.limit
    items = rows[: q.limit]
    return WorklistPage(items, encode_cursor(items[-1], q) if more else None)
