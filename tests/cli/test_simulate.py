"""`tthc simulate`, `tthc demo` and `tthc validate` on a small scenario (a few weeks)."""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tthc_flow.cli import is_scenario, main
from tthc_flow.simulation import HEADLINE_KPIS, kpi_label

CATALOG = Path(__file__).resolve().parents[2] / "examples" / "so-cong-thuong"

SCENARIO = """\
name: small office
horizon: {start: 2026-03-02, end: 2026-03-20}
catalog: so-cong-thuong
seed: 3
arrivals:
  total: {per_working_day: 6}
channels: {desk: 0.6, postal: 0.1, online: 0.3}
staff: {one_stop: 1, specialist: 2, leader: 1, inspection_team: unlimited,
        ministry_officer: unlimited}
service:
  roles: {specialist: {dist: lognormal, mean: 1.5, sd: 1.0}}
  default: {dist: triangular, low: 0.1, mode: 0.5, high: 2}
variants:
  - name: more staff
    extra_staff: {specialist: 1}
  - name: desk decides
    on_the_spot: ["2.000745"]
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "so-cong-thuong").symlink_to(CATALOG)  # a scenario reads inside its folder
    return path


def test_simulate_prints_translated_kpis_and_writes_every_comparison(
    scenario: Path, tmp_path: Path
) -> None:
    json_path, csv_path = tmp_path / "r.json", tmp_path / "r.csv"
    code, out = run(
        "simulate", str(scenario), "--variants", "--replications", "2",
        "--json", str(json_path), "--csv", str(csv_path),
    )  # fmt: skip
    assert code == 0, out
    assert "Tỷ lệ trước hạn, đúng hạn" in out and "Mức bận: chuyên viên" in out
    assert "on_time_rate" not in out and "utilisation.specialist" not in out
    rate_line = next(line for line in out.splitlines() if "Tỷ lệ trước hạn" in line)
    assert re.search(r"\d,\d %", rate_line), rate_line  # Vietnamese numbers: 99,5 %
    rows = json.loads(json_path.read_text(encoding="utf-8"))
    by_key = {(r["variant"], r["kpi"]): r for r in rows}
    assert {r["variant"] for r in rows} == {"baseline", "more staff", "desk decides"}
    base, more = by_key["baseline", "on_time_rate"], by_key["more staff", "on_time_rate"]
    assert base["label"] == "Tỷ lệ trước hạn, đúng hạn" and base["n"] == 2
    assert base["difference"] is None
    assert math.isclose(more["difference"], more["mean"] - base["mean"], abs_tol=1e-9)
    csv_rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert {(r["variant"], r["kpi"]) for r in csv_rows} == set(by_key)
    assert all(r["difference"] == "" for r in csv_rows if r["variant"] == "baseline")
    assert all(r["difference"] != "" for r in csv_rows if r["variant"] == "more staff")


def test_simulate_in_english(scenario: Path) -> None:
    code, out = run("simulate", str(scenario), "--replications", "2", "--lang", "en")
    assert code == 0, out
    assert "Early or on time" in out and "Tỷ lệ" not in out
    rate_line = next(line for line in out.splitlines() if "Early or on time" in line)
    assert re.search(r"\d\.\d %", rate_line), rate_line  # English numbers: 99.5 %
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    for kpi in HEADLINE_KPIS:  # the library's list and labels, each label on one line
        assert any(kpi_label(kpi, "en") in line for line in lines), kpi


def test_demo_compares_the_on_the_spot_variants_and_lists_its_files(
    scenario: Path, tmp_path: Path
) -> None:
    out_dir = tmp_path / "demo"
    code, out = run(
        "demo", "--scenario", str(scenario), "--out", str(out_dir),
        "--replications", "2", "--lang", "en",
    )  # fmt: skip
    assert code == 0, out
    assert "Comparison: desk decides / baseline" in out and "more staff" not in out
    assert "Administrative procedure dossiers" in out and "Files written" in out
    for name in ("demo.sqlite", "thong-ke.xlsx", "nhat-ky.xes", "so-sanh.png"):
        assert (out_dir / name).stat().st_size > 0
        assert str(out_dir / name) in out
    tables = [line for line in out.splitlines() if str(out_dir) not in line]
    assert max(len(line) for line in tables) <= 80  # CliRunner's terminal
    code, out = run("demo", "--scenario", str(scenario), "--variant", "nope")
    assert code == 2 and "nope" in out


def test_validate_a_scenario_and_its_mistakes(scenario: Path, tmp_path: Path) -> None:
    code, out = run("validate", str(scenario), "--lang", "en")
    assert code == 0 and "ok: scenario small office" in out
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        f"name: no horizon\ncatalog: {CATALOG.as_posix()}\nstaff: {{one_stop: 1}}\n",
        encoding="utf-8",
    )
    code, out = run("validate", str(broken))
    assert code == 1
    assert str(broken) in out and "horizon" in out and "arrivals" in out
    assert "code" not in out  # read as a scenario, not as a procedure


def test_scenario_or_procedure_is_decided_by_top_level_keys(tmp_path: Path) -> None:
    assert not is_scenario(CATALOG / "khi-cua-hang-lpg-chai.yaml")
    only_staff = tmp_path / "s.yaml"
    only_staff.write_text("# horizon: in a comment\nstaff: {one_stop: 1}\n", encoding="utf-8")
    assert is_scenario(only_staff)
    commented = tmp_path / "p.yaml"
    commented.write_text("code: '1.1'\nnote: |\n  horizon: text\n", encoding="utf-8")
    assert not is_scenario(commented)
    broken = tmp_path / "b.yaml"
    broken.write_text("horizon: [\n", encoding="utf-8")
    assert not is_scenario(broken)
