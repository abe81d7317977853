""" "4 tại chỗ": dossiers received on the spot are decided at the desk, within their own limit."""

from __future__ import annotations

import pytest

from tests.engine.conftest import DESK, LEADER, PROCEDURE, at
from tthc_flow import PolicyViolation, TransitionNotAllowed
from tthc_flow.engine import Engine, FixedClock, OnTheSpotPolicy, Policies, Timeliness
from tthc_flow.procedure import Catalog, Duration, TimeUnit, parse_procedure, to_on_the_spot
from tthc_flow.store import MemoryStore

ELIGIBLE = parse_procedure(PROCEDURE.replace("channels:", "on_the_spot: true\nchannels:"), "t.yaml")


def engine_for(*definitions: object, policies: Policies | None = None) -> Engine:
    engine = Engine(
        Catalog(list(definitions)),  # type: ignore[arg-type]
        store=MemoryStore(),
        clock=FixedClock(at(2026, 5, 4, 8)),
        policies=policies,
    )
    engine.register_hook("notify_leader", lambda d, e: None)
    return engine


def test_an_on_the_spot_dossier_is_decided_at_the_desk_in_four_working_hours() -> None:
    engine = engine_for(ELIGIBLE)
    spot = engine.receive("2.000999", "A", "desk", on_the_spot=True)
    assert spot.state == "handled_at_desk" and spot.on_the_spot
    assert spot.due_at == at(2026, 5, 4, 13, 30)  # 08:00-11:30, then 13:00-13:30
    allowed = engine.available_triggers(spot.code, DESK)
    assert allowed == ["reject", "resolve_at_desk", "withdraw"]
    for trigger in ("handover", "request_supplement", "reschedule"):
        with pytest.raises(TransitionNotAllowed):
            engine.fire(spot.code, trigger, DESK, at(2026, 5, 4, 9))
    done = engine.fire(spot.code, "resolve_at_desk", LEADER, at(2026, 5, 4, 10))
    assert done.outcome == "approved" and done.timeliness is Timeliness.ON_TIME
    returned = engine.fire(spot.code, "return_result", DESK, at(2026, 5, 4, 10, 5))
    assert returned.state == "returned"


def test_other_dossiers_of_the_procedure_keep_its_limit() -> None:
    engine = engine_for(ELIGIBLE)
    postal = engine.receive("2.000999", "A", "postal")
    assert postal.state == "received" and postal.due_at == at(2026, 5, 7, 8)  # 3 working days


def test_the_limit_is_configurable_and_ineligible_procedures_refuse() -> None:
    hours = Duration(value=2, unit=TimeUnit.WORKING_HOURS)
    engine = engine_for(ELIGIBLE, policies=Policies(on_the_spot=OnTheSpotPolicy(limit=hours)))
    assert engine.receive("2.000999", "A", "desk", on_the_spot=True).due_at == at(2026, 5, 4, 10)
    plain = engine_for(parse_procedure(PROCEDURE, "t.yaml"))
    with pytest.raises(PolicyViolation, match="not eligible") as refused:
        plain.receive("2.000999", "A", "desk", on_the_spot=True)
    assert refused.value.policy == "ProcedureDefinition.on_the_spot"


def test_an_on_the_spot_workflow_has_no_supplement_or_apology_during_handling() -> None:
    variant = to_on_the_spot(parse_procedure(PROCEDURE, "t.yaml"))
    engine = engine_for(variant)
    code = engine.receive("2.000999", "A", "desk").code
    engine.fire(code, "handover", DESK, at(2026, 5, 4, 8, 30))
    assert sorted(engine.available_triggers(code, DESK)) == ["approve", "reject", "withdraw"]
