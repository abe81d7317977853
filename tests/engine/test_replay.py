"""Replay equals live state, and every stored chain verifies, for random command sequences."""

from __future__ import annotations

import contextlib
import random
from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.conftest import DESK, LEADER, PROCEDURE, SPECIALIST, at
from tthc_flow import TthcError
from tthc_flow.engine import Actor, Engine, FixedClock, replay
from tthc_flow.procedure import Catalog, parse_procedure

CATALOG = Catalog([parse_procedure(PROCEDURE, "test.yaml")])

APPLICANT = Actor.of("citizen", "applicant")
ACTORS = [DESK, SPECIALIST, LEADER, APPLICANT]


def random_walk(engine: Engine, rng: random.Random, steps: int) -> str:
    """Drive one dossier with random allowed commands at random later times."""
    moment = at(2026, 1, 5, 8) + timedelta(minutes=rng.randrange(0, 60 * 24 * 200))
    make = engine.receive if rng.random() < 0.7 else engine.submit
    code = make("2.000999", "A", rng.choice(["desk", "online", "postal"]), at=moment).code
    for _ in range(steps):
        moment += timedelta(minutes=rng.randrange(1, 60 * 24 * 4))
        actor = rng.choice(ACTORS)
        triggers = engine.available_triggers(code, actor)
        if not triggers:
            continue
        trigger = rng.choice(triggers)
        data: dict[str, object] = {}
        if trigger in {"withdraw", "refuse", "reject"}:
            data["reason"] = "lý do"
        if trigger == "reschedule":
            due = engine.get(code).due_at
            data = {
                "reason": "trễ",
                "new_due_at": (due or moment) + timedelta(days=rng.randint(1, 9)),
            }
        # a policy may refuse (e.g. a second apology): nothing changes, the walk goes on
        with contextlib.suppress(TthcError):
            engine.fire(code, trigger, actor, moment, **data)
    return code


def check(engine: Engine, code: str) -> None:
    live = replace(engine.get(code), as_of=None)
    assert replay(engine.history(code)) == live


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 25))
def test_replay_equals_live_for_random_sequences(seed: int, steps: int) -> None:
    engine = Engine(CATALOG, clock=FixedClock(at(2026, 1, 5, 8)))
    engine.register_hook("notify_leader", lambda d, e: None)
    check(engine, random_walk(engine, random.Random(seed), steps))


def test_thousands_of_random_dossiers_verify(catalog: Catalog) -> None:
    engine = Engine(catalog, clock=FixedClock(at(2026, 1, 5, 8)))
    engine.register_hook("notify_leader", lambda d, e: None)
    rng = random.Random(2026)
    codes = [random_walk(engine, rng, rng.randint(1, 12)) for _ in range(2000)]
    report = engine.store.verify()  # chain + summary == replay, for every dossier
    assert report.ok, report
    assert report.dossiers_checked == len(set(codes)) == 2000
    states = {engine.get(code).state for code in codes}
    assert {"returned", "withdrawn", "result_ready"} <= states  # the walk reaches the ends
