"""Write-behind appends for :meth:`SqlStore.batch` on SQLite and PostgreSQL.

Inside a batch, ``append`` checks the expected version and the idempotency keys at once
(against what the batch already knows, else one indexed SELECT) and buffers the rows; the
buffer is flushed with ``executemany`` through the driver's own cursor (SQLAlchemy's
per-statement cost, ~0.1 ms, is ten times an insert) when the batch ends or before any read.
The first touch of a stored dossier locks its row (PostgreSQL ``FOR UPDATE``; SQLite's batch
holds the write lock), so its version cannot change before the batch ends. The flush writes
one summary row per dossier with a compare-and-swap on the version seen at the first touch
anyway; what no lock covers (two processes creating the same code, or using the same key, at
once on PostgreSQL) fails there and rolls the whole batch back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine._dossier import Dossier
from tthc_flow.engine._events import Event, canonical_json
from tthc_flow.engine._messages import OutboxMessage
from tthc_flow.engine._personal import values_of
from tthc_flow.engine._timers import TimerChange
from tthc_flow.errors import ConcurrencyConflict, StoreError, TthcError
from tthc_flow.store import _engine
from tthc_flow.store._memory_outbox import message_key
from tthc_flow.store._rows import EVENT_COLUMNS, SUMMARY_COLUMNS, event_values, summary_row
from tthc_flow.store._worklist import member_values
from tthc_flow.store.schema import UtcDateTime, dossiers

BUFFERED_DIALECTS = frozenset({"sqlite", "postgresql"})
"""Dialects with ``ON CONFLICT`` and ``RETURNING`` whose driver cursor the buffer uses."""

KEY_CONSTRAINTS = ("idempotency_key", "uq_events_dossier_key", "uq_events_creation_key")
"""Words in a driver's unique-violation message that name an idempotency key constraint."""
_AT = UtcDateTime()
_MOMENTS = frozenset(c.name for c in dossiers.columns if isinstance(c.type, UtcDateTime))


class _Sql:
    """The statements of one dialect, as driver SQL text (built once per dialect)."""

    def __init__(self, dialect: Any) -> None:
        q = dialect.identifier_preparer.quote
        mark = "?" if dialect.name == "sqlite" else "%s"

        def marks(n: int) -> str:
            return ", ".join([mark] * n)

        event_cols = ", ".join(q(c) for c in EVENT_COLUMNS)
        summary_cols = ", ".join(q(c) for c in SUMMARY_COLUMNS)
        assignments = ", ".join(f"{q(c)} = {mark}" for c in SUMMARY_COLUMNS if c != "code")
        self.version = f"SELECT version, last_hash FROM dossiers WHERE code = {mark}"
        # a batch's first touch locks the row on PostgreSQL (SQLite's batch holds the write
        # lock): another batch then waits for this one and sees its version, so conflicts on
        # existing dossiers surface at the append, as before write-behind
        self.version_locked = self.version + (" FOR UPDATE" if dialect.name != "sqlite" else "")
        self.dossier_key = (
            f"SELECT 1 FROM events WHERE dossier_code = {mark} AND idempotency_key = {mark} LIMIT 1"
        )
        self.creation_key = (
            f"SELECT 1 FROM events WHERE idempotency_key = {mark} AND version = 1 LIMIT 1"
        )
        self.insert_events = (
            f"INSERT INTO events ({event_cols}) VALUES ({marks(len(EVENT_COLUMNS))})"
        )
        self.insert_dossiers = (
            f"INSERT INTO dossiers ({summary_cols}) VALUES ({marks(len(SUMMARY_COLUMNS))}) "
            "ON CONFLICT DO NOTHING"
        )
        # the compare-and-swap of every append: the version AND the hash the command was
        # decided on (a version number alone can be reissued after a rolled-back batch)
        self.update_dossier = (
            f"UPDATE dossiers SET {assignments} WHERE code = {mark} AND version = {mark} "
            f"AND last_hash = {mark}"
        )
        self.insert_event = f"{self.insert_events} RETURNING seq"
        self.insert_personal = (
            f"INSERT INTO personal_data (dossier_code, version, nonce, data) VALUES ({marks(4)})"
        )
        self.create_dossier = f"{self.insert_dossiers} RETURNING code"
        self.next_sequence = (
            f"INSERT INTO day_sequences (agency_code, day, value) VALUES ({mark}, {mark}, 1) "
            "ON CONFLICT (agency_code, day) DO UPDATE SET value = day_sequences.value + 1 "
            "RETURNING value"
        )
        self.clear_timer = f"DELETE FROM timers WHERE dossier_code = {mark} AND kind = {mark}"
        self.put_timer = (
            f"INSERT INTO timers (dossier_code, kind, due_at, fired_at) VALUES ({marks(3)}, NULL) "
            "ON CONFLICT (dossier_code, kind) DO UPDATE SET due_at = excluded.due_at, "
            "fired_at = NULL"
        )
        # the cooperating officials and observers of a dossier that was ever assigned are
        # rewritten with its summary (store/_schema_members.py)
        self.clear_members = f"DELETE FROM assignment_members WHERE dossier_code = {mark}"
        self.insert_member = (
            "INSERT INTO assignment_members (official_id, kind, dossier_code, holder_agency, "
            f"work_due_at) VALUES ({marks(5)})"
        )
        self.insert_message = (
            "INSERT INTO outbox (dossier_code, version, topic, key, payload, created_at, "
            f"available_at, attempts) VALUES ({marks(7)}, 0)"
        )


_SQL: dict[str, _Sql] = {}


class WriteBuffer:
    """The pending writes of one batch, on the batch's connection (one thread)."""

    def __init__(self, conn: Connection, calendar: WorkCalendar, url: str) -> None:
        self._dialect = conn.dialect
        name = self._dialect.name
        self._sql = _SQL.get(name) or _SQL.setdefault(name, _Sql(self._dialect))
        self._sqlite = name == "sqlite"
        self._errors: Any = self._dialect.loaded_dbapi
        self._cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._calendar = calendar
        self._url = url
        self._versions: dict[str, tuple[int, str]] = {}  # code -> head after the batch's appends
        self._stored: dict[str, tuple[int, str]] = {}  # code -> head in the database (0: none)
        self._pending: dict[str, Dossier] = {}  # code -> summary to write at the flush
        self._rows: list[tuple[Any, ...]] = []
        self._dossier_keys: set[tuple[str, str]] = set()
        self._creation_keys: set[str] = set()
        self._failed: BaseException | None = None
        self._moments: dict[datetime, Any] = {}
        self._keyed: dict[tuple[str | None, str], Event] = {}  # (None: creation, key) -> event
        self._timers: dict[tuple[str, str], datetime | None] = {}  # None: cleared
        self._messages: list[tuple[Any, ...]] = []
        self._personal: list[tuple[Any, ...]] = []  # hash version 4: the values kept apart

    # ------------------------------------------------------------------ appends
    def head(self, code: str) -> tuple[int, str] | None:
        """The dossier's version and last hash as this batch sees it (None: unknown)."""
        self._usable()
        known = self._versions.get(code)
        if known is None:
            row = self._one(self._sql.version, (code,))
            return (int(row[0]), str(row[1])) if row else None
        return known if known[0] else None

    def append(
        self,
        events_: Sequence[Event],
        dossier: Dossier,
        timers: TimerChange | None = None,
        messages: Sequence[OutboxMessage] = (),
    ) -> None:
        """Check ``events_`` (one dossier's, already validated) and buffer them, with the
        dossier's timer change and outbox messages.

        :class:`ConcurrencyConflict` at once, nothing buffered, when the dossier is not at
        ``events_[0].version - 1`` with ``events_[0].prev_hash`` or a key is used; the rest
        of the batch is untouched.
        """
        self._usable()
        first = events_[0]
        code = first.dossier_code
        known = self._versions.get(code)
        if known is None:
            row = self._one(self._sql.version_locked, (code,))
            known = (int(row[0]), str(row[1])) if row else (0, "")
            self._stored[code] = self._versions[code] = known
        if first.version != known[0] + 1 or (known[0] and first.prev_hash != known[1]):
            raise _stale(code, known[0], first.version)
        keys = [(e.version, e.idempotency_key) for e in events_ if e.idempotency_key]
        if keys:
            self._check_keys(code, keys)
        moment = self._moment
        self._rows.extend(event_values(e, moment(e.at)) for e in events_)
        self._personal.extend(personal_values(events_))
        for event in events_:
            if event.idempotency_key is not None:
                scope = None if event.version == 1 else code
                self._keyed[(scope, event.idempotency_key)] = event
        self._versions[code] = (events_[-1].version, events_[-1].hash)
        self._pending[code] = dossier
        if timers:
            for kind in timers.clear:
                self._timers[(code, kind)] = None
            for timer in timers.put:
                self._timers[(code, timer.kind)] = timer.due_at
        if messages:
            self._messages.extend(self._message_values(code, events_[-1], messages))

    def _message_values(
        self, code: str, event: Event, messages: Sequence[OutboxMessage]
    ) -> list[tuple[Any, ...]]:
        at = self._moment(event.at)
        return [
            (
                code,
                event.version,
                m.topic,
                message_key(code, event.version, m.topic),
                canonical_json(m.payload),
                at,
                at,
            )
            for m in messages
        ]

    def _check_keys(self, code: str, keys: list[tuple[int, str]]) -> None:
        seen_dossier: set[str] = set()
        seen_creation: set[str] = set()
        for version, key in keys:
            used = key in seen_dossier or (code, key) in self._dossier_keys
            if version == 1:
                used = used or key in seen_creation or key in self._creation_keys
            if not used:
                used = self._one(self._sql.dossier_key, (code, key)) is not None or (
                    version == 1 and self._one(self._sql.creation_key, (key,)) is not None
                )
            if used:
                raise ConcurrencyConflict(
                    f"idempotency key {key!r} already used for {code}", dossier_code=code
                )
            seen_dossier.add(key)
            if version == 1:
                seen_creation.add(key)
        self._dossier_keys.update((code, key) for key in seen_dossier)
        self._creation_keys.update(seen_creation)

    def keyed(self, dossier_code: str | None, key: str) -> Event | None:
        """The event appended in this batch with ``key`` (``find_idempotent``'s scopes)."""
        self._usable()
        return self._keyed.get((dossier_code, key))

    def next_sequence(self, agency_code: str, day: date) -> int:
        """The next number of the day: one UPSERT ... RETURNING (atomic across processes)."""
        self._usable()
        params = (agency_code, day.isoformat() if self._sqlite else day)
        row = self._one(self._sql.next_sequence, params)
        assert row is not None  # RETURNING always gives the row
        return int(row[0])

    # ------------------------------------------------------------------- flushing
    def flush(self) -> None:
        """Write the buffered summaries and events (before a read, and at the batch's end).

        Raises :class:`ConcurrencyConflict` when a dossier changed in the database since the
        batch first read it (another process, PostgreSQL only): the batch is then unusable
        and is rolled back as a whole.
        """
        self._usable()
        if not self._rows:
            return
        pending, rows, personal = self._pending, self._rows, self._personal
        timers, messages = self._timers, self._messages
        self._pending, self._rows, self._timers, self._messages = {}, [], {}, []
        self._personal = []
        created, changed = [], []
        for code, dossier in pending.items():
            values = self._summary_values(dossier)
            stored = self._stored[code]
            if stored[0] == 0:
                created.append(values)
            else:
                changed.append((*values[1:], code, *stored))
        try:
            if created and self._many(self._sql.insert_dossiers, created) != len(created):
                raise self._fail(pending, "was created by another writer")
            if changed and self._many(self._sql.update_dossier, changed) != len(changed):
                raise self._fail(pending, "was changed by another writer")
            self._many(self._sql.insert_events, rows)
            if personal:
                self._many(self._sql.insert_personal, personal)
            self._write_members(pending.values())
            self._write_timers(timers)
            if messages:
                self._many(self._sql.insert_message, messages)
        except BaseException as exc:
            self._failed = exc
            raise
        for code, dossier in pending.items():
            self._stored[code] = (dossier.version, dossier.last_hash)

    def _write_members(self, dossiers: Iterable[Dossier]) -> None:
        """Rewrite the members of the dossiers ever assigned (the others have none: no
        statement for them, the common case of every append before an assignment)."""
        assigned = [d for d in dossiers if d.assignments]
        if not assigned:
            return
        self._many(self._sql.clear_members, [(d.code,) for d in assigned])
        moment = self._moment
        rows = [(*row[:4], moment(row[4])) for d in assigned for row in member_values(d)]
        if rows:
            self._many(self._sql.insert_member, rows)

    def _write_timers(self, timers: dict[tuple[str, str], datetime | None]) -> None:
        cleared = [key for key, due in timers.items() if due is None]
        put = [(*key, self._moment(due)) for key, due in timers.items() if due is not None]
        if cleared:
            self._many(self._sql.clear_timer, cleared)
        if put:
            self._many(self._sql.put_timer, put)

    def write_now(
        self,
        events_: Sequence[Event],
        dossier: Dossier,
        timers: TimerChange | None = None,
        messages: Sequence[OutboxMessage] = (),
    ) -> list[int]:
        """Outside a batch: write one append at once (in its own transaction); its ``seq``.

        No check before writing: the summary's compare-and-swap (or the creation's ``ON
        CONFLICT DO NOTHING``) is the check, then each event ``INSERT ... RETURNING seq``;
        as few round trips as possible for one-event transactions.
        """
        self._usable()
        first = events_[0]
        code = first.dossier_code
        values = self._summary_values(dossier)
        if first.version == 1:
            written = self._one(self._sql.create_dossier, values) is not None
        else:
            changed = (*values[1:], code, first.version - 1, first.prev_hash)
            written = self._one(self._sql.update_dossier, changed, count=True) == 1
        if not written:
            row = self._one(self._sql.version, (code,))
            raise _stale(code, int(row[0]) if row else 0, first.version)
        seqs = []
        for event in events_:
            try:
                row = self._cursor.execute(
                    self._sql.insert_event, event_values(event, self._moment(event.at))
                ).fetchone()
            except self._errors.IntegrityError as exc:
                self._failed = exc
                if any(name in str(exc) for name in KEY_CONSTRAINTS):
                    keys = ", ".join(repr(e.idempotency_key) for e in events_ if e.idempotency_key)
                    raise ConcurrencyConflict(
                        f"idempotency key {keys} already used for {code}", dossier_code=code
                    ) from exc
                raise self._driver_error(exc) from exc
            except self._errors.Error as exc:
                raise self._driver_error(exc) from exc
            seqs.append(int(row[0]))
        personal = personal_values(events_)
        if personal:
            self._many(self._sql.insert_personal, personal)
        self._write_members((dossier,))
        if timers:
            change: dict[tuple[str, str], datetime | None] = {
                (code, kind): None for kind in timers.clear
            }
            change.update(((code, t.kind), t.due_at) for t in timers.put)
            self._write_timers(change)
        if messages:
            self._many(self._sql.insert_message, self._message_values(code, events_[-1], messages))
        return seqs

    def close(self) -> None:
        """Release the driver cursor."""
        self._cursor.close()

    # ---------------------------------------------------------------- internals
    def _summary_values(self, dossier: Dossier) -> tuple[Any, ...]:
        row = summary_row(dossier, self._calendar)
        moment = self._moment
        for name in _MOMENTS:
            if row[name] is not None:
                row[name] = moment(row[name])
        return tuple(row[c] for c in SUMMARY_COLUMNS)

    def _moment(self, value: datetime) -> Any:
        """The database value of a moment; equal instants recur (a dossier's receipt, clock
        start and first event), so each is converted once per batch."""
        found = self._moments.get(value)
        if found is None:
            found = self._moments[value] = _AT.process_bind_param(value, self._dialect)
        return found

    def _fail(self, pending: dict[str, Dossier], what: str) -> ConcurrencyConflict:
        codes = ", ".join(sorted(pending)[:5]) + (", ..." if len(pending) > 5 else "")
        return ConcurrencyConflict(
            f"a dossier of this batch ({codes}) {what} since the batch read it; the whole "
            "batch was rolled back: reload and retry"
        )

    def _usable(self) -> None:
        if self._failed is not None:
            first_line = (str(self._failed).splitlines() or [""])[0]
            raise ConcurrencyConflict(
                f"this batch failed ({first_line}) and is being rolled back; "
                "leave the batch block and retry"
            )

    def _one(self, sql: str, params: tuple[Any, ...], count: bool = False) -> Any:
        """The first row of ``sql`` (None if none), or with ``count`` the rows it changed;
        driver errors fail the batch."""
        try:
            cursor = self._cursor.execute(sql, params)
            return cursor.rowcount if count else cursor.fetchone()
        except self._errors.Error as exc:
            raise self._driver_error(exc) from exc

    def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> int:
        """``executemany``; the number of rows changed (both drivers sum it over the rows)."""
        try:
            self._cursor.executemany(sql, rows)
        except self._errors.Error as exc:
            raise self._driver_error(exc) from exc
        return int(self._cursor.rowcount)

    def _driver_error(self, exc: BaseException) -> TthcError:
        """A driver error as a library error; the batch cannot go on (PostgreSQL aborted it).

        Unique violations, deadlocks and serialization failures are conflicts: the whole
        transaction was rolled back and a retry resolves them."""
        self._failed = exc
        if isinstance(exc, self._errors.IntegrityError) or _engine.retryable(exc):
            return ConcurrencyConflict(
                f"database {self._url}: {_engine.reason(exc)}; the whole batch was rolled back"
            )
        return StoreError(f"database {self._url}: {_engine.reason(exc)}")


def personal_values(events_: Sequence[Event]) -> list[tuple[str, int, str, str]]:
    """The ``personal_data`` rows of the hash version 4 events among ``events_``."""
    return [
        (e.dossier_code, e.version, e.personal_nonce, canonical_json(values_of(e.payload)))
        for e in events_
        if e.personal_nonce
    ]


def _stale(code: str, stored: int, version: int) -> ConcurrencyConflict:
    if stored == version - 1:
        return ConcurrencyConflict(
            f"dossier {code} version {stored} is not the one this command was decided on "
            "(another writer stored it); reload it and retry",
            dossier_code=code,
            expected_version=version - 1,
            stored_version=stored,
        )
    return ConcurrencyConflict(
        f"dossier {code} is at version {stored}, not {version - 1}; reload it and retry",
        dossier_code=code,
        expected_version=version - 1,
        stored_version=stored,
    )
