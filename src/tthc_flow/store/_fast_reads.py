"""The store's hot reads as driver SQL on a kept connection: the one speed seam of the reads.

Reminder queries, the scheduler's "what is due now" and the engine's freshness check
(``head``) run often and return rows a service shows at once. Through SQLAlchemy each call
pays a pool checkout, a transaction (``BEGIN`` ... ``ROLLBACK``), statement compilation and
per-column result processing: several times the query itself on small results
(benchmarks/reminders.py). Here each thread keeps one connection in autocommit mode (every
statement reads its own committed snapshot, which is all a single SELECT needs) and runs
prepared text through the driver cursor, converting moments with ``datetime.fromisoformat``.

The plain twin is the SQLAlchemy path in :mod:`tthc_flow.store._sql` (``summaries`` for any
query, ``_slow_due_timers``); ``tests/store/test_fast_reads.py`` checks they agree. A dropped
connection is closed and reopened on the next call; the failing call raises
:class:`~tthc_flow.errors.StoreError`.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from tthc_flow._time import VN_TZ, require_aware
from tthc_flow.engine._store_port import SUMMARY_FIELDS, DossierQuery, DossierSummary, DueTimer
from tthc_flow.errors import StoreError
from tthc_flow.store import _engine, _worklist_sql
from tthc_flow.store._worklist import WorklistPage, WorklistQuery

_MOMENT_FIELDS = frozenset({"received_at", "due_at", "updated_at"})
_MOMENT_INDEXES = tuple(i for i, name in enumerate(SUMMARY_FIELDS) if name in _MOMENT_FIELDS)

FAST_FILTERS = frozenset({"pending_due_from", "pending_due_before"})
"""The :class:`DossierQuery` fields this path answers; any other filter takes the plain path."""


class FastReads:
    """Driver-level reads for one :class:`SqlStore` (one kept connection per thread)."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self._url = url
        self._sqlite = engine.dialect.name == "sqlite"
        mark = "?" if self._sqlite else "%s"
        self._mark = mark
        columns = ", ".join(SUMMARY_FIELDS)
        self._summaries = f"SELECT {columns} FROM dossiers"
        self._head = f"SELECT version, last_hash FROM dossiers WHERE code = {mark}"
        self._due = (
            "SELECT dossier_code, kind, due_at FROM timers WHERE due_at <= "
            f"{mark} AND fired_at IS NULL ORDER BY due_at, dossier_code, kind LIMIT "
        )
        self._local = threading.local()
        self._opened: list[Any] = []
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ queries
    def summaries(
        self, query: DossierQuery, limit: int | None, by_due: bool
    ) -> list[DossierSummary]:
        """Summaries for a query whose only filters are :data:`FAST_FILTERS`."""
        where, params = [], []
        if query.pending_due_from is not None:
            where.append(f"pending_due_at >= {self._mark}")
            params.append(self._bind(query.pending_due_from))
        if query.pending_due_before is not None:
            where.append(f"pending_due_at < {self._mark}")
            params.append(self._bind(query.pending_due_before))
        order = "pending_due_at, code" if by_due else "code"
        # no filter at all (every dossier) is a query of this path too: no empty WHERE
        sql = self._summaries + (" WHERE " + " AND ".join(where) if where else "")
        sql += f" ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self._fetch(sql, params)
        moment = self._moment
        make = DossierSummary._make
        result = []
        for row in rows:
            values = list(row)
            for i in _MOMENT_INDEXES:
                if values[i] is not None:
                    values[i] = moment(values[i])
            result.append(make(values))
        return result

    def worklist(self, query: WorklistQuery) -> WorklistPage:
        """One worklist page (the SQL of :mod:`tthc_flow.store._worklist_sql`)."""
        sql, params = _worklist_sql.sql_of(query, self._mark, self._bind)
        ordered = not self._sqlite and _worklist_sql.in_index_order(query)
        rows = self._fetch(sql, params, ordered=ordered)
        return _worklist_sql.page_of(rows, query, self._moment)

    def head(self, code: str) -> tuple[int, str] | None:
        """The stored version and last hash of a dossier."""
        rows = self._fetch(self._head, [code])
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    def due_timers(self, now: datetime, limit: int) -> list[DueTimer]:
        """Unfired timers due at ``now``, earliest first."""
        # the limit as a literal (an int): a bound LIMIT hides it from the planner
        rows = self._fetch(self._due + str(int(limit)), [self._bind(now)])
        moment = self._moment
        return [DueTimer(code, kind, moment(due)) for code, kind, due in rows]

    # ---------------------------------------------------------------- plumbing
    def bind(self, value: datetime) -> Any:
        """A moment as this database's driver takes it (the stored UTC form)."""
        return self._bind(value)

    def moment(self, value: Any) -> datetime:
        """A stored moment read through the driver, as an aware Vietnam-time datetime."""
        return self._moment(value)

    def _bind(self, value: datetime) -> Any:
        utc = require_aware(value, "query moment").astimezone(UTC)
        if self._sqlite:  # the stored fixed-width UTC text (schema.UtcDateTime)
            return utc.replace(tzinfo=None).isoformat(" ", "microseconds")
        return utc

    def _moment(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            return value.astimezone(VN_TZ)
        # the stored UTC text with its offset appended: parsed aware in one C call (a
        # keyword ``replace(tzinfo=...)`` costs as much again as the parse)
        return datetime.fromisoformat(value + "+00:00").astimezone(VN_TZ)

    def _fetch(self, sql: str, params: list[Any], *, ordered: bool = False) -> list[Any]:
        """Rows of one statement; ``ordered``: on the connection that reads worklist pages in
        index order (PostgreSQL, ``_worklist_sql.in_index_order``)."""
        conn = self._connection(ordered)
        try:
            cursor = conn.cursor()
            try:
                cursor.execute(sql, params)
                return list(cursor.fetchall())
            finally:
                cursor.close()
        except self._engine.dialect.loaded_dbapi.Error as exc:
            self._drop(ordered)
            raise StoreError(f"database {self._url}: {_engine.reason(exc)}") from exc

    def _connection(self, ordered: bool = False) -> Any:
        slot = "ordered" if ordered else "conn"
        conn = getattr(self._local, slot, None)
        if conn is None:
            try:
                conn = self._engine.raw_connection()
            except Exception as exc:
                raise StoreError(f"database {self._url}: {_engine.reason(exc)}") from exc
            driver = conn.driver_connection
            if not self._sqlite:
                driver.autocommit = True  # type: ignore[union-attr]
                if ordered:
                    driver.execute(_worklist_sql.ORDERED_SETTING)  # type: ignore[union-attr]
            setattr(self._local, slot, conn)
            with self._lock:
                self._opened.append(conn)
        return conn.driver_connection

    def _drop(self, ordered: bool = False) -> None:
        slot = "ordered" if ordered else "conn"
        conn = getattr(self._local, slot, None)
        setattr(self._local, slot, None)
        if conn is not None:
            with self._lock:
                if conn in self._opened:
                    self._opened.remove(conn)
            conn.invalidate()

    def close(self) -> None:
        """Give every kept connection back (before the pool is disposed)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            try:
                if not self._sqlite:
                    # back to the pool as any connection is: settings of this path reset
                    conn.driver_connection.execute("RESET ALL")
                    conn.driver_connection.autocommit = False
                conn.close()
            except Exception:  # closing a broken connection: nothing left to give back
                conn.invalidate()
