"""SqlStore.batch(): buffered appends, read-your-writes, conflicts at append or at the flush."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_workers import chain, first_event, next_event

from tthc_flow.engine import apply, replay
from tthc_flow.errors import ConcurrencyConflict, StoreError
from tthc_flow.store import DossierQuery, SqlStore, _sql


def _append_step(store: SqlStore, code: str, length: int, k: int) -> None:
    events, _ = chain(code, length)
    store.append([events[k]], replay(events[: k + 1]))


def _raw_sql(store: SqlStore, sql: str) -> None:
    """Alter the database behind the store's back (foreign keys off)."""
    engine = sa.create_engine(store.url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET session_replication_role = replica")
        conn.exec_driver_sql(sql)
    engine.dispose()


def test_idempotency_keys_are_found_in_the_batch_and_in_the_database(
    sql_store: SqlStore,
) -> None:
    stored = first_event("K", key="create-K")
    sql_store.append([stored], replay([stored]))
    with sql_store.batch():
        k = replay([stored])
        noted = next_event(k, key="note-K")
        sql_store.append([noted], apply(k, noted))
        assert sql_store.find_idempotent("K", "note-K") == noted  # pending in the batch
        assert sql_store.find_idempotent(None, "create-K") == stored  # in the database
        assert sql_store.find_idempotent(None, "note-K") is None
        assert sql_store.find_idempotent("K", "create-K") is None  # a creation key's scope
    assert sql_store.find_idempotent("K", "note-K") == noted and sql_store.verify().ok


def test_every_read_inside_a_batch_sees_its_writes_and_appends_go_on_after_it(
    sql_store: SqlStore,
) -> None:
    with sql_store.batch():
        for k in range(2):
            _append_step(sql_store, "A", 4, k)
        created = first_event("B", key="create-B")
        sql_store.append([created], replay([created]))
        assert sql_store.load("A") == replay(chain("A", 2)[0])
        assert sql_store.find(DossierQuery(agency_code="SCT")) == ["A", "B"]
        assert sql_store.find_idempotent(None, "create-B") == created
        assert [(e.dossier_code, e.version) for e in sql_store.events()] == [
            ("A", 1),
            ("A", 2),
            ("B", 1),
        ]
        assert sql_store.verify().ok
        for k in range(2, 4):  # after the flush a read caused: compare-and-swap from version 2
            _append_step(sql_store, "A", 4, k)
        assert sql_store.load("A") == replay(chain("A", 4)[0])
    assert sql_store.load("A") == replay(chain("A", 4)[0]) and sql_store.verify().ok


def test_conflicts_inside_a_batch_store_nothing_of_that_append_and_the_rest_commits(
    sql_store: SqlStore,
) -> None:
    with sql_store.batch():
        created = first_event("A", key="create-A")
        sql_store.append([created], replay([created]))
        a = replay([created])
        noted = next_event(a, key="k1")
        sql_store.append([noted], apply(a, noted))  # buffered, not yet written
        a = apply(a, noted)
        two = [next_event(a, note="ok")]
        two.append(next_event(apply(a, two[0]), key="k1"))  # key used earlier in this batch
        with pytest.raises(ConcurrencyConflict, match="k1"):
            sql_store.append(two, apply(apply(a, two[0]), two[1]))
        again = first_event("B", key="create-A")  # creation key of a buffered dossier
        with pytest.raises(ConcurrencyConflict, match="create-A"):
            sql_store.append([again], replay([again]))
        with pytest.raises(ConcurrencyConflict, match="at version 2, not 0") as conflict:
            sql_store.append([created], replay([created]))
        assert (conflict.value.dossier_code, conflict.value.expected_version) == ("A", 0)
        assert conflict.value.stored_version == 2
        _append_step(sql_store, "C", 1, 0)
    assert sql_store.load("A") == a and sql_store.load("B") is None
    assert sql_store.load("C") is not None and sql_store.verify().ok


def test_seq_numbers_follow_the_append_order_without_gaps_and_summaries_equal_replay(
    sql_store: SqlStore,
) -> None:
    order: list[tuple[str, int]] = []
    with sql_store.batch():
        for k in range(3):
            for code in ("B", "A", "C"):  # interleaved dossiers
                returned = sql_store.append(
                    [chain(code, 3)[0][k]], replay(chain(code, 3)[0][: k + 1])
                )
                assert [e.seq for e in returned] == [0]  # numbered when written
                order.append((code, k + 1))
    with sql_store.batch():
        _append_step(sql_store, "D", 1, 0)
    stored = list(sql_store.events())
    assert [(e.dossier_code, e.version) for e in stored] == [*order, ("D", 1)]
    seqs = [e.seq for e in stored]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert sql_store.verify().ok
    outside = sql_store.append([chain("E", 1)[0][0]], replay(chain("E", 1)[0]))
    assert [e.seq for e in outside] == [seqs[-1] + 1]  # outside a batch: numbered at once


def test_a_batch_whose_flush_fails_is_rolled_back_entirely(sql_store: SqlStore) -> None:
    for k in range(2):
        _append_step(sql_store, "Z", 2, k)
    _raw_sql(sql_store, "DELETE FROM dossiers WHERE code = 'Z'")  # events left behind
    with pytest.raises(ConcurrencyConflict, match="rolled back"), sql_store.batch():
        _append_step(sql_store, "B", 1, 0)
        _append_step(sql_store, "Z", 2, 0)  # no summary row: accepted, fails at the flush
        with pytest.raises(ConcurrencyConflict, match="rolled back"):
            sql_store.load("B")  # the read flushes
        with pytest.raises(ConcurrencyConflict, match="failed"):
            sql_store.next_sequence("SCT", date(2026, 3, 2))  # the batch is unusable now
    assert sql_store.load("B") is None
    assert sql_store.next_sequence("SCT", date(2026, 3, 2)) == 1
    assert [e.dossier_code for e in sql_store.events()] == ["Z", "Z"]


def test_a_dossier_created_meanwhile_by_another_process_fails_the_flush_on_postgresql(
    pg_url: str,
) -> None:
    with SqlStore(pg_url) as mine, SqlStore(pg_url) as other:
        _append_step(mine, "A", 2, 0)
        with pytest.raises(ConcurrencyConflict, match="created by another writer"), mine.batch():
            _append_step(mine, "A", 2, 1)
            _append_step(mine, "B", 1, 0)  # checked: no B yet (no row to lock)
            other.append([chain("B", 1)[0][0]], replay(chain("B", 1)[0]))  # commits first
        assert mine.load("A") == replay(chain("A", 1)[0])  # the whole batch rolled back
        assert [e.dossier_code for e in mine.events()] == ["A", "B"] and mine.verify().ok


def test_other_databases_are_refused_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tthc_flow writes with SQLite's and PostgreSQL's ON CONFLICT and RETURNING; any other
    dialect is refused on the first write, naming it, with nothing written."""
    with SqlStore.sqlite(tmp_path / "other.db") as store:
        monkeypatch.setattr(_sql, "BUFFERED_DIALECTS", frozenset())
        with pytest.raises(StoreError, match="SQLite and PostgreSQL only"):
            store.append(chain("A", 2)[0], chain("A", 2)[1])
        with pytest.raises(StoreError, match="SQLite and PostgreSQL only"):
            store.next_sequence("SCT", date(2026, 3, 2))
        monkeypatch.undo()
        assert list(store.events()) == [] and store.next_sequence("SCT", date(2026, 3, 2)) == 1
