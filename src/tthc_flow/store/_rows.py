"""Conversions between events/dossiers and rows of :mod:`tthc_flow.store.schema`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine._dossier import Dossier
from tthc_flow.engine._events import Event
from tthc_flow.engine._personal import join
from tthc_flow.engine._timers import pending_due_at
from tthc_flow.store import schema
from tthc_flow.store._worklist import WORKLIST_COLUMNS, worklist_values

_VN_OFFSET = 7 * 3600

SUMMARY_COLUMNS: tuple[str, ...] = tuple(c.name for c in schema.dossiers.columns)
"""Columns of the ``dossiers`` summary table (in table order): :func:`summary_row`'s keys."""

FLAG_KEYS = ("paid_online", "e_result", "digitised", "complained")
"""Dossier data keys kept as boolean summary columns of the same names (766 indicators)."""


EVENT_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in schema.events.columns if c.name not in ("seq", "tx")
)
"""Columns of the ``events`` table that the store writes (``seq`` and ``tx`` are the
database's)."""


def _flags(d: Dossier, data: Mapping[str, Any]) -> dict[str, bool]:
    """The 766 flag columns: the data keys, and what the engine recorded (an online payment;
    a petition or a dislike rating), so the summary agrees with the indicators' reading."""
    flags = {key: bool(data.get(key, False)) for key in FLAG_KEYS}
    if any(p.method == "online" for p in d.payments) or any(f.paid_online for f in d.fees):
        flags["paid_online"] = True
    rating = d.rating
    if d.petitions or (rating is not None and rating.dislike):
        flags["complained"] = True
    return flags


def event_values(event: Event, at: Any) -> tuple[Any, ...]:
    """The ``events`` row of an event as a tuple in :data:`EVENT_COLUMNS` order, with ``at``
    (the event's moment, converted by the caller for the database) in its place."""
    offset = event.at.utcoffset()
    return (
        event.dossier_code,
        event.version,
        event.trigger,
        event.effect,
        event.from_state,
        event.to_state,
        event.actor,
        event.role,
        at,
        int(offset.total_seconds()) if offset is not None else 0,
        event.canonical_payload(),
        event.prev_hash,
        event.hash,
        event.idempotency_key,
    )


def event_row(event: Event) -> dict[str, Any]:
    """The ``events`` row of an event (``seq`` is assigned by the database)."""
    return dict(zip(EVENT_COLUMNS, event_values(event, event.at), strict=True))


def _zone(offset: int) -> timezone | Any:
    return VN_TZ if offset == _VN_OFFSET else timezone(timedelta(seconds=offset))


def row_event(row: Mapping[Any, Any]) -> Event:
    """The event of an ``events`` row, with the writer's UTC offset restored.

    The stored payload text is kept as the event's hashed text (``payload_json``): it is
    what was hashed, so a check hashes it as stored (any edit of it shows) instead of
    encoding the parsed payload again (a fifth of a load's cost)."""
    at: datetime = row["at"]
    offset = int(row["at_offset"])
    if offset != _VN_OFFSET:
        at = at.astimezone(_zone(offset))
    event = Event(
        row["dossier_code"],
        row["version"],
        row["trigger"],
        row["effect"],
        row["from_state"],
        row["to_state"],
        row["actor"],
        row["role"],
        at,
        json.loads(row["payload"]),
        row["prev_hash"],
        row["hash"],
        row["idempotency_key"],
        row["seq"],
    )
    values = event.__dict__
    values["payload_json"] = row["payload"]
    kept = row.get("pd_data")
    if kept is not None:  # a hash version 4 event: its personal data put back
        values["payload"] = join(values["payload"], json.loads(kept))
        values["personal_nonce"] = row.get("pd_nonce") or ""
    return event


def processing_seconds(d: Dossier, legacy_calendar: WorkCalendar) -> int | None:
    """The processing time the engine recorded with the result (``Dossier.processing_seconds``,
    working seconds on the engine's calendar); None while unresolved.

    Events written before the engine recorded it (tthc_flow 0.1) carry none: only for those is
    it measured here, from the clock start (else the receipt) to the result on
    ``legacy_calendar``, the rule the engine applies (``Engine._resolution``). The SQL store's
    summary row and the in-memory reports both read this one function.
    """
    if d.processing_seconds is not None or d.resolved_at is None:
        return d.processing_seconds
    started = d.clock_started_at or d.received_at
    if started is None:
        return None
    return round(legacy_calendar.working_time_between(started, d.resolved_at).total_seconds())


def summary_row(d: Dossier, calendar: WorkCalendar) -> dict[str, Any]:
    """The ``dossiers`` row of a dossier (its summary for SQL queries).

    ``calendar`` measures ``processing_seconds`` only for events written before the engine
    recorded it (:func:`processing_seconds`).
    """
    data = d.data_dict
    return {
        "code": d.code,
        "procedure_code": d.procedure_code,
        "procedure_version": d.procedure_version,
        "agency_code": d.agency_code,
        "applicant": d.applicant,
        "channel": d.channel,
        "state": d.state,
        "version": d.version,
        "last_hash": d.last_hash,
        "on_the_spot": d.on_the_spot,
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "clock_started_at": d.clock_started_at,
        "due_at": d.due_at,
        "original_due_at": d.original_due_at,
        "resolved_at": d.resolved_at,
        "returned_at": d.returned_at,
        "closed_at": d.closed_at,
        "updated_at": d.updated_at,
        "outcome": d.outcome,
        "resolution_timeliness": d.resolution_timeliness,
        "reschedule_count": len(d.reschedules),
        "supplement_count": len(d.pauses),
        "fees_due": d.fees_due,
        "fee_paid": d.fee_paid,
        "processing_seconds": processing_seconds(d, calendar),
        **_flags(d, data),
        "pending_due_at": pending_due_at(d),
        **dict(zip(WORKLIST_COLUMNS, worklist_values(d), strict=True)),
    }
