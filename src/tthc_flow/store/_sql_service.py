"""The SQL of what a deployed service needs around the log: outbox, timers, change feed.

Functions on a connection already inside the right transaction (:class:`SqlStore` opens it):
a write transaction for claims, acknowledgements and timer firing (SQLite's takes the write
lock up front, ``BEGIN IMMEDIATE``), a read transaction for queries.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, exists, insert, literal_column, select, tuple_, update

from tthc_flow.engine._store_port import Delivery, DueTimer
from tthc_flow.errors import InvalidCommand
from tthc_flow.store._memory_outbox import delivery, timer_message_key
from tthc_flow.store._raw import RAW_EVENTS
from tthc_flow.store.schema import events, outbox, timers

if TYPE_CHECKING:
    from tthc_flow.engine._messages import OutboxMessage

_EARLIER = outbox.alias("earlier")
_DELIVERY_COLUMNS = (
    outbox.c.id,
    outbox.c.key,
    outbox.c.topic,
    outbox.c.dossier_code,
    outbox.c.version,
    outbox.c.payload,
    outbox.c.created_at,
    outbox.c.attempts,
    outbox.c.lease_owner,
)


def claim(
    conn: Connection,
    consumer: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    topics: frozenset[str] | None,
) -> list[Delivery]:
    """Lease the oldest deliverable message of each dossier and topic, oldest first."""
    if not isinstance(consumer, str) or not consumer:
        raise InvalidCommand("consumer= must name the consumer (a non-empty text)")
    if type(limit) is not int or limit < 1:
        raise InvalidCommand(f"limit={limit!r}: a whole number of messages, at least 1")
    o = outbox.c
    earlier_pending = exists().where(
        _EARLIER.c.dossier_code == o.dossier_code,
        _EARLIER.c.topic == o.topic,
        _EARLIER.c.id < o.id,
        _EARLIER.c.delivered_at.is_(None),
    )
    where = [
        o.delivered_at.is_(None),
        o.available_at <= now,
        (o.lease_until.is_(None)) | (o.lease_until <= now),
        ~earlier_pending,
    ]
    if topics is not None:
        where.append(o.topic.in_(sorted(topics)))
    # PostgreSQL: rows another consumer is claiming right now are skipped, not waited for;
    # SQLite ignores FOR UPDATE (its write transaction already holds the database)
    pick = select(o.id).where(*where).order_by(o.id).limit(limit).with_for_update(skip_locked=True)
    ids = list(conn.execute(pick).scalars())
    if not ids:
        return []
    conn.execute(
        update(outbox)
        .where(o.id.in_(ids))
        .values(attempts=o.attempts + 1, lease_owner=consumer, lease_until=now + lease)
    )
    rows = conn.execute(select(*_DELIVERY_COLUMNS).where(o.id.in_(ids)).order_by(o.id))
    return [delivery(row) for row in rows]


def ack(conn: Connection, id_: int, now: datetime) -> None:
    """Delivered (kept as done even if the lease ran out and another consumer re-sent it)."""
    o = outbox.c
    conn.execute(
        update(outbox)
        .where(o.id == id_, o.delivered_at.is_(None))
        .values(delivered_at=now, lease_owner=None, lease_until=None)
    )


def retry(conn: Connection, id_: int, error: str, at: datetime) -> None:
    """Failed: available again at ``at``, the error kept (its first 2,000 characters)."""
    o = outbox.c
    conn.execute(
        update(outbox)
        .where(o.id == id_, o.delivered_at.is_(None))
        .values(available_at=at, last_error=error[:2000], lease_owner=None, lease_until=None)
    )


def due_timers(conn: Connection, now: datetime, limit: int) -> list[DueTimer]:
    """Unfired timers due at ``now``, earliest first: a range scan of ``ix_timers_due_at``."""
    t = timers.c
    stmt = (
        select(t.dossier_code, t.kind, t.due_at)
        .where(t.due_at <= now, t.fired_at.is_(None))
        .order_by(t.due_at, t.dossier_code, t.kind)
        .limit(limit)
    )
    return [DueTimer(*row) for row in conn.execute(stmt)]


def fire_timer(
    conn: Connection, timer: DueTimer, now: datetime, message: OutboxMessage | None
) -> bool:
    """Set ``fired_at`` if still pending at the same moment; queue ``message`` with it."""
    t = timers.c
    changed = conn.execute(
        update(timers)
        .where(
            t.dossier_code == timer.dossier_code,
            t.kind == timer.kind,
            t.due_at == timer.due_at,
            t.fired_at.is_(None),
        )
        .values(fired_at=now)
    )
    if changed.rowcount != 1:
        return False
    if message is not None:
        version, key = timer_message_key(timer, message)
        conn.execute(
            insert(outbox).values(
                dossier_code=timer.dossier_code,
                version=version,
                topic=message.topic,
                key=key,
                payload=json.dumps(message.payload, ensure_ascii=False, sort_keys=True),
                created_at=now,
                available_at=now,
                attempts=0,
            )
        )
    return True


def timers_of(conn: Connection, dossier_code: str) -> dict[str, datetime]:
    """The pending timers of one dossier by kind."""
    t = timers.c
    stmt = select(t.kind, t.due_at).where(t.dossier_code == dossier_code, t.fired_at.is_(None))
    return {kind: due for kind, due in conn.execute(stmt)}


# the oldest transaction still running: every writer with a smaller id has finished
_XMIN: Any = literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


def changes(conn: Connection, after: str, limit: int) -> tuple[list[Any], str]:
    """Raw event rows after ``after`` in commit order, and the position after them."""
    if type(limit) is not int or limit < 1:
        raise InvalidCommand(f"limit={limit!r}: a whole number of events, at least 1")
    e = events.c
    if conn.dialect.name == "postgresql":
        tx, seq = _position(after, 2)
        stmt = (
            RAW_EVENTS.where(e.tx < _XMIN, tuple_(e.tx, e.seq) > tuple_(tx, seq))
            .order_by(e.tx, e.seq)
            .limit(limit)
        )
        rows = list(conn.execute(stmt))
        if rows:
            tx, seq = int(rows[-1].tx), int(rows[-1].seq)
        return rows, f"{tx}.{seq}"
    (seq,) = _position(after, 1)
    stmt = RAW_EVENTS.where(e.seq > seq).order_by(e.seq).limit(limit)
    rows = list(conn.execute(stmt))
    return rows, str(int(rows[-1].seq) if rows else seq)


def _position(text: str, parts: int) -> tuple[int, ...]:
    if text == "":
        return (0,) * parts
    pieces = text.split(".")
    if len(pieces) != parts or not all(p.isdigit() for p in pieces):
        raise InvalidCommand(f"feed position {text!r} is not one this store handed out")
    return tuple(int(p) for p in pieces)
