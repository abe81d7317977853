"""The store-wide digest: one hash over every event in ``seq`` order, anchored outside.

A dossier's chain proves its own events follow one another; it says nothing about dossiers
that vanished whole, or a chain rewritten consistently. The store digest folds every event,
in the store-wide ``seq`` order, into one running SHA-256::

    root_0 = GENESIS_HASH
    root_n = SHA-256(root_{n-1} U+001F dossier code U+001F version U+001F event hash)

An :class:`Anchor` is ``(events n, root_n, position: the n-th event's seq, time)``. Printed,
mailed, sent to another agency's system or written into a register the database's
administrators cannot change, it proves later that the events with a ``seq`` up to its
position are exactly the events that were there: none rewritten (its hash, which covers its
content and its predecessor, would differ), inserted, deleted or truncated, whole dossiers
included. It proves nothing about events after its position.

Only settled events are anchored: on PostgreSQL a ``seq`` is drawn before its transaction
commits, so a lower number can become visible after a higher one. :func:`take_anchor` first
takes a ``SHARE`` lock on ``events`` for one ``SELECT max(seq)``: it waits for the writers in
flight and holds new ones back for that moment, so every number up to that maximum is
committed or gone for good. SQLite has one writer and the memory store a lock: what is
visible is settled.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from tthc_flow._time import VN_TZ
from tthc_flow.engine import GENESIS_HASH, Event
from tthc_flow.errors import AuditFileError, Problem, StoreError

ANCHOR_FORMAT = "tthc_flow anchor"


class EventSource(Protocol):
    """What the digest reads from a store: every event in ``seq`` order (every store)."""

    def events(self) -> Iterator[Event]:
        """Every event in ``seq`` order."""
        ...


def fold(root: str, event: Event) -> str:
    """The store digest after ``event``, from the digest ``root`` before it."""
    text = f"{root}\x1f{event.dossier_code}\x1f{event.version}\x1f{event.hash}"
    return hashlib.sha256(text.encode()).hexdigest()


def digest(events: Iterable[Event], root: str = GENESIS_HASH) -> tuple[int, str]:
    """``(count, root)`` after folding ``events`` in order into ``root``."""
    count = 0
    for event in events:
        root = fold(root, event)
        count += 1
    return count, root


@dataclass(frozen=True)
class Anchor:
    """The store digest at a position of the event log, to keep outside the database.

    ``events``: how many events it covers; ``root``: the digest after them; ``position``:
    the ``seq`` of the last of them (text); ``taken_at``: when it was taken.

    >>> a = Anchor(2, "ab" * 32, "2", datetime(2026, 4, 24, 17, tzinfo=VN_TZ))
    >>> Anchor.from_json(a.to_json()) == a
    True
    """

    events: int
    root: str
    position: str
    taken_at: datetime

    def to_json(self) -> str:
        """One line of JSON (print it, mail it, store it elsewhere)."""
        return json.dumps(
            {
                "format": ANCHOR_FORMAT,
                "version": 1,
                "events": self.events,
                "root": self.root,
                "position": self.position,
                "taken_at": self.taken_at.isoformat(),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str, *, source: str = "<anchor>") -> Anchor:
        """The anchor written by :meth:`to_json`; :class:`AuditFileError` naming the field
        otherwise."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise _bad(source, "", f"not JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != ANCHOR_FORMAT:
            raise _bad(source, "format", f"not an anchor (expected format {ANCHOR_FORMAT!r})")
        if data.get("version") != 1:
            raise _bad(source, "version", f"anchor version {data.get('version')!r} is not 1")
        events, root, position = data.get("events"), data.get("root"), data.get("position")
        if type(events) is not int or events < 0:
            raise _bad(source, "events", "a whole number of events, at least 0")
        if not isinstance(root, str) or len(root) != 64 or not _is_hex(root):
            raise _bad(source, "root", "64 hexadecimal digits")
        if not isinstance(position, str) or len(position) > 100:
            raise _bad(source, "position", "the seq of the last anchored event (text)")
        try:
            taken_at = datetime.fromisoformat(str(data.get("taken_at")))
        except ValueError:
            raise _bad(source, "taken_at", "an ISO 8601 moment with its UTC offset") from None
        if taken_at.tzinfo is None:
            raise _bad(source, "taken_at", "an ISO 8601 moment with its UTC offset")
        return cls(events, root, position, taken_at)

    def save(self, path: str | Path) -> Path:
        """Write the anchor to a file (one line); returns the path."""
        target = Path(path)
        target.write_text(self.to_json() + "\n", encoding="utf-8")
        return target

    @classmethod
    def load(cls, path: str | Path) -> Anchor:
        """The anchor saved in a file."""
        file = Path(path)
        try:
            raw = file.read_bytes()[:4097]
        except OSError as exc:
            raise _bad(str(file), "", f"cannot read: {exc.strerror}") from None
        if len(raw) > 4096:
            raise _bad(str(file), "", "not an anchor file (larger than 4 KiB)")
        return cls.from_json(raw.decode("utf-8", errors="replace"), source=str(file))


def settled(store: EventSource) -> Iterator[Event]:
    """The store's settled events in ``seq`` order: none with a lower ``seq`` can appear later
    (see the module notes)."""
    bound = _settled_seq(store)
    for event in store.events():
        if bound is not None and event.seq > bound:
            return
        yield event


def _settled_seq(store: EventSource) -> int | None:
    """PostgreSQL: the highest ``seq`` once every writer in flight has finished (None
    elsewhere: every visible event is settled)."""
    sql = sys.modules.get("tthc_flow.store._sql")  # not loaded: no SqlStore exists (and a
    if sql is None or not isinstance(store, sql.SqlStore):  # memory user loads no SQLAlchemy)
        return None
    if store.engine.dialect.name != "postgresql":
        return None
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("LOCK TABLE events IN SHARE MODE")
            found = conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM events").scalar()
    except SQLAlchemyError as exc:
        raise StoreError(f"database {store.url}: cannot settle the event log: {exc}") from exc
    return int(found or 0)


def take_anchor(store: EventSource, *, now: datetime | None = None) -> Anchor:
    """The anchor of every settled event of the store, now."""
    count, root, position = 0, GENESIS_HASH, "0"
    for event in settled(store):
        root = fold(root, event)
        count += 1
        position = str(event.seq)
    moment = now if now is not None else datetime.now(VN_TZ)
    return Anchor(count, root, position, moment)


@dataclass(frozen=True)
class AnchorCheck:
    """Result of :func:`check_anchor`: ok, or why the store no longer matches the anchor."""

    anchor: Anchor
    events_found: int
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """True when the first ``anchor.events`` events are exactly those anchored."""
        return self.problem is None

    def describe(self) -> str:
        """One line."""
        head = f"anchor of {self.anchor.events} events taken {self.anchor.taken_at.isoformat()}"
        return f"{head}: " + ("ok" if self.ok else str(self.problem))


def check_events(events: Iterable[Event], anchor: Anchor) -> AnchorCheck:
    """Whether the first ``anchor.events`` of ``events`` (in commit order) digest to its root."""
    root, count = GENESIS_HASH, 0
    for event in events:
        if count == anchor.events:
            break
        root = fold(root, event)
        count += 1
    if count < anchor.events:
        return AnchorCheck(
            anchor,
            count,
            f"only {count} events where the anchor covers {anchor.events}: events at or before "
            "its position were deleted (a truncated chain or a whole dossier)",
        )
    if root != anchor.root:
        return AnchorCheck(
            anchor,
            count,
            f"the first {count} events do not digest to the anchor's root: an event at or "
            "before its position was rewritten, inserted or deleted",
        )
    return AnchorCheck(anchor, count)


def check_anchor(store: EventSource, anchor: Anchor) -> AnchorCheck:
    """Whether the store's events still begin with exactly the anchored events."""
    return check_events(store.events(), anchor)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def _bad(source: str, field: str, message: str) -> AuditFileError:
    return AuditFileError(Problem(source, None, None, field, message), f"bad anchor {source}")
