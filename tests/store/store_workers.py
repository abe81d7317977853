"""Event builders and subprocess workers for the store tests (importable after a spawn)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from typing import Any

from tthc_flow._time import VN_TZ
from tthc_flow.engine import GENESIS_HASH, Dossier, Event, apply, replay
from tthc_flow.store import SqlStore

T0 = datetime(2026, 3, 2, 8, tzinfo=VN_TZ)


def first_event(code: str, at: datetime = T0, key: str | None = None, **extra: Any) -> Event:
    """A receive event creating ``code`` (the payload the engine would write)."""
    payload: dict[str, Any] = {
        "procedure_code": "2.000234",
        "procedure_version": 1,
        "agency_code": extra.pop("agency_code", "SCT"),
        "applicant": extra.pop("applicant", "Công ty A"),
        "channel": "desk",
        "on_the_spot": False,
        "fees_due": 1_200_000,
        "data": {"fee_paid": True},
        "clock_started_at": at.isoformat(),
        "due_at": (at + timedelta(days=14)).isoformat(),
        "step_due": [["appraise", (at + timedelta(days=3)).isoformat()]],
    }
    payload.update(extra)
    return Event.create(
        dossier_code=code,
        version=1,
        trigger="receive",
        effect="accept",
        from_state="",
        to_state="received",
        actor="desk",
        role="one_stop",
        at=at,
        payload=payload,
        prev_hash=GENESIS_HASH,
        idempotency_key=key,
    )


def next_event(d: Dossier, key: str | None = None, note: str = "x") -> Event:
    """A note event following ``d`` (no state change; apply() folds it generically)."""
    return Event.create(
        dossier_code=d.code,
        version=d.version + 1,
        trigger="note",
        effect="note",
        from_state=d.state,
        to_state=d.state,
        actor="clerk",
        role="one_stop",
        at=d.updated_at + timedelta(minutes=1),
        payload={"note": note, "data": {"last_note": note}},
        prev_hash=d.last_hash,
        idempotency_key=key,
    )


def chain(code: str, length: int, at: datetime = T0) -> tuple[list[Event], Dossier]:
    """``length`` events of one dossier and the dossier they fold into."""
    events = [first_event(code, at)]
    dossier = replay(events)
    while len(events) < length:
        event = next_event(dossier, note=str(len(events)))
        events.append(event)
        dossier = apply(dossier, event)
    return events, dossier


def race_worker(
    url: str, code: str, rounds: int, barrier: Any, results: Any, wid: int, batched: bool = False
) -> None:
    """Each round: everyone holds the same version, then everyone appends the next one.

    ``batched``: each round is a ``store.batch()`` that also appends to the worker's own
    dossier ``P<wid>``; reports ``(wins, committed batches)``.
    """
    wins: list[int] = []
    committed = [0]
    try:
        _race(url, code, rounds, barrier, wid, wins, committed if batched else None)
    except BaseException as exc:
        results.put((wid, f"{type(exc).__name__}: {exc}"))
        raise
    results.put((wid, (wins, committed[0]) if batched else wins))


def _race(
    url: str,
    code: str,
    rounds: int,
    barrier: Any,
    wid: int,
    wins: list[int],
    committed: list[int] | None,
) -> None:
    from contextlib import nullcontext

    from tthc_flow.errors import ConcurrencyConflict

    with SqlStore(url, create=False) as store:
        dossier = store.load(code)
        assert dossier is not None
        own = replay([first_event(f"P{wid}")])
        own_next = first_event(f"P{wid}")
        for _ in range(rounds):
            barrier.wait()
            event = next_event(dossier, note=f"w{wid}")
            won = False
            try:
                with store.batch() if committed is not None else nullcontext():
                    if committed is not None:
                        store.append([own_next], own)
                    try:
                        store.append([event], apply(dossier, event))
                        won = True
                    except ConcurrencyConflict:
                        pass  # lost at the append: the batch goes on
                if won:
                    wins.append(event.version)
                if committed is not None:
                    committed[0] += 1
                    own_next = next_event(own, note=f"p{committed[0]}")
                    own = apply(own, own_next)
            except ConcurrencyConflict:
                pass  # lost at the batch's flush (PostgreSQL): the whole batch rolled back
            barrier.wait()  # the round is decided: catch up with the winner's event only
            winner = _event_at(store, code, dossier.version + 1)
            dossier = apply(dossier, winner)


def _event_at(store: SqlStore, code: str, version: int) -> Event:
    # load() would replay the whole growing chain every round; one row is enough here
    from sqlalchemy import select

    from tthc_flow.store._rows import row_event
    from tthc_flow.store.schema import events

    stmt = select(events).where(events.c.dossier_code == code, events.c.version == version)
    with store._engine.connect() as conn:
        return row_event(conn.execute(stmt).one()._mapping)


def crash_writer(url: str, batch_size: int, events_per_dossier: int, stall_at: int) -> None:
    """Write batches, printing each committed batch number; the test kills us.

    In batch ``stall_at``, after half of its dossiers are appended (not committed), print
    ``mid <n>`` and wait: the kill then lands inside that batch's open transaction.
    """
    import time

    with SqlStore(url) as store:
        number = 0
        while True:
            with store.batch():
                for i in range(batch_size):
                    if number == stall_at and i == batch_size // 2:
                        print(f"mid {number}", flush=True)
                        time.sleep(600)
                    events, _ = chain(f"B{number:05d}-{i:03d}", events_per_dossier)
                    for k in range(len(events)):
                        store.append([events[k]], replay(events[: k + 1]))
            print(number, flush=True)
            number += 1


if __name__ == "__main__":
    crash_writer(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
