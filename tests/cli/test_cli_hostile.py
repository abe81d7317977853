"""The CLI's exports of a store holding hostile text: no live formula, no failure."""

from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from tthc_flow import VN_TZ, Actor, Engine, SqlStore, load_catalog
from tthc_flow.cli import main

CATALOG = Path(__file__).resolve().parents[2] / "examples" / "so-cong-thuong"


def _store(path: Path, actor: str) -> str:
    store = SqlStore.sqlite(path)
    engine = Engine(load_catalog(CATALOG), store=store)
    moment = datetime(2026, 6, 1, 8, tzinfo=VN_TZ)
    dossier = engine.receive("2.000128", "=HYPERLINK(1)", "desk", at=moment)
    engine.fire(dossier.code, "handover", Actor.of(actor, "one_stop"), moment.replace(hour=9))
    store.close()  # checkpoints: no -wal or -shm file is left
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


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stderr


@pytest.mark.parametrize("value", ["nan", "0", "-1", "inf", "1e20", "x"])
@pytest.mark.parametrize("unit", ["--days", "--hours"])
def test_due_refuses_limits_it_cannot_compute(unit: str, value: str) -> None:
    code, err = _run("due", "--received", "2026-04-24 16:10", unit, value)
    assert code == 2 and f"'{unit}'" in err and "Traceback" not in err


def test_out_and_db_mistakes_are_one_line_each(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite"
    dossier = _store(db, "clerk")
    assert _run("export", "--db", str(db), "--format", "xes", "--out", str(tmp_path))[0] == 2
    code, err = _run("export", "--db", str(db), "--format", "xes", "--out", str(tmp_path / "a/b"))
    assert code == 1 and err.count("\n") == 1 and "No such file or directory" in err
    garbage = tmp_path / "not-a-db.sqlite"
    garbage.write_bytes(b"\x00" * 4096)
    for args in (["export", "--format", "csv"], ["forms", dossier], ["report", "--period", "2026"]):
        code, err = _run(*args, "--db", str(garbage))
        assert code == 1 and err.startswith("error: ") and err.count("\n") == 1, err


def test_validate_a_deeply_nested_file(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    code, err = _run("validate", str(deep))
    assert code == 1 and err.startswith(f"{deep}:1:") and "nested" in err


def test_read_commands_never_write_the_file_they_are_given(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    code, err = _run("export", "--db", str(empty), "--format", "csv")
    assert code == 1 and "no tthc_flow schema" in err
    assert empty.read_bytes() == b""  # SQLite would have made it a database
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite"]


def _as_nobody() -> list[str] | None:
    """A prefix that runs a command as an unprivileged user (root ignores permissions)."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    return [runuser, "-u", "nobody", "--"] if runuser else None


def test_a_read_only_archived_copy_can_be_read() -> None:
    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("running as root without runuser: permissions cannot be dropped")
    tthc = str(Path(sys.executable).parent / "tthc")
    reachable = subprocess.run([*prefix, tthc, "--version"], capture_output=True, text=True)
    if reachable.returncode != 0:  # e.g. a checkout inside a private (0700) folder
        pytest.skip(f"the unprivileged user cannot run {tthc}: {reachable.stderr.strip()}")
    folder = Path(tempfile.mkdtemp(prefix="tthc-ro-"))  # outside pytest's private tmp tree
    try:
        db = folder / "archive.sqlite"
        code = _store(db, "clerk")
        before = {p.name for p in folder.iterdir()}
        assert before == {"archive.sqlite"}  # SQLite can only read it as immutable
        db.chmod(0o444)
        folder.chmod(0o555)
        for args in (
            ["export", "--format", "csv"],
            ["forms", code],
            ["report", "--period", "2026"],
        ):
            done = subprocess.run(
                [*prefix, tthc, *args, "--db", str(db)], capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
        assert code in done.stdout or "Số mới tiếp nhận" in done.stdout
        assert {p.name for p in folder.iterdir()} == before
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_a_scenario_reads_only_inside_its_folder_unless_root_is_given(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    text = (CATALOG.parent / "scenarios" / "hai-phong-2020.yaml").read_text(encoding="utf-8")
    scenario = folder / "s.yaml"
    for catalog in ("/", "../so-cong-thuong"):
        scenario.write_text(text.replace("catalog: so-cong-thuong", f"catalog: {catalog}"))
        code, err = _run("validate", str(scenario))
        assert code == 1 and err.startswith(f"{scenario}:17:10: catalog: "), err
        assert "inside the scenario's folder" in err and err.count("\n") == 1
    (tmp_path / "so-cong-thuong").symlink_to(CATALOG)
    code, err = _run("validate", str(scenario), "--root", str(tmp_path))
    assert code == 0, err


def test_plot_needs_an_image_suffix(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: x\n", encoding="utf-8")
    code, err = _run("simulate", str(scenario), "--plot", str(tmp_path / "plot.txt"))
    assert code == 2 and "--plot" in err and ".png" in err


def test_names_are_printed_as_written_not_as_terminal_markup(tmp_path: Path) -> None:
    """A procedure named ``[/x]`` was a rich MarkupError traceback; ``[link=...]`` a hidden
    hyperlink in the terminal."""
    name = "[/x] [bold]đậm[/bold] [link=http://example.invalid]Bấm[/link] :smile:"
    text = (CATALOG / "khi-cua-hang-lpg-chai.yaml").read_text(encoding="utf-8")
    code_line = next(line for line in text.splitlines() if line.startswith("code:"))
    name_line = next(line for line in text.splitlines() if line.startswith("name:"))
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "p.yaml").write_text(text.replace(name_line, f"name: {name!r}"), "utf-8")
    code = code_line.partition(":")[2].strip().strip("'\"")
    result = CliRunner().invoke(main, ["show", code, "--catalog", str(catalog)])
    assert result.exit_code == 0, result.output
    assert name in result.output.replace("\n", " ") or "[/x] [bold]đậm[/bold]" in result.output
