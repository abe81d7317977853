"""Statistics computed in the database: GROUP BY over the store's ``dossiers`` summary table.

The counts are ``SUM(CASE ...)`` expressions that encode exactly the placement rules of
:mod:`tthc_flow.reports._statistics` (enter at receipt or refusal, leave at the result, the
refusal or the withdrawal). Rows are grouped by ``(agency_code, channel, procedure_code,
procedure_version)`` — a few hundred rows at most — and folded into the requested grouping in
Python, where the catalog gives fields, online modes and time limits. Processing times are
the ``processing_seconds`` the store keeps with each resolved dossier: their sum and count
per group come from the same GROUP BY, the 90th percentile from a window query (two order
statistics per group, interpolated like numpy). Supplement requests and apologies of the
period are counted from ``events`` (``effect`` and ``at`` indexed). No per-dossier loop runs
in Python.

One difference from the Python path, because the summary table has no pause history: an
in-progress dossier is judged at its supplement request only while it is *still* waiting
(``state = 'supplement_requested'``, judged at ``updated_at``); a wait that spanned the period
end but has since ended is judged at the period end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tthc_flow.calendar import WorkCalendar
from tthc_flow.errors import WrongArgumentType
from tthc_flow.procedure import ProcedureDefinition
from tthc_flow.reports._period import Period, judgement_moment
from tthc_flow.reports._report import Report
from tthc_flow.reports._statistics import (
    COUNT_FIELDS,
    P90,
    TOTAL_KEY,
    CatalogLookup,
    Tally,
    add_limits,
    check_by,
    finish,
    group_key,
    interpolate,
    quantile_ranks,
)
from tthc_flow.reports._tasks import Task, task_statistics
from tthc_flow.store.schema import dossiers, events

Source = Any
"""A :class:`~tthc_flow.store.SqlStore`, or an SQLAlchemy Engine or Connection on its schema."""

_EXTRA = ("received_online_partial", "received_online_full", "in_progress_within")
_EVENT_COUNTS = {"supplement_requested": "request_supplement", "rescheduled": "reschedule"}
_SQL_COUNTS = tuple(n for n in COUNT_FIELDS if n not in _EXTRA and n not in _EVENT_COUNTS)


@contextmanager
def connect(source: Source) -> Iterator[sa.Connection]:
    """A connection of ``source`` (closed afterwards unless it was given); of a store, on its
    :attr:`~tthc_flow.store.SqlStore.read_engine`: a report may lag behind the primary (its
    replica's, if it has one; docs/store.md, "Reading from a replica")."""
    if isinstance(source, sa.Connection):
        yield source
        return
    engine = source
    if not isinstance(source, sa.Engine):
        engine = getattr(source, "read_engine", None) or getattr(source, "engine", None)
    if not isinstance(engine, sa.Engine):
        raise WrongArgumentType(
            f"expected a SqlStore, an SQLAlchemy Engine or Connection, not {type(source)}",
            argument="source",
            expected="a SqlStore, an SQLAlchemy Engine or Connection",
            got=type(source).__name__,
        )
    with engine.connect() as conn:
        yield conn


def calendar_of(source: Source, calendar: WorkCalendar | None) -> WorkCalendar:
    """The given calendar, else the store's (it measured ``processing_seconds``)."""
    found = calendar or getattr(source, "calendar", None)
    return found if isinstance(found, WorkCalendar) else WorkCalendar.vietnam()


def flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """``COUNT(*) FILTER (WHERE condition)`` (SQLite >= 3.30, PostgreSQL): 0 when no row."""
    return sa.func.count().filter(condition)


def entry_exit() -> tuple[sa.ColumnElement[Any], sa.ColumnElement[Any]]:
    """SQL of :func:`entry_moment` and :func:`exit_moment`."""
    c = dossiers.c
    entry = sa.case(
        (c.received_at.is_not(None), c.received_at),
        (c.outcome == "refused", c.closed_at),
    )
    leave = sa.case(
        (c.resolved_at.is_not(None), c.resolved_at),
        (c.outcome.in_(("refused", "withdrawn", "closed")), c.closed_at),
    )
    return entry, leave


def in_books(period: Period, agency: str | None = None) -> sa.ColumnElement[bool]:
    """The dossier is in the period's books: entered before its end, not left before it;
    with ``agency``, one agency's dossiers only (a tenant of a shared database)."""
    entry, leave = entry_exit()
    scope = [] if agency is None else [dossiers.c.agency_code == agency]
    return sa.and_(
        *scope,
        entry.is_not(None),
        entry < period.end_at,
        sa.or_(leave.is_(None), leave >= period.start_at),
    )


def judged_overdue(judge_at: datetime) -> sa.ColumnElement[bool]:
    """An open dossier is past its original due date at ``judge_at`` (or at its request)."""
    c = dossiers.c
    judged = sa.case(
        (sa.and_(c.state == "supplement_requested", c.updated_at <= judge_at), c.updated_at),
        else_=sa.literal(judge_at, c.updated_at.type),
    )
    return judged > c.original_due_at


def _count_columns(period: Period, judge_at: datetime) -> dict[str, sa.ColumnElement[Any]]:
    c = dossiers.c
    start, end = period.start_at, period.end_at
    # inside the books (the WHERE of in_books) these cheaper forms equal entry_exit(): only
    # a refusal or a withdrawal sets closed_at without resolved_at, and a dossier without
    # receipt is in the books only when refused
    entry = sa.func.coalesce(c.received_at, c.closed_at)
    leave = sa.func.coalesce(c.resolved_at, c.closed_at)
    received = entry >= start
    open_at_end = sa.or_(leave.is_(None), leave >= end)
    resolved = sa.and_(c.resolved_at.is_not(None), c.resolved_at < end)
    closed = sa.and_(c.resolved_at.is_(None), c.closed_at < end)
    online = c.channel == "online"
    postal = c.channel == "postal"
    timed = sa.and_(resolved, c.processing_seconds.is_not(None))
    return {
        "carried_over": flag(entry < start),
        "received": flag(received),
        "received_online": flag(sa.and_(received, online)),
        "received_postal": flag(sa.and_(received, postal)),
        "received_desk": flag(sa.and_(received, sa.not_(online), sa.not_(postal))),
        "on_the_spot": flag(sa.and_(received, c.on_the_spot == sa.true())),
        "resolved": flag(resolved),
        "resolved_early": flag(sa.and_(resolved, c.resolution_timeliness == "early")),
        "resolved_on_time": flag(sa.and_(resolved, c.resolution_timeliness == "on_time")),
        "resolved_late": flag(sa.and_(resolved, c.resolution_timeliness == "late")),
        "rejected": flag(sa.and_(resolved, c.outcome == "rejected")),
        "in_progress": flag(open_at_end),
        "in_progress_overdue": flag(sa.and_(open_at_end, judged_overdue(judge_at))),
        "withdrawn": flag(sa.and_(closed, c.outcome == "withdrawn")),
        "closed": flag(sa.and_(closed, c.outcome == "closed")),
        "refused": flag(sa.and_(closed, c.outcome == "refused")),
        "processing_seconds": sa.func.coalesce(sa.func.sum(c.processing_seconds).filter(timed), 0),
        "processing_count": flag(timed),
    }


def group_columns(by: str | None, with_catalog: bool) -> list[sa.ColumnElement[Any]]:
    """Expressions to GROUP BY (labelled as their columns): the ``by`` column, plus the
    procedure when the catalog is used.

    Each is wrapped (``col || ''``, ``col + 0``) so that SQLite scans the table in order
    instead of walking an index on the key and fetching every row at random (about twice
    as slow); PostgreSQL plans a hash aggregate either way.
    """
    c = dossiers.c
    if with_catalog or by in ("field", "online"):
        columns = [c.procedure_code, c.procedure_version]
        if by == "agency":
            columns.append(c.agency_code)
        elif by == "channel":
            columns.append(c.channel)
    else:
        by_column = {"agency": c.agency_code, "procedure": c.procedure_code, "channel": c.channel}
        columns = [by_column[by]] if by is not None else []
    return [
        ((col + 0) if col.name == "procedure_version" else col.concat("")).label(col.name)
        for col in columns
    ]


def row_key(by: str | None, lookup: CatalogLookup, row: sa.RowMapping) -> str:
    """The group of a grouped row under ``by``."""
    if by is None:
        return TOTAL_KEY
    if by in ("agency", "procedure", "channel"):
        return str(row[{"agency": "agency_code", "procedure": "procedure_code"}.get(by, by)])
    return group_key(by, lookup, row["procedure_code"], row["procedure_version"], "", "")


def key_expression(
    by: str, lookup: CatalogLookup, pairs: Iterable[tuple[str, int]]
) -> sa.ColumnElement[Any]:
    """SQL giving each dossier's group under ``by`` (a CASE over the procedures seen)."""
    c = dossiers.c
    if by in ("agency", "procedure", "channel"):
        column = {"agency": c.agency_code, "procedure": c.procedure_code, "channel": c.channel}
        return column[by].concat("")  # no index walk (see group_columns)
    whens = [
        (
            sa.and_(c.procedure_code == code, c.procedure_version == version),
            sa.literal(group_key(by, lookup, code, version, "", "")),
        )
        for code, version in sorted(set(pairs))
    ]
    return sa.case(*whens, else_=sa.literal("?")) if whens else sa.literal("?")


def _p90_seconds(
    conn: sa.Connection, key: sa.ColumnElement[Any] | None, where: sa.ColumnElement[bool]
) -> tuple[float | None, dict[str, float]]:
    """The 90th percentile of ``processing_seconds`` overall and per group (``key``).

    One scan: window functions rank the times overall and within each group, and only the
    two order statistics around each quantile are fetched (interpolated in Python).
    """
    assert P90 == 0.9  # the integer rank below is (n - 1) * 9 // 10
    seconds = dossiers.c.processing_seconds
    columns = [
        seconds.label("s"),
        (sa.func.row_number().over(order_by=seconds) - 1).label("gi"),
        sa.func.count().over().label("gn"),
    ]
    if key is not None:
        columns += [
            key.label("k"),
            (sa.func.row_number().over(partition_by=key, order_by=seconds) - 1).label("i"),
            sa.func.count().over(partition_by=key).label("n"),
        ]
    ranked = sa.select(*columns).where(where).subquery()
    r = ranked.c
    wanted = [sa.or_(r.gi == (r.gn - 1) * 9 // 10, r.gi == (r.gn - 1) * 9 // 10 + 1)]
    if key is not None:
        wanted += [sa.or_(r.i == (r.n - 1) * 9 // 10, r.i == (r.n - 1) * 9 // 10 + 1)]
    overall: dict[int, int] = {}
    count = 0
    groups: dict[str, tuple[int, dict[int, int]]] = {}
    for row in conn.execute(sa.select(ranked).where(sa.or_(*wanted))).mappings():
        count = int(row["gn"])
        overall[int(row["gi"])] = int(row["s"])
        if key is not None:
            groups.setdefault(str(row["k"]), (int(row["n"]), {}))[1][int(row["i"])] = int(row["s"])
    return _interpolated(count, overall), {
        k: value
        for k, (n, ranks) in groups.items()
        if (value := _interpolated(n, ranks)) is not None
    }


def _interpolated(n: int, ranks: dict[int, int]) -> float | None:
    if not n:
        return None
    low, high, weight = quantile_ranks(n)
    if low not in ranks or high not in ranks:
        return None  # the group's order statistics were not among the fetched rows
    return interpolate(ranks[low], ranks[high], weight)


def _event_counts(
    keys: list[sa.ColumnElement[Any]], period: Period, agency: str | None
) -> sa.Select[Any]:
    """Per group: dossiers with a supplement request / an apology made in the period."""
    e = events.c
    columns = [
        sa.func.count(sa.distinct(sa.case((e.effect == effect, e.dossier_code)))).label(name)
        for name, effect in _EVENT_COUNTS.items()
    ]
    return (
        sa.select(*keys, *columns)
        .select_from(dossiers.join(events, e.dossier_code == dossiers.c.code))
        .where(
            e.effect.in_(tuple(_EVENT_COUNTS.values())),
            e.at >= period.start_at,
            e.at < period.end_at,
            in_books(period, agency),
        )
        .group_by(*keys)
    )


def statistics_sql(
    store: Source,
    period: Period,
    *,
    by: str | None = None,
    catalog: Any = None,
    calendar: WorkCalendar | None = None,
    tasks: Iterable[Task] | None = None,
    as_of: datetime | None = None,
    percent_places: int = 1,
    agency: str | None = None,
) -> Report:
    """The same :class:`Report` as :func:`statistics`, aggregated by the database.

    ``store``: a :class:`~tthc_flow.store.SqlStore`, or an SQLAlchemy Engine / Connection on
    its schema. ``calendar`` defaults to the store's (which measured the stored processing
    times); it gives the length of a working day and the limits in days. ``tasks``,
    ``as_of`` and ``percent_places`` as in :func:`statistics`. ``agency`` scopes every
    query to one agency's dossiers (a department of a provincial service centre's database:
    docs/agencies.md).
    """
    check_by(by, catalog)
    lookup = CatalogLookup(catalog)
    cal = calendar_of(store, calendar)
    judge_at = judgement_moment(period, as_of)
    keys = group_columns(by, catalog is not None)
    counts = _count_columns(period, judge_at)
    query = (
        sa.select(*keys, *(expr.label(name) for name, expr in counts.items()))
        .where(in_books(period, agency))
        .group_by(*keys)
    )
    c = dossiers.c
    # coalesce(x, x): a sequential scan beats walking the resolved_at index on SQLite
    resolved_at = sa.func.coalesce(c.resolved_at, c.resolved_at)
    timed = sa.and_(
        *([] if agency is None else [c.agency_code == agency]),
        resolved_at >= period.start_at,
        resolved_at < period.end_at,
        c.processing_seconds.is_not(None),
    )
    tallies: dict[str, Tally] = {}
    pairs: list[tuple[str, int]] = []
    with connect(store) as conn:
        for row in conn.execute(query).mappings():
            if "procedure_version" in row:
                pairs.append((row["procedure_code"], row["procedure_version"]))
            tallies.setdefault(row_key(by, lookup, row), Tally()).add(_tally(row, lookup, cal))
        for row in conn.execute(_event_counts(keys, period, agency)).mappings():
            tally = tallies.setdefault(row_key(by, lookup, row), Tally())
            for name in _EVENT_COUNTS:
                setattr(tally, name, getattr(tally, name) + int(row[name]))
        key = None if by is None else key_expression(by, lookup, pairs)
        total_p90, per_group = _p90_seconds(conn, key, timed)
        for name, p90 in per_group.items():
            tallies.setdefault(name, Tally()).processing_p90 = p90
    groups = finish(
        tallies,
        by,
        with_catalog=bool(lookup),
        calendar=cal,
        total_p90=total_p90,
        percent_places=percent_places,
    )
    task_stats = None if tasks is None else task_statistics(tasks, period, as_of=judge_at)
    return Report(period=period, by=by, groups=tuple(groups), tasks=task_stats)


def _tally(row: sa.RowMapping, lookup: CatalogLookup, cal: WorkCalendar) -> Tally:
    t = Tally()
    for name in (*_SQL_COUNTS, "processing_seconds", "processing_count"):
        setattr(t, name, int(row[name]))
    t.in_progress_within = t.in_progress - t.in_progress_overdue
    definition = _definition(lookup, row)
    if definition is not None:
        if definition.online.value == "full":
            t.received_online_full = t.received_online
        else:
            t.received_online_partial = t.received_online
    add_limits(t, definition, t.processing_count, cal)
    return t


def _definition(lookup: CatalogLookup, row: sa.RowMapping) -> ProcedureDefinition | None:
    if not lookup or "procedure_version" not in row:
        return None
    return lookup.get(row["procedure_code"], row["procedure_version"])
