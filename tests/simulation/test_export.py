"""Results and comparisons: JSON/CSV exports, labels, the 80-column table, plots."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from tthc_flow.errors import TthcError
from tthc_flow.simulation import (
    HEADLINE_KPIS,
    KPI_LABELS,
    Scenario,
    SimulationResult,
    compare,
    format_comparison,
    format_kpi,
    kpi_label,
    kpi_labels,
    plot_comparison,
    simulate,
    write_comparison,
    write_results,
)


@pytest.fixture(scope="module")
def pair(small_scenario: Scenario) -> tuple[SimulationResult, SimulationResult]:
    base = simulate(small_scenario, replications=2, keep_events=False)
    more = simulate(small_scenario, "more staff", replications=2, keep_events=False)
    return base, more


def test_result_to_json_and_csv_hold_every_kpi(
    pair: tuple[SimulationResult, SimulationResult], tmp_path: Path
) -> None:
    base, _ = pair
    base.to_json(tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["replications"] == 2
    assert data["kpis"]["arrived"]["mean"] == base["arrived"].mean
    assert len(data["backlog"]) == len(base.backlog)
    base.to_csv(tmp_path / "r.csv")
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8")))
    assert {r["kpi"] for r in rows} == set(base.kpis)
    on_time = next(r for r in rows if r["kpi"] == "on_time_rate")
    assert math.isclose(float(on_time["mean"]), base["on_time_rate"].mean)


def test_comparison_exports_with_labels(
    pair: tuple[SimulationResult, SimulationResult], tmp_path: Path
) -> None:
    base, more = pair
    comparison = compare(base, more)
    write_comparison([comparison], tmp_path / "c.json", lang="en")
    rows = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    util = next(r for r in rows if r["kpi"] == "utilisation.specialist")
    assert util["label"] == "Utilisation: specialist"
    assert util["variant_name"] == "more staff"
    assert util["difference"] < 0  # one more specialist: each is less busy
    write_comparison(comparison, tmp_path / "c.csv")
    csv_rows = list(csv.DictReader((tmp_path / "c.csv").open(encoding="utf-8")))
    label = next(r for r in csv_rows if r["kpi"] == "on_time_rate")["label"]
    assert label == "Tỷ lệ trước hạn, đúng hạn"
    write_results([base, more], tmp_path / "k.csv", comparisons=[comparison])
    k_rows = list(csv.DictReader((tmp_path / "k.csv").open(encoding="utf-8")))
    assert {r["variant"] for r in k_rows} == {"baseline", "more staff"}
    util = next(r for r in k_rows if (r["variant"], r["kpi"]) == ("more staff", util["kpi"]))
    assert float(util["difference"]) < 0 and util["label"] == "Mức bận: chuyên viên"
    assert all(r["difference"] == "" for r in k_rows if r["variant"] == "baseline")
    with pytest.raises(TthcError, match=r"\.json or \.csv"):
        write_results(base, tmp_path / "k.txt")
    write_results(base, tmp_path / "k.txt", format="json")  # the format named, any suffix
    assert json.loads((tmp_path / "k.txt").read_text(encoding="utf-8"))[0]["variant"] == "baseline"


def test_the_table_fits_80_columns_in_both_languages(
    pair: tuple[SimulationResult, SimulationResult],
) -> None:
    comparison = compare(*pair)
    for lang in ("vi", "en"):
        table = format_comparison(comparison, lang)
        lines = table.splitlines()
        assert all(len(line) <= 80 for line in lines), table
        assert kpi_label("on_time_rate", lang) in table
        assert len(lines) == 2 + len([k for k in HEADLINE_KPIS if k in pair[0].kpis])
    assert "*" in format_comparison(comparison, kpis=["utilisation.specialist"])


def test_every_kpi_of_a_result_has_a_label_in_both_languages(
    pair: tuple[SimulationResult, SimulationResult],
) -> None:
    for name in pair[0].kpis:
        assert name.partition(".")[0] in KPI_LABELS, name
    assert set(kpi_labels("en")) == set(KPI_LABELS)
    with pytest.raises(TthcError, match="language"):
        kpi_label("late", "fr")


def test_values_are_printed_in_the_number_style_of_the_language() -> None:
    assert format_kpi("on_time_rate", 0.995, "vi") == "99,5 %"
    assert format_kpi("on_time_rate", 0.995, "en") == "99.5 %"
    assert format_kpi("utilisation.leader", 0.015, "vi", signed=True) == "+1,5 điểm %"
    assert format_kpi("utilisation.leader", -0.015, "en", signed=True) == "-1.5 pp"
    assert format_kpi("received", 1234.4, "vi") == "1.234"
    assert format_kpi("received", 1234.4, "en") == "1,234"
    assert format_kpi("processing_days_mean", 2.5, "vi") == "2,50"
    assert format_kpi("late", -0.2, "vi", signed=True) == "0"  # never "-0"
    assert format_kpi("late", math.nan, "en") == "-"
    assert kpi_label("utilisation.specialist", "vi") == "Mức bận: chuyên viên"
    assert kpi_label("wait_hours.inspection_team", "en") == "Wait (hours): inspection_team"


def test_plot_comparison_writes_an_image(
    pair: tuple[SimulationResult, SimulationResult], tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    target = plot_comparison(list(pair), tmp_path / "p.png")
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert target.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("lang", "title", "baseline"),
    [
        ("vi", "Hồ sơ đang giải quyết mỗi ngày", "hiện trạng"),
        ("en", "Open dossiers per day", "baseline"),
    ],
)
def test_plot_labels_follow_the_language(
    pair: tuple[SimulationResult, SimulationResult],
    tmp_path: Path,
    lang: str,
    title: str,
    baseline: str,
) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none"}):  # keep the text as text in the SVG
        svg = plot_comparison(list(pair), tmp_path / "p.svg", lang).read_text(encoding="utf-8")
    assert title in svg
    assert baseline in svg


def test_printing_a_comparison_gives_the_shared_table_of_every_kpi(
    pair: tuple[SimulationResult, SimulationResult],
) -> None:
    """print(compare(...)), as the docs show it, is format_comparison over every KPI."""
    comparison = compare(*pair)
    text = str(comparison)
    assert text == format_comparison(comparison, kpis=[row.kpi for row in comparison.rows])
    assert kpi_label("on_time_rate", "vi")[:20] in text
    assert len(text.splitlines()) == len(comparison.rows) + 2  # heading, rule, one per KPI


def test_csv_exports_neutralise_formula_names(
    pair: tuple[SimulationResult, SimulationResult], tmp_path: Path
) -> None:
    """A variant named ``=HYPERLINK(...)`` in a scenario file is text in the CSV files."""
    base, more = pair
    hostile = replace(more, variant='=HYPERLINK("http://x","a")')
    write_results([base, hostile], tmp_path / "r.csv")
    hostile.to_csv(tmp_path / "one.csv")
    for name in ("r.csv", "one.csv"):
        rows = list(csv.reader((tmp_path / name).open(encoding="utf-8")))
        assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
        assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
