"""A store for simulations: the :class:`~tthc_flow.store.Store` protocol without the weight.

``MemoryStore`` keeps every event, every summary, idempotency keys and a lock: fine for a
department's year, too much for a big city's million dossiers. ``SimulationStore`` keeps
the events (``keep_events=True``, the default, so a simulated year can be exported and
reported) or only the open dossiers and a count of events (``keep_events=False``, for
large runs; the engine then does not hash the events it hands over, see ``Store``). It is
picklable, so replications in worker processes can hand it back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import date
from typing import Any

from tthc_flow.engine import ChainKey, Dossier, Event, first_broken_link, replay
from tthc_flow.errors import ConcurrencyConflict
from tthc_flow.store import ChainProblem, ChainReport, DossierQuery, DossierSummary
from tthc_flow.store._memory import matches, select_summaries


class SimulationStore:
    """Events and summaries of simulated dossiers, single-threaded.

    >>> SimulationStore(keep_events=False).event_count
    0
    """

    def __init__(self, keep_events: bool = True) -> None:
        self.keep_events = keep_events
        self.event_count = 0
        self._events: dict[str, list[Event]] = {}
        self._dossiers: dict[str, Dossier] = {}
        self._versions: dict[str, int] = {}
        self._sequences: dict[tuple[str, date], int] = {}

    def append(
        self, events: Sequence[Event], dossier: Dossier, *, timers: Any = None, messages: Any = ()
    ) -> Sequence[Event]:
        """Store the events of one dossier (version-checked) and its summary; a simulation
        has no timers or outbox, so ``timers`` and ``messages`` are not kept."""
        if not events:
            return events
        code = events[0].dossier_code
        if not self.keep_events:
            # lean sink: the engine checks versions and caches the open dossiers it wrote;
            # keep only the open summaries (for load/find) and a count
            self.event_count += len(events)
            if dossier.is_open:
                self._dossiers[code] = dossier
            else:
                self._dossiers.pop(code, None)
            return events
        current = self._versions.get(code, 0)
        if events[0].version != current + 1:
            raise ConcurrencyConflict(
                f"dossier {code} is at version {current}",
                dossier_code=code,
                expected_version=events[0].version - 1,
                stored_version=current,
            )
        numbered = []
        for event in events:
            self.event_count += 1
            numbered.append(replace(event, seq=self.event_count))
        self._versions[code] = numbered[-1].version
        self._events.setdefault(code, []).extend(numbered)
        self._dossiers[code] = dossier
        return numbered

    def head(self, dossier_code: str) -> tuple[int, str] | None:
        """The kept dossier's version and last hash."""
        found = self._dossiers.get(dossier_code)
        return (found.version, found.last_hash) if found is not None else None

    def batch(self) -> AbstractContextManager[None]:
        """Single-threaded and in memory: every append stands on its own."""
        return nullcontext()

    def in_batch(self) -> bool:
        """No batches."""
        return False

    def defer(self, on_commit: Callable[[], None], on_rollback: Callable[[], None]) -> bool:
        """No batches: nothing is deferred."""
        return False

    def summaries(
        self, query: DossierQuery, *, limit: int | None = None, by_due: bool = False
    ) -> list[DossierSummary]:
        """Summaries of the kept dossiers matching ``query`` (the store protocol's order)."""
        return select_summaries(list(self._dossiers.values()), query, limit, by_due)

    def load_events(self, dossier_code: str) -> list[Event]:
        """Events of one dossier (empty when events are not kept)."""
        return list(self._events.get(dossier_code, ()))

    def load(self, dossier_code: str) -> Dossier | None:
        """The dossier's state (closed ones only when events are kept)."""
        return self._dossiers.get(dossier_code)

    def next_sequence(self, agency_code: str, day: date) -> int:
        """Next number of the day for dossier codes."""
        value = self._sequences.get((agency_code, day), 0) + 1
        self._sequences[(agency_code, day)] = value
        return value

    def find_idempotent(self, dossier_code: str | None, key: str) -> Event | None:
        """The simulator never uses idempotency keys."""
        return None

    def find(self, query: DossierQuery) -> list[str]:
        """Codes of the kept dossiers matching every filter of ``query``, in code order (the
        same filters as :class:`~tthc_flow.store.MemoryStore`)."""
        return sorted(code for code, d in self._dossiers.items() if matches(d, query))

    def dossiers(self) -> Iterator[Dossier]:
        """Every kept dossier."""
        return iter(list(self._dossiers.values()))

    def events(self) -> Iterator[Event]:
        """Every kept event in ``seq`` order."""
        everything = [e for events in self._events.values() for e in events]
        return iter(sorted(everything, key=lambda e: e.seq))

    def verify(
        self,
        key: ChainKey | Sequence[ChainKey] | None = None,
        *,
        unkeyed_through: int | None = None,
    ) -> ChainReport:
        """Check every kept chain, and that each summary is the replay of its events; report
        every broken dossier (``key``: see :meth:`tthc_flow.store.Store.verify`)."""
        checked = 0
        problems: list[ChainProblem] = []
        for code in sorted(self._events):
            events = self._events[code]
            checked += len(events)
            broken = first_broken_link(events, key, unkeyed_through=unkeyed_through)
            if broken is not None:
                problems.append(ChainProblem(code, *broken))
            elif replay(events) != replace(self._dossiers[code], as_of=None):
                problems.append(ChainProblem(code, len(events), "replay differs"))
        return ChainReport.of(len(self._events), checked, problems)
