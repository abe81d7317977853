"""SQL-only guarantees: batches, tamper detection, DB-level uniqueness, schema versions, errors."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_workers import chain, first_event, next_event

from tthc_flow.engine import apply, replay
from tthc_flow.errors import ConcurrencyConflict, IntegrityError, SchemaVersionError, StoreError
from tthc_flow.store import SCHEMA_VERSION, Migration, SqlStore, schema
from tthc_flow.store._migrations import MIGRATIONS, stored_version, upgrade


def _store_chain(store: SqlStore, code: str, length: int) -> None:
    events, _ = chain(code, length)
    for k in range(length):
        store.append([events[k]], replay(events[: k + 1]))


# ----------------------------------------------------------------------------- batches
def test_a_batch_commits_at_the_end_and_reads_inside_see_its_writes(
    sql_store: SqlStore, sql_url: str
) -> None:
    with SqlStore(sql_url) as other:
        with sql_store.batch():
            _store_chain(sql_store, "A", 3)
            assert sql_store.load("A") is not None  # read-your-writes inside the batch
            assert sql_store.next_sequence("SCT", date(2026, 3, 2)) == 1
            if sql_url.startswith("postgresql"):
                assert other.load("A") is None  # not visible before commit
        assert other.load("A") == replay(chain("A", 3)[0])


def test_an_exception_rolls_the_whole_batch_back(sql_store: SqlStore) -> None:
    _store_chain(sql_store, "KEEP", 2)
    with pytest.raises(RuntimeError), sql_store.batch():
        _store_chain(sql_store, "A", 3)
        _store_chain(sql_store, "B", 2)
        raise RuntimeError("boom")
    assert sql_store.load("A") is None and sql_store.load("B") is None
    assert [e.dossier_code for e in sql_store.events()] == ["KEEP", "KEEP"]
    assert sql_store.verify().ok


def test_a_conflict_inside_a_batch_undoes_only_that_append(sql_store: SqlStore) -> None:
    with sql_store.batch():
        _store_chain(sql_store, "A", 2)
        stale = replay(chain("A", 1)[0])
        with pytest.raises(ConcurrencyConflict):
            sql_store.append([next_event(stale)], apply(stale, next_event(stale)))
        _store_chain(sql_store, "B", 2)
    assert sql_store.load("A") == replay(chain("A", 2)[0])
    assert sql_store.load("B") is not None and sql_store.verify().ok


# ------------------------------------------------------------------------ tampering
def test_an_altered_payload_is_reported_with_its_dossier_and_version(sql_store: SqlStore) -> None:
    _store_chain(sql_store, "A", 3)
    _store_chain(sql_store, "B", 4)
    with sql_store._engine.begin() as conn:
        conn.execute(
            sa.update(schema.events)
            .where(schema.events.c.dossier_code == "B", schema.events.c.version == 3)
            .values(payload='{"note":"forged"}')
        )
    report = sql_store.verify()
    assert (report.broken_dossier, report.broken_version) == ("B", 3)
    assert "altered" in (report.reason or "")


def test_a_deleted_middle_event_is_reported(sql_store: SqlStore) -> None:
    _store_chain(sql_store, "A", 5)
    with sql_store._engine.begin() as conn:
        conn.execute(
            sa.delete(schema.events).where(
                schema.events.c.dossier_code == "A", schema.events.c.version == 3
            )
        )
    report = sql_store.verify()
    assert (report.broken_dossier, report.broken_version) == ("A", 4)
    assert "missing" in (report.reason or "")


def test_a_deleted_last_event_or_edited_summary_is_reported(sql_store: SqlStore) -> None:
    _store_chain(sql_store, "A", 3)
    _store_chain(sql_store, "B", 2)
    with sql_store._engine.begin() as conn:
        conn.execute(
            sa.delete(schema.events).where(
                schema.events.c.dossier_code == "A", schema.events.c.version == 3
            )
        )
        conn.execute(
            sa.update(schema.dossiers).where(schema.dossiers.c.code == "B").values(state="returned")
        )
    report = sql_store.verify()
    assert (report.broken_dossier, report.broken_version) == ("A", 2)
    assert report.reason == "summary differs from replay"


def _raw_sql(store: SqlStore, sql: str) -> None:
    """Alter the database behind the store's back (foreign keys off, like plain sqlite3)."""
    engine = sa.create_engine(store.url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET session_replication_role = replica")  # FKs off
        conn.exec_driver_sql(sql)
    engine.dispose()


def test_a_deleted_summary_row_is_reported_as_events_without_summary(sql_store: SqlStore) -> None:
    _store_chain(sql_store, "A", 2)
    _store_chain(sql_store, "B", 3)
    _raw_sql(sql_store, "DELETE FROM dossiers WHERE code = 'B'")
    report = sql_store.verify()
    assert (report.broken_dossier, report.broken_version) == ("B", 1)
    assert report.reason == "events without summary row"
    assert report.dossiers_checked == 2
    with pytest.raises(IntegrityError, match="B event 1") as broken:
        sql_store.check()
    assert (broken.value.dossier_code, broken.value.version) == ("B", 1)


def test_an_unparsable_summary_row_is_reported_not_raised(
    sql_store: SqlStore, sql_url: str
) -> None:
    if sql_url.startswith("postgresql"):
        pytest.skip("timestamptz cannot hold text")
    _store_chain(sql_store, "A", 2)
    _raw_sql(sql_store, "UPDATE dossiers SET received_at = 'zz' WHERE code = 'A'")
    report = sql_store.verify()
    assert (report.broken_dossier, report.broken_version) == ("A", 2)
    assert report.reason == "summary row does not parse (altered)"


def test_a_summary_row_whose_events_were_deleted_is_reported(sql_store: SqlStore) -> None:
    _store_chain(sql_store, "A", 2)
    _raw_sql(sql_store, "DELETE FROM events WHERE dossier_code = 'A'")
    report = sql_store.verify()
    assert (report.broken_dossier, report.reason) == ("A", "summary row without events")


@pytest.mark.parametrize(("column", "value"), [("at", "'zz'"), ("payload", "'{not json'")])
def test_an_unparsable_row_is_reported_by_verify_and_raised_as_integrity_error(
    sql_store: SqlStore, sql_url: str, column: str, value: str
) -> None:
    if column == "at" and sql_url.startswith("postgresql"):
        pytest.skip("timestamptz cannot hold text")
    _store_chain(sql_store, "A", 3)
    _raw_sql(sql_store, f"UPDATE events SET {column} = {value} WHERE version = 2")
    report = sql_store.verify()
    assert (report.broken_dossier, report.broken_version) == ("A", 2)
    assert "does not parse" in (report.reason or "")
    for read in (lambda: sql_store.load("A"), lambda: list(sql_store.events())):
        with pytest.raises(IntegrityError, match="dossier A event 2") as broken:
            read()
        assert (broken.value.dossier_code, broken.value.version) == ("A", 2)


# ----------------------------------------------------------------- DB-level uniqueness
def _raw_insert(store: SqlStore, **changes: object) -> None:
    with store._engine.connect() as conn:  # closed: an open read would block DROP SCHEMA
        row = dict(conn.execute(sa.select(schema.events).limit(1)).one()._mapping)
    row.pop("seq")
    row.update(changes)
    with store._engine.begin() as conn:
        conn.execute(sa.insert(schema.events), row)


def test_the_database_itself_refuses_duplicate_versions_and_keys(sql_store: SqlStore) -> None:
    created = first_event("A", key="create-A")
    sql_store.append([created], replay([created]))
    dossier = replay([created])
    noted = next_event(dossier, key="k")
    sql_store.append([noted], apply(dossier, noted))
    _store_chain(sql_store, "B", 1)
    with pytest.raises(sa.exc.IntegrityError):
        _raw_insert(sql_store, version=2)  # (A, 2) exists
    with pytest.raises(sa.exc.IntegrityError):
        _raw_insert(sql_store, version=9, idempotency_key="k")  # key reused on A
    with pytest.raises(sa.exc.IntegrityError):
        _raw_insert(sql_store, dossier_code="B", version=1, idempotency_key="create-A")
    _raw_insert(sql_store, dossier_code="B", version=7, idempotency_key="k")  # other dossier: ok


# ------------------------------------------------------------------- schema versions
def test_a_missing_schema_with_create_false_says_how_to_create_it(sql_url: str) -> None:
    with pytest.raises(SchemaVersionError, match=r"(no tthc_flow schema|does not exist).*upgrade"):
        SqlStore(sql_url, create=False)
    if sql_url.startswith("sqlite"):
        assert not Path(sql_url.removeprefix("sqlite:///")).exists()  # no empty file left
        sqlite3.connect(sql_url.removeprefix("sqlite:///")).close()  # an empty database
        with pytest.raises(SchemaVersionError, match=r"no tthc_flow schema.*upgrade"):
            SqlStore(sql_url, create=False)
    SqlStore(sql_url).close()
    SqlStore(sql_url, create=False).close()


def test_a_foreign_or_partial_schema_is_refused_and_left_alone(sql_url: str) -> None:
    engine = sa.create_engine(sql_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT)")
    for create in (True, False):
        with pytest.raises(SchemaVersionError, match="events but no schema_version"):
            SqlStore(sql_url, create=create)
    with engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) == {"events"}  # nothing created
    engine.dispose()


def test_a_schema_missing_a_column_is_refused(sql_url: str) -> None:
    SqlStore(sql_url).close()
    engine = sa.create_engine(sql_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_events_effect_at")
        conn.exec_driver_sql("ALTER TABLE events DROP COLUMN effect")
    engine.dispose()
    with pytest.raises(SchemaVersionError, match=r"lacks column events\.effect"):
        SqlStore(sql_url)


def _set_version(url: str, version: int) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO schema_version (version, description, applied_at) "
                "VALUES (:v, 'future', '2030-01-01 00:00:00.000000')"
            ),
            {"v": version},
        )
    engine.dispose()


def test_a_newer_schema_names_both_versions(sql_url: str) -> None:
    SqlStore(sql_url).close()
    _set_version(sql_url, SCHEMA_VERSION + 1)
    for create in (True, False):
        with pytest.raises(SchemaVersionError) as info:
            SqlStore(sql_url, create=create)
        assert f"version {SCHEMA_VERSION + 1}" in str(info.value)
        assert f"version {SCHEMA_VERSION} " in str(info.value)


def test_migrations_apply_in_order_once_and_are_recorded(sql_url: str) -> None:
    SqlStore(sql_url).close()
    engine = sa.create_engine(sql_url)
    added = Migration(
        SCHEMA_VERSION + 1,
        "a notes column",
        lambda conn: conn.exec_driver_sql("ALTER TABLE dossiers ADD COLUMN notes TEXT"),
    )
    steps = (*MIGRATIONS, added)
    assert upgrade(engine, "test", steps) == SCHEMA_VERSION + 1
    assert upgrade(engine, "test", steps) == SCHEMA_VERSION + 1  # second run: nothing to do
    with engine.connect() as conn:
        assert stored_version(conn) == SCHEMA_VERSION + 1
        versions = conn.execute(sa.select(schema.schema_version.c.version)).scalars().all()
        assert sorted(versions) == [m.version for m in steps]
        assert "notes" in {c["name"] for c in sa.inspect(conn).get_columns("dossiers")}
    engine.dispose()
    with pytest.raises(SchemaVersionError, match="newer"):
        SqlStore(sql_url)


def test_an_older_schema_is_migrated_at_open_or_refused_with_create_false(sql_url: str) -> None:
    SqlStore(sql_url).close()
    engine = sa.create_engine(sql_url)
    with engine.begin() as conn:
        conn.execute(sa.delete(schema.schema_version))
        conn.execute(
            sa.text(
                "INSERT INTO schema_version (version, description, applied_at) "
                "VALUES (0, 'ancient', '2020-01-01 00:00:00.000000')"
            )
        )
    engine.dispose()
    with pytest.raises(SchemaVersionError, match="older"):
        SqlStore(sql_url, create=False)


# ----------------------------------------------------------------------- bad URLs
@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("not a url", "not a database URL"),
        ("nosuchdb://host/db", "cannot use database URL"),
        ("sqlite:////nonexistent/dir/tthc.db", "cannot open database"),
        ("postgresql+psycopg://nobody:secret@127.0.0.1:1/none", "cannot open database"),
        ("postgres://nobody:secret@127.0.0.1/db", r"write postgresql\+psycopg://"),
        ("postgresql://nobody:secret@127.0.0.1/db", r"write postgresql\+psycopg://"),
    ],
)
def test_bad_urls_raise_a_store_error_with_a_clear_message(url: str, fragment: str) -> None:
    with pytest.raises(StoreError, match=fragment) as info:
        SqlStore(url)
    assert "secret" not in str(info.value)


def test_the_command_line_upgrades_and_verifies(tmp_path: object) -> None:
    from tthc_flow.store.__main__ import main

    url = f"sqlite:///{tmp_path}/cli.db"
    assert main(["verify", url]) == 2  # no schema yet
    assert main(["upgrade", url]) == 0
    with SqlStore(url) as store:
        _store_chain(store, "A", 2)
    assert main(["verify", url]) == 0


def test_a_version_1_database_is_migrated_and_backfilled_from_its_events(sql_url: str) -> None:
    """Step 2 adds processing time and indicator flags, computed by replaying the events."""
    from tests.reports.logs import build_mixed, new_builder
    from tthc_flow.calendar import WorkCalendar
    from tthc_flow.engine import PersonalDataPolicy
    from tthc_flow.store import MemoryStore
    from tthc_flow.store._rows import event_row, summary_row
    from tthc_flow.store._schema_v1 import metadata_v1

    source = MemoryStore()
    builder = new_builder(store=source)
    # a version 1 database holds events written before personal data were kept apart
    # (hash version 2, docs/personal-data.md): its rows are the whole events
    builder.engine.policies = replace(
        builder.engine.policies, personal_data=PersonalDataPolicy(keep_apart=False)
    )
    build_mixed(builder)
    engine = sa.create_engine(sql_url)
    assert upgrade(engine, "test", MIGRATIONS[:1]) == 1
    v1 = metadata_v1().tables
    with engine.begin() as conn:
        for d in source.dossiers():
            row = summary_row(d, WorkCalendar.vietnam())
            conn.execute(v1["dossiers"].insert(), {c.name: row[c.name] for c in v1["dossiers"].c})
        rows = [event_row(e) for e in source.events()]
        conn.execute(v1["events"].insert(), rows)
        flagged = next(d.code for d in source.dossiers() if d.resolved_at is not None)
    engine.dispose()
    with SqlStore(sql_url) as store:
        assert store.verify().ok  # every summary now equals its replay, new columns included
        with store._engine.connect() as conn:
            seconds = conn.execute(
                sa.select(schema.dossiers.c.processing_seconds).where(
                    schema.dossiers.c.code == flagged
                )
            ).scalar_one()
        resolved = source.load(flagged)
        assert resolved is not None and resolved.received_at is not None
        assert seconds == summary_row(resolved, store.calendar)["processing_seconds"] > 0
        # step 3 gives every open dossier its timers (the default reminder policy)
        from tthc_flow.engine._timers import pending_due_at

        pending = [d for d in source.dossiers() if pending_due_at(d) is not None]
        assert pending and all(store.timers(d.code).get("overdue") == d.due_at for d in pending)
        assert all(store.timers(d.code) == {} for d in source.dossiers() if not d.is_open)


def test_a_creation_conflict_inside_a_batch_leaves_the_batch_intact(sql_store: SqlStore) -> None:
    with sql_store.batch():
        _store_chain(sql_store, "A", 2)
        again = first_event("A")
        with pytest.raises(ConcurrencyConflict):
            sql_store.append([again], replay([again]))
        _store_chain(sql_store, "B", 1)
    assert [d.code for d in sql_store.dossiers()] == ["A", "B"]
    assert sql_store.load("A") == replay(chain("A", 2)[0]) and sql_store.verify().ok
