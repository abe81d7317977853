"""The outbox of :class:`~tthc_flow.store.MemoryStore`: messages by id, leased in order.

Each message is one tuple of plain values (the ``outbox`` table's columns), replaced when its
delivery state changes: like the store's event rows, a tuple of strings, numbers and
datetimes is invisible to Python's cyclic garbage collector once it has been seen. The payload
is kept as two tuples (its keys, its values), not as a dict the collector would walk nor as a
tuple per item that would make it run more often, and is encoded as JSON only when the
message is claimed: most commands write a message, few are claimed in a test or a run.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from tthc_flow.engine._store_port import Delivery, DueTimer

if TYPE_CHECKING:
    from tthc_flow.engine._events import Event
    from tthc_flow.engine._messages import OutboxMessage


def message_key(dossier_code: str, version: int, topic: str) -> str:
    """The stable idempotency key of a message: the event that caused it, and its topic."""
    return f"{dossier_code}/{version}/{topic}"


def timer_message_key(timer: DueTimer, message: OutboxMessage) -> tuple[int, str]:
    """The version and stable key of a fired timer's message: the timer's moment is part of
    the key, so a timer that moved and fires again is a new message."""
    version = int(message.payload.get("version", 0))
    key = message_key(timer.dossier_code, version, message.topic)
    return version, f"{key}@{timer.due_at.isoformat()}"


class OutboxRow(NamedTuple):
    """One message as a store keeps it (the ``outbox`` table's columns)."""

    id: int
    dossier_code: str
    version: int
    topic: str
    key: str
    payload: Any  # JSON text, or (keys, values) in MemoryOutbox
    created_at: datetime
    available_at: datetime
    attempts: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = None
    delivered_at: datetime | None = None
    last_error: str | None = None


_DELIVERED = OutboxRow._fields.index("delivered_at")
_TOPIC = OutboxRow._fields.index("topic")
_CODE = OutboxRow._fields.index("dossier_code")
_PAYLOAD = OutboxRow._fields.index("payload")


class MemoryOutbox:
    """Messages by id; the caller (the store) holds its lock around every call.

    Rows are kept as plain tuples in :class:`OutboxRow` order: the collector untracks exact
    tuples of untracked values, but not instances of a tuple subclass such as a named tuple.
    """

    def __init__(self) -> None:
        self.rows: dict[int, tuple[Any, ...]] = {}
        self._keys: set[str] = set()
        self._next = 1

    def add(self, code: str, event: Event, messages: Any) -> None:
        """Queue the messages of ``event`` (available at once)."""
        for message in messages:
            key = message_key(code, event.version, message.topic)
            self._put(code, event.version, key, message, event.at)

    def add_timer_message(self, timer: DueTimer, message: OutboxMessage, now: datetime) -> None:
        """Queue the message of a fired timer (keyed by the timer and its moment)."""
        version, key = timer_message_key(timer, message)
        self._put(timer.dossier_code, version, key, message, now)

    def _put(self, code: str, version: int, key: str, message: OutboxMessage, at: datetime) -> None:
        if key in self._keys:
            return
        payload = message.payload
        text = (tuple(payload), tuple(payload.values()))
        id_ = self._next
        self.rows[id_] = (
            id_,
            code,
            version,
            message.topic,
            key,
            text,
            at,
            at,
            0,
            None,
            None,
            None,
            None,
        )
        self._keys.add(key)
        self._next = id_ + 1

    def scrub(self, code: str, texts: list[str]) -> None:
        """Remove ``texts`` (erased personal data) from every message of dossier ``code``."""
        from tthc_flow.engine._personal import scrub

        for id_, row in list(self.rows.items()):
            if row[_CODE] == code:
                keys, values = row[_PAYLOAD]
                cleaned = scrub(dict(zip(keys, values, strict=True)), texts)
                text = (tuple(cleaned), tuple(cleaned.values()))
                self.rows[id_] = (*row[:_PAYLOAD], text, *row[_PAYLOAD + 1 :])

    def mark(self) -> int:
        """A point to :meth:`undo` back to (a batch's rollback)."""
        return self._next

    def undo(self, mark: int) -> None:
        """Forget the messages added since ``mark``."""
        for id_ in range(mark, self._next):
            row = self.rows.pop(id_, None)
            if row is not None:
                self._keys.discard(OutboxRow._make(row).key)
        self._next = mark

    def claim(
        self,
        consumer: str,
        now: datetime,
        limit: int,
        lease: timedelta,
        topics: frozenset[str] | None,
    ) -> list[Delivery]:
        """Lease the oldest deliverable message of each dossier and topic, oldest first."""
        blocked: set[tuple[str, str]] = set()  # with an earlier undelivered message
        found = []
        for raw in list(self.rows.values()):  # in id order
            if raw[_DELIVERED] is not None:
                continue
            if topics is not None and raw[_TOPIC] not in topics:
                continue
            stream = (raw[_CODE], raw[_TOPIC])
            if stream in blocked:
                continue
            blocked.add(stream)
            row = OutboxRow._make(raw)
            if row.available_at > now or (row.lease_until is not None and row.lease_until > now):
                continue
            leased = row._replace(
                attempts=row.attempts + 1, lease_owner=consumer, lease_until=now + lease
            )
            self.rows[row.id] = tuple(leased)
            keys, values = leased.payload
            # what a database gives back: JSON's values (lists for tuples, nothing shared)
            text = json.dumps(dict(zip(keys, values, strict=True)), ensure_ascii=False)
            found.append(delivery(leased._replace(payload=text)))
            if len(found) >= limit:
                break
        return found

    def ack(self, id_: int, now: datetime) -> None:
        """Delivered."""
        raw = self.rows.get(id_)
        if raw is not None and raw[_DELIVERED] is None:
            row = OutboxRow._make(raw)
            self.rows[id_] = tuple(
                row._replace(delivered_at=now, lease_owner=None, lease_until=None)
            )

    def retry(self, id_: int, error: str, at: datetime) -> None:
        """Failed: available again at ``at``."""
        raw = self.rows.get(id_)
        if raw is not None and raw[_DELIVERED] is None:
            row = OutboxRow._make(raw)
            self.rows[id_] = tuple(
                row._replace(
                    available_at=at, last_error=error[:2000], lease_owner=None, lease_until=None
                )
            )


def delivery(row: Any) -> Delivery:
    """The :class:`Delivery` of an outbox row (an :class:`OutboxRow` or a database row)."""
    return Delivery(
        int(row.id),
        row.key,
        row.topic,
        row.dossier_code,
        int(row.version),
        json.loads(row.payload),
        row.created_at,
        int(row.attempts),
        row.lease_owner,
    )
