"""An in-memory store: the default for tests and for simulations that need no file."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tthc_flow.engine._fast import copy_frozen
from tthc_flow.engine._store_port import (
    ChainProblem,
    ChainReport,
    Delivery,
    DossierQuery,
    DossierSummary,
    DueTimer,
    FeedPage,
    check_batch,
)
from tthc_flow.errors import ConcurrencyConflict, IntegrityError, StoreError
from tthc_flow.store._memory_outbox import MemoryOutbox
from tthc_flow.store._worklist import WorklistPage, WorklistQuery, memory_worklist

if TYPE_CHECKING:  # the engine imports the store: importing it here first would be a cycle
    from tthc_flow.engine._dossier import Dossier
    from tthc_flow.engine._events import Event
    from tthc_flow.engine._keys import ChainKey
    from tthc_flow.engine._messages import OutboxMessage
    from tthc_flow.engine._timers import TimerChange


def matches(dossier: Dossier, q: DossierQuery) -> bool:
    """Whether ``dossier`` satisfies every filter of ``q`` (shared by in-process stores)."""
    if q.states is not None and dossier.state not in q.states:
        return False
    if q.procedure_code is not None and dossier.procedure_code != q.procedure_code:
        return False
    if q.agency_code is not None and dossier.agency_code != q.agency_code:
        return False
    if q.open_only and not dossier.is_open:
        return False
    if q.due_before is not None and (dossier.due_at is None or dossier.due_at >= q.due_before):
        return False
    received = dossier.received_at
    if q.received_from is not None and (received is None or received < q.received_from):
        return False
    if q.received_until is not None and (received is None or received >= q.received_until):
        return False
    resolved = dossier.resolved_at
    if q.resolved_from is not None and (resolved is None or resolved < q.resolved_from):
        return False
    if q.resolved_until is not None and (resolved is None or resolved >= q.resolved_until):
        return False
    if q.timeliness is not None and dossier.resolution_timeliness != q.timeliness:
        return False
    if q.pending_due_from is not None or q.pending_due_before is not None:
        from tthc_flow.engine._timers import pending_due_at

        due = pending_due_at(dossier)
        if due is None:
            return False
        if q.pending_due_from is not None and due < q.pending_due_from:
            return False
        if q.pending_due_before is not None and due >= q.pending_due_before:
            return False
    return True


def select_summaries(
    dossiers: list[Dossier], query: DossierQuery, limit: int | None, by_due: bool
) -> list[DossierSummary]:
    """The summaries of the matching ``dossiers`` in the store protocol's order (shared by
    in-process stores, like :func:`matches`)."""
    found = [DossierSummary.of(d) for d in dossiers if matches(d, query)]
    if by_due:
        found.sort(key=lambda d: (d.due_at is None, d.due_at or d.updated_at, d.code))
    else:
        found.sort(key=lambda d: d.code)
    return found if limit is None else found[:limit]


_Row = tuple[Any, ...]
"""An event as MemoryStore keeps it: (version, trigger, effect, from_state, to_state, actor,
role, at, payload as canonical JSON, prev_hash, hash, idempotency_key, seq)."""


def _row(event: Event) -> _Row:
    return (
        event.version,
        event.trigger,
        event.effect,
        event.from_state,
        event.to_state,
        event.actor,
        event.role,
        event.at,
        event.canonical_payload(),
        event.prev_hash,
        event.hash,
        event.idempotency_key,
        event.seq,
    )


_Personal = dict[int, tuple[str, str]]
"""One dossier's personal data kept apart: version -> (nonce, values as canonical JSON);
the nonce is "" once erased (engine/_personal.py)."""


def _event(code: str, row: _Row, personal: _Personal | None = None) -> Event:
    from tthc_flow.engine._events import Event

    version, trigger, effect, from_state, to_state, actor, role, at, payload = row[:9]
    prev_hash, hash_, key, seq = row[9:]
    kept = personal.get(version) if personal else None
    if kept is not None:
        return _joined(code, row, kept)
    return Event(
        code,
        version,
        trigger,
        effect,
        from_state,
        to_state,
        actor,
        role,
        at,
        json.loads(payload),
        prev_hash,
        hash_,
        key,
        seq,
    )


def _joined(code: str, row: _Row, kept: tuple[str, str]) -> Event:
    """The event of a row whose personal data are kept apart, with them put back."""
    from tthc_flow.engine._personal import join

    event = _event(code, row)
    values = event.__dict__
    values["payload"] = join(event.payload, json.loads(kept[1]))
    values["payload_json"] = row[8]
    values["personal_nonce"] = kept[0]
    return event


def _holds(code: str, dossier: Dossier, rows: tuple[_Row, ...]) -> bool:
    """Whether the kept state is the last event's and that event's link holds."""
    return bool(rows) and rows[-1][10] == dossier.last_hash and _last_link_holds(code, rows)


def _last_link_holds(code: str, rows: tuple[_Row, ...]) -> bool:
    """Whether the last row follows the one before it and, unkeyed, matches its content
    (hashed from the row as kept: no payload parsing, a few microseconds)."""
    from tthc_flow.engine._events import GENESIS_HASH, hash_with_payload_text
    from tthc_flow.engine._keys import key_id_of

    version, trigger, effect, from_state, to_state, actor, role, at, payload = rows[-1][:9]
    prev_hash, hash_, key = rows[-1][9:12]
    if version != len(rows) or prev_hash != (rows[-2][10] if len(rows) > 1 else GENESIS_HASH):
        return False
    if key_id_of(hash_) is not None:
        return True  # keyed: its content needs the key, which verify(key) is given
    return bool(
        hash_
        == hash_with_payload_text(
            code,
            version,
            trigger,
            from_state,
            to_state,
            actor,
            role,
            at,
            payload,
            prev_hash,
            effect,
            key,
        )
    )


class MemoryStore:
    """Keeps events and summaries in dictionaries; thread-safe; lost when the process ends.

    Events are kept as tuples of plain values with the payload as its canonical JSON (the
    text the hash was computed over), as a database row would be, and read back as new
    :class:`Event` objects: a tuple of strings, numbers and datetimes is invisible to
    Python's cyclic garbage collector, which otherwise walked every stored event again and
    again (about a fifth of the engine's time in benchmarks/engine.py; docs/performance.md).
    A dossier's rows are one tuple, replaced on each append, for the same reason.
    A payload read back is what JSON gives: lists for tuples, as from :class:`SqlStore`.

    :meth:`batch` is a transaction as on :class:`SqlStore`: the block holds the store's lock
    (one writer at a time, like SQLite) and an exception leaving it undoes every append,
    number of the day, timer and message of the block.
    """

    keep_events = True

    def __init__(self) -> None:
        self._events: dict[str, tuple[_Row, ...]] = {}  # tuples: untracked too
        self._personal: dict[str, _Personal] = {}  # beside the chain, erasable
        self._dossiers: dict[str, Dossier] = {}
        self._sequences: dict[tuple[str, date], int] = {}
        self._keys: dict[tuple[str | None, str], Event] = {}
        self._seq = 0
        # code -> (kind, due, fired at or None, kind, due, fired, ...): one flat tuple per
        # dossier, untracked by the collector once seen (a tuple per timer made it run more)
        self._timers: dict[str, tuple[Any, ...]] = {}
        self.outbox = MemoryOutbox()
        """The outbox messages (for inspection in tests; use claim/ack/retry to deliver)."""
        self._lock = threading.RLock()  # re-entered by the appends of this thread's batch
        self._local = threading.local()

    # ------------------------------------------------------------------ writes
    def append(
        self,
        events: Sequence[Event],
        dossier: Dossier,
        *,
        timers: TimerChange | None = None,
        messages: Sequence[OutboxMessage] = (),
    ) -> Sequence[Event]:
        """Store ``events`` of one dossier atomically (see :class:`Store`)."""
        if not events:
            return events
        first = events[0]
        code = first.dossier_code
        if len(events) > 1 or dossier.code != code:  # one event (the engine's case) is contiguous
            check_batch(events, dossier)
        keyed: Sequence[tuple[Event, str]] = (
            [(e, e.idempotency_key) for e in events if e.idempotency_key is not None]
            if first.idempotency_key is not None or len(events) > 1
            else ()
        )
        with self._lock:
            stored = self._events.get(code)
            current = len(stored) if stored else 0
            if first.version != current + 1:
                raise ConcurrencyConflict(
                    f"dossier {code} is at version {current}, not {first.version - 1}; "
                    "reload it and retry",
                    dossier_code=code,
                    expected_version=first.version - 1,
                    stored_version=current,
                )
            if stored and stored[-1][10] != first.prev_hash:
                raise ConcurrencyConflict(
                    f"dossier {code} version {current} is not the one this command was decided "
                    "on (another writer stored it); reload it and retry",
                    dossier_code=code,
                    expected_version=first.version - 1,
                    stored_version=current,
                )
            keys = self._keys
            for event, key in keyed:
                if (None if event.version == 1 else code, key) in keys:
                    raise ConcurrencyConflict(
                        f"idempotency key {key!r} already used for {code}", dossier_code=code
                    )
            undo: list[Callable[[], None]] | None = getattr(self._local, "undo", None)
            if undo is not None:
                undo.append(self._undoer(code, stored, keyed))
            sealed = [e for e in events if e.personal_nonce]
            if sealed:
                self._keep_apart(code, sealed, undo)
            seq = self._seq
            events = [copy_frozen(event, {"seq": seq + n}) for n, event in enumerate(events, 1)]
            first = events[0]
            self._seq = seq + len(events)
            rows = (_row(first),) if len(events) == 1 else tuple([_row(e) for e in events])
            self._events[code] = stored + rows if stored else rows
            for event in events:  # the numbered copies: what find_idempotent gives back
                if event.idempotency_key is not None:
                    keys[(None if event.version == 1 else code, event.idempotency_key)] = event
            self._dossiers[code] = dossier
            if timers:
                self._change_timers(code, timers)
            if messages:
                self.outbox.add(code, events[-1], messages)
        return events

    def _keep_apart(
        self, code: str, sealed: Sequence[Event], undo: list[Callable[[], None]] | None
    ) -> None:
        from tthc_flow.engine._events import canonical_json
        from tthc_flow.engine._personal import values_of

        before = self._personal.get(code)
        kept = dict(before or {})
        for event in sealed:
            kept[event.version] = (event.personal_nonce, canonical_json(values_of(event.payload)))
        self._personal[code] = kept
        if undo is not None:

            def restore() -> None:
                if before is None:
                    self._personal.pop(code, None)
                else:
                    self._personal[code] = before

            undo.append(restore)

    def _undoer(
        self, code: str, stored: tuple[_Row, ...] | None, keyed: Sequence[tuple[Event, str]]
    ) -> Callable[[], None]:
        """What puts the store back as it was before one append (a batch's rollback)."""
        dossier = self._dossiers.get(code)
        seq = self._seq
        timers = self._timers.get(code)
        outbox_mark = self.outbox.mark()

        def undo() -> None:
            if stored is None:
                self._events.pop(code, None)
                self._dossiers.pop(code, None)
            else:
                self._events[code] = stored
                assert dossier is not None
                self._dossiers[code] = dossier
            for event, key in keyed:
                self._keys.pop((None if event.version == 1 else code, key), None)
            self._seq = seq
            if timers is None:
                self._timers.pop(code, None)
            else:
                self._timers[code] = timers
            self.outbox.undo(outbox_mark)

        return undo

    def _change_timers(self, code: str, change: TimerChange) -> None:
        changed = {t.kind for t in change.put}.union(change.clear)
        flat = self._timers.get(code, ())
        kept: list[Any] = []
        for i in range(0, len(flat), 3):
            if flat[i] not in changed:
                kept += flat[i : i + 3]
        for timer in change.put:
            kept += (timer.kind, timer.due_at, None)
        if kept:
            self._timers[code] = tuple(kept)
        else:
            self._timers.pop(code, None)

    def _entries(self, code: str) -> list[tuple[str, datetime, datetime | None]]:
        flat = self._timers.get(code, ())
        return [(flat[i], flat[i + 1], flat[i + 2]) for i in range(0, len(flat), 3)]

    def next_sequence(self, agency_code: str, day: date) -> int:
        """Next number of the day for ``agency_code`` (given back if a batch rolls back)."""
        with self._lock:
            key = (agency_code, day)
            before = self._sequences.get(key, 0)
            self._sequences[key] = before + 1
            undo: list[Callable[[], None]] | None = getattr(self._local, "undo", None)
            if undo is not None:
                undo.append(lambda: self._sequences.__setitem__(key, before))
            return before + 1

    def batch(self) -> AbstractContextManager[None]:
        """One transaction for this thread's appends inside the block (see the class notes).
        Nested blocks join the outermost one."""
        return _Batch(self)

    def in_batch(self) -> bool:
        """Whether this thread is inside a :meth:`batch`."""
        return getattr(self._local, "undo", None) is not None

    def defer(self, on_commit: Callable[[], None], on_rollback: Callable[[], None]) -> bool:
        """Inside this thread's :meth:`batch`: keep the callbacks for its end (True)."""
        local = self._local
        if getattr(local, "undo", None) is None:
            return False
        local.committed.append(on_commit)
        local.rolled_back.append(on_rollback)
        return True

    # ------------------------------------------------------------------- reads
    def head(self, dossier_code: str) -> tuple[int, str] | None:
        """The stored version and last hash of a dossier."""
        rows = self._events.get(dossier_code)
        return (len(rows), rows[-1][10]) if rows else None

    def load_events(self, dossier_code: str) -> list[Event]:
        """Events of one dossier, oldest first."""
        personal = self._personal.get(dossier_code)
        return [_event(dossier_code, row, personal) for row in self._events.get(dossier_code, ())]

    def load(self, dossier_code: str) -> Dossier | None:
        """The dossier's current state.

        Raises :class:`IntegrityError` naming the dossier and version when its last link no
        longer holds (the cheap check: the kept state's hash is the last event's, which
        follows the one before and, unkeyed, matches its content; :meth:`verify` checks all).
        """
        dossier = self._dossiers.get(dossier_code)
        if dossier is None or _holds(dossier_code, dossier, self._events.get(dossier_code, ())):
            return dossier
        with self._lock:  # another thread's append may stand between its two writes: look again
            dossier = self._dossiers.get(dossier_code)
            rows = self._events.get(dossier_code, ())
            if dossier is None or _holds(dossier_code, dossier, rows):
                return dossier
        raise IntegrityError(
            f"dossier {dossier_code} event {len(rows)}: the stored chain's last link does not "
            "hold (altered outside tthc_flow); run verify() and restore it from a verified copy",
            dossier_code=dossier_code,
            version=len(rows),
        )

    def find_idempotent(self, dossier_code: str | None, key: str) -> Event | None:
        """The event stored with this key, if any."""
        return self._keys.get((dossier_code, key))

    def find(self, query: DossierQuery) -> list[str]:
        """Codes of the dossiers matching ``query``, sorted (like :class:`SqlStore`)."""
        return sorted(code for code, d in list(self._dossiers.items()) if matches(d, query))

    def summaries(
        self, query: DossierQuery, *, limit: int | None = None, by_due: bool = False
    ) -> list[DossierSummary]:
        """Summaries of the dossiers matching ``query``, in code order (``by_due``: by
        appointment, then code)."""
        return select_summaries(list(self._dossiers.values()), query, limit, by_due)

    def worklist(self, query: WorklistQuery) -> WorklistPage:
        """One page of a worklist (docs/worklists.md; a scan: this store is for tests)."""
        return memory_worklist(list(self._dossiers.values()), query)

    def dossiers(self) -> Iterator[Dossier]:
        """Every stored dossier, in code order."""
        snapshot = dict(self._dossiers)
        return iter([snapshot[code] for code in sorted(snapshot)])

    def events(self) -> Iterator[Event]:
        """Every event in ``seq`` order."""
        everything = [(row[-1], code, row) for code, rows in self._events.items() for row in rows]
        everything.sort(key=lambda item: item[0])
        personal = self._personal
        return iter([_event(code, row, personal.get(code)) for _, code, row in everything])

    def changes(self, after: str = "", *, limit: int = 500) -> FeedPage:
        """Events after position ``after`` in commit (``seq``) order; the position is the
        last ``seq`` handed out (appends are serialised by the store's lock)."""
        start = _feed_position(after)
        with self._lock:
            later = [
                (row[-1], code, row)
                for code, rows in self._events.items()
                for row in rows
                if row[-1] > start
            ]
        later.sort(key=lambda item: item[0])
        found = [_event(code, row, self._personal.get(code)) for _, code, row in later[:limit]]
        return FeedPage(found, str(found[-1].seq if found else start))

    # ------------------------------------------------------------- the outbox
    def claim(
        self,
        consumer: str,
        *,
        now: datetime,
        limit: int = 50,
        lease: timedelta = timedelta(seconds=60),
        topics: frozenset[str] | None = None,
    ) -> list[Delivery]:
        """Lease deliverable messages (see :class:`~tthc_flow.store.FullStore`)."""
        with self._lock:
            return self.outbox.claim(consumer, now, limit, lease, topics)

    def ack(self, delivery: Delivery, *, now: datetime) -> None:
        """Mark a delivered message done."""
        with self._lock:
            self.outbox.ack(delivery.id, now)

    def retry(self, delivery: Delivery, *, error: str, at: datetime) -> None:
        """Give a failed message back, available again at ``at``."""
        with self._lock:
            self.outbox.retry(delivery.id, error, at)

    # ----------------------------------------------------------------- timers
    def due_timers(self, now: datetime, *, limit: int = 500) -> list[DueTimer]:
        """Unfired timers due at ``now``, earliest first (a scan: this store is for tests)."""
        with self._lock:
            found = [
                DueTimer(code, kind, due)
                for code in self._timers
                for kind, due, fired in self._entries(code)
                if fired is None and due <= now
            ]
        found.sort(key=lambda t: (t.due_at, t.dossier_code, t.kind))
        return found[:limit]

    def fire_timer(
        self, timer: DueTimer, *, now: datetime, message: OutboxMessage | None = None
    ) -> bool:
        """Mark ``timer`` fired (and queue ``message``) unless it changed or already fired."""
        with self._lock:
            flat = self._timers.get(timer.dossier_code, ())
            for i, (kind, due, fired) in enumerate(self._entries(timer.dossier_code)):
                if kind == timer.kind:
                    if fired is not None or due != timer.due_at:
                        return False
                    at = 3 * i
                    changed = (*flat[:at], kind, due, now, *flat[at + 3 :])
                    self._timers[timer.dossier_code] = changed
                    if message is not None:
                        self.outbox.add_timer_message(timer, message, now)
                    return True
            return False

    def timers(self, dossier_code: str) -> dict[str, datetime]:
        """The pending (unfired) timers of one dossier by kind (for tests and inspection)."""
        with self._lock:
            return {kind: due for kind, due, fired in self._entries(dossier_code) if fired is None}

    # ---------------------------------------------------------- personal data
    def erase_personal_data(self, event: Event, dossier: Dossier, name: str) -> Event:
        """Append the erasure ``event`` (turning the stored dossier into ``dossier``) and,
        in the same step, replace the personal data kept beside every event of the dossier
        by ``name`` and :data:`~tthc_flow.engine._personal.ERASED`, drop their nonces and
        remove every copy of the erased values from the dossier's outbox messages
        (``Engine.erase_personal_data`` decides and builds the event)."""
        from tthc_flow.engine._events import canonical_json
        from tthc_flow.engine._personal import replaced, secrets_in

        code = event.dossier_code
        if self.in_batch():
            raise StoreError("erase_personal_data runs in its own transaction, not in a batch")
        with self._lock:
            kept = {v: json.loads(text) for v, (_, text) in self._personal.get(code, {}).items()}
            (stored,) = self.append([event], dossier)
            self._personal[code] = {
                v: ("", canonical_json(replaced(values, name))) for v, values in kept.items()
            }
            self.outbox.scrub(code, secrets_in({str(v): values for v, values in kept.items()}))
            rows = self._events[code]
            personal = self._personal[code]
            for scope, used in list(self._keys.items()):  # the kept copies held the values
                if used.dossier_code == code:
                    self._keys[scope] = _event(code, rows[used.version - 1], personal)
        return stored

    # ------------------------------------------------------------------ audit
    def verify(
        self,
        key: ChainKey | Sequence[ChainKey] | None = None,
        *,
        unkeyed_through: int | None = None,
    ) -> ChainReport:
        """Check every chain and that each summary equals the replay of its events; report
        every broken dossier, in code order (``key``: see :meth:`Store.verify`)."""
        from tthc_flow.engine._dossier import replay
        from tthc_flow.engine._events import first_broken_link
        from tthc_flow.engine._personal import personal_problem

        with self._lock:
            codes = sorted(set(self._events) | set(self._dossiers))
        events_checked = 0
        problems: list[ChainProblem] = []
        for code in codes:
            events = self.load_events(code)
            events_checked += len(events)
            summary = self._dossiers.get(code)
            if not events or summary is None:
                reason = "summary without events" if events == [] else "events without summary"
                problems.append(ChainProblem(code, len(events), reason))
                continue
            broken = first_broken_link(
                events, key, unkeyed_through=unkeyed_through
            ) or personal_problem(events)
            if broken is not None:
                problems.append(ChainProblem(code, *broken))
            elif replay(events) != replace(summary, as_of=None):
                problems.append(ChainProblem(code, len(events), "summary differs from replay"))
        return ChainReport.of(len(codes), events_checked, problems)

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
        with self._lock:
            return dict(self._sequences)


class _Batch:
    """:meth:`MemoryStore.batch`: holds the store's lock, undoes the block on an exception,
    then runs the callbacks deferred for its end (a class: cheaper than a generator, and
    every receipt enters one)."""

    __slots__ = ("_outer", "_store")

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._outer = False

    def __enter__(self) -> None:
        store = self._store
        local = store._local
        if getattr(local, "undo", None) is not None:
            return  # nested: joins the outer block
        store._lock.acquire()
        local.undo, local.committed, local.rolled_back = [], [], []
        self._outer = True

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if not self._outer:
            return
        store = self._store
        local = store._local
        undo: list[Callable[[], None]] = local.undo
        if kind is not None:
            for step in reversed(undo):
                step()
            callbacks: list[Callable[[], None]] = local.rolled_back
        else:
            callbacks = local.committed
        local.undo = None
        store._lock.release()
        for callback in callbacks:
            callback()


def _feed_position(text: str) -> int:
    from tthc_flow.errors import InvalidCommand

    if text == "":
        return 0
    if not text.isdigit():
        raise InvalidCommand(f"feed position {text!r} is not one this store handed out")
    return int(text)
