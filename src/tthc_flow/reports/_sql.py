"""Statistics computed in the database: one GROUP BY over the ``dossiers`` summary table.

The counts are ``SUM(CASE ...)`` expressions that encode exactly the placement rules of
:mod:`tthc_flow.reports._statistics` (enter at receipt or refusal, leave at the result, the
refusal or the withdrawal). Rows are grouped by ``(agency_code, channel, procedure_code,
procedure_version)`` — a few hundred rows at most — and folded into the requested grouping in
Python, where the catalog gives fields, online modes and time limits. Processing-time
percentiles are computed in Python from the fetched ``(clock_started_at, resolved_at)`` pairs
of the dossiers resolved in the period.

One difference from the Python path, because the summary table has no pause history: an
in-progress dossier is judged at its supplement request only while it is *still* waiting
(``state = 'supplement_requested'``, judged at ``updated_at``); a wait that spanned the period
end but has since ended is judged at the period end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine import Dossier
from tthc_flow.procedure import ProcedureDefinition
from tthc_flow.reports._period import Period
from tthc_flow.reports._statistics import (
    COUNT_FIELDS,
    TOTAL_KEY,
    CatalogLookup,
    Tally,
    add_processing,
    check_by,
    finish,
    group_key,
)

if TYPE_CHECKING:
    from tthc_flow.reports._report import Report

SUMMARY_COLUMNS = (
    "code",
    "procedure_code",
    "procedure_version",
    "agency_code",
    "applicant",
    "channel",
    "state",
    "version",
    "last_hash",
    "on_the_spot",
    "submitted_at",
    "received_at",
    "clock_started_at",
    "due_at",
    "original_due_at",
    "resolved_at",
    "returned_at",
    "closed_at",
    "updated_at",
    "outcome",
    "resolution_timeliness",
    "reschedule_count",
    "supplement_count",
    "fees_due",
    "fee_paid",
)
"""Columns of the ``dossiers`` summary table agreed with the SQL store."""


def summary_table(metadata: sa.MetaData | None = None) -> sa.Table:
    """The ``dossiers`` table as agreed with the store (used when the store's schema is absent)."""
    when = sa.DateTime(timezone=True)
    return sa.Table(
        "dossiers",
        metadata or sa.MetaData(),
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("procedure_code", sa.String(32), nullable=False),
        sa.Column("procedure_version", sa.Integer, nullable=False),
        sa.Column("agency_code", sa.String(64), nullable=False),
        sa.Column("applicant", sa.Text, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("on_the_spot", sa.Boolean, nullable=False),
        sa.Column("submitted_at", when, nullable=False),
        sa.Column("received_at", when),
        sa.Column("clock_started_at", when),
        sa.Column("due_at", when),
        sa.Column("original_due_at", when),
        sa.Column("resolved_at", when),
        sa.Column("returned_at", when),
        sa.Column("closed_at", when),
        sa.Column("updated_at", when, nullable=False),
        sa.Column("outcome", sa.String(16)),
        sa.Column("resolution_timeliness", sa.String(16)),
        sa.Column("reschedule_count", sa.Integer, nullable=False),
        sa.Column("supplement_count", sa.Integer, nullable=False),
        sa.Column("fees_due", sa.Integer, nullable=False),
        sa.Column("fee_paid", sa.Boolean, nullable=False),
    )


def summary_row(d: Dossier) -> dict[str, Any]:
    """The summary-table row of a dossier snapshot (what the SQL store keeps per dossier)."""
    return {
        "code": d.code,
        "procedure_code": d.procedure_code,
        "procedure_version": d.procedure_version,
        "agency_code": d.agency_code,
        "applicant": d.applicant,
        "channel": d.channel,
        "state": d.state,
        "version": d.version,
        "last_hash": d.last_hash,
        "on_the_spot": d.on_the_spot,
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "clock_started_at": d.clock_started_at,
        "due_at": d.due_at,
        "original_due_at": d.original_due_at,
        "resolved_at": d.resolved_at,
        "returned_at": d.returned_at,
        "closed_at": d.closed_at,
        "updated_at": d.updated_at,
        "outcome": d.outcome,
        "resolution_timeliness": d.resolution_timeliness,
        "reschedule_count": len(d.reschedules),
        "supplement_count": len(d.pauses),
        "fees_due": d.fees_due,
        "fee_paid": d.fee_paid,
    }


def _store_table() -> sa.Table:
    try:
        from tthc_flow.store import schema  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return summary_table()
    table = getattr(schema, "dossiers", None)
    return table if isinstance(table, sa.Table) else summary_table()


def _bind(source: Any) -> sa.Engine | sa.Connection:
    if isinstance(source, sa.Engine | sa.Connection):
        return source
    # SqlStore keeps its engine private for now (``_engine``); prefer a public one if added
    for name in ("engine", "_engine"):
        engine = getattr(source, name, None)
        if isinstance(engine, sa.Engine):
            return engine
    raise TypeError(
        f"statistics_sql needs a SqlStore, an SQLAlchemy Engine or Connection, not {type(source)}"
    )


def _utc_text(column: sa.ColumnElement[Any]) -> bool:
    # the store's UtcDateTime keeps fixed-width UTC text on SQLite
    return type(column.type).__name__ == "UtcDateTime"


def _raw(expr: sa.ColumnElement[Any], typed: sa.ColumnElement[Any] | None = None) -> Any:
    """Select a moment without the per-row type processing (parsed by :func:`_moment`)."""
    name = "started" if typed is not None else "resolved"
    if _utc_text(typed if typed is not None else expr):
        return sa.type_coerce(expr, sa.String).label(name)
    return sa.type_coerce(expr, (typed if typed is not None else expr).type).label(name)


def _moment(value: Any) -> datetime | None:
    """A fetched moment as an aware datetime in Vietnam time.

    Text is the store's UTC format; naive datetimes (SQLAlchemy's plain DateTime on SQLite)
    were written in Vietnam wall-clock time.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC).astimezone(VN_TZ)
    assert isinstance(value, datetime)
    return value.astimezone(VN_TZ) if value.tzinfo else value.replace(tzinfo=VN_TZ)


def _group_columns(t: sa.Table, by: str | None, with_catalog: bool) -> list[sa.Column[Any]]:
    """Columns to GROUP BY: the ``by`` column, plus the procedure when the catalog is used."""
    c = t.c
    if with_catalog or by in ("field", "online"):
        columns = [c.procedure_code, c.procedure_version]
        if by == "agency":
            columns.append(c.agency_code)
        elif by == "channel":
            columns.append(c.channel)
        return columns
    column = {"agency": c.agency_code, "procedure": c.procedure_code, "channel": c.channel}
    return [column[by]] if by is not None else []


def _flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _entry_exit(t: sa.Table) -> tuple[sa.ColumnElement[Any], sa.ColumnElement[Any]]:
    """SQL of :func:`entry_moment` and :func:`exit_moment`."""
    c = t.c
    entry = sa.case(
        (c.received_at.is_not(None), c.received_at),
        (c.outcome == "refused", c.closed_at),
    )
    leave = sa.case(
        (c.resolved_at.is_not(None), c.resolved_at),
        (c.outcome.in_(("refused", "withdrawn")), c.closed_at),
    )
    return entry, leave


def _count_columns(t: sa.Table, period: Period) -> dict[str, sa.ColumnElement[int]]:
    c = t.c
    start, end = period.start_at, period.end_at
    entry, leave = _entry_exit(t)
    carried = entry < start
    received = entry >= start
    open_at_end = sa.or_(leave.is_(None), leave >= end)
    judged = sa.case(
        (sa.and_(c.state == "supplement_requested", c.updated_at <= end), c.updated_at),
        else_=sa.literal(end, t.c.updated_at.type),
    )
    resolved = sa.and_(c.resolved_at.is_not(None), c.resolved_at < end)
    closed = sa.and_(c.resolved_at.is_(None), c.closed_at < end)
    online = c.channel == "online"
    postal = c.channel == "postal"
    return {
        "carried_over": _flag(carried),
        "received": _flag(received),
        "received_online": _flag(sa.and_(received, online)),
        "received_postal": _flag(sa.and_(received, postal)),
        "received_desk": _flag(sa.and_(received, sa.not_(online), sa.not_(postal))),
        "on_the_spot": _flag(sa.and_(received, c.on_the_spot == sa.true())),
        "resolved": _flag(resolved),
        "resolved_early": _flag(sa.and_(resolved, c.resolution_timeliness == "early")),
        "resolved_on_time": _flag(sa.and_(resolved, c.resolution_timeliness == "on_time")),
        "resolved_late": _flag(sa.and_(resolved, c.resolution_timeliness == "late")),
        "rejected": _flag(sa.and_(resolved, c.outcome == "rejected")),
        "in_progress": _flag(open_at_end),
        "in_progress_overdue": _flag(sa.and_(open_at_end, judged > c.original_due_at)),
        "withdrawn": _flag(sa.and_(closed, c.outcome == "withdrawn")),
        "refused": _flag(sa.and_(closed, c.outcome == "refused")),
        "supplement_requested": _flag(c.supplement_count > 0),
        "rescheduled": _flag(c.reschedule_count > 0),
    }


def statistics_sql(
    store: Any,
    period: Period,
    *,
    by: str | None = None,
    catalog: Any = None,
    calendar: WorkCalendar | None = None,
    table: sa.Table | None = None,
) -> Report:
    """The same :class:`Report` as :func:`statistics`, aggregated by the database.

    ``store``: a :class:`~tthc_flow.store.SqlStore`, or an SQLAlchemy Engine / Connection.
    ``table`` defaults to ``tthc_flow.store.schema.dossiers`` (its ``UtcDateTime`` columns
    bind the period bounds as UTC), else to :func:`summary_table` (the agreed columns).
    """
    from tthc_flow.reports._report import Report

    check_by(by, catalog)
    t = table if table is not None else _store_table()
    c = t.c
    lookup = CatalogLookup(catalog)
    cal = calendar or WorkCalendar.vietnam()
    start, end = period.start_at, period.end_at
    entry, leave = _entry_exit(t)
    in_books = sa.and_(entry.is_not(None), entry < end, sa.or_(leave.is_(None), leave >= start))
    keys = _group_columns(t, by, catalog is not None)
    counts = _count_columns(t, period)
    query = (
        sa.select(*keys, *(expr.label(name) for name, expr in counts.items()))
        .where(in_books)
        .group_by(*keys)
    )
    started_col = sa.func.coalesce(c.clock_started_at, c.received_at)
    times = sa.select(*keys, _raw(started_col, c.received_at), _raw(c.resolved_at)).where(
        c.resolved_at >= start, c.resolved_at < end, c.received_at.is_not(None)
    )
    tallies: dict[str, Tally] = {}
    bind = _bind(store)
    connection = bind.connect() if isinstance(bind, sa.Engine) else bind
    try:
        for row in connection.execute(query).mappings():
            tallies.setdefault(_key(by, lookup, row), Tally()).add(_tally(row, lookup))
        for row in connection.execute(times).mappings():
            started = _moment(row["started"])
            resolved_at = _moment(row["resolved"])
            assert started is not None and resolved_at is not None
            definition = _definition(lookup, row)
            add_processing(
                tallies.setdefault(_key(by, lookup, row), Tally()),
                cal,
                started,
                resolved_at,
                definition,
            )
    finally:
        if connection is not bind:
            connection.close()
    groups = finish(tallies, by, with_catalog=bool(lookup))
    return Report(period=period, by=by, groups=tuple(groups))


def _key(by: str | None, lookup: CatalogLookup, row: sa.RowMapping) -> str:
    if by is None:
        return TOTAL_KEY
    if by in ("agency", "procedure", "channel") and not lookup:
        return str(row[{"agency": "agency_code", "procedure": "procedure_code"}.get(by, by)])
    return group_key(
        by,
        lookup,
        row["procedure_code"],
        row["procedure_version"],
        row["agency_code"] if by == "agency" else "",
        row["channel"] if by == "channel" else "",
    )


def _tally(row: sa.RowMapping, lookup: CatalogLookup) -> Tally:
    t = Tally()
    for name in _SQL_COUNTS:
        setattr(t, name, int(row[name]))
    t.in_progress_within = t.in_progress - t.in_progress_overdue
    definition = _definition(lookup, row)
    if definition is not None:
        if definition.online.value == "full":
            t.received_online_full = t.received_online
        else:
            t.received_online_partial = t.received_online
    return t


_SQL_COUNTS = tuple(
    name
    for name in COUNT_FIELDS
    if name not in ("received_online_partial", "received_online_full", "in_progress_within")
)


def _definition(lookup: CatalogLookup, row: sa.RowMapping) -> ProcedureDefinition | None:
    if not lookup:
        return None
    return lookup.get(row["procedure_code"], row["procedure_version"])
