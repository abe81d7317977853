"""Benchmark the SQL store. Run: ``.venv/bin/python benchmarks/store.py``.

SQLite (one file, WAL, synchronous=FULL):
  (a) 2,000 dossiers x 4 events through the Engine, 200 dossiers per ``store.batch()``;
  (b) the same events appended with ``SqlStore.append`` in batches (store cost alone);
  (c) a raw ``sqlite3`` ``executemany`` of the same rows into an equivalent table
      (same columns, unique constraints and indexes), one transaction: the floor.
  (d) the Engine on a MemoryStore: what the engine costs without any database.
  (e) a raw ``sqlite3`` ``executemany`` of the rows (b) stored (summaries and events) into
      the store's own schema, in (b)'s transactions: the ceiling of (b) with no Python cost.
PostgreSQL (``TTHC_BENCH_POSTGRES_URL`` or ``TTHC_TEST_POSTGRES_URL``; skipped without):
  events/s with 1, 4 and 8 writer processes on distinct dossiers, one transaction per event.
Both: median time to load a dossier of 20 events (replay included).
Every measure is the median of several runs.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this folder comes first on sys.path and benchmarks/calendar.py would shadow
# the standard library's calendar module: drop that entry before importing anything else.
if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import multiprocessing
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tthc_flow._time import VN_TZ
from tthc_flow.engine import GENESIS_HASH, Actor, Dossier, Engine, Event, FixedClock, apply, replay
from tthc_flow.procedure import load_catalog
from tthc_flow.store import MemoryStore, SqlStore
from tthc_flow.store._rows import event_row

ROOT = Path(__file__).resolve().parents[1]
DOSSIERS, PER_BATCH, RUNS = 2_000, 200, 3
EVERYONE = Actor.of("all", "one_stop", "specialist", "leader")
T0 = datetime(2026, 3, 2, 8, tzinfo=VN_TZ)


def median_of(runs: int, work: Callable[[], float]) -> float:
    """Median of ``runs`` results of ``work`` (each returns seconds)."""
    return statistics.median(work() for _ in range(runs))


def engine_run(store: Any) -> float:
    """Seconds for DOSSIERS x 4 events through the Engine (batched if the store can)."""
    clock = FixedClock(T0)
    engine = Engine(load_catalog(ROOT / "examples" / "so-cong-thuong"), store=store, clock=clock)
    engine.receive("2.000234", applicant="warm-up", channel="desk")
    start = time.perf_counter()
    for first in range(0, DOSSIERS, PER_BATCH):
        with store.batch() if hasattr(store, "batch") else _nothing():
            for _ in range(PER_BATCH):
                code = engine.receive("2.000234", applicant="Công ty", channel="desk").code
                for trigger in ("handover", "appraise", "inspect"):
                    engine.fire(code, trigger, EVERYONE)
        del first
    return time.perf_counter() - start


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def chain(code: str, length: int) -> list[tuple[Event, Dossier]]:
    """A dossier of ``length`` events (a receive, then notes) with the dossier after each."""
    payload = {
        "procedure_code": "2.000234",
        "procedure_version": 1,
        "agency_code": "SCT",
        "applicant": "Công ty",
        "channel": "desk",
        "fees_due": 0,
        "clock_started_at": T0.isoformat(),
        "due_at": (T0 + timedelta(days=14)).isoformat(),
    }
    event = Event.create(
        dossier_code=code, version=1, trigger="receive", effect="accept", from_state="",
        to_state="received", actor="desk", role="one_stop", at=T0, payload=payload,
        prev_hash=GENESIS_HASH,
    )  # fmt: skip
    dossier = replay([event])
    out = [(event, dossier)]
    while len(out) < length:
        event = Event.create(
            dossier_code=code, version=dossier.version + 1, trigger="note", effect="note",
            from_state=dossier.state, to_state=dossier.state, actor="clerk", role="one_stop",
            at=dossier.updated_at + timedelta(minutes=1), payload={"n": len(out)},
            prev_hash=dossier.last_hash,
        )  # fmt: skip
        dossier = apply(dossier, event)
        out.append((event, dossier))
    return out


def store_only_run(path: Path, chains: list[list[tuple[Event, Dossier]]]) -> float:
    """Seconds to append the prebuilt events with SqlStore.append, batched like the engine."""
    path.unlink(missing_ok=True)
    with SqlStore.sqlite(path) as store:
        start = time.perf_counter()
        for first in range(0, len(chains), PER_BATCH):
            with store.batch():
                for steps in chains[first : first + PER_BATCH]:
                    for event, dossier in steps:
                        store.append([event], dossier)
        return time.perf_counter() - start


def raw_run(path: Path, rows: list[tuple[Any, ...]]) -> float:
    """Seconds for one sqlite3 executemany of the same rows into an equivalent table."""
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, dossier_code TEXT, "
        "version INT, trigger TEXT, effect TEXT, from_state TEXT, to_state TEXT, actor TEXT, "
        "role TEXT, at TEXT, at_offset INT, payload TEXT, prev_hash TEXT, hash TEXT, "
        "idempotency_key TEXT, UNIQUE (dossier_code, version), "
        "UNIQUE (dossier_code, idempotency_key))"
    )
    db.execute(
        "CREATE UNIQUE INDEX ck ON events (idempotency_key) "
        "WHERE version = 1 AND idempotency_key IS NOT NULL"
    )
    start = time.perf_counter()
    db.execute("BEGIN")
    db.executemany(f"INSERT INTO events VALUES (NULL{', ?' * 14})", rows)
    db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def floor_run(source: Path, path: Path) -> float:
    """Seconds for raw sqlite3 executemany of the rows (b) wrote, into the store's own schema
    (summaries, foreign key, every index), in (b)'s transactions: what the store cannot beat."""
    path.unlink(missing_ok=True)
    SqlStore.sqlite(path).close()
    src = sqlite3.connect(source)
    summaries = src.execute("SELECT * FROM dossiers ORDER BY rowid").fetchall()
    columns = [c[1] for c in src.execute("PRAGMA table_info(events)") if c[1] != "seq"]
    rows = src.execute(f"SELECT {', '.join(columns)} FROM events ORDER BY seq").fetchall()
    src.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    per_events = len(rows) // DOSSIERS * PER_BATCH
    start = time.perf_counter()
    for n in range(0, DOSSIERS, PER_BATCH):
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            f"INSERT INTO dossiers VALUES ({', '.join('?' * len(summaries[0]))})",
            summaries[n : n + PER_BATCH],
        )
        first = n // PER_BATCH * per_events
        db.executemany(
            f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            rows[first : first + per_events],
        )
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def load_median(store: SqlStore, code: str) -> float:
    """Median seconds of store.load of one dossier."""
    times = []
    for _ in range(200):
        start = time.perf_counter()
        store.load(code)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sqlite_part(tmp: Path) -> None:
    events = DOSSIERS * 4
    db = tmp / "engine.db"

    def engine_sqlite() -> float:
        db.unlink(missing_ok=True)
        with SqlStore.sqlite(db) as store:
            return engine_run(store)

    t_engine = median_of(RUNS, engine_sqlite)
    with SqlStore.sqlite(db) as store:
        rows = [tuple(event_row(e).values()) for e in store.events()]
    rows = [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8].astimezone(VN_TZ)
             .isoformat(), *r[9:]) for r in rows]  # fmt: skip
    chains = [chain(f"C{i:05d}", 4) for i in range(DOSSIERS)]
    t_store = median_of(RUNS, lambda: store_only_run(tmp / "store.db", chains))
    t_raw = median_of(RUNS, lambda: raw_run(tmp / "raw.db", rows))
    t_floor = median_of(RUNS, lambda: floor_run(tmp / "store.db", tmp / "floor.db"))
    t_memory = median_of(RUNS, lambda: engine_run(MemoryStore()))
    print(f"SQLite, {DOSSIERS:,} dossiers x 4 events, {PER_BATCH} dossiers per batch:")
    print(f"  (a) Engine + SqlStore       {events / t_engine:>10,.0f} events/s")
    print(f"  (b) SqlStore.append only    {events / t_store:>10,.0f} events/s")
    print(f"  (c) raw sqlite3 executemany {events / t_raw:>10,.0f} events/s")
    print(f"  (d) Engine + MemoryStore    {events / t_memory:>10,.0f} events/s")
    print(f"  (e) raw, store's own schema {events / t_floor:>10,.0f} events/s")
    print(f"  ratio (a)/(c) = {t_raw / t_engine:.3f}x   (b)/(c) = {t_raw / t_store:.3f}x")
    print(f"  ratio (e)/(c) = {t_raw / t_floor:.3f}x (the ceiling of (b)/(c) with this schema)")
    print(f"  ratio (a)/(d) = {t_memory / t_engine:.3f}x (the database's share of engine time)")
    path = tmp / "load.db"
    with SqlStore.sqlite(path) as store:
        for event, dossier in chain("L", 20):
            store.append([event], dossier)
        print(f"  load a 20-event dossier: {load_median(store, 'L') * 1e6:,.0f} µs (median)")


def pg_writer(url: str, wid: int, count: int, barrier: Any, out: Any) -> None:
    """Append ``count`` dossiers x 4 events, one transaction per event, after the barrier."""
    chains = [chain(f"W{wid}-{i:05d}", 4) for i in range(count)]
    with SqlStore(url, create=False) as store:
        store.load("none")  # connect before timing
        barrier.wait()
        start = time.perf_counter()
        for steps in chains:
            for event, dossier in steps:
                store.append([event], dossier)
        out.put((start, time.perf_counter()))


def pg_part(base: str) -> None:
    admin = sa.create_engine(base)
    ctx = multiprocessing.get_context("spawn")
    print("PostgreSQL, one transaction per event, distinct dossiers per writer:")
    for writers in (1, 4, 8):
        rates = []
        for _ in range(RUNS):
            name = f"tthc_bench_{uuid.uuid4().hex[:10]}"
            with admin.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
            url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}"
            SqlStore(url).close()
            per_writer = 150
            barrier, out = ctx.Barrier(writers), ctx.Queue()
            procs = [
                ctx.Process(target=pg_writer, args=(url, w, per_writer, barrier, out))
                for w in range(writers)
            ]
            for p in procs:
                p.start()
            spans = [out.get() for _ in procs]
            for p in procs:
                p.join()
            elapsed = max(e for _, e in spans) - min(s for s, _ in spans)
            rates.append(writers * per_writer * 4 / elapsed)
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        print(f"  {writers} writer(s): {statistics.median(rates):>8,.0f} events/s")
    name = f"tthc_bench_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}"
    with SqlStore(url) as store:
        for event, dossier in chain("L", 20):
            store.append([event], dossier)
        print(f"  load a 20-event dossier: {load_median(store, 'L') * 1e6:,.0f} µs (median)")
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
    admin.dispose()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_part(Path(tmp))
    base = os.environ.get("TTHC_BENCH_POSTGRES_URL") or os.environ.get("TTHC_TEST_POSTGRES_URL")
    if base:
        pg_part(base)
    else:
        print("PostgreSQL: skipped (set TTHC_TEST_POSTGRES_URL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
