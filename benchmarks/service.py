"""Benchmark several service processes on one database: commands/s and p50/p99 latency.

Run: ``.venv/bin/python benchmarks/service.py [--dossiers 300] [--workers 1,2,4,8]``.

Each worker process has its own ``Engine`` and ``SqlStore`` with the default durability
(PostgreSQL's ``synchronous_commit``, SQLite ``synchronous=FULL``), as a deployed service
has. Every worker receives ``--dossiers`` dossiers; then, step by step through the lifecycle
(hand-over, appraisal, inspection, approval, return), each worker fires the step on the
dossiers *another* worker received, so that every command is decided on a dossier this
process's cache last saw a step earlier (the stale-cache path a load balancer creates).
Each command is its own transaction (one commit), and its wall time is recorded.

PostgreSQL from ``TTHC_BENCH_POSTGRES_URL`` or ``TTHC_TEST_POSTGRES_URL`` (1, 2, 4, 8
workers); SQLite one file (1 and 2 workers). The script checks that every dossier ends
returned with 6 events and the store verifies.
"""

from __future__ import annotations

import os
import sys

if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)  # benchmarks/calendar.py must not shadow the standard library's calendar

import argparse
import multiprocessing
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tthc_flow.engine import Actor, Engine
from tthc_flow.procedure import load_catalog
from tthc_flow.store import SqlStore

ROOT = Path(__file__).resolve().parents[1]
LIFECYCLE = ("handover", "appraise", "inspect", "approve", "return_result")
EVERYONE = Actor.of("all", "one_stop", "specialist", "leader")


def worker(
    url: str, index: int, workers: int, dossiers: int, barrier: Any, codes: Any, out: Any
) -> None:
    engine = Engine(load_catalog(ROOT / "examples" / "so-cong-thuong"), store=SqlStore(url))
    latencies: list[float] = []
    barrier.wait()
    mine = []
    for i in range(dossiers):
        started = time.perf_counter()
        mine.append(engine.receive("2.000234", applicant=f"W{index} {i}", channel="desk").code)
        latencies.append(time.perf_counter() - started)
    codes[index] = mine
    barrier.wait()
    for step, trigger in enumerate(LIFECYCLE, start=1):
        theirs = codes[(index + step) % workers]  # another worker's dossiers
        for code in theirs:
            started = time.perf_counter()
            engine.fire(code, trigger, EVERYONE)
            latencies.append(time.perf_counter() - started)
        barrier.wait()
    out.put(latencies)
    engine.store.close()  # type: ignore[attr-defined]


def run(url: str, workers: int, dossiers: int) -> tuple[float, float, float, int]:
    SqlStore(url).close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(workers + 1, timeout=600)
    manager = ctx.Manager()
    codes = manager.dict()
    out = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(url, i, workers, dossiers, barrier, codes, out))
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    barrier.wait()  # every worker has its engine: start the clock
    started = time.perf_counter()
    for _ in range(1 + len(LIFECYCLE)):
        barrier.wait()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for _ in procs for x in out.get(timeout=600))
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    manager.shutdown()
    with SqlStore(url) as store:
        assert store.verify().ok
        states = {d.state for d in store.dossiers()}
        assert states == {"returned"} and sum(1 for _ in store.events()) == 6 * workers * dossiers
    p50 = statistics.median(latencies)
    p99 = latencies[int(0.99 * (len(latencies) - 1))]
    return len(latencies) / elapsed, p50, p99, len(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=300, help="per worker")
    parser.add_argument("--workers", default="1,2,4,8")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    print(f"{'database':<11}{'workers':>8}{'commands':>10}{'cmd/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for n in [c for c in counts if c <= 2]:
            url = f"sqlite:///{Path(folder) / f'service-{n}.sqlite'}"
            rate, p50, p99, total = run(url, n, args.dossiers)
            print(
                f"{'sqlite':<11}{n:>8}{total:>10,}{rate:>9,.0f}{p50 * 1e3:>9.2f}{p99 * 1e3:>9.2f}",
                flush=True,
            )
    base = os.environ.get("TTHC_BENCH_POSTGRES_URL") or os.environ.get("TTHC_TEST_POSTGRES_URL")
    if not base:
        print("(PostgreSQL skipped: set TTHC_BENCH_POSTGRES_URL)")
        return
    for n in counts:
        url, drop = _pg_schema(base)
        try:
            rate, p50, p99, total = run(url, n, args.dossiers)
        finally:
            drop()
        print(
            f"{'postgresql':<11}{n:>8}{total:>10,}{rate:>9,.0f}{p50 * 1e3:>9.2f}{p99 * 1e3:>9.2f}",
            flush=True,
        )


def _pg_schema(base: str) -> tuple[str, Any]:
    from urllib.parse import quote

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}", drop


if __name__ == "__main__":
    main()
