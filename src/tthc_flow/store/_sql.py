"""A SQL store (SQLAlchemy Core): one SQLite file by default, PostgreSQL for many processes."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    and_,
    bindparam,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy import Engine as SaEngine
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.exc import SQLAlchemyError, StatementError

from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine._dossier import OPEN_STATES_EXCLUDED, Dossier, replay
from tthc_flow.engine._events import Event, first_broken_link
from tthc_flow.errors import (
    ConcurrencyConflict,
    IntegrityError,
    SchemaVersionError,
    StoreError,
    TthcError,
)
from tthc_flow.store import _engine
from tthc_flow.store._buffer import BUFFERED_DIALECTS, KEY_CONSTRAINTS, WriteBuffer
from tthc_flow.store._migrations import (
    SCHEMA_VERSION,
    foreign_tables,
    missing_parts,
    newer_error,
    stored_version,
    upgrade,
)
from tthc_flow.store._protocol import ChainReport, DossierQuery, check_batch
from tthc_flow.store._rows import SUMMARY_COLUMNS, event_row, row_event, summary_row
from tthc_flow.store.schema import UtcDateTime, day_sequences, dossiers, events

_PAGE = 500


class SqlStore:
    """Events and dossier summaries in a SQL database (SQLite or PostgreSQL).

    Same semantics as :class:`~tthc_flow.store.MemoryStore`, shared safely by several
    processes. ``create`` creates or migrates the schema at open; with ``create=False`` a
    missing or older schema raises :class:`SchemaVersionError` (the schema is then only
    changed by ``python -m tthc_flow.store upgrade URL``). A database newer than this code
    always raises :class:`SchemaVersionError`.

    >>> with SqlStore.sqlite("tthc.db") as store:  # doctest: +SKIP
    ...     engine = Engine(catalog, store=store)
    """

    def __init__(
        self,
        url: str,
        *,
        create: bool = True,
        synchronous: str = "FULL",
        calendar: WorkCalendar | None = None,
    ) -> None:
        parsed = _engine.parse(url)
        self.url = parsed.render_as_string(hide_password=True)
        """The database URL, password hidden (safe to log)."""
        self.calendar = calendar or WorkCalendar.vietnam()
        """Measures the ``processing_seconds`` kept in each summary row (default national)."""
        if not create:
            _engine.require_existing_file(parsed, self.url)
        self._engine = _engine.build(parsed, synchronous)
        self._local = threading.local()
        self._local.conn = self._local.buffer = None
        try:
            self._open_schema(create)
        except BaseException:
            self._engine.dispose()
            raise

    @classmethod
    def sqlite(
        cls,
        path: str | Path,
        *,
        create: bool = True,
        synchronous: str = "FULL",
        calendar: WorkCalendar | None = None,
    ) -> SqlStore:
        """The embedded default: one SQLite file in WAL mode.

        ``synchronous="FULL"`` makes every commit survive a power loss; ``"NORMAL"`` is
        faster and still survives a crash of the process. With ``create=False`` a missing
        file raises :class:`SchemaVersionError` and is not created.
        """
        return cls(
            f"sqlite:///{Path(path)}", create=create, synchronous=synchronous, calendar=calendar
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
        """The SQLAlchemy engine (for read-only SQL such as the reports' aggregations)."""
        return self._engine

    # ------------------------------------------------------------ transactions
    @contextmanager
    def _tx(self, write: bool, savepoint: bool = True, flush: bool = True) -> Iterator[Connection]:
        """A connection in a transaction: the batch's (with a savepoint) or a new one.

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
            with self._engine.connect() as conn:
                if write:
                    conn.execution_options(tthc_write=True)
                with conn.begin():
                    yield conn
        except StatementError as exc:
            if isinstance(exc.orig, TthcError):  # e.g. a naive datetime in a query
                raise exc.orig from None
            raise StoreError(f"database {self.url}: {_engine.reason(exc)}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"database {self.url}: {_engine.reason(exc)}") from exc

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
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        try:
            with self._engine.connect() as conn:
                conn.execution_options(tthc_write=True)
                with conn.begin():
                    buffer = (
                        WriteBuffer(conn, self.calendar, self.url)
                        if conn.dialect.name in BUFFERED_DIALECTS
                        else None
                    )
                    self._local.conn, self._local.buffer = conn, buffer
                    try:
                        yield
                        if buffer is not None:
                            buffer.flush()
                    finally:
                        self._local.conn = self._local.buffer = None
                        if buffer is not None:
                            buffer.close()
        except SQLAlchemyError as exc:
            raise StoreError(f"database {self.url}: {_engine.reason(exc)}") from exc

    # ------------------------------------------------------------------ writes
    def append(self, events_: Sequence[Event], dossier: Dossier) -> Sequence[Event]:
        """Store ``events_`` of one dossier and its summary in one transaction.

        Raises :class:`ConcurrencyConflict` (nothing stored) when the dossier's stored
        version is not ``events_[0].version - 1`` or an idempotency key is already used.
        Returns the events numbered (``seq``); inside a :meth:`batch` on SQLite and
        PostgreSQL they are written, and numbered, at the end of the batch: ``seq`` is 0.
        """
        if not events_:
            return events_
        check_batch(events_, dossier)
        buffer: WriteBuffer | None = getattr(self._local, "buffer", None)
        if buffer is not None:  # inside a batch: written at its end, numbered then
            buffer.append(events_, dossier)
            return (
                events_ if not any(e.seq for e in events_) else [replace(e, seq=0) for e in events_]
            )
        if self._engine.dialect.name in BUFFERED_DIALECTS:
            with self.batch():
                buffer = self._local.buffer
                assert buffer is not None
                seqs = buffer.write_now(events_, dossier)
            return [replace(e, seq=s) for e, s in zip(events_, seqs, strict=True)]
        return self._append_generic(events_, dossier)

    def _append_generic(self, events_: Sequence[Event], dossier: Dossier) -> Sequence[Event]:
        """Other databases: SQLAlchemy statements, a savepoint per risky append in a batch."""
        first = events_[0]
        code = first.dossier_code
        summary = summary_row(dossier, self.calendar)
        rows = [event_row(e) for e in events_]
        # inside a batch a failed append must undo only itself: a savepoint is needed when a
        # statement can fail after another succeeded (keys) or fails hard (a creation)
        risky = first.version == 1 or any(e.idempotency_key for e in events_)
        with self._tx(write=True, savepoint=risky) as conn:
            try:
                if first.version == 1:
                    conn.execute(_CREATE, summary)  # a duplicate code: IntegrityError below
                else:
                    summary["b_code"] = summary.pop("code")
                    summary["b_expected"] = first.version - 1
                    changed = conn.execute(_UPDATE_SUMMARY, summary)
                    if changed.rowcount != 1:
                        raise self._conflict(conn, code, first.version)
                if len(rows) == 1:
                    key = conn.execute(_INSERT_EVENT, rows[0]).inserted_primary_key
                    assert key is not None
                    seqs = [key[0]]
                else:
                    seqs = list(conn.execute(_INSERT_EVENTS, rows).scalars())
            except SqlIntegrityError as exc:
                message = str(exc.orig)
                if any(name in message for name in KEY_CONSTRAINTS):
                    keys = [e.idempotency_key for e in events_ if e.idempotency_key]
                    raise ConcurrencyConflict(
                        f"idempotency key {', '.join(map(repr, keys))} already used for {code}"
                    ) from exc
                raise ConcurrencyConflict(
                    f"dossier {code} already has version {first.version}; reload it and retry"
                ) from exc
        return [replace(e, seq=s) for e, s in zip(events_, seqs, strict=True)]

    @staticmethod
    def _conflict(conn: Connection, code: str, version: int) -> ConcurrencyConflict:
        stored = conn.execute(select(dossiers.c.version).where(dossiers.c.code == code)).scalar()
        return ConcurrencyConflict(
            f"dossier {code} is at version {stored or 0}, not {version - 1}; reload it and retry"
        )

    def next_sequence(self, agency_code: str, day: date) -> int:
        """Next number of the day for ``agency_code``; one atomic UPSERT ... RETURNING."""
        buffer: WriteBuffer | None = getattr(self._local, "buffer", None)
        if buffer is not None:
            return buffer.next_sequence(agency_code, day)
        if self._engine.dialect.name in BUFFERED_DIALECTS:
            with self.batch():
                buffer = self._local.buffer
                assert buffer is not None
                return buffer.next_sequence(agency_code, day)
        with self._tx(write=True) as conn:
            return self._next_sequence_generic(conn, agency_code, day)

    @staticmethod
    def _next_sequence_generic(conn: Connection, agency_code: str, day: date) -> int:
        # databases without UPSERT: the UPDATE locks the row; the first of the day inserts it
        where = and_(day_sequences.c.agency_code == agency_code, day_sequences.c.day == day)
        bumped = conn.execute(
            update(day_sequences).where(where).values(value=day_sequences.c.value + 1)
        )
        if bumped.rowcount == 0:
            conn.execute(insert(day_sequences).values(agency_code=agency_code, day=day, value=1))
        return int(conn.execute(select(day_sequences.c.value).where(where)).scalar_one())

    # ------------------------------------------------------------------- reads
    def load_events(self, dossier_code: str) -> list[Event]:
        """Events of one dossier, oldest first (empty if unknown)."""
        with self._tx(write=False) as conn:
            return _events_of(conn, [dossier_code]).get(dossier_code, [])

    def load(self, dossier_code: str) -> Dossier | None:
        """The dossier's current state: the replay of its events (None if unknown)."""
        found = self.load_events(dossier_code)
        return replay(found) if found else None

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
            row = conn.execute(_RAW_EVENTS.where(*where).limit(1)).first()
            return _parse(row, conn) if row is not None else None

    def find(self, query: DossierQuery) -> list[str]:
        """Codes of the dossiers matching ``query`` (a WHERE on ``dossiers``), sorted."""
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
        with self._tx(write=False) as conn:
            return list(conn.execute(select(c.code).where(*where).order_by(c.code)).scalars())

    def events(self) -> Iterator[Event]:
        """Every event in ``seq`` order, read in pages within one transaction (REPEATABLE READ
        on PostgreSQL): an export taken while writers run is a snapshot, the events committed
        when it began (pages in separate transactions mixed in later commits)."""
        with self._tx(write=False) as conn:
            if conn.dialect.name == "postgresql" and getattr(self._local, "conn", None) is None:
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            after = 0
            while True:
                stmt = _RAW_EVENTS.where(events.c.seq > after).order_by(events.c.seq)
                page = [_parse(r, conn) for r in conn.execute(stmt.limit(_PAGE))]
                yield from page
                if len(page) < _PAGE:
                    return
                after = page[-1].seq

    def dossiers(self) -> Iterator[Dossier]:
        """Every stored dossier (replayed), in code order, read in pages."""
        after = ""
        while True:
            with self._tx(write=False) as conn:
                codes = _codes_after(conn, after)
                chains = _events_of(conn, codes)
            for code in codes:
                yield replay(chains[code])
            if len(codes) < _PAGE:
                return
            after = codes[-1]

    # ------------------------------------------------------------------- audit
    def verify(self) -> ChainReport:
        """Check every chain, and that each summary row equals the replay of its events.

        Walks every code found in ``events`` or ``dossiers`` (a summary row without events,
        or events without a summary row, is a break); rows that no longer parse are reported,
        never raised. Reads one consistent snapshot; reports the first problem in code order.
        """
        checked_dossiers = checked_events = 0
        with self._tx(write=False) as conn:
            if conn.dialect.name == "postgresql" and getattr(self._local, "conn", None) is None:
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            after = ""
            while True:
                codes = _all_codes_after(conn, after)
                chains = _events_of(conn, codes, lenient=True)
                stmt = _RAW_DOSSIERS.where(dossiers.c.code.in_(codes))
                summaries = {r.code: _summary(r, conn) for r in conn.execute(stmt)}
                for code in codes:
                    chain = chains.get(code, [])
                    checked_dossiers += 1
                    checked_events += len(chain)
                    broken = _check(chain, summaries, self.calendar)
                    if broken is not None:
                        return ChainReport(checked_dossiers, checked_events, code, *broken)
                if len(codes) < _PAGE:
                    return ChainReport(checked_dossiers, checked_events)
                after = codes[-1]

    def check(self) -> None:
        """Raise :class:`IntegrityError` unless :meth:`verify` is ok."""
        report = self.verify()
        if not report.ok:
            raise IntegrityError(
                f"dossier {report.broken_dossier} event {report.broken_version}: {report.reason}"
            )

    # ----------------------------------------------------------------- closing
    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# statements built once: building .values() per call costs more than running them
# (the SET clause comes from the parameters' column names)
_UPDATE_SUMMARY = update(dossiers).where(
    dossiers.c.code == bindparam("b_code"), dossiers.c.version == bindparam("b_expected")
)
_INSERT_EVENT = insert(events)
_INSERT_EVENTS = insert(events).returning(events.c.seq, sort_by_parameter_order=True)
_CREATE = insert(dossiers)


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


# the raw ``at`` value: parsed inside the try below, so that altered text is caught
_RAW_EVENTS = select(
    *(type_coerce(c, String).label(c.name) if c.name == "at" else c for c in events.columns)
)
_AT = UtcDateTime()
_MOMENTS = frozenset(c.name for c in dossiers.columns if isinstance(c.type, UtcDateTime))
_RAW_DOSSIERS = select(
    *(type_coerce(c, String).label(c.name) if c.name in _MOMENTS else c for c in dossiers.columns)
)


def _summary(row: Any, conn: Connection) -> dict[str, Any] | None:
    """A raw ``dossiers`` row with its moments parsed; None if one no longer parses."""
    summary = dict(row._mapping)
    try:
        for name in _MOMENTS:
            summary[name] = _AT.process_result_value(summary[name], conn.dialect)
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
    stmt = _RAW_EVENTS.where(events.c.dossier_code.in_(codes)).order_by(
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
        mapping["at"] = _AT.process_result_value(mapping["at"], conn.dialect)
        return row_event(mapping)
    except (ValueError, TypeError, KeyError) as exc:
        raise IntegrityError(
            f"dossier {mapping['dossier_code']} event {mapping['version']}: stored row does not "
            f"parse (altered outside tthc_flow): {exc.__class__.__name__}: {exc}"
        ) from exc


def _unreadable(row: Any) -> Event:
    return _Unreadable(
        row["dossier_code"], row["version"], "", "", "", "", "", "", _EPOCH, {}, "", "", None
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _check(
    chain: list[Event], summaries: dict[str, dict[str, Any] | None], calendar: WorkCalendar
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
    broken = first_broken_link(chain)
    if broken is not None:
        return broken
    expected = summary_row(replay(chain), calendar)
    if any(expected[name] != summary[name] for name in SUMMARY_COLUMNS):
        return (chain[-1].version, "summary differs from replay")
    return None
