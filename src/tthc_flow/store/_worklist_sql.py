"""Worklist pages in SQL: one SELECT on the indexed worklist columns of ``dossiers``.

Every filter is a condition on a summary column (:mod:`tthc_flow.store._worklist` decides
their values once per append); the order is ``(sort column, code)`` and the cursor a keyset
condition on the same pair (a row-value comparison, which PostgreSQL and SQLite both answer
by seeking the index), so a page reads the matching index in order and stops at its limit
whatever the page number (no OFFSET).

The statement is written here once, as driver SQL text: outside a batch
:class:`~tthc_flow.store._fast_reads.FastReads` runs it on its kept connection (no pool
checkout, transaction or result processing: benchmarks/worklist.py), inside a batch the
batch's connection runs the same text (and sees the batch's writes). The in-memory twin is
``_worklist.memory_worklist``; ``tests/store/test_worklist.py`` runs one contract on both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from tthc_flow.store._worklist import (
    ITEM_FIELDS,
    MEMBER_KINDS,
    WorkItem,
    WorklistPage,
    WorklistQuery,
    decode_cursor,
    encode_cursor,
)

_SELECT = f"SELECT {', '.join(ITEM_FIELDS)} FROM dossiers WHERE "
_JOINED = (
    f"SELECT {', '.join('d.' + name for name in ITEM_FIELDS)} FROM assignment_members m "
    "JOIN dossiers d ON d.code = m.dossier_code WHERE "
)
_MOMENTS = tuple(
    i
    for i, name in enumerate(ITEM_FIELDS)
    if name in ("submitted_at", "received_at", "due_at", "updated_at", "work_due_at")
)
_TOP = "\U0010ffff"  # above every character: ``x >= p AND x < p + TOP`` is "starts with p"


def member_page(q: WorklistQuery) -> str | None:
    """The member kind whose ``assignment_members`` index orders the page (a page of an
    official's cooperations or observations by deadline), else None."""
    if q.sort != "due":
        return None
    return next((kind for kind in MEMBER_KINDS if getattr(q, kind) is not None), None)


def sql_of(q: WorklistQuery, mark: str, bind: Callable[[datetime], Any]) -> tuple[str, list[Any]]:
    """The SELECT of one page of ``q`` (its limit plus one row, to know if more follow) and
    its parameters; ``mark`` is the driver's placeholder, ``bind`` converts a moment for it.

    A page of "dossiers where I cooperate" or "that I observe" by deadline reads
    ``assignment_members`` through its index (official, kind, holder agency, deadline,
    code) in page order and joins each row's dossier, stopping at the limit; the member rows
    carry the dossier's holder agency and deadline, written with its summary."""
    joined = member_page(q)
    d = "d." if joined else ""  # the dossiers' columns, qualified beside the member rows
    # an open dossier, and only an open one, has a holder (worklist_values)
    where = [f"{d}holder_agency = {mark}"]
    params: list[Any] = [q.agency]

    def equal(column: str, value: Any) -> None:
        where.append(f"{d}{column} = {mark}")
        params.append(value)

    def among(column: str, values: Iterable[str]) -> None:
        chosen = sorted(values)
        where.append(f"{d}{column} IN ({', '.join([mark] * len(chosen))})" if chosen else "1 = 0")
        params.extend(chosen)

    def compare(column: str, op: str, moment: datetime) -> None:
        where.append(f"{d}{column} {op} {mark}")
        params.append(bind(moment))

    def prefix(column: str, text: str) -> None:
        # a range the column's index answers (LIKE 'p%' is not index-usable on PostgreSQL
        # without a pattern operator class, nor on SQLite for a case-sensitive column)
        where.append(f"{d}{column} >= {mark} AND {d}{column} < {mark}")
        params.extend((text, text + _TOP))

    if joined:
        where.append(f"m.official_id = {mark} AND m.kind = {mark} AND m.holder_agency = {mark}")
        params.extend((getattr(q, joined), joined, q.agency))
    if q.assignee is not None:
        equal("assignee", q.assignee)
    if q.unassigned:
        where.append(f"{d}assignee IS NULL")
    if q.role is not None:
        equal("holder_role", q.role)
    if q.unit is not None:
        equal("holder_unit", q.unit)
    for kind in MEMBER_KINDS:
        official = getattr(q, kind)
        if official is not None and kind != joined:  # the primary key (official, kind, code)
            where.append(
                f"{d}code IN (SELECT dossier_code FROM assignment_members "
                f"WHERE official_id = {mark} AND kind = {mark})"
            )
            params.extend((official, kind))
    if q.states is not None:
        among("state", q.states)
    if q.procedure_codes is not None:
        among("procedure_code", q.procedure_codes)
    if q.channels is not None:
        among("channel", q.channels)
    if q.owner_agency is not None:
        equal("agency_code", q.owner_agency)
    if q.received_from is not None:
        compare("received_at", ">=", q.received_from)
    if q.received_until is not None:
        compare("received_at", "<", q.received_until)
    if q.due_from is not None:
        compare("work_due_at", ">=", q.due_from)
    if q.due_before is not None:
        compare("work_due_at", "<", q.due_before)
    if q.applicant is not None:
        prefix("applicant_key", q.applicant)
    if q.applicant_id is not None:
        equal("applicant_id_number", q.applicant_id)
    if q.code is not None:
        prefix("code", q.code)
    column, code = q.sort_column, "code"
    if joined:  # the member rows' copies: the order of their index
        column, code = "m.work_due_at", "m.dossier_code"
    way = " DESC" if q.descending else ""
    op = "<" if q.descending else ">"
    if q.after is not None:
        value, after = decode_cursor(q.after, q.sort, q.descending)
        if q.sort == "code":
            where.append(f"code {op} {mark}")
            params.append(after)
        else:
            where.append(f"({column}, {code}) {op} ({mark}, {mark})")
            params.extend((bind(value), after))
    order = f"code{way}" if q.sort == "code" else f"{column}{way}, {code}{way}"
    select = _JOINED if joined else _SELECT
    sql = f"{select}{' AND '.join(where)} ORDER BY {order} LIMIT {q.limit + 1}"
    return sql, params


ORDERED_SETTING = "SET enable_sort = off"
"""PostgreSQL: read a worklist page in index order. The worklist columns hold values only
for open dossiers, so the planner, taking columns as independent, underestimates how many
rows match a filter (a state, a channel, a due window) tenfold and prefers a bitmap scan of
every match and a sort (100-150 ms at 1,000,000 dossiers) over walking the worklist index in
order until the page is full (1-7 ms). No sort node is then planned unless no plan can do
without one."""


def in_index_order(q: WorklistQuery) -> bool:
    """Whether a page of ``q`` is best read in the order of a worklist index: sorted by the
    holder's deadline and not narrowed by a search key (a name, an ID number, a code prefix,
    or a cooperating official or observer, whose own indexes find a few rows that are then
    sorted)."""
    return (
        q.sort == "due"
        and q.applicant is None
        and q.applicant_id is None
        and q.code is None
        and q.cooperating is None
        and q.observer is None
    )


def page_of(
    rows: Sequence[Sequence[Any]], q: WorklistQuery, moment: Callable[[Any], datetime]
) -> WorklistPage:
    """The page of the driver ``rows`` of :func:`sql_of` (``moment`` reads a stored moment)."""
    items = []
    for row in rows[: q.limit]:
        values = list(row)
        for i in _MOMENTS:
            if values[i] is not None:
                values[i] = moment(values[i])
        items.append(WorkItem._make(values))
    more = len(rows) > q.limit
    return WorklistPage(items, encode_cursor(items[-1], q) if more else None)
