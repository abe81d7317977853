"""Several service processes on one database, as deployed: racing commands on dossiers each
process's cache knows only partly, outbox consumers killed mid-delivery, racing schedulers.

Every process has its own Engine (and cache); the driver sends each command to a random
process, so a process regularly decides on a dossier another one moved on. What must hold:
a command valid on the committed dossier is applied (0 wrong refusals), a command racing the
same one on another process loses for a real reason, nothing is lost or duplicated.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from service_workers import command_server, consumer, fast_url, scheduler

from tthc_flow._time import VN_TZ
from tthc_flow.store import SqlStore, schema

LIFECYCLE = ("handover", "appraise", "inspect", "approve", "return_result")
PROCEDURE = "2.000234"  # examples/so-cong-thuong: 10 working days, three steps


class Pool:
    """Command servers on ``url``; ``send`` a command to one of them, ``replies`` back."""

    def __init__(self, url: str, workers: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.replies: Any = ctx.Queue()
        self.inboxes: list[Any] = [ctx.Queue() for _ in range(workers)]
        self.procs = [
            ctx.Process(target=command_server, args=(url, q, self.replies), daemon=True)
            for q in self.inboxes
        ]
        for p in self.procs:
            p.start()
        for _ in self.procs:
            assert self.replies.get(timeout=600)[0] == "ready"
        self.next_id = 0

    def send(self, worker: int, *command: Any) -> int:
        self.next_id += 1
        self.inboxes[worker].put((self.next_id, *command))
        return self.next_id

    def collect(self, ids: list[int]) -> dict[int, tuple[Any, ...]]:
        found: dict[int, tuple[Any, ...]] = {}
        while len(found) < len(ids):
            reply = self.replies.get(timeout=600)
            found[reply[0]] = reply
        return found

    def close(self) -> None:
        for q in self.inboxes:
            q.put(None)
        for p in self.procs:
            p.join(timeout=60)
            assert p.exitcode == 0


def drive(url: str, workers: int, dossiers: int, seed: int = 7) -> dict[str, Any]:
    """Run ``dossiers`` through their lifecycle on ``workers`` processes with racing
    commands; returns counts of outcomes and the wrong refusals found."""
    rng = random.Random(seed)
    pool = Pool(fast_url(url), workers)
    wrong: list[str] = []
    counts: Counter[str] = Counter()
    latencies: list[float] = []
    try:
        ids = [
            pool.send(rng.randrange(workers), "receive", PROCEDURE, f"Cty {i}")
            for i in range(dossiers)
        ]
        replies = pool.collect(ids)
        codes = []
        for reply in replies.values():
            counts[f"receive:{reply[1]}"] += 1
            if reply[1] != "applied":
                wrong.append(f"receive refused: {reply}")
            else:
                codes.append(reply[2])
        step = dict.fromkeys(codes, 0)
        while step:
            sent: dict[int, tuple[str, bool]] = {}
            pairs: dict[str, list[int]] = {}
            for code in list(step):
                trigger = LIFECYCLE[step[code]]
                first = rng.randrange(workers)
                racing = rng.random() < 0.3
                rid = pool.send(first, "fire", code, trigger, None)
                sent[rid] = (code, racing)
                pairs[code] = [rid]
                if racing:  # the same command, sent twice at once (a double click, a retry)
                    other = (first + 1 + rng.randrange(workers - 1)) % workers
                    rid2 = pool.send(other, "fire", code, trigger, None)
                    sent[rid2] = (code, racing)
                    pairs[code].append(rid2)
            replies = pool.collect(list(sent))
            for code, rids in pairs.items():
                outcomes = [replies[r][1] for r in rids]
                latencies += [replies[r][-1] for r in rids]
                counts.update(f"fire:{o}" for o in outcomes)
                applied = outcomes.count("applied")
                if "error" in outcomes:
                    wrong.append(f"{code}: {[replies[r] for r in rids]}")
                if applied > 1:
                    wrong.append(f"{code}: applied twice {outcomes}")
                elif applied == 0:
                    # a lost race is a conflict whose retry must settle it
                    retry = pool.collect(
                        [
                            pool.send(
                                rng.randrange(workers), "fire", code, LIFECYCLE[step[code]], None
                            )
                        ]
                    )
                    outcome = next(iter(retry.values()))[1]
                    counts[f"retry:{outcome}"] += 1
                    if outcome != "applied":
                        wrong.append(f"{code} {LIFECYCLE[step[code]]}: {outcomes} then {outcome}")
                        del step[code]
                        continue
                elif len(outcomes) == 2:
                    loser = outcomes[1 - outcomes.index("applied")]
                    if loser not in ("not_allowed", "conflict"):
                        wrong.append(f"{code}: the racing twin was {loser}")
                step[code] += 1
                if step[code] == len(LIFECYCLE):
                    del step[code]
    finally:
        pool.close()
    return {"codes": codes, "counts": counts, "wrong": wrong, "latencies": latencies}


def check_store(url: str, codes: list[str]) -> None:
    with SqlStore(url) as store:
        report = store.verify()
        assert report.ok, report
        events = list(store.events())
        per_dossier = Counter(e.dossier_code for e in events)
        assert set(per_dossier) == set(codes)
        assert set(per_dossier.values()) == {1 + len(LIFECYCLE)}  # none lost, none twice
        numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
        assert numbers == list(range(1, len(codes) + 1))  # the day's numbers, no gap
        assert all(d.state == "returned" for d in store.dossiers())


class FeedReader:
    """Reads the change feed while the workers write, as a consumer process would."""

    def __init__(self, url: str) -> None:
        import threading

        self.store = SqlStore(url)
        self.seen: list[tuple[str, int]] = []
        self.position = ""
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _read(self) -> int:
        page = self.store.changes(self.position, limit=200)
        self.seen += [(e.dossier_code, e.version) for e in page.events]
        self.position = page.position
        return len(page.events)

    def _run(self) -> None:
        while not self.stop.is_set():
            if not self._read():
                time.sleep(0.01)

    def finish(self, expected: int) -> list[tuple[str, int]]:
        """Read on until ``expected`` events came, or 60 s: the feed lags while any older
        transaction of the database runs (another test's, here), it never skips."""
        self.stop.set()
        self.thread.join(timeout=30)
        deadline = time.monotonic() + 60
        while len(self.seen) < expected and time.monotonic() < deadline:
            if not self._read():
                time.sleep(0.05)
        self._read()  # nothing more may come
        self.store.close()
        return self.seen


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2, 4, 8])
def test_worker_processes_on_postgresql_decide_on_committed_state(
    pg_url: str, workers: int
) -> None:
    SqlStore(pg_url).close()  # create the schema once, before the workers race to
    feed = FeedReader(pg_url)
    result = drive(pg_url, workers, dossiers=600 if workers < 8 else 900)
    assert result["wrong"] == [], result["wrong"][:5]
    check_store(pg_url, result["codes"])
    # the feed, read while they wrote, handed out every event once, each dossier in order
    with SqlStore(pg_url) as store:
        stored = {(e.dossier_code, e.version) for e in store.events()}
    seen = feed.finish(len(stored))
    assert len(seen) == len(set(seen)) == len(stored) and set(seen) == stored
    last: dict[str, int] = {}
    for code, version in seen:
        assert version == last.get(code, 0) + 1
        last[code] = version


@pytest.mark.slow
def test_two_worker_processes_on_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tthc.db'}"
    SqlStore(url).close()
    result = drive(url, 2, dossiers=600)
    assert result["wrong"] == [], result["wrong"][:5]
    check_store(url, result["codes"])


def _outbox(url: str) -> tuple[set[str], int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        keys = set(conn.execute(sa.select(schema.outbox.c.key)).scalars())
        pending = conn.execute(
            sa.select(sa.func.count()).where(schema.outbox.c.delivered_at.is_(None))
        ).scalar_one()
    engine.dispose()
    return keys, int(pending)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_outbox_consumers_deliver_everything_across_a_sigkill(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Three consumers; one is killed with SIGKILL while it holds leases. Every message is
    delivered at least once (the killed one's leased messages again after their lease)."""
    url = (
        f"sqlite:///{tmp_path / 'tthc.db'}"
        if backend == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )
    SqlStore(url).close()
    result = drive(url, 2, dossiers=150)
    assert result["wrong"] == []
    keys, pending = _outbox(url)
    # per dossier: receipt (portal status 2 and the appointment), hand-over (4), approval
    # (9 and the result-ready notice), return (10)
    assert pending == len(keys) == 150 * 6
    ctx = multiprocessing.get_context("spawn")
    until = time.monotonic() + 90
    logs = [tmp_path / f"consumer-{i}.log" for i in range(3)]
    # the victim sends slowly, so that killed after its third line it holds leased
    # messages it never acknowledged (it claims 20 at a time)
    delays = [0.2, 0.002, 0.002]
    procs = [
        ctx.Process(
            target=consumer,
            args=(fast_url(url), f"c{i}", str(log), delays[i], until),
            daemon=True,
        )
        for i, log in enumerate(logs)
    ]
    for p in procs:
        p.start()
    victim = procs[0]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        not logs[0].exists() or logs[0].read_text().count("\n") < 3
    ):
        time.sleep(0.02)
    os.kill(victim.pid or 0, signal.SIGKILL)  # mid-delivery: it holds leased messages
    victim.join(timeout=10)
    assert victim.exitcode == -signal.SIGKILL
    raw = sa.create_engine(url)
    with raw.connect() as conn:
        held = conn.execute(
            sa.select(sa.func.count()).where(
                schema.outbox.c.lease_owner == "c0", schema.outbox.c.delivered_at.is_(None)
            )
        ).scalar_one()
    raw.dispose()
    assert held > 0  # killed mid-delivery: leased messages it never acknowledged
    # a consumer started after the kill picks the killed one's leases up once they expire
    # (the default lease is 60 s: it is shortened here by claiming with the clock moved on)
    from tthc_flow.store import deliver

    with SqlStore(url) as store:
        for p in procs[1:]:
            p.join(timeout=120)
        later = datetime.now(VN_TZ) + timedelta(minutes=2)
        extra = tmp_path / "late.log"
        with open(extra, "w", encoding="utf-8") as out:
            while deliver(
                store, lambda d: print(d.key, file=out), consumer="late", now=later
            ).delivered:
                pass
        logs.append(extra)
    delivered = Counter(
        line for log in logs if log.exists() for line in log.read_text().splitlines()
    )
    assert set(delivered) == keys  # every message at least once, nothing unknown
    assert _outbox(url)[1] == 0  # and every one acknowledged


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_racing_schedulers_fire_each_timer_once(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'tthc.db'}"
        if backend == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )
    from service_workers import CATALOG_DIR, EVERYONE

    from tthc_flow.engine import Engine
    from tthc_flow.procedure import load_catalog
    from tthc_flow.store import DueTimer

    engine = Engine(load_catalog(CATALOG_DIR), store=SqlStore(url))
    start = datetime(2026, 3, 2, 8, tzinfo=VN_TZ)
    for i in range(120):
        d = engine.receive(PROCEDURE, applicant=f"Cty {i}", channel="desk", at=start)
        if i % 3 == 0:  # waits for a supplement: closed by the scheduler after 15 days
            engine.fire(d.code, "handover", EVERYONE, start + timedelta(hours=1))
            engine.fire(
                d.code, "request_supplement", EVERYONE, start + timedelta(hours=2), missing=["x"]
            )
    now = datetime(2026, 4, 30, 12, tzinfo=VN_TZ)
    due: list[DueTimer] = engine.store.due_timers(now, limit=10_000)  # type: ignore[attr-defined]
    expected = Counter((t.dossier_code, t.kind) for t in due)
    kinds = Counter(kind for _, kind in expected)
    assert kinds["overdue"] == kinds["due_soon"] == 80 and kinds["close_unsupplemented"] == 40
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4, timeout=300)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=scheduler, args=(fast_url(url), now.isoformat(), barrier, results), daemon=True
        )
        for _ in range(4)
    ]
    for p in procs:
        p.start()
    reports = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    failures = [r for _, r in reports if isinstance(r, str)]
    assert not failures, failures[0]
    fired = Counter(item for _, items in reports for item in items)
    assert fired == expected  # each timer once, by exactly one scheduler
    keys, _ = _outbox(url)
    reminders = sum(n for kind, n in kinds.items() if kind != "close_unsupplemented")
    assert sum(1 for k in keys if "/timer." in k) == reminders  # one message per reminder
    closed = [d for d in engine.store.dossiers() if d.state == "stopped"]
    assert len(closed) == 40
    assert all(
        [e.trigger for e in engine.store.load_events(d.code)].count("stop") == 1 for d in closed
    )
