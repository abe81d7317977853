"""The store-wide digest: one hash over every event in commit order, anchored outside.

A dossier's chain proves its own events follow one another; it says nothing about dossiers
that vanished whole, or a chain rewritten consistently. The store digest folds every event
of the change feed (:meth:`~tthc_flow.store.FullStore.changes`: commit order, no gap, and an
event committed later is never placed before a position already handed out) into one
running SHA-256::

    root_0 = GENESIS_HASH
    root_n = SHA-256(root_{n-1} U+001F dossier code U+001F version U+001F event hash)

An :class:`Anchor` is ``(events n, root_n, feed position, time)``. Printed, mailed, sent to
another agency's system or written into a register the database's administrators cannot
change, it proves later that the first ``n`` events of the feed are exactly the events that
were there: none rewritten (its hash, which covers its content and its predecessor, would
differ), inserted, deleted or truncated, whole dossiers included. It proves nothing about
events after its position.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from tthc_flow._time import VN_TZ, isoformat
from tthc_flow.engine import GENESIS_HASH, Event
from tthc_flow.errors import AuditFileError, Problem
from tthc_flow.store import FeedPage

ANCHOR_FORMAT = "tthc_flow anchor"
_FEED_PAGE = 500


class FeedReader(Protocol):
    """What the digest reads from a store: its change feed (every full store has one)."""

    def changes(self, after: str = "", *, limit: int = 500) -> FeedPage:
        """Events committed after ``after``, in commit order."""
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
    """The store digest at a position of the change feed, to keep outside the database.

    ``events``: how many events of the feed it covers; ``root``: the digest after them;
    ``position``: the feed position after them (the store's opaque text, where an anchor
    taken later goes on from); ``taken_at``: when it was taken.

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
                "taken_at": isoformat(self.taken_at),
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
            raise _bad(source, "position", "the store's feed position (text)")
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


def pages(store: FeedReader, after: str = "") -> Iterator[FeedPage]:
    """The store's change feed after ``after``, page by page."""
    position = after
    while True:
        page = store.changes(position, limit=_FEED_PAGE)
        if page.events:
            yield page
        if len(page.events) < _FEED_PAGE:
            return
        position = page.position


def feed(store: FeedReader) -> Iterator[Event]:
    """Every event of the store's change feed, in commit order."""
    for page in pages(store):
        yield from page.events


def take_anchor(
    store: FeedReader, *, after: Anchor | None = None, now: datetime | None = None
) -> Anchor:
    """The anchor of the store's whole change feed now.

    With ``after`` (an anchor taken earlier from this store), only the events since go into
    it: cheap to take often. It takes the earlier anchor's root as given; prove that one with
    :func:`check_anchor` (a full read) when verifying.
    """
    count, root, position = 0, GENESIS_HASH, ""
    if after is not None:
        count, root, position = after.events, after.root, after.position
    for page in pages(store, position):
        added, root = digest(page.events, root)
        count += added
        position = page.position
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
        head = f"anchor of {self.anchor.events} events taken {isoformat(self.anchor.taken_at)}"
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


def check_anchor(store: FeedReader, anchor: Anchor) -> AnchorCheck:
    """Whether the store's change feed still begins with exactly the anchored events."""
    return check_events(feed(store), anchor)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def _bad(source: str, field: str, message: str) -> AuditFileError:
    return AuditFileError(Problem(source, None, None, field, message), f"bad anchor {source}")
