"""Inter-agency (liên thông) steps: who may act, each step's class, hand-over deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.engine.conftest import DESK, LEADER, POLICE, SPECIALIST, at
from tthc_flow import PermissionDenied
from tthc_flow.engine import Actor, AgencyPolicy, Engine, FixedClock, Policies, agency_summary
from tthc_flow.procedure import Catalog


def to_police(engine: Engine, channel: str = "desk") -> str:
    code = engine.receive("2.000999", "A", channel).code  # Fri 24/4 16:10
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 9))
    return code


def test_only_the_owning_agency_acts_on_its_step(engine: Engine) -> None:
    code = to_police(engine)
    other = Actor.of("chuyen.vien.sct", "specialist", agency="so_cong_thuong")
    for actor in (SPECIALIST, other):
        assert "verify" not in engine.available_triggers(code, actor)
        with pytest.raises(PermissionDenied, match="belongs to agency 'cong_an'"):
            engine.fire(code, "verify", actor, at(2026, 4, 28, 10))
    assert engine.get(code).state == "police_check"
    assert "withdraw" in engine.available_triggers(code, DESK)  # the desk is not the step's role
    assert engine.fire(code, "verify", POLICE, at(2026, 4, 28, 10)).state == "approval"


def test_the_agency_check_can_be_switched_off(catalog: Catalog) -> None:
    policies = Policies(agency=AgencyPolicy(require_same_agency=False))
    engine = Engine(catalog, policies=policies, clock=FixedClock(at(2026, 4, 24, 16, 10)))
    engine.register_hook("notify_leader", lambda d, e: None)
    code = to_police(engine)
    assert engine.fire(code, "verify", SPECIALIST, at(2026, 4, 28, 10)).state == "approval"


def test_steps_are_classified_and_summarised_per_agency(engine: Engine) -> None:
    code = to_police(engine)  # appraisal due 28/4 16:10, left 28/4 09:00: on time (same day)
    engine.fire(code, "verify", POLICE, at(2026, 4, 30, 9))  # due 29/4 16:10: late
    done = engine.fire(code, "approve", LEADER, at(2026, 5, 1, 9))  # due 4/5 16:10: early
    assert [(s.step, s.timeliness) for s in done.steps] == [
        ("appraisal", "on_time"),
        ("police_check", "late"),
        ("approval", "early"),
    ]
    summary = {s.agency: s for s in agency_summary(done, engine.calendar)}
    assert list(summary) == ["SCT", "cong_an"]
    lead, police = summary["SCT"], summary["cong_an"]
    assert (lead.steps, lead.early, lead.on_time, lead.late) == (2, 1, 1, 0)
    assert (police.steps, police.late, police.open) == (1, 1, 0)
    assert police.time_used == engine.calendar.working_time_between(
        at(2026, 4, 28, 9), at(2026, 4, 30, 9)
    )
    assert lead.share + police.share == pytest.approx(1.0)


def test_hand_over_deadlines_are_recorded_not_enforced(engine: Engine) -> None:
    """Decree 118 art. 18.2 (paper: same working day, next if after 15:00) and art. 20.1
    (another agency: within 1 working day)."""
    code = engine.receive("2.000999", "A", "desk").code  # Fri 24/4 16:10: after 15:00
    first = engine.fire(code, "handover", DESK, at(2026, 4, 28, 9))
    appraisal = first.steps[0]
    # Mon 27/4 is a holiday: the next working day starts Tue 28/4 at 07:30
    assert appraisal.transfer_due_at == engine.calendar.next_working_moment(at(2026, 4, 25, 0))
    assert appraisal.transfer_late is True
    moved = engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 10))
    police = moved.steps[1]
    assert appraisal.due_at is not None
    assert police.transfer_due_at == engine.calendar.add_working_days_at(appraisal.due_at, 1)
    assert police.transfer_late is False
    online = engine.receive("2.000999", "B", "online", at=at(2026, 4, 28, 8)).code
    assert (
        engine.fire(online, "handover", DESK, at(2026, 4, 29, 8)).steps[0].transfer_due_at is None
    )


def test_a_morning_paper_dossier_goes_the_same_day(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "postal", at=at(2026, 4, 28, 10)).code
    step = engine.fire(code, "handover", DESK, at(2026, 4, 28, 16)).steps[0]
    end_of_day = engine.calendar.working_periods(at(2026, 4, 28, 0).date())[-1][1]
    assert step.transfer_due_at == at(2026, 4, 28, end_of_day.hour, end_of_day.minute)
    assert step.transfer_late is False
    assert step.entered_at - step.transfer_due_at < timedelta(0)
