"""What the engine needs from a store: appending events safely and finding dossiers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Protocol

from tthc_flow.errors import StoreError

if TYPE_CHECKING:  # the engine imports the store: no runtime import back (cycle)
    from tthc_flow.engine._dossier import Dossier
    from tthc_flow.engine._events import Event


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


@dataclass(frozen=True)
class ChainReport:
    """Result of :meth:`Store.verify`: ok, or the first broken link found."""

    dossiers_checked: int
    events_checked: int
    broken_dossier: str | None = None
    broken_version: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when every chain verifies."""
        return self.broken_dossier is None


class Store(Protocol):
    """Persistence for events (the source of truth) and dossier summaries (for queries).

    ``append`` is atomic: all of ``events`` and the new summary are stored, or none. The first
    event's version must be one more than the stored version of the dossier, else
    :class:`~tthc_flow.errors.ConcurrencyConflict` is raised and nothing is stored.

    A store that keeps no events (the simulator's lean ``SimulationStore(keep_events=False)``)
    says so with an attribute ``keep_events = False``; the engine then leaves its events
    unhashed, since no chain would be kept to verify.
    """

    def append(self, events: Sequence[Event], dossier: Dossier) -> Sequence[Event]:
        """Store ``events`` of one dossier and its resulting summary; returns them with ``seq``
        (0 when the store numbers them later, e.g. inside a ``SqlStore.batch()``)."""
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

    def verify(self) -> ChainReport:
        """Check every dossier's hash chain and summary."""
        ...


class FullStore(Store, Protocol):
    """A :class:`Store` that also groups writes and raises on a broken chain.

    :class:`~tthc_flow.store.MemoryStore` and :class:`~tthc_flow.store.SqlStore` are full
    stores; a minimal store for the engine (e.g. the simulator's) need only be a ``Store``.
    """

    def batch(self) -> AbstractContextManager[None]:
        """Group the appends of this thread inside the block into one transaction."""
        ...

    def check(self) -> None:
        """Raise :class:`~tthc_flow.errors.IntegrityError` unless :meth:`verify` is ok."""
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
