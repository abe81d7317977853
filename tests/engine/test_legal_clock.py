"""The legal clock to the letter (issue 15): counting days, calendar days, apologies.

Every expected moment below is computed by hand from the law, in the comments, on the 2026
calendar: Mon 27/4 is the Hùng Kings compensatory day off, Thu 30/4 and Fri 1/5 holidays;
working hours 07:30-11:30 and 13:00-17:00. Sources: Decree 118/2025/ND-CP art. 17.3, 19.5,
19.6 (transcription in the public repository neornotl/rightly-beta); Civil Code 2015 art.
145.1, 147, 148 (thuvienphapluat.vn, anslawfirm.com copies); docs/legal-rules.md.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.engine.conftest import DESK, LEADER, POLICE, PROCEDURE, SPECIALIST, at
from tthc_flow import VN_TZ, ConfigurationError, PolicyViolation
from tthc_flow.engine import (
    ClockStartPolicy,
    DayLimitStart,
    DueDatePolicy,
    Engine,
    Policies,
    Timeliness,
    TimelinessPolicy,
)
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.store import MemoryStore


def _engine(catalog: Catalog, policies: Policies | None = None) -> Engine:
    engine = Engine(catalog, store=MemoryStore(), policies=policies)
    engine.register_hook("notify_leader", lambda d, e: None)
    return engine


def _same_day(limit: str) -> str:
    """The test procedure with a "trong ngày" limit; shares 1/4, 1/4, 1/2 of the day."""
    text = PROCEDURE.replace(
        "  statutory: {value: 5, unit: working_days}\n  shortened: {value: 3, unit: working_days}",
        f"  statutory: {limit}",
    )
    for step, share in (("appraisal", 0.25), ("police_check", 0.25), ("approval", 0.5)):
        text = text.replace(f"id: {step}, name:", f"id: {step}, share: {share}, name:")
    return text.replace("share: 1, ", "")


def _catalog_with_limit(value: int, unit: str) -> Catalog:
    text = PROCEDURE.replace(
        "  statutory: {value: 5, unit: working_days}\n  shortened: {value: 3, unit: working_days}",
        f"  statutory: {{value: {value}, unit: {unit}}}",
    )
    assert text != PROCEDURE
    return Catalog([parse_procedure(text, "test.yaml")])


def test_after_closing_time_the_days_run_from_the_receipt_date(catalog: Catalog) -> None:
    """Decree 118 art. 17.3; Civil Code art. 147.2, 148.1 (issue 15, point 1).

    Received Fri 24/4/2026 17:30 (after closing), 3 working days, the day of receipt not
    counted: Sat 25, Sun 26, Mon 27 off; day 1 Tue 28/4, day 2 Wed 29/4; Thu 30/4, Fri 1/5,
    Sat 2, Sun 3 off; day 3 Mon 4/5. After closing there is no clock time to keep: due at the
    end of Mon 4/5, 17:00. The old rule (start Tue 28 07:30, count 3 from there) printed
    Tue 5/5 07:30.
    """
    dossier = _engine(catalog).receive("2.000999", "A", "online", at=at(2026, 4, 24, 17, 30))
    assert dossier.clock_started_at == at(2026, 4, 24, 17, 30)
    assert dossier.due_at == at(2026, 5, 4, 17, 0)


def test_end_of_day_gives_no_extra_working_day(catalog: Catalog) -> None:
    """Civil Code art. 147.2, 148.1 with DueDatePolicy(mode="end_of_day") (issue 15, point 1).

    Same receipt Fri 24/4 17:30: last day Mon 4/5 (as above), end of that day 17:00. The old
    rule gave the end of Tue 5/5: a whole extra working day. A receipt inside working hours,
    Tue 28/4 09:00: Wed 29/4, Mon 4/5, Tue 5/5 -> end of Tue 5/5, 17:00.
    """
    engine = _engine(catalog, Policies(due_date=DueDatePolicy(mode="end_of_day")))
    late = engine.receive("2.000999", "A", "online", at=at(2026, 4, 24, 17, 30))
    assert late.due_at == at(2026, 5, 4, 17, 0)
    inside = engine.receive("2.000999", "B", "desk", at=at(2026, 4, 28, 9, 0))
    assert inside.due_at == at(2026, 5, 5, 17, 0)


def test_inside_working_hours_the_clock_time_is_kept(catalog: Catalog) -> None:
    """Civil Code art. 147.2; DueDatePolicy same_clock_time (practice of the slips).

    Received Fri 24/4 16:10 at the desk, 3 working days: Tue 28/4, Wed 29/4, Mon 4/5 -> due
    Mon 4/5 16:10. Received in the lunch break Tue 28/4 12:00 (outside working hours): Wed
    29/4, Mon 4/5, Tue 5/5 -> end of Tue 5/5, 17:00.
    """
    engine = _engine(catalog)
    assert engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 16, 10)).due_at == at(
        2026, 5, 4, 16, 10
    )
    assert engine.receive("2.000999", "B", "desk", at=at(2026, 4, 28, 12, 0)).due_at == at(
        2026, 5, 5, 17, 0
    )


def test_working_hour_limits_start_at_the_next_working_moment(catalog: Catalog) -> None:
    """Civil Code art. 147.1: a limit in hours starts at the moment set; in working hours, the
    next working moment. "4 tại chỗ" (4 working hours) received Fri 24/4 17:30: the next
    working moment is Tue 28/4 07:30 (25-27/4 off); + 4 working hours -> Tue 28/4 11:30."""
    text = PROCEDURE.replace("result: Giấy phép", "result: Giấy phép\non_the_spot: true")
    engine = _engine(Catalog([parse_procedure(text, "test.yaml")]))
    dossier = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 17, 30), on_the_spot=True)
    assert dossier.clock_started_at == at(2026, 4, 28, 7, 30)
    assert dossier.due_at == at(2026, 4, 28, 11, 30)


def test_the_old_reading_is_a_named_option(catalog: Catalog) -> None:
    """ClockStartPolicy(day_limits_from="next_working_moment"): the pre-issue-15 reading, kept
    to replay such a system's figures. Fri 24/4 17:30 -> clock Tue 28/4 07:30; 3 working days
    after Tue 28: Wed 29/4, Mon 4/5, Tue 5/5 -> Tue 5/5 07:30."""
    policy = ClockStartPolicy(day_limits_from="next_working_moment")
    engine = _engine(catalog, Policies(clock_start=policy))
    dossier = engine.receive("2.000999", "A", "online", at=at(2026, 4, 24, 17, 30))
    assert dossier.clock_started_at == at(2026, 4, 28, 7, 30)
    assert dossier.due_at == at(2026, 5, 5, 7, 30)
    with pytest.raises(ValueError, match="day_limits_from") as bad:
        ClockStartPolicy(day_limits_from="whenever")
    assert isinstance(bad.value, ConfigurationError)
    assert bad.value.setting == "ClockStartPolicy.day_limits_from"
    assert bad.value.allowed == ("receipt_date", "next_working_moment")
    assert policy.day_limits_from is DayLimitStart.NEXT_WORKING_MOMENT


def test_supplement_window_after_an_after_hours_receipt(catalog: Catalog) -> None:
    """Decree 118 art. 19.5: "không quá 03 ngày làm việc kể từ ngày tiếp nhận hồ sơ".

    Received Fri 24/4 17:30: the 3 working days after the receipt date are Tue 28/4, Wed
    29/4, Mon 4/5; a request on Tue 5/5 is too late (the old rule, counting from the clock
    start Tue 28/4, kept the window open through Tue 5/5).
    """
    engine = _engine(catalog)
    code = engine.receive("2.000999", "A", "online", at=at(2026, 4, 24, 17, 30)).code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    with pytest.raises(PolicyViolation, match="within 3 working day") as refused:
        engine.fire(code, "request_supplement", SPECIALIST, at(2026, 5, 5, 8))
    assert refused.value.policy == "SupplementPolicy.within_working_days"
    assert refused.value.article == "Decree 118/2025/ND-CP art. 19.5"
    engine.fire(code, "request_supplement", SPECIALIST, at(2026, 5, 4, 16, 59))


@pytest.mark.parametrize(
    ("received", "days", "mode", "due"),
    [
        # Mon 20/4 10:00 + 5 calendar days: 21, 22, 23, 24, 25 -> Sat 25/4 is a day off; the
        # next working day is Tue 28/4 (26 Sunday, 27 Hùng Kings off) -> end of Tue 28/4 17:00
        # (the old rule gave Tue 28/4 07:30, before the desk even opened that day)
        (at(2026, 4, 20, 10, 0), 5, "same_clock_time", at(2026, 4, 28, 17, 0)),
        (at(2026, 4, 20, 10, 0), 5, "end_of_day", at(2026, 4, 28, 17, 0)),
        # Mon 20/4 10:00 + 3 calendar days: 21, 22, 23 -> Thu 23/4, a working day: same clock
        # time 10:00, or the end of the day 17:00 with end_of_day (ignored before)
        (at(2026, 4, 20, 10, 0), 3, "same_clock_time", at(2026, 4, 23, 10, 0)),
        (at(2026, 4, 20, 10, 0), 3, "end_of_day", at(2026, 4, 23, 17, 0)),
        # Fri 24/4 17:30 (after closing) + 4 calendar days: 25, 26, 27, 28 -> Tue 28/4, a
        # working day; no clock time to keep: end of Tue 28/4
        (at(2026, 4, 24, 17, 30), 4, "same_clock_time", at(2026, 4, 28, 17, 0)),
    ],
)
def test_calendar_day_limits_end_at_the_end_of_their_last_day(
    received: datetime, days: int, mode: str, due: datetime
) -> None:
    """Civil Code 2015 art. 147.2, 148.1, 148.5 (issue 15, point 2)."""
    engine = _engine(
        _catalog_with_limit(days, "calendar_days"), Policies(due_date=DueDatePolicy(mode=mode))
    )
    assert engine.receive("2.000999", "A", "desk", at=received).due_at == due


def _resolve(engine: Engine, code: str, day: int, month: int = 5) -> Timeliness | None:
    engine.fire(code, "appraise", SPECIALIST, at(2026, month, day, 9))
    engine.fire(code, "verify", POLICE, at(2026, month, day, 10))
    return engine.fire(code, "approve", LEADER, at(2026, month, day, 11)).timeliness


@pytest.mark.parametrize(
    ("counts_late", "resolved_day", "expected"),
    [
        # due Mon 4/5 16:10 (Fri 24/4 16:10 + 3 working days: 28/4, 29/4, 4/5); apology sent
        # Wed 29/4 08:00 with a new date Fri 8/5 16:00; resolved at 11:00 on the given day
        (False, (4, 5), Timeliness.ON_TIME),  # 4/5 11:00: due day, before 16:10
        (False, (29, 4), Timeliness.EARLY),  # 29/4: a day before the due date
        (False, (6, 5), Timeliness.LATE),  # 6/5: after the original limit (quá hạn)
        (True, (4, 5), Timeliness.LATE),  # the province option: any apology counts late
    ],
)
def test_an_apology_does_not_make_an_on_time_dossier_late(
    catalog: Catalog, counts_late: bool, resolved_day: tuple[int, int], expected: Timeliness
) -> None:
    """Decree 118 art. 19.6 ("hồ sơ dự kiến quá hạn"): the apology is for dossiers expected
    to be late; "quá hạn" is after the limit. TimelinessPolicy(rescheduled_counts_late=False)
    is the default (issue 15, point 4); True is the named province option."""
    policies = Policies(timeliness=TimelinessPolicy(rescheduled_counts_late=counts_late))
    engine = _engine(catalog, policies)
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 16, 10)).code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    engine.fire(
        code,
        "reschedule",
        SPECIALIST,
        at(2026, 4, 29, 8),
        new_due_at=at(2026, 5, 8, 16),
        reason="chờ ý kiến",
    )
    day, month = resolved_day
    assert _resolve(engine, code, day, month) is expected


def test_a_refusal_after_receipt_is_a_reasoned_result_with_its_timeliness(
    catalog: Catalog,
) -> None:
    """Decree 118 art. 17.1.c (refusal to *receive* comes before the slip) and art. 19.3 (a
    received dossier that does not qualify gets a reasoned "Phiếu từ chối giải quyết hồ sơ"
    as its result, within the limit): RefusalPolicy(after_receipt="as_rejection") (issue 15,
    point 5).

    Received Fri 24/4 16:10, due Mon 4/5 16:10 (28/4, 29/4, 4/5); refused Tue 5/5 09:00,
    after the due moment: a late rejection that stays in the resolved figures. Refused at
    reception (before any slip), a dossier has no result and no timeliness.
    """
    from tthc_flow.reports import Period, statistics

    engine = _engine(catalog)
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 16, 10)).code
    refused = engine.fire(code, "refuse", DESK, at(2026, 5, 5, 9), reason="Hồ sơ giả mạo")
    assert refused.state == "refused"
    assert (refused.outcome, refused.resolved_at) == ("rejected", at(2026, 5, 5, 9))
    assert refused.timeliness is Timeliness.LATE
    may = statistics([refused], Period.month(2026, 5)).total
    assert (may.resolved, may.resolved_late, may.refused) == (1, 1, 0)

    at_reception = engine.submit("2.000999", "B", "online", at=at(2026, 5, 4, 8)).code
    before = engine.fire(at_reception, "refuse", DESK, at(2026, 5, 4, 9), reason="Sai thẩm quyền")
    assert (before.outcome, before.resolved_at, before.timeliness) == ("refused", None, None)


def test_refusal_after_receipt_can_be_forbidden(catalog: Catalog) -> None:
    """RefusalPolicy(after_receipt="forbid"): after the slip only a reasoned rejection
    (art. 19.3) ends the dossier; nothing is stored and the trigger is not offered."""
    from tthc_flow.engine import RefusalPolicy

    engine = _engine(catalog, Policies(refusal=RefusalPolicy(after_receipt="forbid")))
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 16, 10)).code
    assert "refuse" not in engine.available_triggers(code, DESK, at(2026, 4, 28, 8))
    with pytest.raises(PolicyViolation, match=r"RefusalPolicy.after_receipt.*19\.3") as refused:
        engine.fire(code, "refuse", DESK, at(2026, 4, 28, 8), reason="x")
    assert refused.value.policy == "RefusalPolicy.after_receipt"
    assert refused.value.article == "Decree 118/2025/ND-CP art. 17.1.c, 19.3"
    assert (refused.value.dossier_code, refused.value.trigger) == (code, "refuse")
    assert engine.get(code).state == "received"
    with pytest.raises(ValueError, match="after_receipt") as bad:
        RefusalPolicy(after_receipt="never")
    assert isinstance(bad.value, ConfigurationError)
    assert bad.value.allowed == ("as_rejection", "forbid")


def test_the_closure_moves_past_a_holiday_and_skips_reception_requests(catalog: Catalog) -> None:
    """Decree 118 art. 19.5 names dossiers sent back after appraisal; Civil Code art. 147.3,
    148.5, 148.6 (issue 15, point 3).

    Notice Wed 15/4/2026 09:00 during appraisal: day 15 is Thu 30/4, a holiday; Fri 1/5 is a
    holiday and 2-3/5 the weekend, so the period ends at 24:00 of Mon 4/5: closed from Tue
    5/5 00:00. A request at reception (art. 17.1.c, 17.2.a) sets no closure (SupplementPolicy
    .close_at_reception=False) and is never closed by close_unsupplemented.
    """
    engine = _engine(catalog)
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 14, 9)).code
    engine.fire(code, "handover", DESK, at(2026, 4, 14, 10))
    assert engine.fire(code, "request_supplement", SPECIALIST, at(2026, 4, 15, 9)).closes_at == (
        at(2026, 5, 5, 0, 0)
    )
    online = engine.submit("2.000999", "B", "online", at=at(2026, 4, 15, 9)).code
    waiting = engine.fire(online, "request_supplement", DESK, at(2026, 4, 15, 10))
    assert waiting.closes_at is None and "closes_at" not in engine.history(online)[-1].payload
    assert [d.code for d in engine.close_unsupplemented(at(2026, 5, 4, 23, 59))] == []
    assert [d.code for d in engine.close_unsupplemented(at(2026, 6, 30, 9))] == [code]
    assert engine.get(online).state == "supplement_requested"


@pytest.mark.parametrize(
    ("cutoff", "received", "due"),
    [
        # received Tue 28/4 14:59, before the 15:00 cut-off: the same day, end of Tue 28/4
        (None, at(2026, 4, 28, 14, 59), at(2026, 4, 28, 17, 0)),
        # received Tue 28/4 15:01, after it: the next working day, end of Wed 29/4
        (None, at(2026, 4, 28, 15, 1), at(2026, 4, 29, 17, 0)),
        # received Wed 29/4 15:30: the next working day is Mon 4/5 (30/4, 1/5 holidays)
        (None, at(2026, 4, 29, 15, 30), at(2026, 5, 4, 17, 0)),
        # received on a day off (Sat 25/4): the next working day, Tue 28/4 (26, 27/4 off)
        (None, at(2026, 4, 25, 9, 0), at(2026, 4, 28, 17, 0)),
        # a procedure publishing a 16:00 cut-off: 15:30 is still the same day
        ("16:00", at(2026, 4, 28, 15, 30), at(2026, 4, 28, 17, 0)),
    ],
)
def test_same_day_limits_with_their_cut_off(
    cutoff: str | None, received: datetime, due: datetime
) -> None:
    """Decree 118 art. 8.1.c ("giải quyết ngay trong ngày"), 17.4; procedure data such as
    certification procedures: "trong ngày ... hoặc trong ngày làm việc tiếp theo nếu tiếp nhận
    sau 15 giờ" (issue 15, point 7): TimeUnit.SAME_DAY, the cut-off per procedure."""
    limit = "{value: 1, unit: same_day" + (f', cutoff: "{cutoff}"' if cutoff else "") + "}"
    engine = _engine(Catalog([parse_procedure(_same_day(limit), "test.yaml")]))
    dossier = engine.receive("2.000999", "A", "desk", at=received)
    assert dossier.due_at == due
    assert dossier.step_deadlines["approval"] == due  # the last share ends with the limit


def test_same_day_steps_share_the_working_time_left() -> None:
    """The process control slip of a same-day dossier received Tue 28/4 09:00: the working
    time left until 17:00 is 09:00-11:30 (2.5 h) + 13:00-17:00 (4 h) = 6.5 h; the appraisal's
    quarter is 1 h 37.5 min -> 10:37:30; half of it, 3 h 15 min -> 11:30 + 0 h 45 -> 13:45."""
    engine = _engine(Catalog([parse_procedure(_same_day("{value: 1, unit: same_day}"), "t")]))
    dossier = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 28, 9, 0))
    assert dossier.step_deadlines == {
        "appraisal": at(2026, 4, 28, 10, 37, 30),
        "police_check": at(2026, 4, 28, 13, 45),
        "approval": at(2026, 4, 28, 17, 0),
    }


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("{value: 2, unit: same_day}", "same_day"),
        ('{value: 3, unit: working_days, cutoff: "15:00"}', "cutoff is only for unit same_day"),
        ("{value: 1, unit: same_day, cutoff: 15:00}", "cutoff"),  # unquoted: YAML reads 900
        ('{value: 1, unit: same_day, cutoff: "25:00"}', "cutoff"),
    ],
)
def test_bad_same_day_limits_name_the_field(limit: str, message: str) -> None:
    """Bad YAML gets an error with file, line and field (docs/procedures.md)."""
    from tthc_flow import ProcedureDefinitionError

    with pytest.raises(ProcedureDefinitionError, match=message) as caught:
        parse_procedure(_same_day(limit), "test.yaml")
    assert "test.yaml:" in str(caught.value) and "time_limit.statutory" in str(caught.value)


def test_withdrawal_is_allowed_until_the_decision(catalog: Catalog) -> None:
    """Decree 118 art. 21 ("Dừng thực hiện thủ tục hành chính"): the applicant may ask to stop
    from the receipt slip (online: from the system's receipt) until the authority issues its
    decision; after the result no withdrawal is offered."""
    from tthc_flow import TransitionNotAllowed
    from tthc_flow.engine import Actor

    applicant = Actor.of("citizen", "applicant")
    engine = _engine(catalog)
    online = engine.submit("2.000999", "A", "online", at=at(2026, 4, 28, 8)).code
    assert "withdraw" in engine.available_triggers(online, applicant, at(2026, 4, 28, 9))
    code = engine.receive("2.000999", "B", "desk", at=at(2026, 4, 28, 8)).code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 9))
    assert "withdraw" in engine.available_triggers(code, applicant, at(2026, 4, 28, 10))
    _resolve(engine, code, 29, 4)
    assert engine.get(code).state == "result_ready"
    assert "withdraw" not in engine.available_triggers(code, applicant, at(2026, 4, 29, 12))
    with pytest.raises(TransitionNotAllowed):
        engine.fire(code, "withdraw", applicant, at(2026, 4, 29, 12), reason="x")


def test_online_submissions_carry_their_alert_and_receipt_deadlines(catalog: Catalog) -> None:
    """Decree 118 art. 17.2 (alert "trong vòng 02 giờ") and 17.2.c (receipt or supplement
    request "không muộn hơn 08 (tám) giờ làm việc kể từ khi Hệ thống ... tiếp nhận hồ sơ")
    (issue 15, point 6).

    Submitted online Fri 24/4/2026 16:00. Alert: 2 hours -> Fri 18:00. Receipt: 8 working
    hours: Fri 16:00-17:00 (1 h); 25-27/4 off; Tue 28/4 07:30-11:30 (4 h, 5 in all) and
    13:00-16:00 (3 h, 8 in all) -> Tue 28/4 16:00. Accepted at 15:00: on time; a second one
    accepted at 16:30: late. A desk submission gets neither deadline.
    """
    engine = _engine(catalog)
    first = engine.submit("2.000999", "A", "online", at=at(2026, 4, 24, 16, 0))
    assert (first.alert_due_at, first.accept_due_at) == (
        at(2026, 4, 24, 18, 0),
        at(2026, 4, 28, 16, 0),
    )
    payload = engine.history(first.code)[0].payload
    assert (payload["alert_due_at"], payload["accept_due_at"]) == (
        "2026-04-24T18:00:00+07:00",
        "2026-04-28T16:00:00+07:00",
    )
    assert engine.fire(first.code, "accept", DESK, at(2026, 4, 28, 15)).accept_late is False
    second = engine.submit("2.000999", "B", "online", at=at(2026, 4, 24, 16, 0)).code
    late = engine.fire(second, "request_supplement", DESK, at(2026, 4, 28, 16, 30))
    assert late.accept_late is True and late.accept_due_at == at(2026, 4, 28, 16, 0)
    desk = engine.submit("2.000999", "C", "desk", at=at(2026, 4, 24, 16, 0))
    assert (desk.alert_due_at, desk.accept_due_at, desk.accept_late) == (None, None, None)


def test_the_alert_can_be_read_in_working_hours(catalog: Catalog) -> None:
    """OnlineReceiptPolicy(alert_unit="working_hours"): the other reading of "02 giờ". Fri
    24/4 16:00 + 2 working hours: 1 h on Friday, 1 h from Tue 28/4 07:30 -> Tue 08:30."""
    from tthc_flow.engine import OnlineReceiptPolicy

    policy = OnlineReceiptPolicy(alert_unit="working_hours")
    engine = _engine(catalog, Policies(online_receipt=policy))
    dossier = engine.submit("2.000999", "A", "online", at=at(2026, 4, 24, 16, 0))
    assert dossier.alert_due_at == at(2026, 4, 28, 8, 30)
    with pytest.raises(ValueError, match="alert_unit") as bad:
        OnlineReceiptPolicy(alert_unit="days")
    assert isinstance(bad.value, ConfigurationError)
    assert (bad.value.setting, bad.value.value) == ("OnlineReceiptPolicy.alert_unit", "days")
    assert bad.value.allowed == ("hours", "working_hours")


_BY_CHANNEL_AND_CASE = """  shortened: {value: 3, unit: working_days}
  by_channel:
    online: {value: 2, unit: working_days}
cases:
  - id: thanh_pho
    name: Khu vực thành phố, thị xã
    fees: [{name: Phí thẩm định, amount: 1200000}]
  - id: khu_vuc_khac
    name: Các khu vực khác
    fees: [{name: Phí thẩm định, amount: 600000}]
  - id: ho_kinh_doanh
    name: Hộ kinh doanh
    time_limit: {value: 5, unit: working_days}"""


def _cased(extra: str = _BY_CHANNEL_AND_CASE) -> str:
    text = PROCEDURE.replace("  shortened: {value: 3, unit: working_days}", extra)
    assert text != PROCEDURE
    return text


def test_a_limit_per_channel_and_fees_and_limits_per_case() -> None:
    """Provinces publish per-channel limits and per-case fees (e.g. Thông tư 168/2016/TT-BTC:
    1,200,000 VND in cities and towns, 600,000 elsewhere, as the Quảng Trị and Điện Biên pages
    show) (issue 15, point 8). The engine picks the case's, else the channel's, else the
    shortened limit.

    Received Tue 28/4/2026 09:00 (inside working hours). Desk, 3 working days: Wed 29/4, Mon
    4/5 (30/4, 1/5 holidays), Tue 5/5 -> Tue 5/5 09:00. Online, 2: Wed 29/4, Mon 4/5 -> Mon
    4/5 09:00, also when submitted first and accepted at 09:00. Case ho_kinh_doanh, 5: 29/4,
    4/5, 5/5, 6/5, 7/5 -> Thu 7/5 09:00.
    """
    engine = _engine(Catalog([parse_procedure(_cased(), "test.yaml")]))
    moment = at(2026, 4, 28, 9, 0)
    assert engine.receive("2.000999", "A", "desk", at=moment).due_at == at(2026, 5, 5, 9, 0)
    assert engine.receive("2.000999", "B", "online", at=moment).due_at == at(2026, 5, 4, 9, 0)
    submitted = engine.submit("2.000999", "C", "online", at=at(2026, 4, 28, 8, 0)).code
    accepted = engine.fire(submitted, "accept", DESK, moment)
    assert accepted.due_at == at(2026, 5, 4, 9, 0)
    household = engine.receive("2.000999", "D", "desk", at=moment, case="ho_kinh_doanh")
    assert household.due_at == at(2026, 5, 7, 9, 0)
    other = engine.receive("2.000999", "E", "desk", at=moment, case="khu_vuc_khac")
    assert (other.fees_due, [f.amount for f in other.fees]) == (600000, [600000])
    assert engine.history(other.code)[0].payload["case"] == "khu_vuc_khac"
    city = engine.receive("2.000999", "F", "desk", at=moment, case="thanh_pho")
    assert city.fees_due == 1200000
    from tthc_flow import InvalidCommand

    with pytest.raises(InvalidCommand, match="no case 'nong_thon'; cases: thanh_pho"):
        engine.receive("2.000999", "G", "desk", at=moment, case="nong_thon")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "  shortened: {value: 3, unit: working_days}\n  by_channel:\n"
            "    fax: {value: 2, unit: working_days}",
            "by_channel",
        ),
        (
            "  shortened: {value: 3, unit: working_days}\ncases:\n  - {id: a, name: A}\n"
            "  - {id: a, name: B}",
            "case id is listed twice",
        ),
    ],
)
def test_bad_channel_limits_and_cases_are_located(extra: str, message: str) -> None:
    from tthc_flow import ProcedureDefinitionError

    with pytest.raises(ProcedureDefinitionError, match=message) as caught:
        parse_procedure(_cased(extra), "test.yaml")
    assert "test.yaml:" in str(caught.value)


def test_an_early_return_records_whether_the_applicant_was_told(catalog: Catalog) -> None:
    """Decree 118 art. 22.5: returning before the appointment "phải được Bộ phận Một cửa thông
    báo cho tổ chức, cá nhân biết trước" (issue 15, point 9). Due Mon 4/5 16:10 (Fri 24/4
    16:10 + 3 working days: 28/4, 29/4, 4/5); returned Wed 29/4 14:00: early."""
    from tthc_flow.engine import ResultPolicy

    engine = _engine(catalog)
    told, untold = (
        engine.receive("2.000999", name, "desk", at=at(2026, 4, 24, 16, 10)).code
        for name in ("A", "B")
    )
    for code in (told, untold):
        engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
        _resolve(engine, code, 29, 4)
    done = engine.fire(told, "return_result", DESK, at(2026, 4, 29, 14), notified=True)
    assert (done.early_return, done.early_notice) == (True, True)
    done = engine.fire(untold, "return_result", DESK, at(2026, 4, 29, 14))
    assert (done.early_return, done.early_notice) == (True, False)

    strict = _engine(catalog, Policies(result=ResultPolicy(require_early_notice=True)))
    code = strict.receive("2.000999", "C", "desk", at=at(2026, 4, 24, 16, 10)).code
    strict.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    _resolve(strict, code, 29, 4)
    with pytest.raises(PolicyViolation, match=r"art\. 22\.5") as refused:
        strict.fire(code, "return_result", DESK, at(2026, 4, 29, 14))
    assert refused.value.policy == "ResultPolicy.require_early_notice"
    assert refused.value.article == "Decree 118/2025/ND-CP art. 22.5"
    assert (refused.value.dossier_code, refused.value.trigger) == (code, "return_result")
    on_time = strict.fire(code, "return_result", DESK, at(2026, 5, 4, 16, 30))  # after due
    assert (on_time.early_return, on_time.early_notice) == (None, None)


def test_an_online_payment_carries_its_remittance_deadline(catalog: Catalog) -> None:
    """Decree 118 art. 24.3: a charge paid online reaches the budget "trong 08 (tám) giờ làm
    việc tính từ thời điểm thanh toán" unless a sector law says otherwise (issue 15, point
    9). Paid Fri 24/4 16:30: 16:30-17:00 (0.5 h); 25-27/4 off; Tue 28/4 07:30-11:30 (4 h,
    4.5 in all), 13:00-16:30 (3.5 h, 8 in all) -> Tue 28/4 16:30."""
    engine = _engine(catalog)
    code = engine.receive("2.000999", "A", "online", at=at(2026, 4, 24, 16, 10)).code
    paid = engine.fire(code, "pay_fee", DESK, at(2026, 4, 24, 16, 30), fee_paid=True)
    (fee,) = paid.fees
    assert (fee.paid_online, fee.remit_due_at) == (True, at(2026, 4, 28, 16, 30))
    payload = engine.history(code)[-1].payload
    assert payload["fees_paid"]["remit_due_at"] == "2026-04-28T16:30:00+07:00"


def test_waiting_for_the_financial_obligation_is_a_state_of_its_own(catalog: Catalog) -> None:
    """The national portal's status 6 "Yêu cầu thực hiện nghĩa vụ tài chính" (domain notes;
    Decree 118 art. 24 on paying fees and other financial obligations) (issue 15, point 11).

    Received Fri 24/4 16:10, due Mon 4/5 16:10. At approval on Wed 29/4 the leader asks for
    the obligation; Decree 118 has no rule stopping the clock meanwhile, so on Tue 5/5 the
    dossier is overdue. Paid on Wed 6/5, it is back at approval with its fee paid; signed
    that day it is late (after Mon 4/5 16:10)."""
    engine = _engine(catalog)
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 16, 10)).code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 9))
    engine.fire(code, "verify", POLICE, at(2026, 4, 28, 10))
    waiting = engine.fire(
        code, "request_payment", LEADER, at(2026, 4, 29, 9), obligations=["Lệ phí cấp giấy phép"]
    )
    assert waiting.state == "awaiting_payment"
    assert waiting.awaiting_payment_since == at(2026, 4, 29, 9)
    assert engine.history(code)[-1].payload["obligations"] == ["Lệ phí cấp giấy phép"]
    assert waiting.timeliness_at(at(2026, 5, 5, 9)) is Timeliness.OVERDUE
    assert "withdraw" in engine.available_triggers(code, DESK, at(2026, 5, 5, 9))
    from tthc_flow.engine import Actor

    paid = engine.fire(code, "payment_done", Actor.of("citizen", "applicant"), at(2026, 5, 6, 8))
    assert (paid.state, paid.awaiting_payment_since, paid.fee_paid) == ("approval", None, True)
    assert engine.fire(code, "approve", LEADER, at(2026, 5, 6, 9)).timeliness is Timeliness.LATE


def test_a_wrong_result_is_corrected_within_three_working_days(catalog: Catalog) -> None:
    """Decree 118 art. 23.1: a wrong result found at return goes back to the authority and
    the corrected one is back "chậm nhất trong vòng 03 ngày làm việc" (issue 15, point 9),
    counted like every limit in days (Civil Code art. 147.2).

    Reported Tue 5/5/2026 09:00 (inside working hours): Wed 6/5, Thu 7/5, Fri 8/5 -> due Fri
    8/5 09:00; corrected Fri 8/5 08:00: on time. Reported again Fri 8/5 17:30 (after
    closing): Mon 11/5, Tue 12/5, Wed 13/5 -> end of Wed 13/5, 17:00; corrected Thu 14/5: late.
    """
    engine = _engine(catalog)
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 16, 10)).code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    _resolve(engine, code, 29, 4)
    engine.fire(code, "return_result", DESK, at(2026, 5, 4, 16, 30))
    assert "correct_result" not in engine.available_triggers(code, DESK, at(2026, 5, 5, 8))
    with pytest.raises(PolicyViolation, match="no reported error") as refused:
        engine.fire(code, "correct_result", DESK, at(2026, 5, 5, 8))
    assert refused.value.article == "Decree 118/2025/ND-CP art. 23.1"
    assert refused.value.trigger == "correct_result"
    reported = engine.fire(code, "report_error", DESK, at(2026, 5, 5, 9), reason="Sai tên")
    assert (reported.state, reported.correction_due_at) == ("returned", at(2026, 5, 8, 9))
    assert "report_error" not in engine.available_triggers(code, DESK, at(2026, 5, 6, 8))
    fixed = engine.fire(code, "correct_result", DESK, at(2026, 5, 8, 8))
    assert (fixed.corrected_at, fixed.correction_late) == (at(2026, 5, 8, 8), False)
    again = engine.fire(code, "report_error", DESK, at(2026, 5, 8, 17, 30), reason="Sai địa chỉ")
    assert again.correction_due_at == at(2026, 5, 13, 17, 0)
    assert engine.fire(code, "correct_result", DESK, at(2026, 5, 14, 9)).correction_late is True


def test_consultations_carry_their_own_deadline(catalog: Catalog) -> None:
    """Decree 118 art. 19.4.b ("nêu rõ nội dung, thời hạn lấy ý kiến") and 19.4.c (the
    consulted body answers by that deadline; a late answer is reported to the desk) (issue 15,
    point 9).

    Asked Tue 28/4/2026 09:00 during appraisal, 2 working days: Wed 29/4, Mon 4/5 (30/4, 1/5
    holidays) -> due Mon 4/5 09:00; answered Mon 4/5 10:00: late. A second body asked to
    answer by Wed 29/4 17:00 answers Wed 29/4 15:00: on time.
    """
    from tthc_flow import InvalidCommand

    engine = _engine(catalog)
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 16, 10)).code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    asked = engine.fire(
        code, "consult", SPECIALIST, at(2026, 4, 28, 9), body="Sở Xây dựng", within_working_days=2
    )
    assert asked.state == "appraisal"
    assert asked.consultations[0].due_at == at(2026, 5, 4, 9, 0)
    engine.fire(
        code,
        "consult",
        SPECIALIST,
        at(2026, 4, 28, 9, 5),
        body="UBND xã",
        due_at=at(2026, 4, 29, 17),
    )
    with pytest.raises(InvalidCommand, match="waiting for: Sở Xây dựng, UBND xã"):
        engine.fire(code, "record_answer", SPECIALIST, at(2026, 4, 29, 9), body="Công an")
    engine.fire(code, "record_answer", SPECIALIST, at(2026, 4, 29, 15), body="UBND xã")
    done = engine.fire(code, "record_answer", SPECIALIST, at(2026, 5, 4, 10), body="Sở Xây dựng")
    assert [(c.body, c.late) for c in done.consultations] == [
        ("Sở Xây dựng", True),
        ("UBND xã", False),
    ]
    with pytest.raises(InvalidCommand, match="one of within_working_days"):
        engine.fire(code, "consult", SPECIALIST, at(2026, 5, 4, 11), body="Sở Tài chính")


def test_the_end_of_the_last_day_is_a_setting(catalog: Catalog) -> None:
    """Civil Code 2015 art. 148.6: "thời điểm kết thúc của ngày cuối cùng là 24 giờ của
    ngày đó"; the default ends a due day when the desk closes (17:00). Received after hours
    Fri 24/4/2026 17:30, 3 working days, the receipt day not counted (art. 147.2): Sat 25,
    Sun 26 and Mon 27/4 off (the 2026 swap), Tue 28 (1), Wed 29 (2), Thu 30/4 and Fri 1/5
    holidays, Sat 2 and Sun 3 off, Mon 4/5 (3): due at the end of Mon 4/5 - 17:00 by
    default, 24:00 (its last instant) with ``day_ends="midnight"``."""
    received = at(2026, 4, 24, 17, 30)
    close = _engine(catalog).receive("2.000999", "A", "desk", at=received)
    assert close.due_at == at(2026, 5, 4, 17, 0)
    midnight = _engine(catalog, Policies(due_date=DueDatePolicy(day_ends="midnight"))).receive(
        "2.000999", "A", "desk", at=received
    )
    assert midnight.due_at == datetime(2026, 5, 4, 23, 59, 59, 999999, tzinfo=VN_TZ)
    assert midnight.due_at.date() == close.due_at.date()  # the same last day on the slip
    # inside working hours the clock time is kept either way (same_clock_time) ...
    morning = at(2026, 4, 24, 9, 0)
    kept = _engine(catalog, Policies(due_date=DueDatePolicy(day_ends="midnight")))
    assert kept.receive("2.000999", "B", "desk", at=morning).due_at == at(2026, 5, 4, 9, 0)
    # ... and with end_of_day the last day ends at midnight
    whole_day = _engine(
        catalog, Policies(due_date=DueDatePolicy(mode="end_of_day", day_ends="midnight"))
    )
    due = whole_day.receive("2.000999", "C", "desk", at=morning).due_at
    assert due == datetime(2026, 5, 4, 23, 59, 59, 999999, tzinfo=VN_TZ)
    with pytest.raises(ValueError, match="day_ends") as bad:
        DueDatePolicy(day_ends="noon")
    assert isinstance(bad.value, ConfigurationError)
    assert (bad.value.setting, bad.value.allowed) == (
        "DueDatePolicy.day_ends",
        ("close", "midnight"),
    )
