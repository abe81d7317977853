"""Late risk with known answers: a dossier that cannot finish in time, one that surely does,
and one whose chance is a textbook number.

The office is built in YAML with fixed or exponential service times and one specialist; the
open dossiers are made by the real engine (receive, hand over) at a moment in the past, and
the forecast starts from the store as it stands.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from tthc_flow._time import VN_TZ
from tthc_flow.engine import Actor, Engine, FixedClock
from tthc_flow.errors import PolicyViolation
from tthc_flow.forecast import apology_deadline, draft_apology, forecast, warm_start
from tthc_flow.simulation import Scenario, parse_scenario
from tthc_flow.store import MemoryStore
from tthc_flow.testing import EXAMPLE_CATALOG

RECEIVED = datetime(2026, 3, 2, 10, 30, tzinfo=VN_TZ)  # a Monday
CODE = "2.000745"  # appraise (specialist), approve (leader); 3 working days

OFFICE = """\
name: risk office
horizon: {{start: {start}, end: {end}, drain_working_days: 20}}
catalog: so-cong-thuong
arrivals:
  procedures: {{"{code}": {{per_working_day: 0}}}}
staff: {{one_stop: 1, specialist: 1, leader: 1, inspection_team: unlimited,
        ministry_officer: unlimited}}
service:
  steps:
    "{code}/appraise": {appraise}
  roles: {{leader: {{dist: fixed, value: 0}}}}
  default: {{dist: fixed, value: 0.5}}
branching: {{apology: 0}}
"""


def office(as_of: datetime, appraise: str) -> Scenario:
    text = OFFICE.format(
        start=as_of.date(),
        end=as_of.date() + timedelta(days=30),
        code=CODE,
        appraise=appraise,
    )
    return parse_scenario(text, "<risk office>", EXAMPLE_CATALOG.parent)


def open_dossiers(received: list[datetime]) -> tuple[MemoryStore, list[str]]:
    scenario = office(RECEIVED, "{dist: fixed, value: 1}")
    store = MemoryStore()
    engine = Engine(
        scenario.catalog,
        store=store,
        calendar=scenario.calendar,
        clock=FixedClock(received[0]),
    )
    codes = []
    desk = Actor.of("desk-1", "one_stop")
    for moment in received:
        d = engine.receive(CODE, "Công ty A", "desk", at=moment, actor=desk)
        engine.fire(d.code, "handover", desk, at=moment)
        codes.append(d.code)
    return store, codes


def two_hours_before(due: datetime, scenario: Scenario) -> datetime:
    moment = due - timedelta(hours=2)
    assert scenario.calendar.working_time_between(moment, due) == timedelta(hours=2)
    return moment


def test_a_dossier_that_cannot_finish_is_late_and_one_that_surely_finishes_is_not() -> None:
    # the first is due in 2 working hours and needs 3 (fixed); the second, received that
    # morning, is due in 3 working days and needs 3 hours after the first: surely in time
    store, (first, second) = open_dossiers([RECEIVED, RECEIVED + timedelta(days=2)])
    due = store.load(first).due_at
    assert due is not None
    probe = office(RECEIVED, "{dist: fixed, value: 3}")
    as_of = two_hours_before(due, probe)
    scenario = office(as_of, "{dist: fixed, value: 3}")
    warm = warm_start(store.dossiers(), as_of=as_of)
    result = forecast(scenario, warm, replications=4, workers=1)
    assert result.risk_of(first).p_late == 1.0
    assert result.risk_of(second).p_late == 0.0
    assert result.risks[0].code == first  # most at risk first


def test_an_exponential_appraisal_is_late_with_probability_e_to_the_minus_one() -> None:
    # 2 working hours left, appraisal ~ Exp(mean 2 h), approval instant:
    # P(late) = P(S > 2) = exp(-2 / 2) = 0.368
    store, (code,) = open_dossiers([RECEIVED])
    due = store.load(code).due_at
    assert due is not None
    probe = office(RECEIVED, "{dist: exponential, mean: 2}")
    as_of = two_hours_before(due, probe)
    scenario = office(as_of, "{dist: exponential, mean: 2}")
    result = forecast(scenario, warm_start(store.dossiers(), as_of=as_of), replications=300)
    risk = result.risk_of(code)
    # three binomial standard errors of 300 replications
    assert risk.p_late == pytest.approx(math.exp(-1), abs=3 * math.sqrt(0.368 * 0.632 / 300))


def test_the_apology_is_due_one_working_day_before_the_due_date() -> None:
    # Decree 118 art. 19.6: "chậm nhất 01 ngày trước ngày hết hạn"; received Monday 2 March
    # 2026 10:30 with 3 working days: due Thursday 5 March, so the last day is Wednesday 4
    store, (code,) = open_dossiers([RECEIVED])
    dossier = store.load(code)
    assert dossier is not None and dossier.due_at is not None
    assert dossier.due_at.date().isoformat() == "2026-03-05"
    scenario = office(RECEIVED, "{dist: fixed, value: 3}")
    last = apology_deadline(dossier.due_at, scenario.calendar)
    assert last is not None and last.isoformat() == "2026-03-04"
    # the engine agrees: accepted on the last day, refused the day after
    engine = Engine(scenario.catalog, store=store, calendar=scenario.calendar)
    leader = Actor.of("leader-1", "specialist")
    later = dossier.due_at + timedelta(days=5)  # Tuesday 10 March
    with pytest.raises(PolicyViolation, match="at least 1 working day"):
        engine.fire(
            code,
            "reschedule",
            leader,
            at=datetime(2026, 3, 5, 8, tzinfo=VN_TZ),
            new_due_at=later,
            reason="x",
        )
    engine.fire(
        code,
        "reschedule",
        leader,
        at=datetime(2026, 3, 4, 8, tzinfo=VN_TZ),
        new_due_at=later,
        reason="x",
    )


def test_a_late_dossier_gets_a_draft_apology_with_a_later_date() -> None:
    # due Thursday, 30 working hours of appraisal: late for sure, apology by Wednesday
    store, (code,) = open_dossiers([RECEIVED])
    as_of = datetime(2026, 3, 3, 8, 0, tzinfo=VN_TZ)
    scenario = office(as_of, "{dist: fixed, value: 30}")
    result = forecast(
        scenario, warm_start(store.dossiers(), as_of=as_of), replications=2, workers=1
    )
    risk = result.risk_of(code)
    assert risk.p_late == 1.0
    assert risk.apology_by is not None and risk.apology_by.isoformat() == "2026-03-04"
    assert risk.action == "apologise by 2026-03-04"
    assert result.to_apologise() == [risk]
    assert result.to_apologise(at_least=1.01) == []
    assert risk.proposed_due_at is not None and risk.due_at is not None
    assert risk.proposed_due_at > risk.result_p90 > risk.due_at
    dossier = store.load(code)
    assert dossier is not None
    letter = draft_apology(risk, dossier, scenario.catalog)
    assert letter is not None
    assert letter.new_due_at == risk.proposed_due_at
    assert letter.previous_due_at == dossier.due_at
    assert letter.sent_at.date() == risk.apology_by


def test_assert_forecast_lists_the_dossiers_at_risk() -> None:
    from tthc_flow.testing import PolicyViolationAssertion, assert_forecast

    store, (code,) = open_dossiers([RECEIVED])
    as_of = datetime(2026, 3, 3, 8, 0, tzinfo=VN_TZ)
    scenario = office(as_of, "{dist: fixed, value: 30}")
    result = forecast(
        scenario, warm_start(store.dossiers(), as_of=as_of), replications=2, workers=1
    )
    with pytest.raises(PolicyViolationAssertion, match=f"dossier {code}: late risk 100%"):
        assert_forecast(result, late_risk_below=0.5)
    with pytest.raises(PolicyViolationAssertion, match="not forecast"):
        assert_forecast(result, on_time_at_least=0.9)  # no period given
    easy = office(as_of, "{dist: fixed, value: 1}")
    assert_forecast(
        forecast(easy, warm_start(store.dossiers(), as_of=as_of), replications=2, workers=1),
        late_risk_below=0.5,
    )


def test_the_first_backlog_counts_the_open_dossiers() -> None:
    store, codes = open_dossiers([RECEIVED, RECEIVED + timedelta(hours=1)])
    as_of = datetime(2026, 3, 3, 8, 0, tzinfo=VN_TZ)
    scenario = office(as_of, "{dist: fixed, value: 1}")
    result = forecast(
        scenario, warm_start(store.dossiers(), as_of=as_of), replications=2, workers=1
    )
    day, count = result.simulation.backlog[0]
    assert day == "2026-03-03" and count == len(codes)
