"""Benchmark worklist pages ("Hồ sơ cần xử lý") at 1,000,000 stored dossiers.

Run: ``.venv/bin/python benchmarks/worklist.py [--dossiers 1000000]``.

Fills a fresh store (SQLite file; PostgreSQL too with ``TTHC_BENCH_POSTGRES_URL`` or
``TTHC_TEST_POSTGRES_URL``) with summary rows as ``SqlStore`` writes them (the worklist
columns filled by ``worklist_values``' rules): ten agencies sharing one database (a
provincial service centre), 10 % of the dossiers open, each open one held by the desk, a
specialist step (four units, half of them assigned to one of 40 specialists) or a leader,
deadlines spread over two months around the measuring moment. Rows are loaded in chunks
with the indexes built afterwards (no events: a worklist reads only ``dossiers``).

Then, in the same run, each query is answered by ``SqlStore.worklist(WorklistQuery(...))``
and by a hand-written SQL query of the same rows through the driver's cursor. The script
checks that both return the same dossiers in the same order, then prints the median of 7
runs of each in milliseconds and the ratio ours / raw. "page 40" first walks 39 pages with
the cursor, then measures the 40th: keyset paging costs the same on any page.

First, what the six worklist indexes cost writers: 1,000 dossiers x 4 events through the
engine on SQLite, with and without those indexes, alternating, median of 3 (the summary row
is rewritten at every append, so every index of ``dossiers`` is too).
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
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tthc_flow._time import VN_TZ
from tthc_flow.engine import Actor, Engine, FixedClock
from tthc_flow.procedure import load_catalog
from tthc_flow.store import SqlStore, WorklistQuery, normalise_name
from tthc_flow.store._rows import SUMMARY_COLUMNS
from tthc_flow.store._schema_v4 import INDEXES_V4
from tthc_flow.store._worklist import ITEM_FIELDS
from tthc_flow.store.schema import UtcDateTime, dossiers

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 6, 15, 10, tzinfo=VN_TZ)
RUNS = 7
AGENCIES = 10
OPEN_SHARE = 0.10
CHUNK = 50_000
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc"]
GIVEN = ["An", "Bình", "Cúc", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Sơn", "Tâm", "Yến"]


def _rows(n: int, dialect: Any) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Summary rows of ``n`` dossiers in chunks, in SUMMARY_COLUMNS order, with the
    ``assignment_members`` rows of the chunk: each assigned step has the next specialist
    cooperating and one of the agency's four leaders observing."""
    rng = random.Random(n)
    moment = UtcDateTime()
    postgres = dialect.name == "postgresql"

    def value(dt: datetime | None) -> Any:
        return dt if postgres or dt is None else moment.process_bind_param(dt, dialect)

    start = NOW - timedelta(days=365)
    chunk: list[tuple[Any, ...]] = []
    members: list[tuple[Any, ...]] = []
    for i in range(n):
        agency = f"A{i % AGENCIES:02d}"
        received = start + timedelta(seconds=i * 365 * 86_400 // n)
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} {i}"
        if rng.random() < 0.3:
            name = f"Công ty TNHH {rng.choice(GIVEN)} {i}"
        channel = rng.choice(("desk", "online", "online", "postal"))
        is_open = rng.random() < OPEN_SHARE
        due = received + timedelta(days=14)
        work_due = holder = role = unit = lead = None
        state = "returned"
        if is_open:
            due = NOW + timedelta(minutes=rng.randrange(-30 * 1440, 30 * 1440))
            kind = rng.random()
            if kind < 0.2:
                state, role, work_due = "received", "one_stop", due
            elif kind < 0.85:
                state, role = "appraisal", "specialist"
                unit = f"U{rng.randrange(4)}"
                work_due = due - timedelta(days=3)
                if rng.random() < 0.5:
                    number = rng.randrange(40)
                    lead = f"{agency}-cv-{number:02d}"
                    code = f"{agency}-{i:08d}"
                    held = (code, agency, value(work_due))
                    members.append((f"{agency}-cv-{(number + 1) % 40:02d}", "cooperating", *held))
                    members.append((f"{agency}-ld-{rng.randrange(4)}", "observer", *held))
            else:
                state, role, work_due = "approval", "leader", due - timedelta(days=1)
            holder = agency
        resolved = None if is_open else received + timedelta(days=10)
        row = {
            "code": f"{agency}-{i:08d}",
            "procedure_code": f"2.{i % 150:06d}",
            "procedure_version": 1,
            "agency_code": agency,
            "applicant": name,
            "channel": channel,
            "state": state,
            "version": 3 if is_open else 7,
            "last_hash": "0" * 64,
            "on_the_spot": False,
            "submitted_at": value(received),
            "received_at": value(received),
            "clock_started_at": value(received),
            "due_at": value(due),
            "original_due_at": value(due),
            "resolved_at": value(resolved),
            "returned_at": value(resolved),
            "closed_at": value(resolved),
            "updated_at": value(received + timedelta(hours=1)),
            "outcome": None if is_open else "approved",
            "resolution_timeliness": None if is_open else "early",
            "reschedule_count": 0,
            "supplement_count": 0,
            "fees_due": 0,
            "fee_paid": False,
            "processing_seconds": None if is_open else 3600,
            "paid_online": False,
            "e_result": False,
            "digitised": False,
            "complained": False,
            "pending_due_at": value(due) if is_open else None,
            "holder_agency": holder,
            "holder_role": role,
            "holder_unit": unit,
            "assignee": lead,
            "work_due_at": value(work_due),
            "applicant_key": normalise_name(name),
            "applicant_id_number": f"0{i:011d}",
        }
        chunk.append(tuple(row[c] for c in SUMMARY_COLUMNS))
        if len(chunk) == CHUNK:
            yield chunk, members
            chunk, members = [], []
    if chunk:
        yield chunk, members


def fill(url: str, n: int) -> None:
    """The current schema, ``n`` summary rows, then the ``dossiers`` indexes."""
    SqlStore(url).close()
    engine = sa.create_engine(url)
    columns = ", ".join(SUMMARY_COLUMNS)
    with engine.begin() as conn:
        for index in dossiers.indexes:
            conn.exec_driver_sql(f"DROP INDEX {index.name}")
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        member_columns = "official_id, kind, dossier_code, holder_agency, work_due_at"
        for chunk, members in _rows(n, engine.dialect):
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY dossiers ({columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
                with cursor.copy(f"COPY assignment_members ({member_columns}) FROM STDIN") as copy:
                    for member in members:
                        copy.write_row(member)
            else:
                marks = ", ".join("?" * len(SUMMARY_COLUMNS))
                cursor.executemany(f"INSERT INTO dossiers ({columns}) VALUES ({marks})", chunk)
                cursor.executemany(
                    f"INSERT INTO assignment_members ({member_columns}) VALUES (?, ?, ?, ?, ?)",
                    members,
                )
        for index in dossiers.indexes:
            index.create(conn)
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":
        # as a running database is: visibility map set (index-only scans read no heap page
        # to check visibility) and statistics, extended ones included (schema step 4)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE dossiers")
            conn.exec_driver_sql("VACUUM ANALYZE assignment_members")
    engine.dispose()


def _median(work: Callable[[], Any]) -> tuple[float, Any]:
    result = work()  # warm: caches, the pool, the planner
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


ITEMS = ", ".join(ITEM_FIELDS)


def cases(mark: str, id_number: str) -> list[tuple[str, WorklistQuery, str, list[Any]]]:
    """(name, our query, the raw SQL of the same rows, its parameters)."""
    base = f"SELECT {ITEMS} FROM dossiers WHERE holder_agency = {mark}"
    order = " ORDER BY work_due_at, code LIMIT 51"
    members = (  # the members' index in deadline order, each dossier by its key
        f"SELECT {', '.join('d.' + f for f in ITEM_FIELDS)} FROM assignment_members m "
        f"JOIN dossiers d ON d.code = m.dossier_code WHERE m.official_id = {mark} AND "
        f"m.kind = {mark} AND m.holder_agency = {mark} AND d.holder_agency = {mark} "
        "ORDER BY m.work_due_at, m.dossier_code LIMIT 51"
    )
    soon = NOW + timedelta(days=3)
    return [
        ("agency", WorklistQuery(agency="A03"), base + order, ["A03"]),
        (
            "official",
            WorklistQuery(agency="A03", assignee="A03-cv-07"),
            base + f" AND assignee = {mark}" + order,
            ["A03", "A03-cv-07"],
        ),
        (
            "role+unit",
            WorklistQuery(agency="A03", role="specialist", unit="U2"),
            base + f" AND holder_role = {mark} AND holder_unit = {mark}" + order,
            ["A03", "specialist", "U2"],
        ),
        (
            "pool",
            WorklistQuery(agency="A03", role="specialist", unassigned=True),
            base + f" AND holder_role = {mark} AND assignee IS NULL" + order,
            ["A03", "specialist"],
        ),
        (
            "due+chan",
            WorklistQuery(
                agency="A03",
                states=frozenset({"appraisal"}),
                channels=frozenset({"online"}),
                due_before=soon,
            ),
            base
            + f" AND state IN ({mark}) AND channel IN ({mark}) AND work_due_at < {mark}"
            + order,
            ["A03", "appraisal", "online", soon],
        ),
        (
            "cooperating",
            WorklistQuery(agency="A03", cooperating="A03-cv-08"),
            members,
            ["A03-cv-08", "cooperating", "A03", "A03"],
        ),
        (
            "observer",
            WorklistQuery(agency="A03", observer="A03-ld-1"),
            members,
            ["A03-ld-1", "observer", "A03", "A03"],
        ),
        (
            "applicant",
            WorklistQuery(agency="A03", applicant="Nguyễn Văn An"),
            base + f" AND applicant_key >= {mark} AND applicant_key < {mark}" + order,
            ["A03", "nguyen van an", "nguyen van an\U0010ffff"],
        ),
        (
            "id number",
            WorklistQuery(agency="A03", applicant_id=id_number),
            base + f" AND applicant_id_number = {mark}" + order,
            ["A03", id_number],
        ),
    ]


def measure(url: str, n: int) -> list[tuple[str, float, float, int]]:
    fill(url, n)
    store = SqlStore(url)
    raw_engine = sa.create_engine(url)
    raw = raw_engine.raw_connection()
    dialect = raw_engine.dialect
    mark = "?" if dialect.name == "sqlite" else "%s"
    bind = UtcDateTime()
    if dialect.name == "postgresql":
        raw.driver_connection.autocommit = True  # type: ignore[union-attr]

    def raw_query(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        cursor = raw.cursor()
        values = [
            bind.process_bind_param(p, dialect) if isinstance(p, datetime) else p for p in params
        ]
        cursor.execute(sql, values)
        rows = cursor.fetchall()
        cursor.close()
        return rows

    one = "SELECT applicant_id_number FROM dossiers WHERE holder_agency = 'A03' LIMIT 1"
    found = cases(mark, raw_query(one, [])[0][0])  # an open dossier's applicant
    # page 40 of the agency's list: walk 39 pages with the cursor, then time the 40th
    cursor = None
    for _ in range(39):
        cursor = store.worklist(WorklistQuery(agency="A03", after=cursor)).next_cursor
    assert cursor is not None, "fewer than 40 pages: raise --dossiers"
    # the raw twin seeks the same place: after the (work_due_at, code) the cursor names
    key = _decode(cursor)
    found.append(
        (
            "page 40",
            WorklistQuery(agency="A03", after=cursor),
            f"SELECT {ITEMS} FROM dossiers WHERE holder_agency = {mark} AND "
            f"(work_due_at, code) > ({mark}, {mark}) ORDER BY work_due_at, code LIMIT 51",
            ["A03", key[0], key[1]],
        )
    )
    results = []
    for name, query, sql, params in found:
        t_ours, page = _median(lambda q=query: store.worklist(q))  # type: ignore[misc]
        t_raw, rows = _median(lambda s=sql, p=params: raw_query(s, p))  # type: ignore[misc]
        ours = [item.code for item in page.items]
        assert ours == [row[0] for row in rows][: query.limit], f"{name}: different rows"
        assert ours, f"{name}: no rows (the data does not exercise the query)"
        results.append((name, t_ours, t_raw, len(ours)))
    raw.close()
    raw_engine.dispose()
    store.close()
    return results


def _decode(cursor: str) -> tuple[datetime, str]:
    from tthc_flow.store._worklist import decode_cursor

    value, code = decode_cursor(cursor, "due", False)
    return value, code


WRITE_DOSSIERS, WRITE_BATCH = 1_000, 200
EVERYONE = Actor.of("all", "one_stop", "specialist", "leader")


def write_seconds(path: Path, with_indexes: bool) -> float:
    """Seconds for WRITE_DOSSIERS x 4 events through the Engine on a fresh SQLite store,
    WRITE_BATCH dossiers per batch, with or without the six worklist indexes of schema 4."""
    path.unlink(missing_ok=True)
    store = SqlStore.sqlite(path)
    if not with_indexes:
        with store.engine.begin() as conn:
            for name, _ in INDEXES_V4:
                conn.exec_driver_sql(f"DROP INDEX {name}")
    engine = Engine(
        load_catalog(ROOT / "examples" / "so-cong-thuong"), store=store, clock=FixedClock(NOW)
    )
    engine.receive("2.000234", applicant="warm-up", channel="desk")
    started = time.perf_counter()
    for _ in range(0, WRITE_DOSSIERS, WRITE_BATCH):
        with store.batch():
            for _ in range(WRITE_BATCH):
                code = engine.receive("2.000234", applicant="Công ty", channel="desk").code
                for trigger in ("handover", "appraise", "inspect"):
                    engine.fire(code, trigger, EVERYONE)
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed


def write_cost() -> None:
    """What the worklist indexes cost the writers: the same workload, alternating runs."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "writes.sqlite"
        with_, without = [], []
        for _ in range(3):
            with_.append(write_seconds(path, True))
            without.append(write_seconds(path, False))
    events = WRITE_DOSSIERS * 4
    a, b = statistics.median(with_), statistics.median(without)
    print(
        f"sqlite writes, engine + SqlStore ({events:,} events, batches of {WRITE_BATCH}): "
        f"{events / a:,.0f} events/s with the worklist indexes, {events / b:,.0f} without "
        f"(time with / without: {a / b:.2f})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--no-writes", action="store_true", help="skip the write-cost measure")
    args = parser.parse_args()
    n = args.dossiers
    if not args.no_writes:
        write_cost()
    wanted = set(args.databases.split(","))
    targets: list[tuple[str, str | None]] = [("sqlite", None)] if "sqlite" in wanted else []
    pg = os.environ.get("TTHC_BENCH_POSTGRES_URL") or os.environ.get("TTHC_TEST_POSTGRES_URL")
    if pg and "postgresql" in wanted:
        targets.append(("postgresql", pg))
    print(
        f"{'database':<11}{'dossiers':>10}  {'query':<10}{'rows':>5}{'ours ms':>9}"
        f"{'raw ms':>8}{'ratio':>7}"
    )
    for name, base in targets:
        with tempfile.TemporaryDirectory() as folder:
            cleanup: Callable[[], None] = _nothing
            if base is None:
                url = f"sqlite:///{Path(folder) / 'worklist.sqlite'}"
            else:
                url, cleanup = _pg_schema(base)
            try:
                started = time.perf_counter()
                results = measure(url, n)
                loaded = time.perf_counter() - started
                for query, ours, raw, rows in results:
                    print(
                        f"{name:<11}{n:>10,}  {query:<10}{rows:>5}{ours * 1e3:>9.2f}"
                        f"{raw * 1e3:>8.2f}{ours / raw:>7.2f}",
                        flush=True,
                    )
                print(f"{name:<11}(load and measure: {loaded:.0f} s)", flush=True)
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
