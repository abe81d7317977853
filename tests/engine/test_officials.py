"""Officials and assignment: a step's lead handler, cooperating officials and observers;
assign, reassign and take over as events of the chain (issue 17 item 1)."""

from __future__ import annotations

import pytest

from tests.engine.conftest import DESK, at
from tthc_flow import (
    ConfigurationError,
    InvalidCommand,
    NotFound,
    PermissionDenied,
    PolicyViolation,
    TransitionNotAllowed,
)
from tthc_flow.engine import (
    AssignmentPolicy,
    Engine,
    FixedClock,
    Member,
    Official,
    OfficialDirectory,
    Policies,
    TakeOver,
    replay,
)
from tthc_flow.procedure import Catalog
from tthc_flow.store import MemoryStore

LAN = Official("lan.nt", "Nguyễn Thị Lan", frozenset({"one_stop"}), "SCT", "VP")
HUNG = Official("hung.tv", "Trần Văn Hùng", frozenset({"specialist"}), "SCT", "QLTM")
MAI = Official("mai.lt", "Lê Thị Mai", frozenset({"specialist"}), "SCT", "QLTM")
DUC = Official("duc.pv", "Phạm Văn Đức", frozenset({"specialist"}), "SCT", "QLCN")
HOA = Official("hoa.dt", "Đỗ Thị Hoa", frozenset({"leader"}), "SCT", "QLTM", "Trưởng phòng")
POLICE = Official("cuong.na", "Ngô An Cường", frozenset({"specialist"}), "cong_an", "PC06")
DIRECTORY = OfficialDirectory([LAN, HUNG, MAI, DUC, HOA, POLICE])


def at_appraisal(engine: Engine) -> str:
    code = engine.receive("2.000999", "Công ty A", "desk", actor=LAN.actor).code
    engine.fire(code, "handover", LAN.actor, at(2026, 4, 28, 8))
    return code


def test_candidate_groups_are_by_role_agency_and_unit() -> None:
    assert [o.id for o in DIRECTORY.candidates("specialist", agency="SCT")] == [
        "duc.pv",
        "hung.tv",
        "mai.lt",
    ]
    assert [o.id for o in DIRECTORY.candidates("specialist", agency="SCT", unit="QLTM")] == [
        "hung.tv",
        "mai.lt",
    ]
    assert [o.id for o in DIRECTORY.candidates("specialist", agency="cong_an")] == ["cuong.na"]
    assert DIRECTORY.name_of("hung.tv") == "Trần Văn Hùng"
    assert DIRECTORY.name_of("nobody") == "nobody"
    assert HUNG.actor.name == "Trần Văn Hùng" and HUNG.actor.unit == "QLTM"
    assert DIRECTORY["hung.tv"] is HUNG
    with pytest.raises(KeyError) as missing:  # a NotFound is still a KeyError
        DIRECTORY["nobody"]
    assert isinstance(missing.value, NotFound)
    assert (missing.value.kind, missing.value.name) == ("official", "nobody")
    assert str(missing.value) == "no official 'nobody' in the directory"


def test_directory_records_are_checked_and_name_the_record() -> None:
    loaded = OfficialDirectory.from_records(
        [{"id": "a", "name": "Văn A", "roles": ["specialist"], "agency": "SCT", "unit": "X"}]
    )
    assert loaded["a"].roles == frozenset({"specialist"})
    with pytest.raises(InvalidCommand, match="record 1: 'agency' is missing") as info:
        OfficialDirectory.from_records(
            [
                {"id": "a", "name": "A", "roles": ["x"], "agency": "SCT"},
                {"id": "b", "name": "B", "roles": ["x"]},
            ]
        )
    assert info.value.field == "officials[1].agency"
    with pytest.raises(InvalidCommand, match="name is empty"):
        Official("x", "  ", frozenset({"leader"}), "SCT")
    with pytest.raises(InvalidCommand, match="roles must be a list"):
        OfficialDirectory.from_records([{"id": "a", "name": "A", "roles": "leader", "agency": "S"}])


def test_a_leader_assigns_the_step_to_a_lead_with_cooperating_officials_and_observers(
    engine: Engine,
) -> None:
    code = at_appraisal(engine)
    assert engine.get(code).assignment is None
    done = engine.assign(
        code,
        HUNG,
        HOA.actor,
        cooperating=[MAI],
        observers=[DUC],
        unit="QLTM",
        at=at(2026, 4, 28, 9),
    )
    a = done.assignment
    assert a is not None
    assert (a.step, a.kind, a.unit, a.by, a.by_name) == (
        "appraisal",
        "assign",
        "QLTM",
        "hoa.dt",
        "Đỗ Thị Hoa",
    )
    assert a.lead == Member("hung.tv", "Trần Văn Hùng", "QLTM")
    assert a.cooperating == (Member("mai.lt", "Lê Thị Mai", "QLTM"),)
    assert a.observers == (Member("duc.pv", "Phạm Văn Đức", "QLCN"),)
    assert done.state == "appraisal"  # an assignment moves nothing
    event = engine.history(code)[-1]
    assert (event.trigger, event.effect, event.from_state, event.to_state, event.role) == (
        "assign",
        "assign",
        "appraisal",
        "appraisal",
        "leader",
    )
    assert replay(engine.history(code)) == engine.get(code).__class__(
        **{**engine.get(code).__dict__, "as_of": None}
    )
    assert engine.store.verify().ok  # the assignment is in the hash chain


def test_reassign_and_take_over_are_recorded_with_reasons(engine: Engine) -> None:
    code = at_appraisal(engine)
    engine.assign(code, HUNG, HOA.actor, unit="QLTM", at=at(2026, 4, 28, 9))
    with pytest.raises(TransitionNotAllowed, match="already assigned to Trần Văn Hùng") as info:
        engine.assign(code, MAI, HOA.actor, at=at(2026, 4, 28, 9, 5))
    assert (info.value.dossier_code, info.value.trigger, info.value.state) == (
        code,
        "assign",
        "appraisal",
    )
    assert info.value.allowed == ("reassign",)
    with pytest.raises(InvalidCommand, match="reason"):
        engine.fire(code, "reassign", HOA.actor, at(2026, 4, 28, 9, 5), lead=[])
    moved = engine.reassign(
        code, MAI, HOA.actor, reason="Anh Hùng đi công tác", at=at(2026, 4, 28, 10)
    )
    assert moved.assignment is not None and moved.assignment.lead.id == "mai.lt"
    assert moved.assignment.reason == "Anh Hùng đi công tác"
    assert engine.history(code)[-1].payload["previous_lead"] == "hung.tv"
    # Hùng is back and takes it over again; the unit's other member needs a reason too
    with pytest.raises(InvalidCommand, match="needs reason"):
        engine.take_over(code, HUNG.actor, at=at(2026, 4, 28, 11))
    back = engine.take_over(code, HUNG.actor, reason="Đã về", at=at(2026, 4, 28, 11))
    assert back.assignment is not None
    assert (back.assignment.lead.id, back.assignment.kind, back.assignment.unit) == (
        "hung.tv",
        "take_over",
        "QLTM",
    )
    with pytest.raises(TransitionNotAllowed, match="already leads"):
        engine.take_over(code, HUNG.actor, reason="again", at=at(2026, 4, 28, 11, 5))
    # another unit's specialist may not take over a step assigned to QLTM
    with pytest.raises(PermissionDenied, match="assigned to unit 'QLTM'") as info:
        engine.take_over(code, DUC.actor, reason="x", at=at(2026, 4, 28, 12))
    assert info.value.rule == "AssignmentPolicy.take_over" and info.value.dossier_code == code
    assert [a.kind for a in engine.get(code).assignments] == ["assign", "reassign", "take_over"]


def test_the_lead_must_be_in_the_steps_candidate_group(engine: Engine) -> None:
    code = at_appraisal(engine)
    with pytest.raises(InvalidCommand, match="does not hold role 'specialist'") as info:
        engine.assign(code, LAN, HOA.actor)
    assert info.value.field == "data.lead"
    with pytest.raises(InvalidCommand, match="is of agency 'cong_an'"):
        engine.assign(code, POLICE, HOA.actor)
    with pytest.raises(InvalidCommand, match="not of unit 'QLCN'"):
        engine.assign(code, HUNG, HOA.actor, unit="QLCN")
    with pytest.raises(PermissionDenied, match="roles allowed leader") as denied:
        engine.assign(code, HUNG, MAI.actor)
    assert denied.value.rule == "AssignmentPolicy.assigner_roles"
    assert denied.value.roles_allowed == ("leader",)
    assert len(engine.history(code)) == 2  # nothing was stored


def test_an_assignment_belongs_to_its_step_and_ends_when_the_step_is_left(
    engine: Engine,
) -> None:
    code = at_appraisal(engine)
    engine.assign(code, HUNG, HOA.actor, at=at(2026, 4, 28, 9))
    moved = engine.fire(code, "appraise", HUNG.actor, at(2026, 4, 28, 10))
    assert moved.state == "police_check" and moved.assignment is None
    # the police step is the other agency's: only its own leader could assign it
    with pytest.raises(PermissionDenied, match="belongs to agency 'cong_an'"):
        engine.assign(moved.code, POLICE, HOA.actor, at=at(2026, 4, 28, 11))
    taken = engine.take_over(code, POLICE.actor, at=at(2026, 4, 28, 11))
    assert taken.assignment is not None and taken.assignment.step == "police_check"
    assert len(taken.assignments) == 2


def test_no_step_in_progress_nothing_to_assign(engine: Engine) -> None:
    code = engine.receive("2.000999", "Công ty A", "desk").code
    with pytest.raises(TransitionNotAllowed, match="no step is in progress") as info:
        engine.assign(code, HUNG, HOA.actor)
    assert (info.value.dossier_code, info.value.trigger) == (code, "assign")


def test_take_over_policy_unassigned_only(catalog: Catalog) -> None:
    policies = Policies(assignment=AssignmentPolicy(take_over="unassigned"))
    clock = FixedClock(at(2026, 4, 24, 16, 10))
    engine = Engine(catalog, store=MemoryStore(), policies=policies, clock=clock)
    code = at_appraisal(engine)
    assert engine.take_over(code, MAI.actor, at=at(2026, 4, 28, 9)).assignment is not None
    with pytest.raises(PolicyViolation, match="take_over='unassigned'") as refused:
        engine.take_over(code, HUNG.actor, reason="x", at=at(2026, 4, 28, 10))
    assert (refused.value.policy, refused.value.trigger) == (
        "AssignmentPolicy.take_over",
        "take_over",
    )
    assert policies.assignment.take_over is TakeOver.UNASSIGNED
    with pytest.raises(ValueError, match=r"AssignmentPolicy\.take_over") as bad:
        AssignmentPolicy(take_over="sometimes")
    assert isinstance(bad.value, ConfigurationError)
    assert bad.value.allowed == ("any", "unassigned", "never")


def test_an_assignment_with_an_idempotency_key_is_stored_once(engine: Engine) -> None:
    code = at_appraisal(engine)
    first = engine.assign(code, HUNG, HOA.actor, at=at(2026, 4, 28, 9), idempotency_key="k1")
    again = engine.assign(code, HUNG, HOA.actor, at=at(2026, 4, 28, 9), idempotency_key="k1")
    assert first.version == again.version == 3
    with pytest.raises(InvalidCommand, match="different command"):
        engine.assign(code, MAI, HOA.actor, idempotency_key="k1")


def test_bulk_actions_are_one_command_per_dossier_reported_per_dossier(engine: Engine) -> None:
    codes = [at_appraisal(engine) for _ in range(3)]
    engine.fire(codes[1], "withdraw", DESK, at(2026, 4, 28, 8, 30), reason="rút")
    result = engine.fire_many(
        [*codes, "SCT-000000-9999"],
        "appraise",
        HUNG.actor,
        at(2026, 4, 28, 9),
        idempotency_key="batch-1",
    )
    assert sorted(result.done) == [codes[0], codes[2]]
    assert set(result.failed) == {codes[1], "SCT-000000-9999"}
    assert isinstance(result.failed[codes[1]], TransitionNotAllowed)
    assert not result.ok
    # retrying the whole action does nothing more to the dossiers already done
    again = engine.fire_many(
        [codes[0], codes[2]], "appraise", HUNG.actor, idempotency_key="batch-1"
    )
    assert again.ok and all(engine.get(c).version == 3 for c in (codes[0], codes[2]))
    with pytest.raises(InvalidCommand, match="twice"):
        engine.fire_many([codes[0], codes[0]], "appraise", HUNG.actor)
