"""Loading procedure YAML: every mistake of a file is reported at its file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.procedure.procedure_samples import VALID, position, problems_of
from tthc_flow import ProcedureDefinitionError
from tthc_flow.procedure import Channel, OnlineLevel, load_catalog, load_procedure, parse_procedure


def test_valid_sample_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(VALID, encoding="utf-8")
    definition = load_procedure(path)
    assert definition.code == "2.000128"
    assert definition.online is OnlineLevel.PARTIAL
    assert definition.channels == [Channel.DESK, Channel.ONLINE]
    assert [s.trigger for s in definition.workflow.steps] == ["appraise", "approve"]


def test_message_names_file_line_column_field_and_hint(tmp_path: Path) -> None:
    text = VALID.replace("    - id: approve\n", "    - id: approve\n      colour: red\n")
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    line, column = position(text, "red")  # a key's value is located, as for type errors
    expected = f"{tmp_path / 'proc.yaml'}:{line}:{column}: workflow.steps[1].colour: unknown key"
    assert str(problems[0]).startswith(expected)
    assert "hint:" in str(problems[0])


def test_all_validation_errors_of_a_file_are_reported(tmp_path: Path) -> None:
    text = (
        VALID.replace("level: province", "level: planet")
        .replace("share: 2", "share: -1")
        .replace("      name: Phê duyệt\n", "")
        .replace("agency_code: SCT\n", "agency_code: SCT\nmood: happy\n")
    )
    problems = problems_of(tmp_path, text)
    fields = {p.field for p in problems}
    assert {"level", "workflow.steps[1].share", "workflow.steps[1].name", "mood"} <= fields
    assert next(p for p in problems if p.field == "level").line == position(text, "level:")[0]
    missing = next(p for p in problems if p.field == "workflow.steps[1].name")
    assert "missing" in missing.message
    assert missing.line == position(text, "- id: approve")[0]  # the mapping lacking the key


def test_error_message_lists_every_problem(tmp_path: Path) -> None:
    text = VALID.replace("level: province", "level: planet").replace("share: 2", "share: 0")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProcedureDefinitionError) as caught:
        load_procedure(path)
    message = str(caught.value)
    assert f"{path}:{position(text, 'level:')[0]}:" in message
    assert f"{path}:{position(text, 'share: 0')[0]}:" in message


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, "# only a comment\n")
    assert "empty" in problem.message


def test_list_document_is_a_clear_error(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, "- code: 2.000128\n- code: 2.000129\n")
    assert "mapping" in problem.message and "a list" in problem.message
    assert (problem.line, problem.column) == (1, 1)


def test_syntax_error_is_located(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, VALID.replace("field: Kinh doanh khí", "field: [unclosed"))
    assert "syntax" in problem.message
    assert problem.line is not None


def test_duplicate_key_is_reported(tmp_path: Path) -> None:
    text = VALID.replace("online: partial\n", "online: partial\nonline: full\n")
    (problem,) = problems_of(tmp_path, text)
    assert problem.field == "online"
    assert problem.line == position(text, "online: full")[0]


def test_parse_procedure_names_the_source() -> None:
    with pytest.raises(ProcedureDefinitionError) as caught:
        parse_procedure("code: 1\n", source="inline.yaml")
    assert all(p.file == "inline.yaml" for p in caught.value.problems)
    assert parse_procedure(VALID).code == "2.000128"


def test_catalog_reports_errors_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID.replace("level: province", "level: x"), "utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yml").write_text(VALID.replace("share: 5", "share: zero"), "utf-8")
    with pytest.raises(ProcedureDefinitionError) as caught:
        load_catalog(tmp_path)
    files = {Path(p.file).name for p in caught.value.problems}
    assert files == {"a.yaml", "b.yml"}


def test_catalog_duplicate_code_version_names_both_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID, "utf-8")
    (tmp_path / "b.yaml").write_text(VALID, "utf-8")
    (tmp_path / "c.yaml").write_text(VALID.replace("version: 1", "version: 2"), "utf-8")
    with pytest.raises(ProcedureDefinitionError) as caught:
        load_catalog(tmp_path)
    (problem,) = caught.value.problems
    assert problem.file == str(tmp_path / "b.yaml")
    assert str(tmp_path / "a.yaml") in problem.message
    assert (problem.line, problem.field) == (1, "code")


def test_catalog_of_one_file_and_ignores_other_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID, "utf-8")
    (tmp_path / "notes.txt").write_text("not yaml: [", "utf-8")
    assert len(load_catalog(tmp_path / "a.yaml")) == 1
    assert len(load_catalog(tmp_path)) == 1


def test_catalog_of_missing_or_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProcedureDefinitionError, match="no such file"):
        load_catalog(tmp_path / "nope")
    with pytest.raises(ProcedureDefinitionError, match=r"no \*\.yaml"):
        load_catalog(tmp_path)


def _with_guard(guard: str) -> str:
    return VALID + (
        "  transitions:\n"
        "    - trigger: confirm_fee\n"
        "      source: received\n"
        "      roles: [one_stop]\n"
        f"      guard: {guard}\n"
    )


def test_a_bad_guard_value_is_one_problem_named_by_yaml_keys(tmp_path: Path) -> None:
    text = _with_guard("{channel: [online], fee_paid: {eq: true, ne: false}, amount: {gt: .inf}}")
    problems = problems_of(tmp_path, text)
    assert [p.field for p in problems] == [
        "workflow.transitions[0].guard.channel",
        "workflow.transitions[0].guard.fee_paid",
        "workflow.transitions[0].guard.amount.gt",
    ], [str(p) for p in problems]
    channel, operators, amount = problems
    assert "wrong type" in channel.message and "a mapping" in channel.message
    assert channel.column == position(text, "[online]")[1]
    assert operators.message.startswith("give exactly one operator")
    assert "finite" in amount.message


def test_semantic_problems_are_reported_beside_validation_errors(tmp_path: Path) -> None:
    text = (
        VALID.replace("level: province", "level: planet")
        .replace("role: leader", "role: director")
        .replace("share: 5", "share: 50")
    )
    problems = problems_of(tmp_path, text)
    by_field = {p.field: p for p in problems}
    assert set(by_field) == {"level", "workflow.steps[1].role", "workflow.steps"}
    assert "unknown role 'director'" in by_field["workflow.steps[1].role"].message
    assert by_field["workflow.steps[1].role"].line == position(text, "role: director")[0]
    assert "add up to 52" in by_field["workflow.steps"].message


def test_invalid_steps_keep_their_positions_and_skip_the_share_check(tmp_path: Path) -> None:
    text = (
        VALID.replace("    - id: appraise\n", "    - id: Appraise\n")
        .replace("role: leader", "role: director")
        .replace("share: 2", "share: 20")
    )
    problems = problems_of(tmp_path, text)
    assert {p.field for p in problems} == {"workflow.steps[0].id", "workflow.steps[1].role"}


def test_an_unquoted_code_gets_a_hint_to_quote_it(tmp_path: Path) -> None:
    text = VALID.replace('code: "2.000128"', "code: 2.000130")
    (problem,) = problems_of(tmp_path, text)
    assert problem.field == "code" and "2.00013" in problem.message
    assert problem.hint is not None and 'code: "2.000130"' in problem.hint


def test_historical_district_level_still_loads() -> None:
    """District level was abolished on 1/7/2025; definitions from before still load."""
    definition = parse_procedure(
        VALID.replace("level: province", "level: district").replace(
            "effective_from: 2025-07-01", "effective_from: 2020-01-01\neffective_to: 2025-06-30"
        )
    )
    assert definition.level.value == "district"


def test_calendar_day_limits_load_and_shares_use_their_unit(tmp_path: Path) -> None:
    text = VALID.replace(
        "statutory: {value: 15, unit: working_days}", "statutory: {value: 30, unit: calendar_days}"
    ).replace(
        "shortened: {value: 10, unit: working_days}", "shortened: {value: 7, unit: calendar_days}"
    )
    definition = parse_procedure(text)
    assert str(definition.time_limit.effective) == "7 calendar days"
    problems = problems_of(tmp_path, text.replace("share: 5", "share: 5.5"))
    assert "more than the effective time limit of 7 calendar days" in problems[0].message


@pytest.mark.parametrize(
    "code",
    [
        "1.013642.H38",  # the short provincial form (issue 15)
        "1.000948.H38",  # Lào Cai portal, "Cấp lại Giấy phép chế biến nguyên liệu thuốc lá"
        "2.000648.000.00.00.H50",  # Quảng Trị portal, new retail-petrol certificate
        "2.000645",
    ],
)
def test_real_procedure_code_forms_load(code: str) -> None:
    """Provincial portals publish the national code with a province suffix, short or long."""
    assert parse_procedure(VALID.replace('code: "2.000128"', f'code: "{code}"')).code == code


@pytest.mark.parametrize("code", ["1.013642.H3", "2.000648.000.00.00", "2.00064", "1.013642-H38"])
def test_malformed_procedure_codes_are_rejected_at_the_code(tmp_path: Path, code: str) -> None:
    (problem,) = problems_of(tmp_path, VALID.replace('code: "2.000128"', f'code: "{code}"'))
    assert problem.field == "code" and problem.line == position(VALID, '"2.000128"')[0]
