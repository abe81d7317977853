"""An in-memory store: the default for tests and for simulations that need no file."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from tthc_flow.errors import ConcurrencyConflict, IntegrityError
from tthc_flow.store._protocol import ChainReport, DossierQuery, check_batch

if TYPE_CHECKING:  # the engine imports the store: importing it here first would be a cycle
    from tthc_flow.engine._dossier import Dossier
    from tthc_flow.engine._events import Event


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
    return q.timeliness is None or dossier.resolution_timeliness == q.timeliness


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


def _event(code: str, row: _Row) -> Event:
    from tthc_flow.engine._events import Event

    version, trigger, effect, from_state, to_state, actor, role, at, payload = row[:9]
    prev_hash, hash_, key, seq = row[9:]
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


class MemoryStore:
    """Keeps events and summaries in dictionaries; thread-safe; lost when the process ends.

    Events are kept as tuples of plain values with the payload as its canonical JSON (the
    text the hash was computed over), as a database row would be, and read back as new
    :class:`Event` objects: a tuple of strings, numbers and datetimes is invisible to
    Python's cyclic garbage collector, which otherwise walked every stored event again and
    again (about a fifth of the engine's time in benchmarks/engine.py; docs/performance.md).
    A dossier's rows are one tuple, replaced on each append, for the same reason.
    A payload read back is what JSON gives: lists for tuples, as from :class:`SqlStore`.
    """

    def __init__(self) -> None:
        self._events: dict[str, tuple[_Row, ...]] = {}  # tuples: untracked too
        self._dossiers: dict[str, Dossier] = {}
        self._sequences: dict[tuple[str, date], int] = {}
        self._keys: dict[tuple[str | None, str], Event] = {}
        self._seq = 0
        self._lock = threading.Lock()

    def append(self, events: Sequence[Event], dossier: Dossier) -> Sequence[Event]:
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
                    "reload it and retry"
                )
            keys = self._keys
            for event, key in keyed:
                if (None if event.version == 1 else code, key) in keys:
                    raise ConcurrencyConflict(f"idempotency key {key!r} already used for {code}")
            seq = self._seq
            for event in events:
                seq += 1
                # the event was just built for this append and is not shared yet: number it
                # in place instead of copying it (a copy costs as much as the rest of append)
                event.__dict__["seq"] = seq
            self._seq = seq
            rows = (_row(first),) if len(events) == 1 else tuple([_row(e) for e in events])
            self._events[code] = stored + rows if stored else rows
            for event, key in keyed:
                keys[(None if event.version == 1 else code, key)] = event
            self._dossiers[code] = dossier
        return events

    def load_events(self, dossier_code: str) -> list[Event]:
        """Events of one dossier, oldest first."""
        return [_event(dossier_code, row) for row in self._events.get(dossier_code, ())]

    def load(self, dossier_code: str) -> Dossier | None:
        """The dossier's current state."""
        return self._dossiers.get(dossier_code)

    def next_sequence(self, agency_code: str, day: date) -> int:
        """Next number of the day for ``agency_code``."""
        with self._lock:
            value = self._sequences.get((agency_code, day), 0) + 1
            self._sequences[(agency_code, day)] = value
            return value

    def find_idempotent(self, dossier_code: str | None, key: str) -> Event | None:
        """The event stored with this key, if any."""
        return self._keys.get((dossier_code, key))

    def find(self, query: DossierQuery) -> list[str]:
        """Codes of the dossiers matching ``query``, sorted (like :class:`SqlStore`)."""
        return sorted(code for code, d in list(self._dossiers.items()) if matches(d, query))

    def dossiers(self) -> Iterator[Dossier]:
        """Every stored dossier, in code order."""
        snapshot = dict(self._dossiers)
        return iter([snapshot[code] for code in sorted(snapshot)])

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Accepted for the :class:`Store` protocol; each append is atomic on its own here
        (nothing is written anywhere, so there is no transaction to group)."""
        yield

    def events(self) -> Iterator[Event]:
        """Every event in ``seq`` order."""
        everything = [(row[-1], code, row) for code, rows in self._events.items() for row in rows]
        everything.sort(key=lambda item: item[0])
        return iter([_event(code, row) for _, code, row in everything])

    def verify(self) -> ChainReport:
        """Check every chain and that each summary equals the replay of its events."""
        from tthc_flow.engine._dossier import replay
        from tthc_flow.engine._events import first_broken_link

        events_checked = 0
        for code in list(self._events):
            events = self.load_events(code)
            events_checked += len(events)
            broken = first_broken_link(events)
            if broken is not None:
                return ChainReport(len(self._events), events_checked, code, *broken)
            if replay(events) != replace(self._dossiers[code], as_of=None):
                return ChainReport(
                    len(self._events),
                    events_checked,
                    code,
                    len(events),
                    "summary differs from replay",
                )
        return ChainReport(len(self._events), events_checked)

    def check(self) -> None:
        """Raise :class:`IntegrityError` unless :meth:`verify` is ok."""
        report = self.verify()
        if not report.ok:
            raise IntegrityError(
                f"dossier {report.broken_dossier} event {report.broken_version}: {report.reason}"
            )
