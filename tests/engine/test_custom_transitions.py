"""A procedure's own transitions: effects into standard states, and the process control slip."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.conftest import DESK, LEADER, POLICE, PROCEDURE, SPECIALIST, at
from tthc_flow import ProcedureDefinitionError
from tthc_flow.engine import Engine, FixedClock, Timeliness
from tthc_flow.procedure import Catalog, load_procedure
from tthc_flow.store import MemoryStore

SUFFIX = """\
    - trigger: {trigger}
      source: {source}
      dest: {dest}
      roles: [{roles}]
"""


def write(
    tmp_path: Path, trigger: str, source: str, dest: str, roles: str, extra: str = ""
) -> Path:
    path = tmp_path / "proc.yaml"
    path.write_text(
        PROCEDURE + SUFFIX.format(trigger=trigger, source=source, dest=dest, roles=roles) + extra,
        encoding="utf-8",
    )
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


def engine_for(path: Path) -> Engine:
    engine = Engine(
        Catalog([load_procedure(path)]),
        store=MemoryStore(),
        clock=FixedClock(at(2026, 4, 24, 16, 10)),
    )
    engine.register_hook("notify_leader", lambda d, e: None)
    return engine


@pytest.mark.parametrize(
    ("dest", "needed"), [("result_ready", "approve or reject"), ("withdrawn", "withdraw")]
)
def test_custom_transition_into_a_standard_state_needs_its_effect(
    tmp_path: Path, dest: str, needed: str
) -> None:
    path = write(tmp_path, "fast_track", "received", dest, "leader")
    with pytest.raises(ProcedureDefinitionError) as caught:
        load_procedure(path)
    problem = next(p for p in caught.value.problems if p.field.startswith("workflow.transitions"))
    assert problem.field == "workflow.transitions[1].dest"
    assert problem.line == line_of(path, f"dest: {dest}")
    assert f"effect: {needed}" in (problem.hint or "")


@pytest.mark.parametrize(
    ("source", "dest", "effect", "field", "message"),
    [
        ("received", "result_ready", "teleport", "effect", "unknown effect"),
        ("received", "appraisal", "resume", "effect", "cannot be declared"),
        ("submitted", "result_ready", "approve", "source", "cannot start from 'submitted'"),
        ("received", "appraisal", "withdraw", "effect", "needs withdrawn"),
        (
            "received",
            "supplement_requested",
            "request_supplement",
            "source",
            "cannot start from 'received'",
        ),
    ],
)
def test_declared_effects_are_checked(
    tmp_path: Path, source: str, dest: str, effect: str, field: str, message: str
) -> None:
    path = write(tmp_path, "odd", source, dest, "leader", f"      effect: {effect}\n")
    with pytest.raises(ProcedureDefinitionError) as caught:
        load_procedure(path)
    problem = next(p for p in caught.value.problems if p.field.startswith("workflow.transitions"))
    assert problem.field == f"workflow.transitions[1].{field}"
    assert message in problem.message


def test_fast_track_with_approve_resolves_the_dossier(tmp_path: Path) -> None:
    path = write(
        tmp_path, "fast_track", "received", "result_ready", "leader", "      effect: approve\n"
    )
    engine = engine_for(path)
    code = engine.receive("2.000999", "A", "desk").code  # due Mon 4/5 16:10
    done = engine.fire(code, "fast_track", LEADER, at(2026, 4, 28, 9))
    assert done.state == "result_ready" and done.outcome == "approved"
    assert done.resolved_at == at(2026, 4, 28, 9)
    assert done.timeliness is Timeliness.EARLY


def test_custom_withdrawal_records_the_outcome(tmp_path: Path) -> None:
    path = write(
        tmp_path, "abandon", "appraisal", "withdrawn", "specialist", "      effect: withdraw\n"
    )
    engine = engine_for(path)
    code = engine.receive("2.000999", "A", "desk").code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    gone = engine.fire(
        code, "abandon", SPECIALIST, at(2026, 4, 28, 9), reason="không liên lạc được"
    )
    assert gone.outcome == "withdrawn" and gone.closed_at == at(2026, 4, 28, 9)
    assert gone.steps[-1].left_at == at(2026, 4, 28, 9)


def test_send_back_closes_and_opens_step_records(tmp_path: Path) -> None:
    path = write(tmp_path, "send_back", "approval", "appraisal", "leader")
    engine = engine_for(path)
    code = engine.receive("2.000999", "A", "desk").code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 9))
    engine.fire(code, "verify", POLICE, at(2026, 4, 28, 10))
    back = engine.fire(code, "send_back", LEADER, at(2026, 4, 28, 11))
    assert back.state == "appraisal"
    assert [(s.step, s.left_at) for s in back.steps] == [
        ("appraisal", at(2026, 4, 28, 9)),
        ("police_check", at(2026, 4, 28, 10)),
        ("approval", at(2026, 4, 28, 11)),
        ("appraisal", None),
    ]
    reopened = back.steps[-1]
    assert reopened.role == "specialist" and reopened.due_at == back.step_deadlines["appraisal"]
    assert back.steps[2].actor == LEADER.id and back.steps[2].timeliness == "early"
