"""The outbox of :class:`~tthc_flow.store.MemoryStore`: messages in a dict, leased in order."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tthc_flow.store._protocol import Delivery, DueTimer

if TYPE_CHECKING:
    from tthc_flow.engine._events import Event
    from tthc_flow.engine._messages import OutboxMessage


def message_key(dossier_code: str, version: int, topic: str) -> str:
    """The stable idempotency key of a message: the event that caused it, and its topic."""
    return f"{dossier_code}/{version}/{topic}"


@dataclass(slots=True)
class OutboxRow:
    """One message as a store keeps it (the ``outbox`` table's columns)."""

    id: int
    dossier_code: str
    version: int
    topic: str
    key: str
    payload: str
    created_at: datetime
    available_at: datetime
    attempts: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = None
    delivered_at: datetime | None = None
    last_error: str | None = None


class MemoryOutbox:
    """Messages by id; the caller (the store) holds its lock around every call."""

    def __init__(self) -> None:
        self.rows: dict[int, OutboxRow] = {}
        self._keys: set[str] = set()
        self._next = 1

    def add(self, code: str, event: Event, messages: Any) -> None:
        """Queue the messages of ``event`` (available at once)."""
        for message in messages:
            self._put(code, event.version, message, event.at)

    def add_timer_message(self, timer: DueTimer, message: OutboxMessage, now: datetime) -> None:
        """Queue the message of a fired timer (keyed by the timer and its moment)."""
        version = int(message.payload.get("version", 0))
        self._put(timer.dossier_code, version, message, now, suffix=timer.due_at.isoformat())

    def _put(
        self, code: str, version: int, message: OutboxMessage, at: datetime, suffix: str = ""
    ) -> None:
        key = message_key(code, version, message.topic) + (f"@{suffix}" if suffix else "")
        if key in self._keys:
            return
        text = json.dumps(message.payload, ensure_ascii=False, sort_keys=True)
        self.rows[self._next] = OutboxRow(
            self._next, code, version, message.topic, key, text, at, at
        )
        self._keys.add(key)
        self._next += 1

    def mark(self) -> int:
        """A point to :meth:`undo` back to (a batch's rollback)."""
        return self._next

    def undo(self, mark: int) -> None:
        """Forget the messages added since ``mark``."""
        for id_ in range(mark, self._next):
            row = self.rows.pop(id_, None)
            if row is not None:
                self._keys.discard(row.key)
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
        for row in self.rows.values():  # in id order
            if row.delivered_at is not None:
                continue
            if topics is not None and row.topic not in topics:
                continue
            stream = (row.dossier_code, row.topic)
            if stream in blocked:
                continue
            blocked.add(stream)
            if row.available_at > now or (row.lease_until is not None and row.lease_until > now):
                continue
            row.attempts += 1
            row.lease_owner, row.lease_until = consumer, now + lease
            found.append(delivery(row))
            if len(found) >= limit:
                break
        return found

    def ack(self, id_: int, now: datetime) -> None:
        """Delivered."""
        row = self.rows.get(id_)
        if row is not None and row.delivered_at is None:
            row.delivered_at = now
            row.lease_owner = row.lease_until = None

    def retry(self, id_: int, error: str, at: datetime) -> None:
        """Failed: available again at ``at``."""
        row = self.rows.get(id_)
        if row is not None and row.delivered_at is None:
            row.available_at, row.last_error = at, error
            row.lease_owner = row.lease_until = None


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
