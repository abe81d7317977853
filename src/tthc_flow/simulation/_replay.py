"""Arrivals replayed from a stored event log (``arrivals: {replay: {db: ..., from:, until:}}``).

Every dossier-creating event (``submit`` or ``receive``: version 1) of the store in the
window becomes one arrival with the same procedure, channel and moment; what happens next
(service times, supplements, withdrawals) is drawn as for Poisson arrivals. Read through the
store's public API (:class:`~tthc_flow.store.SqlStore` and its ``events()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tthc_flow._time import VN_TZ
from tthc_flow.store import SqlStore


@dataclass(frozen=True, slots=True)
class ReplayedArrival:
    """One arrival from the log: POSIX timestamp, procedure code and channel."""

    ts: float
    code: str
    channel: str


def store_url(db: str, base: Path) -> str:
    """A database URL from ``db``: a URL as given, or a SQLite file relative to ``base``."""
    if "://" in db:
        return db
    return f"sqlite:///{(base / db).resolve()}"


def read_arrivals(url: str, start: date, until: date) -> list[ReplayedArrival]:
    """Creation events with local dates in ``[start, until]``, in time order.

    Raises the store's errors (e.g. :class:`~tthc_flow.errors.SchemaVersionError`) and
    OSError/ValueError when the database cannot be opened.
    """
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():  # SQLite would create an empty file: a typo must not
            raise FileNotFoundError(f"no such file: {path}")
    arrivals = []
    with SqlStore(url, create=False) as store:
        for event in store.events():
            if event.version != 1 or event.effect not in ("submit", "accept"):
                continue
            if not start <= event.at.astimezone(VN_TZ).date() <= until:
                continue
            payload = event.payload
            arrivals.append(
                ReplayedArrival(
                    event.at.timestamp(),
                    str(payload["procedure_code"]),
                    str(payload["channel"]),
                )
            )
    arrivals.sort(key=lambda a: a.ts)
    return arrivals
