"""What tamper evidence costs. Run: ``.venv/bin/python benchmarks/tamper.py``.

Each line runs the plain way and the checked way in the same process, checks that both did
the same work, and prints the ratio (median of several runs):
  (a) SqlStore.load of a dossier of 20 events, which now checks every link and unkeyed hash
      before the replay, against the replay of the same events without the check;
  (b) MemoryStore.load, which now checks the last link, against the plain dictionary read;
  (c) the Engine on a MemoryStore, 2,000 dossiers x 4 events, with a ChainKey (HMAC-SHA256)
      against without one;
  (d) take_anchor over every event of a SQLite store against reading the same events.
"""

from __future__ import annotations

import os
import sys

if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)  # benchmarks/calendar.py would shadow the standard library's calendar

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tthc_flow._time import VN_TZ
from tthc_flow.audit import take_anchor
from tthc_flow.engine import GENESIS_HASH, Actor, ChainKey, Engine, Event, FixedClock, replay
from tthc_flow.procedure import load_catalog
from tthc_flow.store import MemoryStore, SqlStore

ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog(ROOT / "examples" / "so-cong-thuong")
EVERYONE = Actor.of("all", "one_stop", "specialist", "leader")
T0 = datetime(2026, 3, 2, 8, tzinfo=VN_TZ)
RUNS = 5


def median_seconds(work: Callable[[], object]) -> float:
    """Median wall time of ``work`` over RUNS runs."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def line(label: str, plain: float, checked: float) -> None:
    print(
        f"{label:<52} plain {plain * 1e6:11.1f} µs  checked {checked * 1e6:11.1f} µs  "
        f"ratio {checked / plain:6.2f}"
    )


def chain_of(code: str, length: int) -> list[Event]:
    """A receipt and ``length - 1`` notes, the payloads the engine writes."""
    first = Event.create(
        dossier_code=code,
        version=1,
        trigger="receive",
        effect="accept",
        from_state="",
        to_state="received",
        actor="desk",
        role="one_stop",
        at=T0,
        payload={
            "procedure_code": "2.000234",
            "procedure_version": 1,
            "agency_code": "SCT",
            "applicant": "Công ty A",
            "channel": "desk",
            "clock_started_at": T0.isoformat(),
            "due_at": (T0 + timedelta(days=14)).isoformat(),
            "data": {},
        },
        prev_hash=GENESIS_HASH,
    )
    events = [first]
    for version in range(2, length + 1):
        before = events[-1]
        events.append(
            Event.create(
                dossier_code=code,
                version=version,
                trigger="note",
                effect="note",
                from_state="received",
                to_state="received",
                actor="clerk",
                role="one_stop",
                at=before.at + timedelta(minutes=1),
                payload={"note": f"ghi chú {version}", "data": {"last": version}},
                prev_hash=before.hash,
            )
        )
    return events


def sql_load(folder: Path) -> None:
    store = SqlStore.sqlite(folder / "load.db")
    events = chain_of("A", 20)
    store.append(events, replay(events))
    assert store.load("A") == replay(store.load_events("A"))  # the same dossier either way
    repeat = 200

    def plain() -> None:
        for _ in range(repeat):
            replay(store.load_events("A"))

    def checked() -> None:
        for _ in range(repeat):
            store.load("A")

    line(
        "(a) SqlStore.load, 20 events (per load)",
        median_seconds(plain) / repeat,
        median_seconds(checked) / repeat,
    )
    store.close()


def memory_load() -> None:
    store = MemoryStore()
    events = chain_of("A", 20)
    store.append(events, replay(events))
    repeat = 20_000
    kept = store._dossiers  # the dictionary load() read before the check

    def plain() -> None:
        for _ in range(repeat):
            kept.get("A")

    def checked() -> None:
        for _ in range(repeat):
            store.load("A")

    assert store.load("A") is kept.get("A")
    line(
        "(b) MemoryStore.load, last link (per load)",
        median_seconds(plain) / repeat,
        median_seconds(checked) / repeat,
    )


def engine_run(key: ChainKey | None) -> tuple[float, Any]:
    store = MemoryStore()
    engine = Engine(CATALOG, store=store, clock=FixedClock(T0), key=key)
    started = time.perf_counter()
    for i in range(2_000):
        code = engine.receive("2.000234", applicant=f"A{i}", channel="desk").code
        for hour, trigger in enumerate(("handover", "appraise", "inspect"), start=1):
            engine.fire(code, trigger, EVERYONE, T0 + timedelta(hours=hour))
    return time.perf_counter() - started, store


def engine_keyed() -> None:
    key = ChainKey.generate()
    plain_runs, keyed_runs = [], []
    for _ in range(3):
        seconds, plain_store = engine_run(None)
        plain_runs.append(seconds)
        seconds, keyed_store = engine_run(key)
        keyed_runs.append(seconds)
    assert plain_store.verify().events_checked == keyed_store.verify(key).events_checked == 8_000
    assert keyed_store.verify(key).ok and plain_store.verify().ok
    line(
        "(c) Engine, 2,000 dossiers x 4 events, keyed",
        statistics.median(plain_runs),
        statistics.median(keyed_runs),
    )


def anchor_cost(folder: Path) -> None:
    store = SqlStore.sqlite(folder / "anchor.db")
    for n in range(500):
        events = chain_of(f"D{n:04d}", 8)
        store.append(events, replay(events))

    def plain() -> int:
        return sum(1 for _ in store.events())

    assert take_anchor(store).events == plain() == 4_000
    line(
        "(d) take_anchor, 4,000 events on SQLite",
        median_seconds(plain),
        median_seconds(lambda: take_anchor(store)),
    )
    store.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sql_load(Path(tmp))
        memory_load()
        engine_keyed()
        anchor_cost(Path(tmp))


if __name__ == "__main__":
    main()
