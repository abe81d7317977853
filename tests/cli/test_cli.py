"""The `tthc` command through click's runner: exit codes, messages, files written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from tthc_flow import VN_TZ, Actor, Engine, SqlStore, cli, load_catalog
from tthc_flow.cli import main

DEFAULT_CATALOG = Path(__file__).resolve().parents[2] / "examples" / "so-cong-thuong"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_validate_catalog_ok() -> None:
    code, out = run("validate", str(DEFAULT_CATALOG))
    assert code == 0 and "phiên bản thủ tục" in out
    code, out = run("validate", str(DEFAULT_CATALOG), "--lang", "en")
    assert code == 0 and "procedure versions" in out


def test_validate_reports_file_line_column_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = (DEFAULT_CATALOG / "khi-cua-hang-lpg-chai.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("level: province", "level: district\nlevell: x"), encoding="utf-8")
    code, out = run("validate", str(bad))
    assert code == 1
    assert f"{bad}:" in out and "levell" in out and "unknown key" in out


def test_show_and_diagram() -> None:
    code, out = run("show", "2.000128", "--lang", "en")
    assert code == 0 and "Statutory limit" in out and "15 working days" in out
    code, out = run("diagram", "2.000128")
    assert code == 0 and "stateDiagram-v2" in out and "appraise" in out
    code, out = run("show", "9.999999")
    assert code == 1 and "9.999999" in out


def test_due_lists_every_skipped_day_with_its_reason() -> None:
    code, out = run("due", "--received", "2026-04-24 16:10", "--days", "7", "--lang", "en")
    assert code == 0, out
    lines = out.splitlines()
    off = [line for line in lines if line.strip().startswith("off")]
    # Sat 25, Sun 26, Mon 27 (Hùng Kings, observed), Thu 30/4, Fri 1/5, Sat 2, Sun 3
    assert [line.split()[2].rstrip(":") for line in off] == [
        "2026-04-25",
        "2026-04-26",
        "2026-04-27",
        "2026-04-30",
        "2026-05-01",
        "2026-05-02",
        "2026-05-03",
    ]
    assert "Hung" in out or "Hùng" in out
    assert lines[-1].startswith("Due: 2026-05-08 16:10")  # 28, 29/4 then 4-8/5


def test_due_needs_exactly_one_unit() -> None:
    code, _ = run("due", "--received", "2026-04-24 16:10")
    assert code == 2


@pytest.fixture
def db(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "t.sqlite"
    engine = Engine(load_catalog(DEFAULT_CATALOG), store=SqlStore.sqlite(path))
    moment = datetime(2026, 6, 1, 8, tzinfo=VN_TZ)
    dossier = engine.receive("2.000128", "Công ty A", "desk", at=moment)
    desk, staff = Actor.of("d", "one_stop"), Actor.of("s", "specialist")
    engine.fire(dossier.code, "handover", desk, moment.replace(hour=9))
    engine.fire(dossier.code, "appraise", staff, moment.replace(hour=10))
    return path, dossier.code


def test_report_export_and_forms(db: tuple[Path, str], tmp_path: Path) -> None:
    path, dossier_code = db
    xlsx = tmp_path / "r.xlsx"
    code, out = run("report", "--db", str(path), "--period", "2026-06", "--xlsx", str(xlsx))
    assert code == 0, out
    assert "Số mới tiếp nhận" in out and xlsx.exists()
    xes = tmp_path / "log.xes"
    code, out = run("export", "--db", str(path), "--format", "xes", "--out", str(xes))
    assert code == 0, out
    traces = etree.parse(str(xes)).getroot().findall("{*}trace")
    assert len(traces) == 1
    csv_path = tmp_path / "log.csv"
    assert run("export", "--db", str(path), "--format", "csv", "--out", str(csv_path))[0] == 0
    assert csv_path.read_text(encoding="utf-8").count("\n") == 4  # header + 3 events
    code, out = run("forms", dossier_code, "--db", str(path), "--form", "receipt")
    assert code == 0 and dossier_code in out and "Độc lập - Tự do - Hạnh phúc" in out
    code, out = run("forms", "SCT-000000-0000", "--db", str(path))
    assert code == 1 and "no dossier" in out


def test_labels_follow_lang() -> None:
    code, out = run("show", "2.000128", "--lang", "en")
    assert code == 0
    assert "at the desk, by post, online" in out and "partial" in out
    assert "(specialist, 3)" in out and "(leader, 2)" in out
    code, out = run("show", "2.000128")
    assert code == 0, out
    assert "15 ngày làm việc" in out and "trực tiếp, bưu chính, trực tuyến" in out
    assert "một phần" in out and "1.200.000 đ" in out and "(chuyên viên, 3)" in out
    assert "working" not in out and "partial" not in out and "desk" not in out
    code, out = run("due", "--received", "2026-04-24 16:10", "--days", "7")
    assert code == 0, out
    assert "nghỉ Thứ Bảy 2026-04-25" in out and "(7 ngày làm việc)" in out
    assert "Sat" not in out and "working" not in out


def test_report_numbers_follow_lang(db: tuple[Path, str]) -> None:
    path, _ = db

    def online_share(lang: str) -> str:
        code, out = run("report", "--db", str(path), "--period", "2026-06", "--lang", lang)
        assert code == 0, out
        label = "Online share (%)" if lang == "en" else "Tỷ lệ trực tuyến (%)"
        line = next(line for line in out.splitlines() if label in line)
        return line.split("│")[2].strip()

    assert online_share("en") == "0.0"
    assert online_share("vi") == "0,0"


def test_export_writes_to_stdout_without_out(db: tuple[Path, str]) -> None:
    path, dossier_code = db
    code, out = run("export", "--db", str(path), "--format", "csv")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("case,activity") and len(lines) == 4
    assert all(line.startswith(dossier_code) for line in lines[1:])
    result = CliRunner().invoke(main, ["export", "--db", str(path), "--format", "xes"])
    assert result.exit_code == 0
    assert len(etree.fromstring(result.stdout_bytes).findall("{*}trace")) == 1


def test_without_examples_commands_ask_for_a_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed package has no examples folder: a usage error, not a traceback."""
    monkeypatch.setattr(cli, "DEFAULT_CATALOG", None)
    monkeypatch.setattr(cli, "DEMO_SCENARIO", None)
    code, out = run("show", "2.000128")
    assert code == 2 and "--catalog" in out
    code, out = run("show", "2.000128", "--catalog", str(DEFAULT_CATALOG))
    assert code == 0, out
    code, out = run("demo")
    assert code == 2 and "--scenario" in out


def test_report_without_a_catalog(db: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "DEFAULT_CATALOG", None)
    path, _ = db
    code, out = run("report", "--db", str(path), "--period", "2026-06", "--lang", "en")
    assert code == 0 and "Newly received" in out
    code, out = run("report", "--db", str(path), "--period", "2026-06", "--by", "field")
    assert code == 2 and "--catalog" in out
