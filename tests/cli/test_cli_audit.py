"""`tthc anchor`, `tthc chain-export` and `tthc verify`: an inspector's commands and their exit
codes (0 verified, 1 a bad file, 2 a bad command line, 3 something does not verify)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from tthc_flow import VN_TZ, Actor, Engine, SqlStore, load_catalog
from tthc_flow.cli import main
from tthc_flow.engine import ChainKey, FixedClock

CATALOG = load_catalog(Path(__file__).resolve().parents[2] / "examples" / "so-cong-thuong")
EVERYONE = Actor.of("all", "one_stop", "specialist", "leader")
MONDAY = datetime(2026, 3, 2, 8, tzinfo=VN_TZ)


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def _office(tmp_path: Path) -> tuple[Path, Path]:
    """A SQLite file of three keyed dossiers, and the key's file."""
    key = ChainKey.generate()
    key_file = tmp_path / "chain.key"
    key_file.write_text(key.to_text())
    db = tmp_path / "office.sqlite"
    with SqlStore.sqlite(db) as store:
        engine = Engine(CATALOG, store=store, clock=FixedClock(MONDAY), key=key)
        codes = [
            engine.receive("2.000234", applicant=f"A{i}", channel="desk").code for i in range(3)
        ]
        engine.fire(codes[0], "handover", EVERYONE, MONDAY + timedelta(hours=1))
    return db, key_file


def test_an_inspector_verifies_an_export_against_a_saved_anchor(tmp_path: Path) -> None:
    db, key = _office(tmp_path)
    anchor, export = tmp_path / "anchor.json", tmp_path / "chain.jsonl"
    assert run("anchor", "--db", db, "--out", anchor) == (0, f"{anchor}\n")
    code, out = run("chain-export", "--db", db, "--out", export)
    assert code == 0 and "4 events" in out
    code, out = run("verify", "--export", export, "--anchor", anchor, "--key-file", key)
    assert code == 0, out
    assert out.splitlines() == [
        "chains: 3 dossiers, 4 events: ok",
        "day numbers: 3 issued on 1 agency-days: ok",
        out.splitlines()[2],
    ] and out.splitlines()[2].endswith(": ok")
    assert run("verify", "--db", db, "--anchor", anchor, "--key-file", key)[0] == 0


def test_a_deleted_dossier_exits_3_naming_what_broke(tmp_path: Path) -> None:
    db, key = _office(tmp_path)
    anchor = tmp_path / "anchor.json"
    run("anchor", "--db", db, "--out", anchor)
    raw = sa.create_engine(f"sqlite:///{db}")
    with raw.begin() as conn:  # the DBA removes the second dossier whole
        conn.exec_driver_sql("DELETE FROM events WHERE dossier_code = 'SCT-260302-0002'")
        conn.exec_driver_sql("DELETE FROM timers WHERE dossier_code = 'SCT-260302-0002'")
        conn.exec_driver_sql("DELETE FROM outbox WHERE dossier_code = 'SCT-260302-0002'")
        conn.exec_driver_sql("DELETE FROM dossiers WHERE code = 'SCT-260302-0002'")
    raw.dispose()
    code, out = run("verify", "--db", db, "--anchor", anchor, "--key-file", key)
    assert code == 3
    assert "SCT 2026-03-02 number 2: missing" in out
    assert "were deleted" in out and "chains: 2 dossiers, 3 events: ok" in out


def test_without_the_key_keyed_events_cannot_be_checked(tmp_path: Path) -> None:
    db, _ = _office(tmp_path)
    code, out = run("verify", "--db", db)
    assert code == 3 and "which was not given: cannot be checked" in out


def test_bad_files_and_arguments_get_one_line_and_their_exit_code(tmp_path: Path) -> None:
    db, _ = _office(tmp_path)
    not_export = tmp_path / "notes.txt"
    not_export.write_text("hello\n")
    code, out = run("verify", "--export", not_export)
    assert code == 1 and out.count("\n") == 1 and "not JSON" in out and "Traceback" not in out
    code, out = run("verify", "--db", db, "--key-file", not_export)
    assert code == 1 and "64 hexadecimal digits" in out
    code, out = run("verify", "--db", db, "--anchor", not_export)
    assert code == 1 and "bad anchor" not in out and "not JSON" in out
    assert run("verify")[0] == 2
    assert run("verify", "--db", db, "--export", not_export)[0] == 2
    assert run("verify", "--db", db, "--unkeyed-through", 3)[0] == 2
    assert run("verify", "--export", tmp_path / "missing.jsonl")[0] == 2
    assert run("anchor", "--db", db, "--out", tmp_path)[0] == 2  # a folder


def test_a_chain_that_no_longer_replays_or_parses_is_reported_not_raised(tmp_path: Path) -> None:
    """Naive edits that break the replay (a middle event deleted) or the row itself (broken
    JSON): exit 3 naming each dossier, never a traceback."""
    db, key = _office(tmp_path)
    raw = sa.create_engine(f"sqlite:///{db}")
    with raw.begin() as conn:
        conn.exec_driver_sql(
            "DELETE FROM events WHERE dossier_code = 'SCT-260302-0001' AND version = 1"
        )
        conn.exec_driver_sql(
            "UPDATE events SET payload = '{not json' WHERE dossier_code = 'SCT-260302-0002'"
        )
    raw.dispose()
    code, out = run("verify", "--db", db, "--key-file", key)
    assert code == 3 and "Traceback" not in out
    assert "dossier SCT-260302-0001 event 2: expected version 1" in out
    assert "dossier SCT-260302-0002 event 1: row does not parse" in out
    assert "anchor and day numbers not checked" in out


def test_a_postgresql_store_is_anchored_and_audited_by_its_url(pg_url: str, tmp_path: Path) -> None:
    key = ChainKey.generate()
    (tmp_path / "chain.key").write_text(key.to_text())
    with SqlStore(pg_url) as store:
        engine = Engine(CATALOG, store=store, clock=FixedClock(MONDAY), key=key)
        engine.receive("2.000234", applicant="A", channel="desk")
    anchor = tmp_path / "anchor.json"
    assert run("anchor", "--db", pg_url, "--out", anchor)[0] == 0
    code, out = run(
        "verify", "--db", pg_url, "--anchor", anchor, "--key-file", tmp_path / "chain.key"
    )
    assert code == 0 and "chains: 1 dossiers, 1 events: ok" in out, out
    assert run("verify", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none")[0] == 1
    assert run("verify", "--db", "a\x00b")[0] == 2
