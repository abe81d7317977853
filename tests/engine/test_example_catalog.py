"""Every procedure of the example catalog runs end to end through the engine."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.engine.conftest import at
from tthc_flow.engine import Actor, Engine, FixedClock, Timeliness
from tthc_flow.procedure import load_catalog
from tthc_flow.store import MemoryStore

CATALOG = load_catalog(Path(__file__).parents[2] / "examples" / "so-cong-thuong")


@pytest.mark.parametrize("definition", CATALOG.latest(), ids=lambda d: f"{d.code}-v{d.version}")
def test_happy_path(definition) -> None:  # type: ignore[no-untyped-def]
    engine = Engine(CATALOG, store=MemoryStore(), clock=FixedClock(at(2026, 6, 1, 8)))
    for name in {h for s in definition.workflow.steps for h in s.on_enter} | {
        h for t in definition.workflow.transitions for h in t.hooks
    }:
        engine.register_hook(name, lambda d, e: None)
    channel = definition.channels[0].value
    dossier = engine.receive(definition.code, "Doanh nghiệp thử", channel, at=at(2026, 6, 1, 8))
    moment = at(2026, 6, 1, 8, 5)
    desk = Actor.of("desk", "one_stop")
    engine.fire(dossier.code, "handover", desk, moment)
    for step in definition.workflow.steps:
        moment += timedelta(minutes=10)
        actor = Actor.of("staff", step.role, agency=step.agency)
        engine.fire(dossier.code, step.trigger, actor, moment)
    done = engine.fire(dossier.code, "return_result", desk, moment + timedelta(minutes=5))
    assert done.state == "returned"
    assert done.timeliness in {Timeliness.EARLY, Timeliness.ON_TIME}
    assert [s.step for s in done.steps] == [s.id for s in definition.workflow.steps]
