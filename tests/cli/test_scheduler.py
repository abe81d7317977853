"""``tthc scheduler``: one round fires what is due once; bad arguments get one line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from tthc_flow._time import VN_TZ
from tthc_flow.cli import main
from tthc_flow.engine import Engine
from tthc_flow.procedure import load_catalog
from tthc_flow.store import SqlStore

CATALOG = Path(__file__).parents[2] / "examples" / "so-cong-thuong"


def test_one_round_fires_the_due_timers_once(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    with SqlStore.sqlite(db) as store:
        engine = Engine(load_catalog(CATALOG), store=store)
        engine.receive(
            "2.000234", applicant="A", channel="desk", at=datetime(2026, 3, 2, 8, tzinfo=VN_TZ)
        )
    runner = CliRunner()
    args = ["scheduler", "--db", str(db), "--catalog", str(CATALOG), "--once"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    # supplement_window, due_soon and overdue: all long past
    assert "3 timer(s) fired" in first.output
    second = runner.invoke(main, args)
    assert "0 timer(s) fired" in second.output
    with SqlStore.sqlite(db) as store:
        topics = sorted(d.topic for d in store.claim("t", now=datetime.now(VN_TZ), limit=100))
    assert topics.count("timer.overdue") == 1 and topics.count("timer.due_soon") == 1


def test_bad_arguments_get_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(
        main, ["scheduler", "--db", str(tmp_path / "no.db"), "--catalog", str(CATALOG), "--once"]
    )
    assert missing.exit_code == 1 and "does not exist" in missing.output
    assert "Traceback" not in missing.output
    bad = runner.invoke(main, ["scheduler", "--db", "x", "--catalog", str(CATALOG), "--every", "0"])
    assert bad.exit_code == 2 and "--every" in bad.output
