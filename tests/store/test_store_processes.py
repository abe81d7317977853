"""Many processes on one database: optimistic concurrency and crash safety (SIGKILL)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_workers import first_event, race_worker

from tthc_flow.engine import replay
from tthc_flow.store import SqlStore, schema

WORKERS = 4
ROUNDS = 750  # 4 workers x 750 rounds = 3,000 contested appends per backend (< 20 s each)


def test_concurrent_writers_at_the_same_version_have_exactly_one_winner(sql_url: str) -> None:
    with SqlStore(sql_url) as store:
        created = first_event("RACE")
        store.append([created], replay([created]))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(
        WORKERS, timeout=300
    )  # a crashed worker must not hang the rest; generous: an overloaded CI host spawns slowly
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=race_worker, args=(sql_url, "RACE", ROUNDS, barrier, results, w), daemon=True
        )
        for w in range(WORKERS)
    ]
    for p in procs:
        p.start()
    wins = [results.get(timeout=600) for _ in procs]
    failures = [won for _, won in wins if isinstance(won, str)]
    assert not failures, failures
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    per_version = Counter(v for _, won in wins for v in won)
    assert sorted(per_version) == list(range(2, ROUNDS + 2))  # every round had a winner
    assert set(per_version.values()) == {1}  # and only one
    with SqlStore(sql_url) as store:
        events = store.load_events("RACE")
        assert [e.version for e in events] == list(range(1, ROUNDS + 2))
        assert store.verify().ok


BATCHED_ROUNDS = 250


def test_concurrent_batches_at_the_same_version_have_one_winner_and_lose_nothing(
    sql_url: str,
) -> None:
    """Each round a batch per worker: its own dossier's next event and the contested one.

    The loser learns it at the append and its batch commits its own event (SQLite: the
    batch holds the write lock; PostgreSQL: the first touch locks the row, so a loser waits
    for the winner's commit and then sees its version). Were a loser to fail only at the
    flush, its whole batch would roll back: the count of committed batches checks both.
    """
    with SqlStore(sql_url) as store:
        created = first_event("RACE")
        store.append([created], replay([created]))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS, timeout=300)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=race_worker,
            args=(sql_url, "RACE", BATCHED_ROUNDS, barrier, results, w, True),
            daemon=True,
        )
        for w in range(WORKERS)
    ]
    for p in procs:
        p.start()
    outcomes = dict(results.get(timeout=600) for _ in procs)
    failures = [o for o in outcomes.values() if isinstance(o, str)]
    assert not failures, failures
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    per_version = Counter(v for wins, _ in outcomes.values() for v in wins)
    assert sorted(per_version) == list(range(2, BATCHED_ROUNDS + 2))  # a winner every round
    assert set(per_version.values()) == {1}  # and only one
    with SqlStore(sql_url) as store:
        assert len(store.load_events("RACE")) == BATCHED_ROUNDS + 1
        for wid, (_, committed) in outcomes.items():
            assert len(store.load_events(f"P{wid}")) == committed  # every committed batch
        assert store.verify().ok


def test_a_killed_writer_leaves_only_whole_committed_batches(sql_url: str) -> None:
    batch_size, per_dossier, stall_at = 6, 4, 8
    SqlStore(sql_url).close()
    script = Path(__file__).with_name("store_workers.py")
    writer = subprocess.Popen(
        [sys.executable, str(script), sql_url, str(batch_size), str(per_dossier), str(stall_at)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert writer.stdout is not None
    committed = -1
    while True:  # batches 0..7 commit; batch 8 stops half-written, its transaction open
        line = writer.stdout.readline().strip()
        assert line, "the writer died on its own"
        if line == f"mid {stall_at}":
            break
        committed = int(line)
    assert committed == stall_at - 1
    writer.send_signal(signal.SIGKILL)  # killed inside batch 8, 3 of its 6 dossiers appended
    writer.wait()
    with SqlStore(sql_url) as store:
        assert store.verify().ok
        engine = sa.create_engine(sql_url)
        with engine.connect() as conn:
            codes = conn.execute(sa.select(schema.events.c.dossier_code)).scalars().all()
        engine.dispose()
        per_batch = Counter(code.split("-")[0] for code in codes)
        batches = sorted(int(b[1:]) for b in per_batch)
        assert batches == list(range(stall_at))  # every committed batch, and not batch 8
        assert set(per_batch.values()) == {batch_size * per_dossier}  # and none is partial
        assert all(len(store.load_events(c)) == per_dossier for c in set(codes))


@pytest.mark.parametrize("writers", [3])
def test_day_sequences_are_unique_across_processes(sql_url: str, writers: int) -> None:
    SqlStore(sql_url).close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(writers) as pool:
        numbers = pool.starmap(_draw, [(sql_url, 50)] * writers)
    drawn = [n for chunk in numbers for n in chunk]
    assert sorted(drawn) == list(range(1, 50 * writers + 1))


def _draw(url: str, count: int) -> list[int]:
    from datetime import date

    with SqlStore(url, create=False) as store:
        return [store.next_sequence("SCT", date(2026, 3, 2)) for _ in range(count)]
