"""Scenario mistakes are reported with file, line, column and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tthc_flow.errors import ScenarioDefinitionError
from tthc_flow.simulation import load_scenario

GOOD = """\
name: t
horizon: {start: 2026-03-02, end: 2026-03-31}
catalog: so-cong-thuong
arrivals:
  total: {per_working_day: 5}
service:
  default: {dist: fixed, value: 1}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "so-cong-thuong").symlink_to(
        Path(__file__).resolve().parents[2] / "examples" / "so-cong-thuong"
    )
    return path


def test_a_valid_scenario_loads(tmp_path: Path) -> None:
    assert load_scenario(write(tmp_path, GOOD)).name == "t"


@pytest.mark.parametrize(
    ("text", "line", "column", "field"),
    [
        (GOOD.replace("value: 1}", "value: 1, mean: 2}"), 7, 42, "service.default.mean"),
        (GOOD + "staff: {one_stop: 0}\n", 8, 19, "staff.one_stop"),
        (GOOD + "branching:\n  withdraw: 1.5\n", 9, 13, "branching.withdraw"),
        (
            GOOD + "variants:\n  - name: v\n    on_the_spot: ['9.999999']\n",
            10,
            19,
            "variants[0].on_the_spot[0]",
        ),
        (
            GOOD.replace("per_working_day: 5", "per_year: 5, per_horizon: 3"),
            5,
            10,
            "arrivals.total",
        ),
    ],
)
def test_errors_name_file_line_column_and_field(
    tmp_path: Path, text: str, line: int, column: int, field: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioDefinitionError) as caught:
        load_scenario(path)
    problem = caught.value.first
    assert (problem.file, problem.line, problem.column, problem.field) == (
        str(path),
        line,
        column,
        field,
    )
