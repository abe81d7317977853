"""The engine through its public API: receipt, deadlines, steps, resolution, errors."""

from __future__ import annotations

import gc
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.engine.conftest import DESK, LEADER, POLICE, SPECIALIST, at
from tthc_flow import (
    DossierNotFound,
    InvalidCommand,
    NaiveDatetimeError,
    PermissionDenied,
    PolicyViolation,
    TransitionNotAllowed,
    TthcError,
)
from tthc_flow.engine import Actor, Engine, StepRecord, Timeliness, first_broken_link, replay
from tthc_flow.engine._compiled import CompiledProcedure
from tthc_flow.procedure import PAUSED_FROM, load_catalog
from tthc_flow.store import MemoryStore


def run_to_result(engine: Engine, code: str, day: int) -> None:
    engine.fire(code, "handover", DESK, at(2026, 5, day, 8))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 5, day, 9))
    engine.fire(code, "verify", POLICE, at(2026, 5, day, 10))
    engine.fire(code, "approve", LEADER, at(2026, 5, day, 11))


def test_receive_issues_code_and_due_date_over_the_2026_holidays(engine: Engine) -> None:
    """Friday 24/4/2026 16:10 + 3 working days: Monday 27/4 is the observed Hùng Kings' day
    (10/3 lunar fell on Sunday 26/4), 30/4 and 1/5 are holidays: due Monday 4/5 at 16:10."""
    dossier = engine.receive("2.000999", "Công ty TNHH A", "desk")
    assert dossier.code == "SCT-260424-0001"
    assert dossier.state == "received"
    assert dossier.received_at == at(2026, 4, 24, 16, 10)
    assert dossier.due_at == at(2026, 5, 4, 16, 10)
    assert dossier.original_due_at == dossier.due_at
    assert dossier.fees_due == 500_000
    second = engine.receive("2.000999", "Hộ kinh doanh B", "postal")
    assert second.code == "SCT-260424-0002"


def test_step_deadlines_follow_the_shares(engine: Engine) -> None:
    dossier = engine.receive("2.000999", "A", "desk")
    assert dossier.step_deadlines == {
        "appraisal": at(2026, 4, 28, 16, 10),
        "police_check": at(2026, 4, 29, 16, 10),
        "approval": at(2026, 5, 4, 16, 10),
    }


def test_after_hours_receipt_counts_its_days_from_the_receipt_date(engine: Engine) -> None:
    """Decree 118/2025/ND-CP art. 17.3; Civil Code 2015 art. 147.2, 148.1: the day of receipt
    is not counted and a limit in days runs from the receipt, also on a day off.

    Received online Sat 25/4/2026 09:00, 3 working days (the shortened limit). Sun 26/4 and
    Mon 27/4 (Hùng Kings, compensatory day) are off: day 1 Tue 28/4, day 2 Wed 29/4; 30/4 and
    1/5 are holidays, 2-3/5 the weekend: day 3 Mon 4/5. A receipt on a day off has no clock
    time of the working day to keep: due at the end of Mon 4/5 (17:00). The old rule (start
    Tue 28/4 07:30, then 3 days) gave Tue 5/5 07:30, one working day late.
    """
    dossier = engine.receive("2.000999", "A", "online", at=at(2026, 4, 25, 9, 0))  # Saturday
    assert dossier.received_at == at(2026, 4, 25, 9, 0)
    assert dossier.clock_started_at == at(2026, 4, 25, 9, 0)  # the slip's moment
    assert dossier.due_at == at(2026, 5, 4, 17, 0)
    # shares 1/1/1 of 3 days: appraisal ends with day 1, the police check with day 2
    assert dossier.step_deadlines == {
        "appraisal": at(2026, 4, 28, 17, 0),
        "police_check": at(2026, 4, 29, 17, 0),
        "approval": at(2026, 5, 4, 17, 0),
    }


def test_happy_path_resolves_early_and_returns(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "desk").code
    run_to_result(engine, code, 4)  # 4/5 is the due date itself
    dossier = engine.get(code)
    assert dossier.state == "result_ready"
    assert dossier.outcome == "approved"
    assert dossier.timeliness is Timeliness.ON_TIME
    dossier = engine.fire(code, "return_result", DESK, at(2026, 5, 5, 8))
    assert dossier.state == "returned"
    assert dossier.returned_at == at(2026, 5, 5, 8)
    assert [e.trigger for e in engine.history(code)] == [
        "receive",
        "handover",
        "appraise",
        "verify",
        "approve",
        "return_result",
    ]
    assert engine.hook_calls == [code]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("resolved", "expected"),
    [
        (at(2026, 4, 29, 9), Timeliness.EARLY),
        (at(2026, 5, 4, 16, 0), Timeliness.ON_TIME),
        (at(2026, 5, 5, 8), Timeliness.LATE),
    ],
)
def test_timeliness_at_resolution(engine: Engine, resolved, expected) -> None:  # type: ignore[no-untyped-def]
    code = engine.receive("2.000999", "A", "desk").code
    engine.fire(code, "handover", DESK, at(2026, 4, 27, 8))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 8))
    engine.fire(code, "verify", POLICE, at(2026, 4, 28, 9))
    assert engine.fire(code, "approve", LEADER, resolved).timeliness is expected


def test_inter_agency_steps_record_agency_and_their_own_timeliness(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "desk").code
    engine.fire(code, "handover", DESK, at(2026, 4, 27, 8))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 9))  # due 28/4 16:10: on time
    engine.fire(code, "verify", POLICE, at(2026, 4, 30, 9))  # due 29/4 16:10: late
    dossier = engine.fire(code, "approve", LEADER, at(2026, 5, 4, 9))
    steps = {s.step: s for s in dossier.steps}
    assert steps["police_check"].agency == "cong_an"
    assert steps["appraisal"].on_time is True
    assert steps["police_check"].on_time is False
    assert steps["approval"].on_time is True
    assert dossier.timeliness is Timeliness.ON_TIME


def test_the_slip_is_kept_as_plain_rows_the_garbage_collector_skips(engine: Engine) -> None:
    """A snapshot keeps its steps as tuples of plain values (docs/performance.md): after a
    collection or two (the outer tuple is untracked once its rows are) the cyclic collector
    no longer tracks them; ``steps`` reads them as records."""
    code = engine.receive("2.000999", "A", "desk").code
    engine.fire(code, "handover", DESK, at(2026, 4, 27, 8))
    dossier = engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 9))
    gc.collect()
    gc.collect()
    assert len(dossier.step_rows) == 2 and not gc.is_tracked(dossier.step_rows)
    assert [(s.step, s.left_at, s.actor) for s in dossier.steps] == [
        ("appraisal", at(2026, 4, 28, 9), SPECIALIST.id),
        ("police_check", None, None),
    ]
    assert all(isinstance(s, StepRecord) for s in dossier.steps)


def test_wrong_trigger_names_state_and_allowed_ones_and_changes_nothing(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "desk").code
    before = engine.history(code)
    with pytest.raises(TransitionNotAllowed) as info:
        engine.fire(code, "approve", LEADER, at(2026, 4, 27, 8))
    message = str(info.value)
    assert "'received'" in message and "handover" in message and "withdraw" in message
    assert (info.value.dossier_code, info.value.trigger, info.value.state) == (
        code,
        "approve",
        "received",
    )
    # the lifecycle's triggers from "received" (pay_fee is guarded, still in the lifecycle)
    assert info.value.allowed == ("handover", "pay_fee", "refuse", "reschedule", "withdraw")
    assert info.value.guard is None
    assert engine.history(code) == before
    assert engine.get(code).state == "received"


def test_actor_without_role_is_denied_and_nothing_changes(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "desk").code
    with pytest.raises(PermissionDenied, match="one_stop") as denied:
        engine.fire(code, "handover", SPECIALIST, at(2026, 4, 27, 8))
    assert denied.value.roles_allowed == ("one_stop",)
    assert (denied.value.dossier_code, denied.value.trigger) == (code, "handover")
    assert denied.value.actor == SPECIALIST.id
    assert len(engine.history(code)) == 1
    with pytest.raises(PermissionDenied) as denied:
        engine.receive("2.000999", "A", "desk", actor=Actor.of("x", "leader"))
    assert (denied.value.trigger, denied.value.roles_allowed) == ("receive", ("one_stop",))


def test_declarative_guard(engine: Engine) -> None:
    desk_dossier = engine.receive("2.000999", "A", "desk").code
    with pytest.raises(TransitionNotAllowed, match="channel = online") as info:
        engine.fire(desk_dossier, "pay_fee", DESK, at(2026, 4, 27, 8))
    assert (info.value.trigger, info.value.state) == ("pay_fee", "received")
    assert info.value.guard is not None and "channel = online" in info.value.guard
    assert "pay_fee" not in info.value.allowed
    online = engine.receive("2.000999", "A", "online").code
    assert "pay_fee" in engine.available_triggers(online, DESK)
    assert "pay_fee" not in engine.available_triggers(desk_dossier, DESK)
    dossier = engine.fire(online, "pay_fee", DESK, at(2026, 4, 27, 8), fee_paid=True)
    assert dossier.state == "received"
    assert dossier.fee_paid


def test_available_triggers_respect_roles(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "desk").code
    assert engine.available_triggers(code, DESK) == ["handover", "refuse", "reschedule", "withdraw"]
    assert engine.available_triggers(code, SPECIALIST) == []


def test_withdraw_and_refuse_leave_resolution_empty(engine: Engine) -> None:
    a = engine.receive("2.000999", "A", "desk").code
    b = engine.submit("2.000999", "B", "online").code
    with pytest.raises(InvalidCommand, match="reason"):
        engine.fire(a, "withdraw", DESK, at(2026, 4, 27, 8))
    withdrawn = engine.fire(a, "withdraw", DESK, at(2026, 4, 27, 8), reason="người nộp xin rút")
    refused = engine.fire(b, "refuse", DESK, at(2026, 4, 27, 8), reason="không thuộc thẩm quyền")
    for dossier, outcome in ((withdrawn, "withdrawn"), (refused, "refused")):
        assert dossier.outcome == outcome
        assert not dossier.is_resolved and not dossier.is_open
        assert dossier.timeliness is None


def test_submitted_dossier_has_no_clock_until_accepted(engine: Engine) -> None:
    dossier = engine.submit("2.000999", "A", "online", at=at(2026, 4, 24, 16, 20))
    assert dossier.state == "submitted" and dossier.due_at is None
    dossier = engine.fire(dossier.code, "accept", DESK, at(2026, 4, 28, 8))
    assert dossier.received_at == at(2026, 4, 28, 8)
    assert dossier.due_at == at(2026, 5, 5, 8)  # 29/4, (30/4, 1/5 off), 4/5, 5/5


def test_unknown_channel_and_unoffered_channel(engine: Engine) -> None:
    with pytest.raises(InvalidCommand, match="unknown channel"):
        engine.receive("2.000999", "A", "fax")
    with pytest.raises(PolicyViolation, match="4 tại chỗ") as refused:
        engine.receive("2.000999", "A", "desk", on_the_spot=True)
    assert (refused.value.policy, refused.value.trigger) == (
        "ProcedureDefinition.on_the_spot",
        "receive",
    )


def test_naive_datetimes_are_rejected(engine: Engine) -> None:
    from datetime import datetime

    with pytest.raises(NaiveDatetimeError):
        engine.receive("2.000999", "A", "desk", at=datetime(2026, 4, 24, 9))
    code = engine.receive("2.000999", "A", "desk").code
    with pytest.raises(NaiveDatetimeError):
        engine.fire(code, "handover", DESK, datetime(2026, 4, 27, 9))


def test_events_cannot_go_back_in_time(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "desk").code
    with pytest.raises(InvalidCommand, match="earlier"):
        engine.fire(code, "handover", DESK, at(2026, 4, 23, 8))


def test_unknown_dossier(engine: Engine) -> None:
    with pytest.raises(DossierNotFound):
        engine.get("SCT-000000-0000")
    with pytest.raises(DossierNotFound):
        engine.fire("nope", "handover", DESK)


def test_unregistered_hook_fails_before_anything_is_stored(catalog) -> None:  # type: ignore[no-untyped-def]
    engine = Engine(catalog, store=MemoryStore())
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 9)).code
    engine.fire(code, "handover", DESK, at(2026, 4, 24, 10))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 24, 11))
    with pytest.raises(TthcError, match="notify_leader"):
        engine.fire(code, "verify", POLICE, at(2026, 4, 24, 12))
    assert engine.get(code).state == "police_check"


def test_idempotency_key_applies_a_command_once(engine: Engine) -> None:
    first = engine.receive("2.000999", "A", "desk", idempotency_key="portal-123")
    again = engine.receive("2.000999", "A", "desk", idempotency_key="portal-123")
    assert again.code == first.code
    engine.fire(first.code, "handover", DESK, at(2026, 4, 27, 8), idempotency_key="k1")
    engine.fire(first.code, "handover", DESK, at(2026, 4, 27, 8), idempotency_key="k1")
    assert [e.trigger for e in engine.history(first.code)] == ["receive", "handover"]


def test_hash_chain_verifies_and_detects_tampering(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "desk").code
    run_to_result(engine, code, 4)
    events = engine.history(code)
    assert first_broken_link(events) is None
    assert engine.store.verify().ok
    altered = [*events[:2], replace(events[2], actor="someone else"), *events[3:]]
    assert first_broken_link(altered) == (3, "content does not match its hash (altered)")
    assert first_broken_link([events[0], *events[2:]]) is not None


def test_replay_equals_live_state(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "desk").code
    run_to_result(engine, code, 4)
    assert replay(engine.history(code)) == replace(engine.get(code), as_of=None)


def test_one_shared_machine_per_procedure_version(engine: Engine) -> None:
    codes = [engine.receive("2.000999", str(i), "desk").code for i in range(5)]
    for code in codes:
        engine.fire(code, "handover", DESK, at(2026, 4, 27, 8))
    compiled = engine.compiled("2.000999", 1)
    assert compiled is engine.compiled("2.000999", 1)
    assert compiled.machine.models == []  # no add_model per dossier


def test_overdue_and_due_soon(engine: Engine) -> None:
    late = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 20, 9)).code
    soon = engine.receive("2.000999", "B", "desk", at=at(2026, 4, 24, 9)).code
    now = at(2026, 5, 4, 8)
    assert [d.code for d in engine.overdue(now)] == [late]
    assert engine.get(late).timeliness_at(now) is Timeliness.OVERDUE
    assert [d.code for d in engine.due_soon(now, timedelta(days=1))] == [soon]


def test_dispatch_table_agrees_with_the_shared_machine() -> None:
    """``fire`` decides by the compiled table; the machine's own trigger must take the same
    transition for every state, trigger and guard context of every example procedure."""
    catalog = load_catalog(Path(__file__).parents[2] / "examples" / "so-cong-thuong")
    contexts: list[dict[str, object]] = [
        {"channel": channel, "fee_paid": paid, "on_the_spot": spot, PAUSED_FROM: origin}
        for channel in ("desk", "postal", "online")
        for paid in (False, True)
        for spot in (False, True)
        for origin in (None, "received", "submitted", "appraisal")
    ]
    checked = 0
    for definition in catalog:
        compiled = CompiledProcedure.compile(definition)
        for state, trigger in compiled.candidates:
            for context in contexts:
                taken = compiled.fire(state, trigger, dict(context))
                reference = compiled.fire_through_machine(state, trigger, dict(context))
                assert taken is reference, (definition.code, state, trigger, context)
                checked += 1
    assert checked > 1000
