"""Benchmark the reminder and scheduler queries at 100,000 and 1,000,000 stored dossiers.

Run: ``.venv/bin/python benchmarks/reminders.py [--sizes 100000,1000000]``.

Each size fills a fresh store (SQLite file; PostgreSQL too with ``TTHC_BENCH_POSTGRES_URL``
or ``TTHC_TEST_POSTGRES_URL``) with summary and timer rows as ``SqlStore`` writes them: 4 %
of the dossiers open with an appointment spread over a year, the rest closed. Then, at one
moment, in the same run:

  overdue   ``Engine.overdue(now)`` vs the raw SQL ``SELECT ... WHERE pending_due_at < ?``
  due_soon  ``Engine.due_soon(now, 2 days)`` vs the raw range query
  timers    ``store.due_timers(now, limit=n)`` vs the raw ``SELECT ... FROM timers WHERE
            due_at <= ? ... LIMIT n`` (every due timer: the scheduler reads pages of 500)

The raw queries select the same columns through the driver's cursor; the script checks that
both sides return the same dossiers (or timers) before printing the median of 7 runs and the
ratio ours / raw (aim: within 2x).
"""

from __future__ import annotations

import os
import sys

if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)  # benchmarks/calendar.py must not shadow the standard library's calendar

import argparse
import random
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
from tthc_flow.engine import Engine, FixedClock
from tthc_flow.procedure import load_catalog
from tthc_flow.store import SqlStore
from tthc_flow.store._rows import SUMMARY_COLUMNS
from tthc_flow.store.schema import UtcDateTime

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 6, 15, 10, tzinfo=VN_TZ)
RUNS = 7
OPEN_SHARE = 0.04
SUMMARY = (
    "code, procedure_code, agency_code, applicant, channel, state, version, received_at, "
    "due_at, updated_at, reschedule_count, supplement_count"
)


def _rows(n: int, dialect: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Summary rows and timer rows of ``n`` dossiers, as the store's columns hold them."""
    rng = random.Random(n)
    moment = UtcDateTime()

    def value(dt: datetime | None) -> Any:
        return moment.process_bind_param(dt, dialect)

    dossiers, timers = [], []
    start = datetime(2025, 6, 1, 8, tzinfo=VN_TZ)
    for i in range(n):
        received = start + timedelta(minutes=i * 525_600 // n)
        due = received + timedelta(days=14)
        is_open = rng.random() < OPEN_SHARE
        if is_open:  # an open dossier's appointment anywhere within a year of NOW
            due = NOW + timedelta(minutes=rng.randrange(-300_000, 300_000))
        state = "appraise" if is_open else "returned"
        dossiers.append(
            (
                f"SCT-{i:08d}",
                "2.000234",
                1,
                "SCT",
                f"Công ty {i}",
                "desk",
                state,
                6 if not is_open else 2,
                "0" * 64,
                False,
                value(received),
                value(received),
                value(received),
                value(due),
                value(due),
                None if is_open else value(due),
                None if is_open else value(due),
                None if is_open else value(due),
                value(received),
                None if is_open else "approved",
                None if is_open else "on_time",
                0,
                0,
                500_000,
                True,
                3600,
                False,
                False,
                False,
                False,
                value(due) if is_open else None,
            )
        )
        if is_open:
            timers.append((f"SCT-{i:08d}", "overdue", value(due)))
            timers.append((f"SCT-{i:08d}", "step_overdue", value(due - timedelta(days=2))))
    return dossiers, timers


def fill(url: str, n: int) -> None:
    SqlStore(url).close()  # the current schema
    engine = sa.create_engine(url)
    dossiers, timers = _rows(n, engine.dialect)
    with engine.begin() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        mark = "?" if engine.dialect.name == "sqlite" else "%s"
        # the columns these rows fill, by name: later schema versions add more (NULL here)
        columns = ", ".join(SUMMARY_COLUMNS[: len(dossiers[0])])
        cursor.executemany(
            f"INSERT INTO dossiers ({columns}) VALUES ({', '.join([mark] * len(dossiers[0]))})",
            dossiers,
        )
        cursor.executemany(
            f"INSERT INTO timers (dossier_code, kind, due_at) VALUES ({mark}, {mark}, {mark})",
            timers,
        )
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE dossiers")
            conn.exec_driver_sql("ANALYZE timers")
    engine.dispose()


def _median(work: Callable[[], Any]) -> tuple[float, Any]:
    result = work()  # warm: caches, the pool, the planner
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure(url: str, n: int) -> list[tuple[str, float, float, int]]:
    fill(url, n)
    store = SqlStore(url)
    engine = Engine(
        load_catalog(ROOT / "examples" / "so-cong-thuong"), store=store, clock=FixedClock(NOW)
    )
    raw_engine = sa.create_engine(url)
    raw = raw_engine.raw_connection()
    mark = "?" if raw_engine.dialect.name == "sqlite" else "%s"
    bind = UtcDateTime()

    def raw_query(sql: str, *params: datetime) -> list[tuple[Any, ...]]:
        cursor = raw.cursor()
        cursor.execute(sql, [bind.process_bind_param(p, raw_engine.dialect) for p in params])
        rows = cursor.fetchall()
        cursor.close()
        return rows

    soon = NOW + timedelta(days=2)
    cases = [
        (
            "overdue",
            lambda: engine.overdue(NOW),
            lambda: raw_query(
                f"SELECT {SUMMARY} FROM dossiers WHERE pending_due_at < {mark} "
                "ORDER BY due_at, code",
                NOW,
            ),
        ),
        (
            "due_soon",
            lambda: engine.due_soon(NOW, timedelta(days=2)),
            lambda: raw_query(
                f"SELECT {SUMMARY} FROM dossiers WHERE pending_due_at >= {mark} AND "
                f"pending_due_at < {mark} ORDER BY due_at, code",
                NOW,
                soon,
            ),
        ),
        (
            "timers",
            lambda: store.due_timers(NOW, limit=n),
            lambda: raw_query(
                "SELECT dossier_code, kind, due_at FROM timers WHERE due_at <= "
                f"{mark} AND fired_at IS NULL ORDER BY due_at, dossier_code, kind LIMIT {n}",
                NOW,
            ),
        ),
    ]
    results = []
    for name, ours, theirs in cases:
        t_ours, got = _median(ours)
        t_raw, expected = _median(theirs)
        codes = [getattr(x, "code", None) or getattr(x, "dossier_code", None) for x in got]
        assert codes == [row[0] for row in expected], f"{name}: different rows"
        results.append((name, t_ours, t_raw, len(got)))
    raw.close()
    raw_engine.dispose()
    store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    targets = [("sqlite", None)]
    pg = os.environ.get("TTHC_BENCH_POSTGRES_URL") or os.environ.get("TTHC_TEST_POSTGRES_URL")
    if pg:
        targets.append(("postgresql", pg))
    print(
        f"{'database':<11}{'dossiers':>10}  {'query':<9}{'rows':>7}{'ours ms':>10}"
        f"{'raw ms':>9}{'ratio':>7}"
    )
    for name, base in targets:
        for n in sizes:
            with tempfile.TemporaryDirectory() as folder:
                cleanup: Callable[[], None] = _nothing
                if base is None:
                    url = f"sqlite:///{Path(folder) / 'reminders.sqlite'}"
                else:
                    url, cleanup = _pg_schema(base)
                try:
                    for query, ours, raw, rows in measure(url, n):
                        print(
                            f"{name:<11}{n:>10,}  {query:<9}{rows:>7,}{ours * 1e3:>10.2f}"
                            f"{raw * 1e3:>9.2f}{ours / raw:>7.2f}",
                            flush=True,
                        )
                finally:
                    cleanup()


def _nothing() -> None:
    """Nothing to clean up (the temporary folder goes with its block)."""


def _pg_schema(base: str) -> tuple[str, Callable[[], None]]:
    from urllib.parse import quote

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"

    def drop() -> None:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}", drop


if __name__ == "__main__":
    main()
