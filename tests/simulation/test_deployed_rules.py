"""The simulator drives the engine as deployed (issue 16): the agency check of liên thông
steps and the supplement rules of Decree 118/2025/ND-CP art. 19.5 apply, and the moves are
looked up by their effect in each procedure's own lifecycle instead of hard-coded names."""

from __future__ import annotations

from dataclasses import fields

from tthc_flow.engine import Policies
from tthc_flow.procedure import Effect, build_lifecycle
from tthc_flow.simulation import Scenario
from tthc_flow.simulation._des import Replication


def test_only_the_documented_on_the_spot_model_differs_from_the_defaults(
    small_scenario: Scenario,
) -> None:
    engine = Replication(small_scenario, None, seed=1, replication=0).engine
    deployed = Policies()
    assert engine.policies.agency == deployed.agency  # require_same_agency
    assert engine.policies.supplement == deployed.supplement  # once, within the window
    assert engine.policies.on_the_spot.trimmed is False  # docs/simulation.md: its own model
    # synthetic applicants: their names stay in the chain, so a seed writes the same bytes
    assert engine.policies.personal_data.keep_apart is False
    differing = {
        f.name
        for f in fields(Policies)
        if getattr(engine.policies, f.name) != getattr(deployed, f.name)
    }
    assert differing == {"on_the_spot", "personal_data"}


def test_the_same_seed_writes_the_same_log(small_scenario: Scenario) -> None:
    def log() -> list[str]:
        run = Replication(small_scenario, None, seed=1, replication=0)
        run.run()
        return [e.hash for e in run.store.events()]

    assert log() == log()


def test_triggers_and_the_desk_role_come_from_each_lifecycle(small_scenario: Scenario) -> None:
    run = Replication(small_scenario, None, seed=1, replication=0)
    for definition in small_scenario.catalog:
        proc = run._proc(definition)
        lifecycle = build_lifecycle(definition, trim_on_the_spot=False)
        by_trigger = {(t.source, t.trigger): t.effect for t in lifecycle.transitions}
        first, last = definition.workflow.steps[0].id, definition.workflow.steps[-1].id
        assert by_trigger[("submitted", proc.triggers["accept"])] is Effect.ACCEPT
        assert by_trigger[("received", proc.triggers["handover"])] is Effect.HANDOVER
        assert by_trigger[(first, proc.triggers["supplement_in_step"])] is Effect.REQUEST_SUPPLEMENT
        assert by_trigger[(last, proc.triggers["reject"])] is Effect.REJECT
        assert by_trigger[("result_ready", proc.triggers["return"])] is Effect.RETURN
        for step, trigger in zip(definition.workflow.steps, proc.reschedule, strict=True):
            assert by_trigger[(step.id, trigger)] is Effect.RESCHEDULE
        accept = next(t for t in lifecycle.transitions if t.trigger == proc.triggers["accept"])
        assert proc.desk_role in accept.roles


def test_a_liên_thông_step_is_done_by_an_officer_of_its_agency(small_scenario: Scenario) -> None:
    # the example catalog has steps of the Ministry (agency moit): with the agency check on,
    # the simulated year runs, so every such step was fired by an actor of that agency
    inter_agency = [
        s for d in small_scenario.catalog for s in d.workflow.steps if s.agency is not None
    ]
    assert inter_agency
    data = Replication(small_scenario, None, seed=1, replication=0).run()
    steps = {s.id for s in inter_agency}
    left = [e for e in data.store.events() if e.from_state in steps and e.to_state != e.from_state]
    assert left, "no simulated dossier went through an inter-agency step"
