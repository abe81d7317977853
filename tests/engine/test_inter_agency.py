"""Inter-agency (liên thông) steps: who may act, each step's class, hand-over deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.engine.conftest import DESK, LEADER, POLICE, SPECIALIST, at
from tthc_flow import InvalidCommand, PermissionDenied
from tthc_flow.engine import (
    Actor,
    AgencyPolicy,
    Engine,
    FixedClock,
    Policies,
    TransferPolicy,
    agency_summary,
)
from tthc_flow.procedure import Catalog
from tthc_flow.store import MemoryStore


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
    engine = Engine(
        catalog, store=MemoryStore(), policies=policies, clock=FixedClock(at(2026, 4, 24, 16, 10))
    )
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
    """Decree 118/2025/ND-CP art. 18.2 (paper: "chuyển ngay ... trong ngày làm việc hoặc
    chuyển vào đầu giờ ngày làm việc tiếp theo đối với trường hợp tiếp nhận sau 15 giờ") and
    art. 20.2.a (each agency its own deadline; the dossier passes on when a part is done).

    Received Fri 24/4 16:10, after 15:00: the next working day is Tue 28/4 (25-27/4 off), so
    the hand-over is due at its start, 07:30; made at 09:00: late. The appraisal is due Tue
    28/4 16:10 (1 of 3 working days); the police step (another agency) must be entered by
    then: entered 10:00, on time. Online dossiers move at once: no deadline.
    """
    code = engine.receive("2.000999", "A", "desk").code  # Fri 24/4 16:10: after 15:00
    first = engine.fire(code, "handover", DESK, at(2026, 4, 28, 9))
    appraisal = first.steps[0]
    assert appraisal.transfer_due_at == at(2026, 4, 28, 7, 30)
    assert appraisal.transfer_late is True
    moved = engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 10))
    police = moved.steps[1]
    assert appraisal.due_at == at(2026, 4, 28, 16, 10)
    assert police.transfer_due_at == at(2026, 4, 28, 16, 10)
    assert police.transfer_late is False
    online = engine.receive("2.000999", "B", "online", at=at(2026, 4, 28, 8)).code
    assert (
        engine.fire(online, "handover", DESK, at(2026, 4, 29, 8)).steps[0].transfer_due_at is None
    )


def test_the_old_one_day_grace_between_agencies_is_a_setting(catalog: Catalog) -> None:
    """TransferPolicy(inter_agency_working_days=1): the project's earlier rule (no article):
    the appraisal's deadline Tue 28/4 16:10 + 1 working day -> Wed 29/4 16:10."""
    policies = Policies(transfer=TransferPolicy(inter_agency_working_days=1))
    engine = Engine(
        catalog, store=MemoryStore(), policies=policies, clock=FixedClock(at(2026, 4, 24, 16, 10))
    )
    engine.register_hook("notify_leader", lambda d, e: None)
    code = to_police(engine)
    assert engine.get(code).steps[1].transfer_due_at == at(2026, 4, 29, 16, 10)


def test_cross_level_reception_forwards_paper_within_one_working_day(engine: Engine) -> None:
    """Decree 118/2025/ND-CP art. 20.1.a: a centre receiving a dossier for an authority of
    another level forwards the paper "trong không quá 01 ngày làm việc kể từ khi tiếp nhận hồ
    sơ" (day of receipt not counted, Civil Code 2015 art. 147.2).

    A provincial procedure received at a commune centre on Fri 24/4 16:10: 25-27/4 off, the
    first working day after is Tue 28/4: due by its end, 17:00 (art. 18.2 alone would say
    07:30). Handed over Tue 28/4 16:00: on time. Received at a provincial centre: art. 18.2.
    """
    code = engine.receive("2.000999", "A", "desk", reception_level="commune").code
    step = engine.fire(code, "handover", DESK, at(2026, 4, 28, 16)).steps[0]
    assert (step.transfer_due_at, step.transfer_late) == (at(2026, 4, 28, 17, 0), False)
    same = engine.receive("2.000999", "B", "desk", reception_level="province").code
    step = engine.fire(same, "handover", DESK, at(2026, 4, 28, 16)).steps[0]
    assert step.transfer_due_at == at(2026, 4, 28, 7, 30)
    with pytest.raises(InvalidCommand, match="reception_level"):
        engine.receive("2.000999", "C", "desk", reception_level="huyện")


def test_a_morning_paper_dossier_goes_the_same_day(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "postal", at=at(2026, 4, 28, 10)).code
    step = engine.fire(code, "handover", DESK, at(2026, 4, 28, 16)).steps[0]
    end_of_day = engine.calendar.working_periods(at(2026, 4, 28, 0).date())[-1][1]
    assert step.transfer_due_at == at(2026, 4, 28, end_of_day.hour, end_of_day.minute)
    assert step.transfer_late is False
    assert step.entered_at - step.transfer_due_at < timedelta(0)
