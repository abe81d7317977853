"""Semantic checks: each rule, located at its YAML key, all findings of a file together."""

from __future__ import annotations

from pathlib import Path

from tests.procedure.procedure_samples import VALID, located, position, problems_of
from tthc_flow.procedure import (
    Effect,
    Lifecycle,
    StateDef,
    StateKind,
    TransitionDef,
    check_definition,
    check_lifecycle,
    parse_procedure,
)

EXTRA = """\
  transitions:
    - trigger: {trigger}
      source: {source}
      dest: {dest}
      roles: [{roles}]
"""


def _with_transition(
    trigger: str = "reopen",
    source: str = "result_ready",
    dest: str = "appraise",
    roles: str = "leader",
) -> str:
    return VALID + EXTRA.format(trigger=trigger, source=source, dest=dest, roles=roles)


def test_valid_sample_has_no_findings() -> None:
    assert check_definition(parse_procedure(VALID)) == []
    assert check_definition(parse_procedure(_with_transition())) == []


def test_duplicate_step_id_and_reserved_state_name(tmp_path: Path) -> None:
    text = VALID.replace("- id: approve", "- id: appraise").replace(
        "action: approve", "action: sign"
    )
    problem = located(problems_of(tmp_path, text), "workflow.steps[1].id")
    assert "duplicate step id 'appraise'" in problem.message
    assert (problem.line, problem.column) == position(text, "appraise", occurrence=3)
    text = VALID.replace("- id: approve", "- id: received")
    problem = located(problems_of(tmp_path, text), "workflow.steps[1].id")
    assert "standard lifecycle" in problem.message and problem.hint


def test_unknown_roles_in_steps_and_transitions(tmp_path: Path) -> None:
    text = _with_transition(roles="leader, auditor").replace("role: leader", "role: director")
    problems = problems_of(tmp_path, text)
    step = located(problems, "workflow.steps[1].role")
    assert "unknown role 'director'" in step.message and "roles" in (step.hint or "")
    assert (step.line, step.column) == position(text, "director")
    extra = located(problems, "workflow.transitions[0].roles[1]")
    assert extra.line == position(text, "auditor")[0]
    declared = text.replace("result: Giấy", "roles: [director, auditor]\nresult: Giấy")
    assert check_definition(parse_procedure(declared)) == []


def test_step_agency_must_be_declared(tmp_path: Path) -> None:
    text = VALID.replace("      action: approve\n", "      action: approve\n      agency: moit\n")
    problem = located(problems_of(tmp_path, text), "workflow.steps[1].agency")
    assert "not declared in `agencies`" in problem.message
    assert problem.line == position(text, "agency: moit")[0]
    fixed = text.replace(
        "result: Giấy", "agencies: [{id: moit, name: Bộ Công Thương}]\nresult: Giấy"
    )
    assert parse_procedure(fixed).is_inter_agency


def test_step_action_colliding_with_standard_or_other_step(tmp_path: Path) -> None:
    text = VALID.replace("action: appraise", "action: refuse")
    problem = located(problems_of(tmp_path, text), "workflow.steps[0].action")
    assert "trigger of the standard lifecycle" in problem.message
    text = VALID.replace("action: approve", "action: appraise")
    problem = located(problems_of(tmp_path, text), "workflow.steps[1].action")
    assert "also the action of steps[0]" in problem.message


def test_extra_transition_states_must_exist(tmp_path: Path) -> None:
    text = _with_transition(source="limbo", dest="nowhere")
    problems = problems_of(tmp_path, text)
    assert "source state 'limbo'" in located(problems, "workflow.transitions[0].source").message
    dest = located(problems, "workflow.transitions[0].dest")
    assert "'nowhere' does not exist" in dest.message and "appraise" in (dest.hint or "")
    assert dest.line == position(text, "dest: nowhere")[0]


def test_extra_transition_duplicating_a_standard_one(tmp_path: Path) -> None:
    text = _with_transition(trigger="withdraw", source="received", dest="withdrawn")
    problem = located(problems_of(tmp_path, text), "workflow.transitions[0].trigger")
    assert "already exists in the standard lifecycle" in problem.message
    # the same trigger from a state the standard lifecycle does not use is allowed
    allowed = _with_transition(trigger="withdraw", source="result_ready", dest="withdrawn")
    allowed += "      effect: withdraw\n"  # entering a standard final state needs its effect
    assert check_definition(parse_procedure(allowed)) == []


def test_shares_exceeding_the_effective_limit(tmp_path: Path) -> None:
    text = VALID.replace("share: 5", "share: 9")
    problem = located(problems_of(tmp_path, text), "workflow.steps")
    assert "add up to 11" in problem.message and "10 working days" in problem.message
    assert problem.line == position(text, "- id: appraise")[0]


def test_shortened_in_hours_longer_than_statutory_in_days(tmp_path: Path) -> None:
    text = (
        VALID.replace("{value: 15, unit: working_days}", "{value: 1, unit: working_days}")
        .replace("{value: 10, unit: working_days}", "{value: 12, unit: working_hours}")
        .replace("share: 5", "share: 4")
        .replace("share: 2", "share: 1")
    )
    problem = located(problems_of(tmp_path, text), "time_limit.shortened")
    assert "8 working hours per working day" in problem.message
    ok = text.replace("{value: 12, unit: working_hours}", "{value: 8, unit: working_hours}")
    assert check_definition(parse_procedure(ok)) == []


def test_hook_names_and_guard_keys_must_be_identifiers(tmp_path: Path) -> None:
    text = (
        _with_transition()
        + "      hooks: [notify-applicant]\n      guard: {fee paid: true, paused_from: x}\n"
    ).replace("      action: approve\n", "      action: approve\n      on_enter: [9lives]\n")
    problems = problems_of(tmp_path, text)
    assert "not an identifier" in located(problems, "workflow.transitions[0].hooks[0]").message
    assert (
        "not an identifier" in located(problems, "workflow.transitions[0].guard.fee paid").message
    )
    assert "reserved" in located(problems, "workflow.transitions[0].guard.paused_from").message
    hook = located(problems, "workflow.steps[1].on_enter[0]")
    assert hook.line == position(text, "9lives")[0]


def test_on_the_spot_workflow_allows_only_desk_and_leader(tmp_path: Path) -> None:
    text = VALID.replace("workflow:\n", "workflow:\n  base: on_the_spot\n")
    problems = problems_of(tmp_path, text)
    assert "not flagged on_the_spot" in located(problems, "on_the_spot").message
    role = located(problems, "workflow.steps[0].role")
    assert "'specialist' cannot act" in role.message
    assert role.line == position(text, "role: specialist")[0]
    fixed = text.replace("role: specialist", "role: one_stop") + "on_the_spot: true\n"
    assert check_definition(parse_procedure(fixed)) == []


def test_all_semantic_problems_of_a_file_are_reported(tmp_path: Path) -> None:
    text = VALID.replace("role: leader", "role: director").replace(
        "action: appraise", "action: accept"
    )
    text = text.replace("share: 5", "share: 50")
    fields = {p.field for p in problems_of(tmp_path, text)}
    assert fields == {"workflow.steps[1].role", "workflow.steps[0].action", "workflow.steps"}


def _state(name: str, kind: StateKind = StateKind.ACTIVE) -> StateDef:
    return StateDef(name, name, kind, "one_stop")


def _edge(source: str, dest: str) -> TransitionDef:
    return TransitionDef("go", source, dest, frozenset({"one_stop"}), Effect.CUSTOM)


def test_lifecycle_unreachable_state_and_dead_end() -> None:
    lifecycle = Lifecycle(
        states=(
            _state("submitted", StateKind.PENDING),
            _state("stuck"),
            _state("island"),
            _state("returned", StateKind.FINAL),
        ),
        transitions=(
            _edge("submitted", "returned"),
            _edge("submitted", "stuck"),
            _edge("island", "returned"),
        ),
    )
    messages = [message for _, message, _ in check_lifecycle(lifecycle)]
    assert messages == [
        "state 'stuck' is a dead end: no final state can be reached from it",
        "state 'island' cannot be reached from 'submitted'",
    ]
