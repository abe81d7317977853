"""Benchmark: statistics_sql over many stored dossier summaries vs a pandas group-by.

Setup inserts N summary rows (with their stored ``processing_seconds``) and a
``request_supplement`` event for one dossier in ten straight into a SqlStore SQLite file
(executemany, bypassing the engine), then times, median of 5 runs:

* ``statistics_sql(store, period, by="agency")`` — SUM(CASE) GROUP BY in SQLite, the
  supplement requests of the period from ``events``, the 90th percentile from a window query;
* pandas: ``read_sql`` of the same columns, then the same counts, mean and 90th percentile of
  the processing time with a vectorised group-by (reported with and without the load).

Usage: ``.venv/bin/python benchmarks/reports.py [N]`` (default 1,000,000).
"""

from __future__ import annotations

import sys
from pathlib import Path

# benchmarks/calendar.py would shadow the standard library's calendar module when this file
# is run as a script (its folder comes first on sys.path)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import random  # noqa: E402
import sqlite3  # noqa: E402
import statistics as stats  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import pandas as pd  # noqa: E402

from tthc_flow._time import VN_TZ  # noqa: E402
from tthc_flow.reports import Period, statistics_sql  # noqa: E402
from tthc_flow.store import SqlStore  # noqa: E402
from tthc_flow.store.schema import dossiers  # noqa: E402

FMT = "%Y-%m-%d %H:%M:%S.%f"
PERIOD = Period.quarter(2026, 2)


def _utc(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime(FMT)


def rows(n: int, seed: int = 7) -> list[tuple[object, ...]]:
    rng = random.Random(seed)
    base = datetime(2026, 1, 5, 8, tzinfo=VN_TZ)
    agencies = [f"SCT-{i:02d}" for i in range(12)]
    procedures = [f"2.{i:06d}" for i in range(150)]
    out = []
    for i in range(n):
        received = base + timedelta(minutes=rng.randrange(0, 240 * 24 * 60))
        due = received + timedelta(days=rng.choice((3, 5, 7, 10)))
        kind = rng.random()
        resolved = closed = None
        outcome = timeliness = None
        state = "appraise"
        if kind < 0.85:
            resolved = received + timedelta(hours=rng.randrange(1, 24 * 12))
            outcome = "approved" if kind < 0.83 else "rejected"
            timeliness = (
                "late"
                if resolved > due
                else "on_time"
                if resolved.date() == due.date()
                else "early"
            )
            state = "returned"
            closed = resolved + timedelta(hours=2)
        elif kind < 0.87:
            closed, outcome, state = received + timedelta(hours=5), "withdrawn", "withdrawn"
        elif kind < 0.88:
            closed, outcome, state = received + timedelta(hours=1), "refused", "refused"
        updated = closed or received
        out.append(
            (
                f"SCT-{i:08d}",
                rng.choice(procedures),
                1,
                rng.choice(agencies),
                "Công ty",
                rng.choice(("desk", "desk", "online", "postal")),
                state,
                4,
                "0" * 64,
                int(rng.random() < 0.05),
                _utc(received),
                _utc(received),
                _utc(received),
                _utc(due),
                _utc(due),
                _utc(resolved),
                _utc(closed if resolved else None),
                _utc(closed),
                _utc(updated),
                outcome,
                timeliness,
                int(rng.random() < 0.02),
                int(rng.random() < 0.1),
                500000,
                0,
                None if resolved is None else rng.randrange(600, 8 * 3600 * 12),
                int(rng.random() < 0.3),
                int(rng.random() < 0.5),
                int(rng.random() < 0.6),
                0,
            )
        )
    return out


def supplement_events(data: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """One request_supplement event (version 2, an hour after receipt) per tenth dossier."""
    out = []
    for row in data[::10]:
        received = datetime.strptime(str(row[11]), FMT).replace(tzinfo=UTC)
        at = _utc(received + timedelta(hours=1))
        out.append(
            (
                row[0],
                2,
                "request_supplement",
                "request_supplement",
                "appraise",
                "supplement_requested",
                "cv",
                "specialist",
                at,
                25200,
                "{}",
                "0" * 64,
                "0" * 64,
            )
        )
    return out


def pandas_stats(frame: pd.DataFrame) -> pd.DataFrame:
    start, end = _utc(PERIOD.start_at), _utc(PERIOD.end_at)
    received_at, resolved_at, closed_at = frame.received_at, frame.resolved_at, frame.closed_at
    entry = received_at.where(received_at.notna(), closed_at.where(frame.outcome == "refused"))
    leave = resolved_at.where(
        resolved_at.notna(), closed_at.where(frame.outcome.isin(["refused", "withdrawn"]))
    )
    books = frame[entry.notna() & (entry < end) & (leave.isna() | (leave >= start))].copy()
    e, lv = entry[books.index], leave[books.index]
    resolved = books.resolved_at.notna() & (books.resolved_at < end)
    books["carried_over"] = e < start
    books["received"] = e >= start
    books["received_online"] = books.received & (books.channel == "online")
    books["resolved"] = resolved
    books["resolved_early"] = resolved & (books.resolution_timeliness == "early")
    books["resolved_on_time"] = resolved & (books.resolution_timeliness == "on_time")
    books["resolved_late"] = resolved & (books.resolution_timeliness == "late")
    books["in_progress"] = lv.isna() | (lv >= end)
    closed = books.resolved_at.isna() & (books.closed_at < end)
    books["withdrawn"] = closed & (books.outcome == "withdrawn")
    books["refused"] = closed & (books.outcome == "refused")
    books["timed"] = books.processing_seconds.where(resolved & (books.resolved_at >= start))
    columns = [
        "carried_over",
        "received",
        "received_online",
        "resolved",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "in_progress",
        "withdrawn",
        "refused",
    ]
    grouped = books.groupby("agency_code")
    out = grouped[columns].sum()
    out["processing_avg"] = grouped.timed.mean()
    out["processing_p90"] = grouped.timed.quantile(0.9)
    return out


def median_seconds(fn: object, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return stats.median(times)


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        SqlStore.sqlite(path).close()
        data = rows(n)
        names = [c.name for c in dossiers.columns]
        event_names = (
            "dossier_code, version, trigger, effect, from_state, to_state, actor, role, at, "
            "at_offset, payload, prev_hash, hash"
        )
        with sqlite3.connect(path) as conn:
            conn.executemany(
                f"INSERT INTO dossiers ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                data,
            )
            conn.executemany(
                f"INSERT INTO events ({event_names}) VALUES ({', '.join('?' * 13)})",
                supplement_events(data),
            )
        del data
        print(f"setup: {n:,} rows inserted in {time.perf_counter() - t0:.1f} s")
        store = SqlStore.sqlite(path)
        report = statistics_sql(store, PERIOD, by="agency")
        sql_s = median_seconds(lambda: statistics_sql(store, PERIOD, by="agency"))
        columns = (
            "agency_code, channel, outcome, resolution_timeliness, received_at, resolved_at, "
            "closed_at, processing_seconds"
        )
        with sqlite3.connect(path) as conn:

            def load() -> pd.DataFrame:
                return pd.read_sql(f"SELECT {columns} FROM dossiers", conn)

            frame = load()
            by_pandas = pandas_stats(frame)
            load_s = median_seconds(load)
            pandas_s = median_seconds(lambda: pandas_stats(frame))
        store.close()
        total = report.total
        assert int(by_pandas.resolved.sum()) == total.resolved
        assert int(by_pandas.received.sum()) == total.received
        assert int(by_pandas.in_progress.sum()) == total.in_progress
        first = report.groups[0]
        p90 = by_pandas.processing_p90[first.key] / 28800
        assert first.processing_days_p90 is not None and abs(first.processing_days_p90 - p90) < 0.01
        print(
            f"period {PERIOD.label_en}: received {total.received:,}, resolved {total.resolved:,}, "
            f"in progress {total.in_progress:,} (pandas agrees)"
        )
        print(
            f"supplement requests in the period: {total.supplement_requested:,}; "
            f"p90 {total.processing_days_p90} working days"
        )
        print(f"statistics_sql (counts, averages, p90, supplement requests): {sql_s:.2f} s")
        print(
            f"pandas read_sql: {load_s:.2f} s; group-by: {pandas_s:.2f} s; "
            f"together {load_s + pandas_s:.2f} s"
        )
        print(f"ratio statistics_sql / (pandas load + group-by): {sql_s / (load_s + pandas_s):.2f}")
        print(f"ratio statistics_sql / pandas group-by alone: {sql_s / pandas_s:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
