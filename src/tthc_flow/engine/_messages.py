"""Outbox messages: what an event tells the outside world, decided by the engine.

The engine asks :class:`OutboxPolicy` for the messages of each event and hands them to the
store with the event, so they are written in the same transaction (a transactional outbox):
a message exists exactly when its event does. Senders (SMS, e-mail, Zalo, the national
public service portal) claim and acknowledge them from the store, at least once each, with
the message's ``key`` as their idempotency key (docs/service.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tthc_flow.engine._dossier import Dossier, iso
from tthc_flow.engine._events import Event

PORTAL_STATUS = "portal.status"
"""The dossier's status on the national public service portal changed (Decree 118/2025/ND-CP
art. 27.2.d: information and status synchronised with the portal)."""
RECEIPT = "notify.receipt"
"""Receipt and appointment slip issued: the applicant's appointment SMS/e-mail."""
SUPPLEMENT = "notify.supplement"
"""The applicant is asked to supplement the dossier (art. 17.2.a, 19.5)."""
APOLOGY = "notify.apology"
"""An apology with a new appointment (art. 19.6)."""
RESULT_READY = "notify.result_ready"
"""The result (approval or reasoned rejection) is ready to be returned."""

ALL_TOPICS = frozenset({PORTAL_STATUS, RECEIPT, SUPPLEMENT, APOLOGY, RESULT_READY})

_NOTIFY_BY_EFFECT = {
    "accept": RECEIPT,
    "request_supplement": SUPPLEMENT,
    "reschedule": APOLOGY,
    "approve": RESULT_READY,
    "reject": RESULT_READY,
}

# The status codes of the portal's dossier sync (TrangThaiHoSo), by lifecycle state; any
# other open state is a step of the handling: 4 "Đang xử lý".
_PORTAL_CODES = {
    "submitted": 1,  # Mới đăng ký
    "received": 2,  # Được tiếp nhận
    "refused": 3,  # Không được tiếp nhận
    "supplement_requested": 5,  # Yêu cầu bổ sung
    "awaiting_payment": 6,  # Yêu cầu thực hiện nghĩa vụ tài chính
    "withdrawn": 7,  # Công dân yêu cầu rút hồ sơ
    "stopped": 8,  # Dừng xử lý
    "result_ready": 9,  # Đã xử lý xong
    "returned": 10,  # Đã trả kết quả
}
IN_PROGRESS = 4
"""Đang xử lý: every state of the handling that has no code of its own."""


def portal_status(state: str) -> int:
    """The national portal's status code (TrangThaiHoSo, 1-10) of a lifecycle state.

    >>> portal_status("received"), portal_status("appraise"), portal_status("returned")
    (2, 4, 10)
    """
    return _PORTAL_CODES.get(state, IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message for the outside world: its ``topic`` and JSON-able ``payload``."""

    topic: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class OutboxPolicy:
    """Which messages the engine writes to the outbox (``topics``, default all).

    Subclass and override :meth:`messages` to add a province's own messages; the payloads
    must be JSON-able. An empty ``topics`` writes no messages.
    """

    topics: frozenset[str] = field(default=ALL_TOPICS)

    def messages(self, before: Dossier | None, after: Dossier, event: Event) -> list[OutboxMessage]:
        """The messages of ``event``, which turned ``before`` (None: a new dossier) into
        ``after``."""
        topics = self.topics
        if not topics:
            return []
        found: list[OutboxMessage] = []
        status = portal_status(after.state)
        if PORTAL_STATUS in topics and (before is None or portal_status(before.state) != status):
            found.append(OutboxMessage(PORTAL_STATUS, _base(after, event, status)))
        notify = _NOTIFY_BY_EFFECT.get(event.effect)
        if notify is not None and notify in topics:
            payload = _base(after, event, status)
            payload["applicant"] = after.applicant
            payload["channel"] = after.channel
            payload["due_at"] = iso(after.due_at) if after.due_at is not None else None
            if notify == SUPPLEMENT:
                payload["missing"] = list(event.payload.get("missing", ()))
            found.append(OutboxMessage(notify, payload))
        return found


def _base(after: Dossier, event: Event, status: int) -> dict[str, Any]:
    return {
        "dossier_code": after.code,
        "procedure_code": after.procedure_code,
        "agency_code": after.agency_code,
        "version": event.version,
        "trigger": event.trigger,
        "effect": event.effect,
        "state": after.state,
        "portal_status": status,
        "at": iso(event.at),
    }
