"""Delivering outbox messages: claim, send, acknowledge, and retry with backoff."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tthc_flow._time import to_vn
from tthc_flow.engine._store_port import Delivery, FullStore
from tthc_flow.errors import InvalidCommand

logger = logging.getLogger("tthc_flow.outbox")


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed message is tried again: ``first`` after the first failure, doubling up
    to ``longest``. Messages are never dropped (at least once): a message that keeps
    failing stays pending with its ``last_error`` for an operator to see."""

    first: timedelta = timedelta(seconds=10)
    longest: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.first <= timedelta(0) or self.longest < self.first:
            raise InvalidCommand("RetryPolicy: need 0 < first <= longest")

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1, 2, ...).

        >>> RetryPolicy().delay(1), RetryPolicy().delay(3)
        (datetime.timedelta(seconds=10), datetime.timedelta(seconds=40))
        """
        delay: timedelta = self.first * (2 ** min(max(attempts - 1, 0), 30))
        return min(delay, self.longest)


@dataclass(frozen=True)
class DeliveryReport:
    """What one :func:`deliver` round did."""

    delivered: int
    failed: int


def deliver(
    store: FullStore,
    send: Callable[[Delivery], None],
    *,
    consumer: str,
    now: datetime,
    limit: int = 50,
    lease: timedelta = timedelta(seconds=60),
    topics: frozenset[str] | None = None,
    retry: RetryPolicy | None = None,
) -> DeliveryReport:
    """One round: claim up to ``limit`` messages, ``send`` each, acknowledge what was sent
    and give back what failed (``send`` raised) for a later attempt.

    ``send`` must be idempotent on ``delivery.key``: a consumer that dies after sending and
    before acknowledging leaves the message to be sent again when its lease runs out.
    """
    moment = to_vn(now, "now")
    policy = retry or RetryPolicy()
    delivered = failed = 0
    for item in store.claim(consumer, now=moment, limit=limit, lease=lease, topics=topics):
        try:
            send(item)
        except Exception as exc:
            failed += 1
            logger.warning(
                "outbox message %s failed (attempt %d): %s", item.key, item.attempts, exc
            )
            store.retry(
                item,
                error=f"{exc.__class__.__name__}: {exc}",
                at=moment + policy.delay(item.attempts),
            )
            continue
        store.ack(item, now=moment)
        delivered += 1
    return DeliveryReport(delivered, failed)
