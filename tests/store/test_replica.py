"""Reads that may lag go to a replica, everything that decides or writes to the primary
(``SqlStore(url, read_url=...)``, docs/store.md "Reading from a replica").

The replica is made to lag on purpose: on SQLite a copy of the primary file taken at a moment
(the sqlite3 backup API), on PostgreSQL a second database given the same first commands; then
the primary moves on. A read answered from the replica shows the old state, one answered from
the primary the new. Expected figures are counted by hand from the scenario: dossier A is
received on Fri 24/4/2026 (the replica has it, at the desk); afterwards, on the primary only,
A is handed over to appraisal and B is received.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.engine.conftest import DESK, PROCEDURE, SPECIALIST, at
from tthc_flow.engine import Engine, FixedClock
from tthc_flow.errors import SchemaVersionError, StoreError
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.reports import Period, statistics_sql
from tthc_flow.store import MIGRATIONS, SqlStore, WorklistQuery
from tthc_flow.store._migrations import upgrade

APRIL = Period.parse("2026-04")


def engine_on(store: SqlStore) -> Engine:
    catalog = Catalog([parse_procedure(PROCEDURE, "test.yaml")])
    engine = Engine(catalog, store=store, clock=FixedClock(at(2026, 4, 24, 16, 10)))
    engine.register_hook("notify_leader", lambda dossier, event: None)
    return engine


def receive_a(store: SqlStore) -> str:
    """Dossier A: the state the replica holds."""
    return (
        engine_on(store)
        .receive(
            "2.000999",
            "Nguyễn Văn An",
            "desk",
            at(2026, 4, 24, 8),
            actor=DESK,
            idempotency_key="k-a",
        )
        .code
    )


def move_on(store: SqlStore, a: str) -> str:
    """On the primary only: A goes to appraisal, B is received; returns B's code."""
    engine = engine_on(store)
    engine.fire(a, "handover", DESK, at(2026, 4, 24, 9))
    return engine.receive(
        "2.000999",
        "Trần Thị Bình",
        "online",
        at(2026, 4, 24, 10),
        actor=DESK,
        idempotency_key="k-b",
    ).code


def sct_worklist(store: SqlStore) -> list[tuple[str, str | None]]:
    page = store.worklist(WorklistQuery(agency="SCT"))
    return [(item.code, item.holder_role) for item in page.items]


def check_routing(store: SqlStore, a: str, b: str) -> None:
    """The replica holds A at the desk; the primary A in appraisal and B."""
    # may lag: answered by the replica (A still held by the one-stop desk, no B)
    assert sct_worklist(store) == [(a, "one_stop")]
    lagging = statistics_sql(store, APRIL)
    assert (lagging.total.received, lagging.total.received_online) == (1, 0)
    assert [e.version for e in store.events(may_lag=True)] == [1]
    assert [d.code for d in store.dossiers(may_lag=True)] == [a]
    # the primary's own engine: the newest state (B received online)
    newest = statistics_sql(store.engine, APRIL)
    assert (newest.total.received, newest.total.received_online) == (2, 1)
    # never lag: what a command checks and what it returns
    engine = engine_on(store)
    assert store.head(a) is not None and store.head(a)[0] == 2  # type: ignore[index]
    assert store.load(a).state == "appraisal"  # type: ignore[union-attr]
    assert [e.version for e in store.load_events(b)] == [1]
    found = store.find_idempotent(None, "k-b")
    assert found is not None and found.dossier_code == b
    assert [e.version for e in store.events()] == [1, 2, 1]
    # a command built on the replica's version 1 of A would conflict: it reads the primary
    done = engine.fire(a, "appraise", SPECIALIST, at(2026, 4, 24, 11))
    assert done.version == 3 and engine.get(a).state == "police_check"
    # inside a batch every read is the batch's own connection on the primary: its writes
    with store.batch():
        c = engine.receive("2.000999", "Lê Văn Cường", "desk", at(2026, 4, 24, 14), actor=DESK).code
        assert sct_worklist(store) == [(b, "one_stop"), (c, "one_stop")]
    assert sct_worklist(store) == [(a, "one_stop")]  # outside it, the replica again


# ---------------------------------------------------------------------------- SQLite
def copy_at_this_moment(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (its WAL included): the backup API."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture
def lagging_copy(tmp_path: Path) -> tuple[Path, Path, str]:
    """The primary file with A received, and a copy of it taken then."""
    primary, replica = tmp_path / "primary.db", tmp_path / "replica.db"
    with SqlStore.sqlite(primary) as store:
        a = receive_a(store)
        copy_at_this_moment(primary, replica)
    return primary, replica, a


def test_sqlite_reads_that_may_lag_come_from_the_copy(lagging_copy: tuple[Path, Path, str]) -> None:
    primary, replica, a = lagging_copy
    with SqlStore.sqlite(primary, read_path=replica) as store:
        assert store.read_url is not None and "replica.db" in store.read_url
        assert store.read_engine is not store.engine
        b = move_on(store, a)
        check_routing(store, a, b)


def test_without_a_replica_every_read_is_the_primarys(tmp_path: Path) -> None:
    with SqlStore.sqlite(tmp_path / "only.db") as store:
        assert store.read_url is None and store.read_engine is store.engine
        a = receive_a(store)
        b = move_on(store, a)
        assert sct_worklist(store) == [(a, "specialist"), (b, "one_stop")]
        assert statistics_sql(store, APRIL).total.received == 2


def test_nothing_is_written_to_the_replica(lagging_copy: tuple[Path, Path, str]) -> None:
    primary, replica, a = lagging_copy
    before = replica.read_bytes()
    with SqlStore.sqlite(primary, read_path=replica) as store:
        move_on(store, a)
        with (
            pytest.raises(sa.exc.OperationalError, match="readonly"),
            store.read_engine.begin() as conn,
        ):
            conn.exec_driver_sql("DELETE FROM dossiers")
    assert replica.read_bytes() == before


def test_a_replica_without_the_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    primary, replica = tmp_path / "primary.db", tmp_path / "empty.db"
    sqlite3.connect(replica).close()  # an empty database file
    with pytest.raises(SchemaVersionError, match=r"replica database .*empty\.db has no tthc_flow"):
        SqlStore.sqlite(primary, read_path=replica)
    assert replica.stat().st_size == 0  # not created there, not migrated
    with pytest.raises(SchemaVersionError, match=r"replica database .*absent\.db does not exist"):
        SqlStore.sqlite(primary, read_path=tmp_path / "absent.db")
    assert not (tmp_path / "absent.db").exists()


def test_a_replica_at_another_schema_version_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{old}")
    upgrade(engine, str(old), MIGRATIONS[:3])
    engine.dispose()
    with pytest.raises(SchemaVersionError, match=r"old\.db has schema version 3"):
        SqlStore.sqlite(tmp_path / "primary.db", read_path=old)
    with sqlite3.connect(old) as conn:  # still version 3: never migrated
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone() == (3,)
    conn.close()


def test_an_in_memory_replica_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="in-memory SQLite database cannot be a replica"):
        SqlStore(f"sqlite:///{tmp_path / 'p.db'}", read_url="sqlite://")


# ------------------------------------------------------------------------ PostgreSQL
@pytest.fixture
def pg_replica_url(pg_url: str) -> Iterator[str]:
    """A second database of the test server (a stand-in for a hot standby), dropped after;
    its URL carries a password (the server trusts, so any password passes) to check it is
    never shown."""
    base = sa.make_url(pg_url).difference_update_query(["options"])  # the server, no schema
    name = f"tthc_replica_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name, password="s3cret-pw").render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_postgresql_reads_that_may_lag_come_from_the_replica(
    pg_url: str, pg_replica_url: str
) -> None:
    with SqlStore(pg_replica_url) as replica:  # what the standby had replayed: A received
        a = receive_a(replica)
    with SqlStore(pg_url, read_url=pg_replica_url) as store:
        assert receive_a(store) == a  # the same first command, the same dossier
        assert store.read_url is not None and "s3cret-pw" not in store.read_url
        assert "***" in store.read_url
        b = move_on(store, a)
        check_routing(store, a, b)
        with (
            pytest.raises(sa.exc.InternalError, match="read-only transaction"),
            store.read_engine.begin() as conn,
        ):
            conn.exec_driver_sql("DELETE FROM dossiers")


def test_postgresql_replica_without_the_schema_is_refused(pg_url: str, pg_replica_url: str) -> None:
    with pytest.raises(SchemaVersionError, match="has no tthc_flow schema") as raised:
        SqlStore(pg_url, read_url=pg_replica_url)
    assert "s3cret-pw" not in str(raised.value) and "tthc_replica_" in str(raised.value)
    engine = sa.create_engine(pg_replica_url)
    try:
        with engine.connect() as conn:  # nothing was created there
            assert sa.inspect(conn).get_table_names() == []
    finally:
        engine.dispose()
