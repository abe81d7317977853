"""A SQL store (SQLAlchemy Core): one SQLite file by default, PostgreSQL for many processes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    select,
)
from sqlalchemy import Engine as SaEngine
from sqlalchemy.exc import SQLAlchemyError, StatementError

from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine._dossier import OPEN_STATES_EXCLUDED, Dossier, replay
from tthc_flow.engine._events import Event, first_broken_link
from tthc_flow.engine._personal import personal_problem
from tthc_flow.engine._store_port import (
    SUMMARY_FIELDS,
    ChainProblem,
    ChainReport,
    Delivery,
    DossierQuery,
    DossierSummary,
    DueTimer,
    FeedPage,
    check_batch,
)
from tthc_flow.errors import (
    ConcurrencyConflict,
    IntegrityError,
    SchemaVersionError,
    StoreError,
    TthcError,
)
from tthc_flow.store import _engine, _replica, _sql_personal, _sql_service, _worklist_sql
from tthc_flow.store._buffer import BUFFERED_DIALECTS, WriteBuffer
from tthc_flow.store._fast_reads import FAST_FILTERS, FastReads
from tthc_flow.store._migrations import (
    SCHEMA_VERSION,
    foreign_tables,
    missing_parts,
    newer_error,
    stored_version,
    upgrade,
)
from tthc_flow.store._raw import AT, MOMENTS, RAW_DOSSIERS, RAW_EVENTS
from tthc_flow.store._rows import SUMMARY_COLUMNS, row_event, summary_row
from tthc_flow.store._worklist import WorklistPage, WorklistQuery
from tthc_flow.store.schema import day_sequences, dossiers, events

if TYPE_CHECKING:
    from tthc_flow.engine._keys import ChainKey
    from tthc_flow.engine._messages import OutboxMessage
    from tthc_flow.engine._timers import TimerChange

_PAGE = 500


class SqlStore:
    """Events and dossier summaries in a SQL database (SQLite or PostgreSQL).

    Same semantics as :class:`~tthc_flow.store.MemoryStore`, shared safely by several
    processes. ``create`` creates or migrates the schema at open; with ``create=False`` a
    missing or older schema raises :class:`SchemaVersionError` (the schema is then only
    changed by ``python -m tthc_flow.store upgrade URL``). A database newer than this code
    always raises :class:`SchemaVersionError`.

    Connection pools (SQLAlchemy's ``QueuePool``): ``pool_size`` connections are kept per
    process and up to ``max_overflow`` more opened under load. A database that went away
    and came back costs one failed command (:class:`StoreError`, nothing written) and the
    pool is renewed; ``pool_pre_ping=True`` tests each connection before use, one round trip
    more per command, so that not even that one fails (docs/service.md).

    ``read_url``: a replica (a PostgreSQL hot standby, a copy of a SQLite file) for the reads
    that may lag: worklist pages outside a batch, the reports' SQL (:attr:`read_engine`) and
    ``events(may_lag=True)`` / ``dossiers(may_lag=True)``. Everything that decides or writes
    reads the primary. The replica must hold this code's schema version
    (:class:`SchemaVersionError` naming it otherwise); it is never created nor migrated
    (docs/store.md, "Reading from a replica").

    >>> with SqlStore.sqlite("tthc.db") as store:  # doctest: +SKIP
    ...     engine = Engine(catalog, store=store)
    """

    keep_events = True

    def __init__(
        self,
        url: str,
        *,
        create: bool = True,
        synchronous: str = "FULL",
        calendar: WorkCalendar | None = None,
        pool_size: int = 5,
        max_overflow: int = 10,
        pool_pre_ping: bool = False,
        read_url: str | None = None,
    ) -> None:
        parsed = _engine.parse(url)
        self.url = parsed.render_as_string(hide_password=True)
        """The database URL, password hidden (safe to log)."""
        self.calendar = calendar or WorkCalendar.vietnam()
        """Only for events written by tthc_flow 0.1, which do not record their processing time:
        the migration and verify() measure it on this calendar (default national). Newer
        events carry the engine's own figure (``Dossier.processing_seconds``)."""
        if not create:
            _engine.require_existing_file(parsed, self.url)
        self._engine = _engine.build(parsed, synchronous, pool_size, max_overflow, pool_pre_ping)
        self._local = threading.local()
        self._local.conn = self._local.buffer = None
        self._fast = FastReads(self._engine, self.url)
        self.read_url: str | None = None
        """The replica's URL, password hidden (safe to log); None: no replica."""
        self._read_engine, self._lagging = self._engine, self._fast
        try:
            self._open_schema(create)
            if read_url is not None:
                self._open_replica(read_url, synchronous, pool_size, max_overflow, pool_pre_ping)
        except BaseException:
            self.close()
            raise

    @classmethod
    def sqlite(
        cls,
        path: str | Path,
        *,
        create: bool = True,
        synchronous: str = "FULL",
        calendar: WorkCalendar | None = None,
        read_path: str | Path | None = None,
    ) -> SqlStore:
        """The embedded default: one SQLite file in WAL mode.

        ``synchronous="FULL"`` makes every commit survive a power loss; ``"NORMAL"`` is
        faster and still survives a crash of the process. With ``create=False`` a missing
        file raises :class:`SchemaVersionError` and is not created. ``read_path``: a copy of
        the file for the reads that may lag (``read_url``), opened read-only.
        """
        return cls(
            f"sqlite:///{Path(path)}",
            create=create,
            synchronous=synchronous,
            calendar=calendar,
            read_url=None if read_path is None else f"sqlite:///{Path(read_path)}",
        )

    def _open_schema(self, create: bool) -> None:
        try:
            with self._engine.connect() as conn:
                found = stored_version(conn)
                foreign = foreign_tables(conn) if found is None else []
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open database {self.url}: {_engine.reason(exc)}") from exc
        if foreign:
            raise SchemaVersionError(
                f"database {self.url} has table(s) {', '.join(foreign)} but no schema_version: "
                "not a tthc_flow database, or a partial schema; refusing to use or change it"
            )
        if found == SCHEMA_VERSION:
            self._check_complete()
            return
        if found is not None and found > SCHEMA_VERSION:
            raise newer_error(self.url, found, SCHEMA_VERSION)
        if not create:
            hint = f"run `python -m tthc_flow.store upgrade {self.url}`"
            if found is None:
                raise SchemaVersionError(
                    f"database {self.url} has no tthc_flow schema; {hint} to create it "
                    "(or open it with create=True)"
                )
            raise SchemaVersionError(
                f"database {self.url} has schema version {found}, older than version "
                f"{SCHEMA_VERSION} of this code; {hint} to migrate it"
            )
        upgrade(self._engine, self.url, calendar=self.calendar)
        self._check_complete()

    def _check_complete(self) -> None:
        with self._engine.connect() as conn:
            missing = missing_parts(conn)
        if missing:
            raise SchemaVersionError(
                f"database {self.url} claims schema version {SCHEMA_VERSION} but lacks "
                f"{', '.join(missing)}; it was altered outside tthc_flow"
            )

    @property
    def engine(self) -> SaEngine:
        """The primary's SQLAlchemy engine: what decides or writes reads here."""
        return self._engine

    # ------------------------------------------------------ the replica (may lag)
    def _open_replica(
        self, url: str, synchronous: str, pool_size: int, max_overflow: int, pre_ping: bool
    ) -> None:
        parsed = _engine.parse(url)
        shown = parsed.render_as_string(hide_password=True)
        self._read_engine = _replica.open_replica(
            parsed,
            shown,
            synchronous=synchronous,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=pre_ping,
        )
        self.read_url = shown
        self._lagging = FastReads(self._read_engine, shown)

    @property
    def read_engine(self) -> SaEngine:
        """The engine for reads that may lag (the reports' SQL, :func:`statistics_sql`): the
        replica's when ``read_url`` was given, else the primary's. Never for a read that
        decides: what the engine checks before a command reads :attr:`engine`."""
        return self._read_engine

    # ------------------------------------------------------------ transactions
    @contextmanager
    def _tx(
        self, write: bool, savepoint: bool = True, flush: bool = True, lagging: bool = False
    ) -> Iterator[Connection]:
        """A connection in a transaction: the batch's (with a savepoint) or a new one, on
        the replica with ``lagging`` (a read that may lag, outside a batch).

        In a batch, pending appends are written first (``flush``), so reads see them."""
        batch: Connection | None = getattr(self._local, "conn", None)
        try:
            if batch is not None:
                buffer: WriteBuffer | None = self._local.buffer
                if buffer is not None and flush:
                    buffer.flush()
                if write and savepoint:
                    # a failed append inside a batch undoes itself only; the batch goes on
                    with batch.begin_nested():
                        yield batch
                else:
                    yield batch
                return
            with (self._read_engine if lagging else self._engine).connect() as conn:
                if write:
                    conn.execution_options(tthc_write=True)
                with conn.begin():
                    yield conn
        except StatementError as exc:
            if isinstance(exc.orig, TthcError):  # e.g. a naive datetime in a query
                raise exc.orig from None
            raise self._error(exc, lagging) from exc
        except SQLAlchemyError as exc:
            raise self._error(exc, lagging) from exc

    def _error(self, exc: SQLAlchemyError, lagging: bool = False) -> StoreError:
        """A SQLAlchemy error as a library error: a deadlock or serialization failure (the
        transaction was rolled back whole) is a retryable :class:`ConcurrencyConflict`."""
        url = self.read_url if lagging and self.read_url is not None else self.url
        if _engine.retryable(exc):
            return ConcurrencyConflict(f"database {url}: {_engine.reason(exc)}; rolled back, retry")
        return StoreError(f"database {url}: {_engine.reason(exc)}")

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group every store call of this thread inside the block into one transaction.

        Commits at the end of the block; an exception leaving the block rolls the whole batch
        back. An append that fails inside the block (a :class:`ConcurrencyConflict`: wrong
        version or used key) stores nothing and leaves the rest of the batch intact; reads
        inside the block see its writes. Nested blocks join the outermost one.

        On SQLite and PostgreSQL the appends are buffered and written with ``executemany``
        when the block ends or before a read. Their versions and keys are checked at once
        (the first touch of a stored dossier locks it until the batch ends), so a conflict
        surfaces at the ``append``. On PostgreSQL what no lock covers (another process
        creating the same code or using the same key meanwhile) surfaces at the flush, as a
        :class:`ConcurrencyConflict` that rolls the whole batch back. Events appended in a
        batch are returned with ``seq`` 0: they are numbered when written.
        """
        local = self._local
        if getattr(local, "conn", None) is not None:
            yield
            return
        committed: list[Callable[[], None]] = []
        rolled_back: list[Callable[[], None]] = []
        try:
            with self._engine.connect() as conn:
                conn.execution_options(tthc_write=True)
                with conn.begin():
                    buffer = (
                        WriteBuffer(conn, self.calendar, self.url)
                        if conn.dialect.name in BUFFERED_DIALECTS
                        else None
                    )
                    local.conn, local.buffer = conn, buffer
                    local.committed, local.rolled_back = committed, rolled_back
                    try:
                        yield
                        if buffer is not None:
                            buffer.flush()
                    finally:
                        local.conn = local.buffer = None
                        if buffer is not None:
                            buffer.close()
        except SQLAlchemyError as exc:
            _run(rolled_back)
            raise self._error(exc) from exc
        except BaseException:
            _run(rolled_back)
            raise
        _run(committed)

    def in_batch(self) -> bool:
        """Whether this thread is inside a :meth:`batch`."""
        return getattr(self._local, "conn", None) is not None

    def defer(self, on_commit: Callable[[], None], on_rollback: Callable[[], None]) -> bool:
        """Inside this thread's :meth:`batch`: run ``on_commit`` after it commits, or
        ``on_rollback`` after it is rolled back (True); outside one return False."""
        local = self._local
        if getattr(local, "conn", None) is None:
            return False
        local.committed.append(on_commit)
        local.rolled_back.append(on_rollback)
        return True

    # ------------------------------------------------------------------ writes
    def append(
        self,
        events_: Sequence[Event],
        dossier: Dossier,
        *,
        timers: TimerChange | None = None,
        messages: Sequence[OutboxMessage] = (),
    ) -> Sequence[Event]:
        """Store ``events_`` of one dossier, its summary, its timer change and its outbox
        messages in one transaction.

        Raises :class:`ConcurrencyConflict` (nothing stored) when the dossier's stored
        version is not ``events_[0].version - 1`` with the hash ``events_[0].prev_hash``,
        or an idempotency key is already used. Returns the events numbered (``seq``);
        inside a :meth:`batch` they are written, and numbered, at the end of the batch:
        ``seq`` is 0.
        """
        if not events_:
            return events_
        check_batch(events_, dossier)
        buffer: WriteBuffer | None = getattr(self._local, "buffer", None)
        if buffer is not None:  # inside a batch: written at its end, numbered then
            buffer.append(events_, dossier, timers, messages)
            return (
                events_ if not any(e.seq for e in events_) else [replace(e, seq=0) for e in events_]
            )
        if self._engine.dialect.name not in BUFFERED_DIALECTS:
            raise StoreError(
                f"database {self.url}: tthc_flow writes to SQLite and PostgreSQL only "
                f"(dialect {self._engine.dialect.name!r})"
            )
        with self.batch():
            buffer = self._local.buffer
            assert buffer is not None
            seqs = buffer.write_now(events_, dossier, timers, messages)
        return [replace(e, seq=s) for e, s in zip(events_, seqs, strict=True)]

    def head(self, dossier_code: str) -> tuple[int, str] | None:
        """The stored version and last hash of a dossier (one indexed read)."""
        buffer: WriteBuffer | None = getattr(self._local, "buffer", None)
        if buffer is not None:
            return buffer.head(dossier_code)
        if getattr(self._local, "conn", None) is None:
            return self._fast.head(dossier_code)
        with self._tx(write=False, flush=False) as conn:
            row = conn.execute(
                select(dossiers.c.version, dossiers.c.last_hash).where(
                    dossiers.c.code == dossier_code
                )
            ).first()
        return (int(row[0]), str(row[1])) if row is not None else None

    def next_sequence(self, agency_code: str, day: date) -> int:
        """Next number of the day for ``agency_code``; one atomic UPSERT ... RETURNING."""
        buffer: WriteBuffer | None = getattr(self._local, "buffer", None)
        if buffer is not None:
            return buffer.next_sequence(agency_code, day)
        with self.batch():
            buffer = self._local.buffer
            if buffer is None:
                raise StoreError(f"database {self.url}: SQLite and PostgreSQL only")
            return buffer.next_sequence(agency_code, day)

    # ------------------------------------------------------------------- reads
    def load_events(self, dossier_code: str) -> list[Event]:
        """Events of one dossier, oldest first (empty if unknown)."""
        with self._tx(write=False) as conn:
            return _events_of(conn, [dossier_code]).get(dossier_code, [])

    def load(self, dossier_code: str) -> Dossier | None:
        """The dossier's current state: the replay of its events (None if unknown).

        Raises :class:`IntegrityError` naming the dossier and version when the stored chain
        does not follow (an event altered or removed outside tthc_flow)."""
        found = self.load_events(dossier_code)
        return replay_checked(found) if found else None

    def find_idempotent(self, dossier_code: str | None, key: str) -> Event | None:
        """The event stored with this key (dossier None: a creation event)."""
        where: list[ColumnElement[bool]] = [events.c.idempotency_key == key]
        if dossier_code is None:
            where.append(events.c.version == 1)
        else:
            where += [events.c.dossier_code == dossier_code, events.c.version > 1]
        buffer: WriteBuffer | None = getattr(self._local, "buffer", None)
        if buffer is not None:  # a key is in the buffer or in the database: no flush needed
            pending = buffer.keyed(dossier_code, key)
            if pending is not None:
                return pending
        with self._tx(write=False, flush=False) as conn:
            row = conn.execute(RAW_EVENTS.where(*where).limit(1)).first()
            return _parse(row, conn) if row is not None else None

    def find(self, query: DossierQuery) -> list[str]:
        """Codes of the dossiers matching ``query`` (a WHERE on ``dossiers``), sorted."""
        c = dossiers.c
        with self._tx(write=False) as conn:
            stmt = select(c.code).where(*_where(query)).order_by(c.code)
            return list(conn.execute(stmt).scalars())

    def summaries(
        self, query: DossierQuery, *, limit: int | None = None, by_due: bool = False
    ) -> list[DossierSummary]:
        """Summary rows of the dossiers matching ``query``, in code order (``by_due``: by
        appointment, then code): one query on the indexed summary columns, no replay.

        Reminder queries (only ``pending_due_*`` filters, outside a batch) take the driver
        path of :mod:`tthc_flow.store._fast_reads`; every other query this plain one."""
        if getattr(self._local, "conn", None) is None and _only(query, FAST_FILTERS):
            return self._fast.summaries(query, limit, by_due)
        return self._plain_summaries(query, limit, by_due)

    def _plain_summaries(
        self, query: DossierQuery, limit: int | None, by_due: bool
    ) -> list[DossierSummary]:
        order = (dossiers.c.pending_due_at, dossiers.c.code) if by_due else (dossiers.c.code,)
        stmt = _SUMMARIES.where(*_where(query)).order_by(*order)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._tx(write=False) as conn:
            return [DossierSummary(*row) for row in conn.execute(stmt)]

    def worklist(self, query: WorklistQuery) -> WorklistPage:
        """One page of a worklist: one SELECT on the indexed worklist columns, keyset paged
        (docs/worklists.md); outside a batch through the driver path of
        :mod:`tthc_flow.store._fast_reads`, on the replica if there is one (a page may lag);
        inside a batch on its connection, which sees its writes."""
        if getattr(self._local, "conn", None) is None:
            return self._lagging.worklist(query)
        fast = self._fast
        mark = "?" if self._engine.dialect.name == "sqlite" else "%s"
        sql, params = _worklist_sql.sql_of(query, mark, fast.bind)
        ordered = mark == "%s" and _worklist_sql.in_index_order(query)
        with self._tx(write=False) as conn:  # inside a batch: its connection sees its writes
            if ordered:  # for this statement only, within the batch's transaction
                conn.exec_driver_sql(_worklist_sql.ORDERED_SETTING.replace("SET", "SET LOCAL"))
            rows = conn.exec_driver_sql(sql, tuple(params)).fetchall()
            if ordered:
                conn.exec_driver_sql("SET LOCAL enable_sort = on")
        return _worklist_sql.page_of(rows, query, fast.moment)

    # -------------------------------------------------------------- the outbox
    def claim(
        self,
        consumer: str,
        *,
        now: datetime,
        limit: int = 50,
        lease: timedelta = timedelta(seconds=60),
        topics: frozenset[str] | None = None,
    ) -> list[Delivery]:
        """Lease deliverable messages to ``consumer`` (``FOR UPDATE SKIP LOCKED`` on
        PostgreSQL; SQLite's write lock elsewhere); see :class:`~tthc_flow.store.FullStore`."""
        with self._tx(write=True) as conn:
            return _sql_service.claim(conn, consumer, now, limit, lease, topics)

    def ack(self, delivery: Delivery, *, now: datetime) -> None:
        """Mark a delivered message done."""
        with self._tx(write=True) as conn:
            _sql_service.ack(conn, delivery.id, now)

    def retry(self, delivery: Delivery, *, error: str, at: datetime) -> None:
        """Give a failed message back, available again at ``at``."""
        with self._tx(write=True) as conn:
            _sql_service.retry(conn, delivery.id, error, at)

    # ------------------------------------------------------------------ timers
    def due_timers(self, now: datetime, *, limit: int = 500) -> list[DueTimer]:
        """Unfired timers due at ``now``, earliest first (one query on ``timers.due_at``,
        through the driver path of :mod:`tthc_flow.store._fast_reads` outside a batch)."""
        if getattr(self._local, "conn", None) is None:
            return self._fast.due_timers(now, limit)
        return self._slow_due_timers(now, limit)

    def _slow_due_timers(self, now: datetime, limit: int) -> list[DueTimer]:
        with self._tx(write=False) as conn:
            return _sql_service.due_timers(conn, now, limit)

    def fire_timer(
        self, timer: DueTimer, *, now: datetime, message: OutboxMessage | None = None
    ) -> bool:
        """Mark ``timer`` fired (and queue ``message``) in one transaction, unless another
        scheduler fired it first or the dossier moved it."""
        with self._tx(write=True) as conn:
            return _sql_service.fire_timer(conn, timer, now, message)

    def timers(self, dossier_code: str) -> dict[str, datetime]:
        """The pending (unfired) timers of one dossier by kind."""
        with self._tx(write=False) as conn:
            return _sql_service.timers_of(conn, dossier_code)

    # -------------------------------------------------------------------- feed
    def changes(self, after: str = "", *, limit: int = 500) -> FeedPage:
        """Events committed after position ``after``, in commit order, with no gap.

        SQLite commits one writer at a time, so ``seq`` order is commit order. On
        PostgreSQL sequence numbers are drawn before commit and become visible out of order;
        the feed orders by (writing transaction id, ``seq``) and hands out only events of
        transactions older than every transaction still running, so nothing can appear
        later before a position already handed out (docs/service.md)."""
        with self._tx(write=False) as conn:
            rows, position = _sql_service.changes(conn, after, limit)
            return FeedPage([_parse(r, conn) for r in rows], position)

    def events(self, *, may_lag: bool = False) -> Iterator[Event]:
        """Every event in ``seq`` order, read in pages within one transaction (REPEATABLE READ
        on PostgreSQL): an export taken while writers run is a snapshot, the events committed
        when it began (pages in separate transactions mixed in later commits).

        ``may_lag``: from the replica (an export of the log, a forecast); the audit's anchors
        and checks read the primary."""
        with self._tx(write=False, lagging=may_lag) as conn:
            if conn.dialect.name == "postgresql" and getattr(self._local, "conn", None) is None:
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            after = 0
            while True:
                stmt = RAW_EVENTS.where(events.c.seq > after).order_by(events.c.seq)
                page = [_parse(r, conn) for r in conn.execute(stmt.limit(_PAGE))]
                yield from page
                if len(page) < _PAGE:
                    return
                after = page[-1].seq

    def dossiers(self, *, may_lag: bool = False) -> Iterator[Dossier]:
        """Every stored dossier (replayed), in code order, read in pages (``may_lag``: from
        the replica, as :func:`~tthc_flow.reports.indicators_sql` reads them)."""
        after = ""
        while True:
            with self._tx(write=False, lagging=may_lag) as conn:
                codes = _codes_after(conn, after)
                chains = _events_of(conn, codes)
            for code in codes:
                yield replay(chains[code])
            if len(codes) < _PAGE:
                return
            after = codes[-1]

    # ---------------------------------------------------------- personal data
    def erase_personal_data(self, event: Event, dossier: Dossier, name: str) -> Event:
        """Append the erasure ``event`` and, in the same transaction, replace the personal
        data kept beside the dossier's events by ``name`` and placeholders, clear their
        nonces and remove every copy of the erased values from the dossier's outbox messages
        (:meth:`MemoryStore.erase_personal_data`). SQLite zeroes what it deletes
        (``secure_delete``) and the write-ahead log is checkpointed and truncated after the
        commit, so the file keeps no copy; PostgreSQL keeps dead row versions until vacuumed
        and overwritten (docs/personal-data.md)."""
        if self.in_batch():
            raise StoreError("erase_personal_data runs in its own transaction, not in a batch")
        check_batch([event], dossier)
        with self.batch():
            conn, buffer = self._local.conn, self._local.buffer
            assert buffer is not None
            (seq,) = buffer.write_now([event], dossier)
            _sql_personal.erase(conn, event.dossier_code, name)
        if self._engine.dialect.name == "sqlite":
            with self._engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return replace(event, seq=seq)

    # ------------------------------------------------------------------- audit
    def verify(
        self,
        key: ChainKey | Sequence[ChainKey] | None = None,
        *,
        unkeyed_through: int | None = None,
    ) -> ChainReport:
        """Check every chain, and that each summary row equals the replay of its events.

        Walks every code found in ``events`` or ``dossiers`` (a summary row without events,
        or events without a summary row, is a break); rows that no longer parse are reported,
        never raised. Reads one consistent snapshot; reports every broken dossier, in code
        order (``key``: see :meth:`Store.verify`).
        """
        checked_dossiers = checked_events = 0
        problems: list[ChainProblem] = []
        with self._tx(write=False) as conn:
            if conn.dialect.name == "postgresql" and getattr(self._local, "conn", None) is None:
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            after = ""
            while True:
                codes = _all_codes_after(conn, after)
                chains = _events_of(conn, codes, lenient=True)
                stmt = RAW_DOSSIERS.where(dossiers.c.code.in_(codes))
                summaries = {r.code: _summary(r, conn) for r in conn.execute(stmt)}
                for code in codes:
                    chain = chains.get(code, [])
                    checked_dossiers += 1
                    checked_events += len(chain)
                    broken = _check(chain, summaries, self.calendar, key, unkeyed_through)
                    if broken is not None:
                        problems.append(ChainProblem(code, *broken))
                if len(codes) < _PAGE:
                    return ChainReport.of(checked_dossiers, checked_events, problems)
                after = codes[-1]

    def check(
        self,
        key: ChainKey | Sequence[ChainKey] | None = None,
        *,
        unkeyed_through: int | None = None,
    ) -> None:
        """Raise :class:`IntegrityError` unless :meth:`verify` is ok (naming every broken
        dossier)."""
        report = self.verify(key, unkeyed_through=unkeyed_through)
        if not report.ok:
            raise IntegrityError(
                report.describe(),
                dossier_code=report.broken_dossier,
                version=report.broken_version,
            )

    def day_counters(self) -> dict[tuple[str, date], int]:
        """The last number of the day issued per (agency, day) (:mod:`tthc_flow.audit`)."""
        c = day_sequences.c
        with self._tx(write=False) as conn:
            rows = conn.execute(select(c.agency_code, c.day, c.value))
            return {(str(agency), day): int(value) for agency, day, value in rows}

    # ----------------------------------------------------------------- closing
    def close(self) -> None:
        """Close every pooled connection, the primary's and the replica's."""
        self._fast.close()
        self._engine.dispose()
        if self._read_engine is not self._engine:
            self._lagging.close()
            self._read_engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _where(query: DossierQuery) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``query`` on the ``dossiers`` summary table (indexed columns)."""
    c = dossiers.c
    where: list[ColumnElement[bool]] = []
    if query.states is not None:
        where.append(c.state.in_(sorted(query.states)))
    if query.procedure_code is not None:
        where.append(c.procedure_code == query.procedure_code)
    if query.agency_code is not None:
        where.append(c.agency_code == query.agency_code)
    if query.open_only:
        where.append(c.state.not_in(sorted(OPEN_STATES_EXCLUDED)))
    if query.due_before is not None:
        where.append(c.due_at < query.due_before)
    if query.received_from is not None:
        where.append(c.received_at >= query.received_from)
    if query.received_until is not None:
        where.append(c.received_at < query.received_until)
    if query.resolved_from is not None:
        where.append(c.resolved_at >= query.resolved_from)
    if query.resolved_until is not None:
        where.append(c.resolved_at < query.resolved_until)
    if query.timeliness is not None:
        where.append(c.resolution_timeliness == query.timeliness)
    if query.pending_due_from is not None:
        where.append(c.pending_due_at >= query.pending_due_from)
    if query.pending_due_before is not None:
        where.append(c.pending_due_at < query.pending_due_before)
    return where


_SUMMARIES = select(*(dossiers.c[name] for name in SUMMARY_FIELDS))


def _only(query: DossierQuery, allowed: frozenset[str]) -> bool:
    """Whether every filter ``query`` sets is one of ``allowed``."""
    return all(
        name in allowed
        for name, value in vars(query).items()
        if value is not None and value is not False
    )


def _run(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        callback()


def replay_checked(chain: list[Event]) -> Dossier:
    """The replay of a stored chain; :class:`IntegrityError` naming the dossier and version
    where it does not follow: versions in order, each ``prev_hash`` its predecessor's hash,
    each unkeyed hash its content's (a keyed one needs the key, which the store never holds:
    its links are checked, its content by ``verify(key)``)."""
    broken = first_broken_link(chain, links_only_when_keyed=True) or personal_problem(chain)
    if broken is not None:
        raise IntegrityError(
            f"dossier {chain[0].dossier_code} event {broken[0]}: {broken[1]}; refusing to "
            "build on it: run verify() and restore it from a verified copy",
            dossier_code=chain[0].dossier_code,
            version=broken[0],
        )
    try:
        return replay(chain)
    except ValueError as exc:
        broken = first_broken_link(chain)
        version = broken[0] if broken is not None else chain[0].version
        raise IntegrityError(
            f"dossier {chain[0].dossier_code} event {version}: the stored chain does not "
            f"follow ({exc}); run verify() and restore it from a verified copy",
            dossier_code=chain[0].dossier_code,
            version=version,
        ) from exc


class _Unreadable(Event):
    """Placeholder for a row that no longer parses (its payload was edited by hand)."""

    __slots__ = ()


def _codes_after(conn: Connection, after: str) -> list[str]:
    stmt = select(dossiers.c.code).where(dossiers.c.code > after).order_by(dossiers.c.code)
    return list(conn.execute(stmt.limit(_PAGE)).scalars())


def _all_codes_after(conn: Connection, after: str) -> list[str]:
    """The next page of codes found in ``dossiers`` or in ``events`` (each ordered by index)."""
    from_events = (
        select(events.c.dossier_code)
        .where(events.c.dossier_code > after)
        .group_by(events.c.dossier_code)
        .order_by(events.c.dossier_code)
    )
    merged = set(_codes_after(conn, after)) | set(conn.execute(from_events.limit(_PAGE)).scalars())
    return sorted(merged)[:_PAGE]


def _summary(row: Any, conn: Connection) -> dict[str, Any] | None:
    """A raw ``dossiers`` row with its moments parsed; None if one no longer parses."""
    summary = dict(row._mapping)
    try:
        for name in MOMENTS:
            summary[name] = AT.process_result_value(summary[name], conn.dialect)
    except (ValueError, TypeError):
        return None
    return summary


def _events_of(
    conn: Connection, codes: Sequence[str], *, lenient: bool = False
) -> dict[str, list[Event]]:
    """Chains of ``codes``; a row that does not parse raises :class:`IntegrityError`, or with
    ``lenient`` becomes an :class:`_Unreadable` placeholder (for :meth:`SqlStore.verify`)."""
    found: dict[str, list[Event]] = {}
    if not codes:
        return found
    stmt = RAW_EVENTS.where(events.c.dossier_code.in_(codes)).order_by(
        events.c.dossier_code, events.c.version
    )
    for row in conn.execute(stmt):
        try:
            event = _parse(row, conn)
        except IntegrityError:
            if not lenient:
                raise
            event = _unreadable(row._mapping)
        found.setdefault(row.dossier_code, []).append(event)
    return found


def _parse(row: Any, conn: Connection) -> Event:
    """The event of a raw ``events`` row; :class:`IntegrityError` if it no longer parses."""
    mapping = dict(row._mapping)
    try:
        mapping["at"] = AT.process_result_value(mapping["at"], conn.dialect)
        return row_event(mapping)
    except (ValueError, TypeError, KeyError) as exc:
        raise IntegrityError(
            f"dossier {mapping['dossier_code']} event {mapping['version']}: stored row does not "
            f"parse (altered outside tthc_flow): {exc.__class__.__name__}: {exc}",
            dossier_code=mapping["dossier_code"],
            version=mapping["version"],
        ) from exc


def _unreadable(row: Any) -> Event:
    return _Unreadable(
        row["dossier_code"], row["version"], "", "", "", "", "", "", _EPOCH, {}, "", "", None
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _check(
    chain: list[Event],
    summaries: dict[str, dict[str, Any] | None],
    calendar: WorkCalendar,
    key: ChainKey | Sequence[ChainKey] | None = None,
    unkeyed_through: int | None = None,
) -> tuple[int, str] | None:
    """``(version, reason)`` of the first problem of one dossier, else None.

    ``summaries``: parsed rows by code (None: the row does not parse).
    """
    if not chain:
        return (0, "summary row without events")
    code = chain[0].dossier_code
    if code not in summaries:
        return (chain[0].version, "events without summary row")
    summary = summaries[code]
    if summary is None:
        return (chain[-1].version, "summary row does not parse (altered)")
    for event in chain:
        if isinstance(event, _Unreadable):
            return (event.version, "row does not parse (altered)")
    broken = first_broken_link(chain, key, unkeyed_through=unkeyed_through)
    if broken is not None:
        return broken
    broken = personal_problem(chain)
    if broken is not None:
        return broken
    expected = summary_row(replay(chain), calendar)
    if any(expected[name] != summary[name] for name in SUMMARY_COLUMNS):
        return (chain[-1].version, "summary differs from replay")
    return None
