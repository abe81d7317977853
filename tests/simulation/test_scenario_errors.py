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
staff: {one_stop: 1, specialist: unlimited, leader: unlimited, inspection_team: unlimited, ministry_officer: unlimited}
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
        (GOOD.replace("one_stop: 1", "one_stop: 0"), 8, 19, "staff.one_stop"),
        (GOOD + "branching:\n  withdraw: 1.5\n", 10, 13, "branching.withdraw"),
        (
            GOOD + "variants:\n  - name: v\n    on_the_spot: ['9.999999']\n",
            11,
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


ALL_STAFFED = "staff: {one_stop: 1, specialist: unlimited, leader: unlimited, inspection_team: unlimited, ministry_officer: unlimited}"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ("one_stop: 1,", "staff.nobody", "no role 'nobody'"),
        ("leader: unlimited,", "staff", "no staff for role 'leader'"),
        ("one_stop: 1", "staff.one_stop", "'unlimited'"),
    ],
)
def test_staff_names_real_roles_and_every_role_has_staff(
    tmp_path: Path, change: str, field: str, message: str
) -> None:
    replacement = {
        "one_stop: 1,": "one_stop: 1, nobody: 3,",
        "leader: unlimited,": "",
        "one_stop: 1": "one_stop: many",
    }[change]
    path = write(tmp_path, GOOD.replace(change, replacement))
    with pytest.raises(ScenarioDefinitionError) as caught:
        load_scenario(path)
    found = [p for p in caught.value.problems if p.field == field]
    assert found, caught.value
    assert message in found[0].message + (found[0].hint or "")
    assert found[0].line == 8


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ("variants:\n  - name: v\n    staff: {clerk: 2}\n", "variants[0].staff.clerk"),
        ("variants:\n  - name: v\n    extra_staff: {clerk: 2}\n", "variants[0].extra_staff.clerk"),
        (
            "variants:\n  - name: v\n    extra_staff: {leader: 2}\n",
            "variants[0].extra_staff.leader",
        ),
        ("variants:\n  - name: v\n    effective_from: 2027-01-01\n", "variants[0].effective_from"),
        (
            "variants:\n  - name: v\n    effective_from: 2026-03-10\n    staff: {leader: 2}\n",
            "variants[0].staff.leader",
        ),
    ],
)
def test_variant_staff_names_real_roles(tmp_path: Path, extra: str, field: str) -> None:
    path = write(tmp_path, GOOD + extra)
    with pytest.raises(ScenarioDefinitionError) as caught:
        load_scenario(path)
    assert caught.value.first.field == field
    assert caught.value.first.line in (11, 12)


@pytest.mark.parametrize(
    ("service", "field", "message"),
    [
        ("  roles: {clerk: {dist: fixed, value: 1}}", "service.roles.clerk", "no role"),
        ("  steps: {appraisal: {dist: fixed, value: 1}}", "service.steps.appraisal", "no step"),
        (
            "  steps: {2.000004/inspect: {dist: fixed, value: 1}}",
            "service.steps.2.000004/inspect",
            "no step 'inspect' in procedure 2.000004",
        ),
        (
            "  steps: {9.9/appraise: {dist: fixed, value: 1}}",
            "service.steps.9.9/appraise",
            "no procedure",
        ),
    ],
)
def test_service_times_name_real_roles_and_steps(
    tmp_path: Path, service: str, field: str, message: str
) -> None:
    text = GOOD.replace("service:\n", f"service:\n{service}\n")
    with pytest.raises(ScenarioDefinitionError) as caught:
        load_scenario(write(tmp_path, text))
    assert caught.value.first.field == field
    assert message in caught.value.first.message
    assert caught.value.first.line == 7


def test_staff_hours_accept_pairs_and_reject_overlaps(tmp_path: Path) -> None:
    hours = "one_stop: {count: 2, hours: [[07:00, 11:30], [13:00, 17:00]]}"
    scenario = load_scenario(write(tmp_path, GOOD.replace("one_stop: 1", hours)))
    pool = scenario.model.staff["one_stop"]
    assert pool.count == 2
    assert pool.hours is not None
    assert [(p.start.hour, p.end.hour) for p in pool.hours] == [(7, 11), (13, 17)]
    bad = "one_stop: {count: 2, hours: [[07:00, 14:00], [13:00, 17:00]]}"
    (tmp_path / "so-cong-thuong").unlink()
    with pytest.raises(ScenarioDefinitionError) as caught:
        load_scenario(write(tmp_path, GOOD.replace("one_stop: 1", bad)))
    assert caught.value.first.field == "staff.one_stop.hours"
    assert "overlap" in caught.value.first.message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("catalog", "/"),
        ("catalog", "../so-cong-thuong"),
        ("catalog", "so-cong-thuong/../.."),
        ("calendar", "{overrides: /etc/passwd}"),
        ("calendar", "{overrides: ../overrides.yaml}"),
    ],
)
def test_paths_outside_the_scenario_folder_are_refused(
    tmp_path: Path, key: str, value: str
) -> None:
    """``catalog: /`` parsed every YAML file on the machine: refused before anything is read."""
    text = (
        GOOD.replace("catalog: so-cong-thuong", f"catalog: {value}")
        if key == "catalog"
        else f"{GOOD}{key}: {value}\n"
    )
    with pytest.raises(ScenarioDefinitionError) as caught:
        load_scenario(write(tmp_path, text))
    problem = caught.value.first
    assert problem.line is not None and problem.field.startswith(key), str(caught.value)
    assert "inside the scenario's folder" in problem.message


def test_a_replay_database_outside_the_folder_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("  total: {per_working_day: 5}", "  replay: {db: 'sqlite:////etc/passwd'}")
    with pytest.raises(ScenarioDefinitionError) as caught:
        load_scenario(write(tmp_path, text))
    assert caught.value.first.field == "arrivals.replay.db", str(caught.value)


def test_root_widens_the_boundary_explicitly(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (tmp_path / "so-cong-thuong").symlink_to(
        Path(__file__).resolve().parents[2] / "examples" / "so-cong-thuong"
    )
    path = folder / "s.yaml"
    path.write_text(GOOD.replace("catalog: so-cong-thuong", "catalog: ../so-cong-thuong"))
    with pytest.raises(ScenarioDefinitionError):
        load_scenario(path)
    assert load_scenario(path, root=tmp_path).name == "t"
    with pytest.raises(ScenarioDefinitionError) as caught:
        load_scenario(path, root=folder)
    assert "outside" in caught.value.first.message
