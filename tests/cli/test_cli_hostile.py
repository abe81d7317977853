"""The CLI's exports of a store holding hostile text: no live formula, no failure."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from tthc_flow import VN_TZ, Actor, Engine, SqlStore, load_catalog
from tthc_flow.cli import main

CATALOG = Path(__file__).resolve().parents[2] / "examples" / "so-cong-thuong"


def _store(path: Path, actor: str) -> str:
    engine = Engine(load_catalog(CATALOG), store=SqlStore.sqlite(path))
    moment = datetime(2026, 6, 1, 8, tzinfo=VN_TZ)
    dossier = engine.receive("2.000128", "=HYPERLINK(1)", "desk", at=moment)
    engine.fire(dossier.code, "handover", Actor.of(actor, "one_stop"), moment.replace(hour=9))
    return dossier.code


def test_csv_event_log_neutralises_formulas(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite"
    _store(db, "=1+2")
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[2][3] == "'=1+2"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_exports_never_fail_on_text_xml_cannot_hold(tmp_path: Path) -> None:
    """A control character stored by another writer (bypassing the engine's checks)."""
    db = tmp_path / "t.sqlite"
    _store(db, "clerk")
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE events SET actor = ? WHERE version = 2", ("cl\x01\x00erk",))
    for fmt in ("xes", "ocel", "csv"):
        result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", fmt])
        assert result.exit_code == 0, (fmt, result.output)
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "xes"])
    values = [e.get("value") for e in etree.fromstring(result.stdout_bytes).iter("string")]
    assert "cl\ufffd\ufffderk" in values
