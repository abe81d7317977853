"""What the engine needs from a store: appending events safely and finding dossiers."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from tthc_flow.errors import StoreError

if TYPE_CHECKING:  # the engine imports the store: no runtime import back (cycle)
    from tthc_flow.engine._dossier import Dossier
    from tthc_flow.engine._events import Event
    from tthc_flow.engine._keys import ChainKey
    from tthc_flow.engine._messages import OutboxMessage
    from tthc_flow.engine._timers import TimerChange


@dataclass(frozen=True)
class DossierQuery:
    """Filters for :meth:`Store.find`; every given filter must match (None: any)."""

    states: frozenset[str] | None = None
    procedure_code: str | None = None
    agency_code: str | None = None
    open_only: bool = False
    due_before: datetime | None = None
    received_from: datetime | None = None
    received_until: datetime | None = None
    resolved_from: datetime | None = None
    resolved_until: datetime | None = None
    timeliness: str | None = None
    pending_due_from: datetime | None = None
    """With ``pending_due_before``: the appointment of an open, received, unresolved dossier
    that is not waiting for a supplement lies in [from, before) (the reminder queries)."""
    pending_due_before: datetime | None = None


class DossierSummary(NamedTuple):
    """A dossier's summary row: what worklists and reminders show, read without replaying
    its events (:meth:`Store.summaries`). A named tuple: thousands are built per query."""

    code: str
    procedure_code: str
    agency_code: str
    applicant: str
    channel: str
    state: str
    version: int
    received_at: datetime | None
    due_at: datetime | None
    updated_at: datetime
    reschedule_count: int
    supplement_count: int

    @classmethod
    def of(cls, d: Dossier) -> DossierSummary:
        """The summary of a dossier snapshot (in-process stores)."""
        return cls(
            d.code,
            d.procedure_code,
            d.agency_code,
            d.applicant,
            d.channel,
            d.state,
            d.version,
            d.received_at,
            d.due_at,
            d.updated_at,
            len(d.reschedules),
            len(d.pauses),
        )


SUMMARY_FIELDS = DossierSummary._fields
"""The summary row's columns a :class:`DossierSummary` carries, in its field order."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """An outbox message claimed for delivery (:meth:`FullStore.claim`).

    ``key`` is stable across retries (``<dossier>/<version>/<topic>``): give it to the
    receiving system as the idempotency key, since a message can be delivered twice (at
    least once: a consumer that dies after sending and before :meth:`FullStore.ack`).
    """

    id: int
    key: str
    topic: str
    dossier_code: str
    version: int
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    lease_owner: str


class DueTimer(NamedTuple):
    """A pending timer whose moment has come (:meth:`FullStore.due_timers`); a named tuple,
    as a scheduler reads thousands at a time."""

    dossier_code: str
    kind: str
    due_at: datetime


@dataclass(frozen=True)
class FeedPage:
    """A page of the change feed: events in commit order and the position after them.

    Pass ``position`` back to :meth:`FullStore.changes` for the next page; store it with
    what the consumer did (it is an opaque text) to resume after a restart.
    """

    events: list[Event]
    position: str


class ChainProblem(NamedTuple):
    """One dossier whose chain or summary does not verify: the first bad version, and why."""

    dossier_code: str
    version: int
    reason: str

    def __str__(self) -> str:
        return f"dossier {self.dossier_code} event {self.version}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    """Result of :meth:`Store.verify`: ok, or every broken dossier (``problems``, in code
    order, one per dossier); ``broken_dossier``, ``broken_version`` and ``reason`` repeat the
    first of them (the report's fields before every dossier was reported)."""

    dossiers_checked: int
    events_checked: int
    broken_dossier: str | None = None
    broken_version: int | None = None
    reason: str | None = None
    problems: tuple[ChainProblem, ...] = ()

    @classmethod
    def of(
        cls, dossiers_checked: int, events_checked: int, problems: Sequence[ChainProblem]
    ) -> ChainReport:
        """The report of every problem found (none: ok)."""
        if not problems:
            return cls(dossiers_checked, events_checked)
        first = problems[0]
        return cls(dossiers_checked, events_checked, *first, problems=tuple(problems))

    @property
    def ok(self) -> bool:
        """True when every chain verifies."""
        return self.broken_dossier is None

    def describe(self, most: int = 20) -> str:
        """One line per broken dossier (at most ``most``, then how many more), or "ok"."""
        if self.ok:
            return "ok"
        problems = self.problems or (
            ChainProblem(self.broken_dossier or "", self.broken_version or 0, self.reason or ""),
        )
        lines = [str(p) for p in problems[:most]]
        if len(problems) > most:
            lines.append(f"... and {len(problems) - most} more broken dossier(s)")
        return "\n".join(lines)


class Store(Protocol):
    """Persistence for events (the source of truth) and dossier summaries (for queries).

    ``append`` is atomic: all of ``events``, the new summary, the timer change and the
    outbox messages are stored, or none. The first event's version must be one more than
    the stored version of the dossier and its ``prev_hash`` the stored last hash (the store
    checks both in the same conditional write), else
    :class:`~tthc_flow.errors.ConcurrencyConflict` is raised and nothing is stored.

    ``keep_events`` False (the simulator's lean ``SimulationStore(keep_events=False)``) says
    that the store keeps no chain: the engine then leaves its events unhashed and writes no
    timers or outbox messages.
    """

    keep_events: bool

    def append(
        self,
        events: Sequence[Event],
        dossier: Dossier,
        *,
        timers: TimerChange | None = None,
        messages: Sequence[OutboxMessage] = (),
    ) -> Sequence[Event]:
        """Store ``events`` of one dossier, its resulting summary, the change of its timers
        and its outbox messages; returns the events with ``seq`` (0 when the store numbers
        them later, e.g. inside a ``SqlStore.batch()``)."""
        ...

    def head(self, dossier_code: str) -> tuple[int, str] | None:
        """The stored ``(version, last hash)`` of a dossier (None if unknown): one indexed
        read, so an engine can prove its cached copy fresh."""
        ...

    def batch(self) -> AbstractContextManager[None]:
        """Group the appends (and the day's numbering) of this thread inside the block into
        one transaction: all are kept, or none."""
        ...

    def in_batch(self) -> bool:
        """Whether this thread is inside a :meth:`batch` (its appends are not committed yet)."""
        ...

    def defer(self, on_commit: Callable[[], None], on_rollback: Callable[[], None]) -> bool:
        """Inside a :meth:`batch` of this thread: remember the callbacks for the batch's end
        and return True; outside one return False (the caller's append is committed)."""
        ...

    def load_events(self, dossier_code: str) -> list[Event]:
        """Events of one dossier, oldest first (empty if unknown)."""
        ...

    def load(self, dossier_code: str) -> Dossier | None:
        """The dossier's current state, or None if unknown."""
        ...

    def next_sequence(self, agency_code: str, day: date) -> int:
        """The next number of the day for dossier codes (1, 2, ...), issued atomically."""
        ...

    def find_idempotent(self, dossier_code: str | None, key: str) -> Event | None:
        """The event stored with this idempotency key (dossier None: a creation event)."""
        ...

    def find(self, query: DossierQuery) -> list[str]:
        """Codes of the dossiers matching ``query``."""
        ...

    def events(self) -> Iterator[Event]:
        """Every stored event in ``seq`` order (for exports and audits)."""
        ...

    def dossiers(self) -> Iterator[Dossier]:
        """Every stored dossier's current state, in code order (for reports)."""
        ...

    def summaries(
        self, query: DossierQuery, *, limit: int | None = None, by_due: bool = False
    ) -> list[DossierSummary]:
        """Summary rows of the dossiers matching ``query`` in code order, or with ``by_due``
        by appointment then code (no replay)."""
        ...

    def verify(
        self,
        key: ChainKey | Sequence[ChainKey] | None = None,
        *,
        unkeyed_through: int | None = None,
    ) -> ChainReport:
        """Check every dossier's hash chain and summary; report every broken dossier.

        With ``key`` every event must be keyed with one of the keys, except events with a
        ``seq`` at most ``unkeyed_through`` (see :func:`~tthc_flow.engine.first_broken_link`).
        """
        ...


@runtime_checkable
class FullStore(Store, Protocol):
    """A :class:`Store` for a deployed service: the outbox, durable timers, the change feed,
    and a check that raises on a broken chain.

    :class:`~tthc_flow.store.MemoryStore` and :class:`~tthc_flow.store.SqlStore` are full
    stores; a minimal store for the engine (e.g. the simulator's) need only be a ``Store``.
    """

    def check(
        self,
        key: ChainKey | Sequence[ChainKey] | None = None,
        *,
        unkeyed_through: int | None = None,
    ) -> None:
        """Raise :class:`~tthc_flow.errors.IntegrityError` unless :meth:`verify` is ok."""
        ...

    # ------------------------------------------------------------ the outbox
    def claim(
        self,
        consumer: str,
        *,
        now: datetime,
        limit: int = 50,
        lease: timedelta = timedelta(seconds=60),
        topics: frozenset[str] | None = None,
    ) -> list[Delivery]:
        """Lease up to ``limit`` deliverable messages to ``consumer`` until ``now + lease``:
        undelivered, available, not leased by a live lease, and the oldest undelivered
        message of their dossier and topic (each dossier's messages of a topic are delivered
        in order). Safe with many consumers."""
        ...

    def ack(self, delivery: Delivery, *, now: datetime) -> None:
        """Mark a delivered message done (even if its lease ran out meanwhile)."""
        ...

    def retry(self, delivery: Delivery, *, error: str, at: datetime) -> None:
        """Give a failed message back, available again at ``at``, with the error kept."""
        ...

    # ------------------------------------------------------------- timers
    def due_timers(self, now: datetime, *, limit: int = 500) -> list[DueTimer]:
        """Unfired timers whose moment is at or before ``now``, earliest first."""
        ...

    def fire_timer(
        self, timer: DueTimer, *, now: datetime, message: OutboxMessage | None = None
    ) -> bool:
        """Mark ``timer`` fired and write ``message`` to the outbox, in one transaction, if
        it is still pending at the same moment; False when another scheduler fired it first
        or the dossier changed it."""
        ...

    # -------------------------------------------------------------- feed
    def changes(self, after: str = "", *, limit: int = 500) -> FeedPage:
        """The events committed after position ``after`` ("" from the start), in commit
        order, with no gap: an event that becomes visible later is never placed before a
        position already handed out."""
        ...


def check_batch(events: Sequence[Event], dossier: Dossier) -> None:
    """Refuse a batch that is not one dossier's contiguous versions, summarised by ``dossier``.

    Raises :class:`~tthc_flow.errors.StoreError` (a caller bug, not a conflict); nothing is
    stored.
    """
    code = events[0].dossier_code
    if dossier.code != code:
        raise StoreError(f"append of {code}'s events with the summary of {dossier.code}")
    for before, after in pairwise(events):
        if after.dossier_code != code:
            raise StoreError(
                f"one append holds events of {code} and {after.dossier_code}; "
                "append each dossier's events separately"
            )
        if after.version != before.version + 1:
            raise StoreError(
                f"dossier {code}: versions {before.version} then {after.version} in one append; "
                "a batch must be contiguous"
            )
