"""Random command sequences checked against an independent model of the expected dossier.

The model below is written from the rules (docs/engine.md), not from ``apply``: it keeps the
state, the appointments, the counts of apologies and pauses, the outcome, the timeliness and
the resolution and return times from the commands the test issued, computing due dates with
the calendar directly. Each accepted command must give the model's dossier; each refused
command must change nothing; replaying the stored events (also after a round trip through
SQLite) must give the live dossier.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.conftest import DESK, LEADER, POLICE, PROCEDURE, SPECIALIST, at
from tthc_flow import TthcError
from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine import (
    Actor,
    ClockStartPolicy,
    Dossier,
    Engine,
    FixedClock,
    Policies,
    SupplementMode,
    SupplementPolicy,
    replay,
)
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.store import MemoryStore, SqlStore

CATALOG = Catalog([parse_procedure(PROCEDURE, "test.yaml")])
CAL = WorkCalendar.vietnam()
LIMIT_DAYS = 3  # the test procedure's shortened limit

APPLICANT = Actor.of("citizen", "applicant")
ACTORS = [DESK, SPECIALIST, POLICE, LEADER, APPLICANT]
RARE = {
    "withdraw": 0.02,
    "refuse": 0.02,
    "reschedule": 0.15,
    "pay_fee": 0.3,
    "request_payment": 0.1,
}
STEPS = {"appraise": ("appraisal", "police_check"), "verify": ("police_check", "approval")}


@dataclass
class Expected:
    """What the rules say the dossier must look like, kept by the test."""

    state: str
    due: datetime | None = None
    original_due: datetime | None = None
    reschedules: int = 0
    pauses: int = 0
    paused_at: datetime | None = None
    paused_from: str | None = None
    outcome: str | None = None
    timeliness: str | None = None
    resolved_at: datetime | None = None
    returned_at: datetime | None = None


def clock_start(moment: datetime, cutoff: time | None) -> datetime:
    """Days are counted from the receipt itself (Civil Code 2015 art. 147.2); the local
    cut-off moves a late receipt to the next working day's opening."""
    if cutoff is not None and CAL.is_working_day(moment.date()) and moment.time() > cutoff:
        return CAL.next_working_moment(
            datetime.combine(moment.date() + timedelta(days=1), time(0), VN_TZ)
        )
    return moment


def due_from(moment: datetime, cutoff: time | None) -> datetime:
    """The LIMIT_DAYS-th working day after the receipt date (that day not counted, art.
    147.2): at the receipt's clock time if it was inside working hours, else at the end of
    that day (art. 148.1), the close of its last working period."""
    start = clock_start(moment, cutoff)
    if CAL.next_working_moment(start) == start:
        return CAL.add_working_days_at(start, LIMIT_DAYS)
    day = CAL.add_working_days(start.date(), LIMIT_DAYS)
    return datetime.combine(day, CAL.working_periods(day)[-1][1], VN_TZ)


def judged(done: datetime, due: datetime) -> str:
    """TimelinessPolicy defaults: by day and due moment against the original appointment; an
    apology alone makes nothing late (Decree 118/2025/ND-CP art. 19.6)."""
    if done > due:
        return "late"
    return "on_time" if done.date() == due.date() else "early"


def expect(
    model: Expected, trigger: str, moment: datetime, data: dict[str, object], policies: Policies
) -> None:
    """Advance the model by one command the engine accepted."""
    cutoff = policies.clock_start.cutoff
    if trigger == "accept":
        model.state = "received"
        model.due = model.original_due = due_from(moment, cutoff)
    elif trigger == "request_supplement":
        model.paused_from, model.paused_at = model.state, moment
        model.state = "supplement_requested"
        model.pauses += 1
    elif trigger == "submit_supplement":
        assert model.paused_from is not None and model.paused_at is not None
        model.state = model.paused_from
        if model.paused_from != "submitted":
            if policies.supplement.mode is SupplementMode.RESTART:
                # the complete dossier counts as a new receipt: ClockStartPolicy applies
                model.due = model.original_due = due_from(moment, cutoff)
            else:
                assert model.due is not None and model.original_due is not None
                restart = CAL.next_working_moment(moment)
                paused_at = model.paused_at

                def shift(due: datetime) -> datetime:
                    left = CAL.working_time_between(paused_at, due)
                    return due if left <= timedelta(0) else CAL.add_working_time(restart, left)

                model.due, model.original_due = shift(model.due), shift(model.original_due)
        model.paused_from = model.paused_at = None
    elif trigger == "handover":
        model.state = "appraisal"
    elif trigger in STEPS:
        model.state = STEPS[trigger][1]
    elif trigger in ("approve", "reject"):
        assert model.original_due is not None
        model.state = "result_ready"
        model.outcome = "approved" if trigger == "approve" else "rejected"
        model.resolved_at = moment
        model.timeliness = judged(moment, model.original_due)
    elif trigger == "return_result":
        model.state, model.returned_at = "returned", moment
    elif trigger == "refuse" and model.original_due is not None:
        # after the receipt slip a refusal is a reasoned result: a rejection (art. 19.3)
        model.state, model.outcome = "refused", "rejected"
        model.resolved_at = moment
        model.timeliness = judged(moment, model.original_due)
        model.paused_from = model.paused_at = None
    elif trigger in ("refuse", "withdraw"):
        model.state = model.outcome = "refused" if trigger == "refuse" else "withdrawn"
        model.paused_from = model.paused_at = None
    elif trigger == "stop":  # art. 19.5: closed, the supplement never came
        model.state, model.outcome = "stopped", "closed"
        model.paused_from = model.paused_at = None
    elif trigger in ("report_error", "correct_result"):
        pass  # art. 23.1 bookkeeping on the returned dossier: no field the model follows
    elif trigger == "request_payment":
        model.state = "awaiting_payment"  # the clock runs on; back to approval once paid
    elif trigger == "payment_done":
        model.state = "approval"
    elif trigger == "reschedule":
        model.due = data["new_due_at"]  # type: ignore[assignment]
        model.reschedules += 1
    elif trigger != "pay_fee":  # pay_fee changes no field the model follows
        raise AssertionError(f"the model does not know {trigger}")


def assert_matches(dossier: Dossier, model: Expected) -> None:
    got = (
        dossier.state,
        dossier.due_at,
        dossier.original_due_at,
        len(dossier.reschedules),
        len(dossier.pauses),
        dossier.paused_from,
        dossier.outcome,
        dossier.resolution_timeliness,
        dossier.resolved_at,
        dossier.returned_at,
    )
    want = (
        model.state,
        model.due,
        model.original_due,
        model.reschedules,
        model.pauses,
        model.paused_from,
        model.outcome,
        model.timeliness,
        model.resolved_at,
        model.returned_at,
    )
    assert got == want, f"{dossier.code}: engine {got} != model {want}"


def random_walk(engine: Engine, rng: random.Random, steps: int) -> str:
    """Drive one dossier with random allowed commands at random later times, checking each
    result against the model."""
    policies = engine.policies
    moment = at(2026, 1, 5, 8) + timedelta(minutes=rng.randrange(0, 60 * 24 * 200))
    channel = rng.choice(["desk", "online", "postal"])
    if rng.random() < 0.7:
        dossier = engine.receive("2.000999", "A", channel, at=moment)
        model = Expected("received")
        model.due = model.original_due = due_from(moment, policies.clock_start.cutoff)
    else:
        dossier = engine.submit("2.000999", "A", channel, at=moment)
        model = Expected("submitted")
    code = dossier.code
    assert_matches(dossier, model)
    for _ in range(steps):
        moment += timedelta(
            minutes=rng.randrange(1, rng.choice((120, 60 * 6, 60 * 24, 60 * 24 * 3)))
        )
        actor = rng.choice(ACTORS)
        triggers = engine.available_triggers(code, actor, at=moment)
        if not triggers:
            continue
        # endings are always available: pick them rarely so walks reach the result
        trigger = rng.choice(triggers)
        if rng.random() > RARE.get(trigger, 1.0):
            continue
        data: dict[str, object] = {}
        if trigger in {"withdraw", "refuse", "reject", "reschedule", "report_error", "stop"}:
            data["reason"] = "lý do"
        if trigger == "reschedule":
            assert model.due is not None
            new_day = CAL.add_working_days(model.due.date(), rng.randint(1, 6))
            data["new_due_at"] = datetime.combine(new_day, model.due.timetz())
        before = engine.get(code)
        try:
            after = engine.fire(code, trigger, actor, moment, **data)
        except TthcError:
            # a policy refused (e.g. an apology too close to the due date): nothing changed
            assert replace(engine.get(code), as_of=None) == replace(before, as_of=None)
            continue
        expect(model, trigger, moment, data, policies)
        assert_matches(after, model)
    return code


def check_replay(engine: Engine, code: str) -> None:
    live = replace(engine.get(code), as_of=None)
    assert replay(engine.history(code)) == live


POLICY_SETS = st.sampled_from(
    [
        Policies(),
        Policies(supplement=SupplementPolicy(mode=SupplementMode.PAUSE)),
        Policies(clock_start=ClockStartPolicy(cutoff=time(16, 0))),
        Policies(
            supplement=SupplementPolicy(mode=SupplementMode.PAUSE, within_working_days=None),
            clock_start=ClockStartPolicy(cutoff=time(15, 0)),
        ),
    ]
)


def new_engine(policies: Policies, store: SqlStore | None = None) -> Engine:
    engine = Engine(
        CATALOG,
        clock=FixedClock(at(2026, 1, 5, 8)),
        policies=policies,
        store=store or MemoryStore(),
    )
    engine.register_hook("notify_leader", lambda d, e: None)
    return engine


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 25), policies=POLICY_SETS)
def test_random_sequences_follow_the_model_and_replay(
    seed: int, steps: int, policies: Policies
) -> None:
    engine = new_engine(policies)
    check_replay(engine, random_walk(engine, random.Random(seed), steps))


@pytest.mark.parametrize("mode", [SupplementMode.RESTART, SupplementMode.PAUSE])
def test_thousands_of_random_dossiers_follow_the_model(
    catalog: Catalog, mode: SupplementMode
) -> None:
    engine = new_engine(Policies(supplement=SupplementPolicy(mode=mode)))
    rng = random.Random(2026)
    codes = [random_walk(engine, rng, rng.randint(1, 20)) for _ in range(1000)]
    report = engine.store.verify()  # chain + summary == replay, for every dossier
    assert report.ok, report
    assert report.dossiers_checked == len(set(codes)) == 1000
    dossiers = [engine.get(code) for code in codes]
    states = {d.state for d in dossiers}
    assert {"returned", "withdrawn", "result_ready", "refused"} <= states  # the walk ends
    assert any(d.reschedules for d in dossiers) and any(d.pauses for d in dossiers)
    assert {d.resolution_timeliness for d in dossiers} >= {"early", "late"}


def test_replay_after_a_sqlite_round_trip(tmp_path: Path) -> None:
    policies = Policies(supplement=SupplementPolicy(mode=SupplementMode.PAUSE))
    with SqlStore.sqlite(tmp_path / "dossiers.db") as store:
        engine = new_engine(policies, store)
        rng = random.Random(7)
        codes = [random_walk(engine, rng, rng.randint(1, 12)) for _ in range(60)]
        live = {code: replace(engine.get(code), as_of=None) for code in codes}
    with SqlStore.sqlite(tmp_path / "dossiers.db", create=False) as reopened:
        assert reopened.verify().ok
        for code in codes:
            assert replay(reopened.load_events(code)) == live[code]
