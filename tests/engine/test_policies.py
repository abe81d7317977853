"""Legal rules as policies: supplements, apologies, timeliness, dossier codes (docs/legal-rules.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.engine.conftest import DESK, LEADER, POLICE, SPECIALIST, at
from tthc_flow import ConfigurationError, InvalidCommand, PolicyViolation
from tthc_flow.engine import (
    ClockStartPolicy,
    DossierCodeFormat,
    DueDateMode,
    DueDatePolicy,
    Engine,
    FixedClock,
    Policies,
    ReschedulePolicy,
    SupplementMode,
    SupplementPolicy,
    Timeliness,
    TimelinessPolicy,
    classify_resolution,
)
from tthc_flow.procedure import Catalog
from tthc_flow.store import MemoryStore


def test_only_one_supplement_request_at_reception(engine: Engine) -> None:
    """Decree 118/2025/ND-CP art. 16.3, 17.2.a: one request at reception, listing everything."""
    code = engine.submit("2.000999", "A", "online").code
    paused = engine.fire(code, "request_supplement", DESK, at(2026, 4, 27, 8), missing=["Bản vẽ"])
    assert paused.state == "supplement_requested" and paused.pauses[-1].missing == ("Bản vẽ",)
    engine.fire(code, "submit_supplement", DESK, at(2026, 4, 28, 8))
    assert engine.get(code).state == "submitted"
    with pytest.raises(PolicyViolation, match="limit is 1") as refused:
        engine.fire(code, "request_supplement", DESK, at(2026, 4, 28, 9))
    assert refused.value.policy == "SupplementPolicy.max_at_reception"
    assert refused.value.article == "Decree 118/2025/ND-CP art. 16.3, 17.2.a"
    assert (refused.value.dossier_code, refused.value.trigger) == (code, "request_supplement")
    assert engine.get(code).state == "submitted"


def test_supplement_during_appraisal_restarts_the_limit(engine: Engine) -> None:
    """Decree 118/2025/ND-CP art. 19.5: the limit counts again from the complete dossier."""
    code = engine.receive("2.000999", "A", "desk").code  # Fri 24/4 16:10, due 4/5 16:10
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    paused = engine.fire(code, "request_supplement", SPECIALIST, at(2026, 4, 28, 9))
    assert paused.paused and paused.paused_from == "appraisal"
    assert paused.timeliness_at(at(2026, 6, 1, 8)) is Timeliness.WITHIN_DEADLINE  # clock stopped
    resumed = engine.fire(code, "submit_supplement", DESK, at(2026, 5, 6, 10))
    assert resumed.state == "appraisal"
    assert resumed.clock_started_at == at(2026, 5, 6, 10)
    assert resumed.due_at == at(2026, 5, 11, 10)  # 3 working days from Wed 6/5 10:00
    assert resumed.original_due_at == resumed.due_at
    assert resumed.steps[-1].due_at == resumed.step_deadlines["appraisal"]


def test_supplement_mode_text_is_the_enum() -> None:
    """``mode="restart"`` must not be left as text: the engine tests ``is RESTART``."""
    assert SupplementPolicy(mode="restart").mode is SupplementMode.RESTART
    assert SupplementPolicy(mode="pause").mode is SupplementMode.PAUSE
    with pytest.raises(ConfigurationError) as bad:
        SupplementPolicy(mode="stop")
    assert (bad.value.setting, bad.value.allowed) == ("SupplementPolicy.mode", ("restart", "pause"))


def test_pause_mode_keeps_the_time_that_was_left(catalog: Catalog) -> None:
    policies = Policies(supplement=SupplementPolicy(mode=SupplementMode.PAUSE))
    engine = Engine(
        catalog, store=MemoryStore(), policies=policies, clock=FixedClock(at(2026, 5, 4, 8))
    )
    engine.register_hook("notify_leader", lambda d, e: None)
    code = engine.receive("2.000999", "A", "desk").code  # Mon 4/5 08:00, due Thu 7/5 08:00
    engine.fire(code, "handover", DESK, at(2026, 5, 4, 9))
    engine.fire(code, "request_supplement", SPECIALIST, at(2026, 5, 5, 8))  # 2 days left
    resumed = engine.fire(code, "submit_supplement", DESK, at(2026, 5, 11, 8))
    assert resumed.due_at == at(2026, 5, 13, 8)


def test_reschedule_once_with_notice_and_an_on_time_dossier_stays_on_time(engine: Engine) -> None:
    """Decree 118/2025/ND-CP art. 19.6: apology at least 1 working day before, once only; it
    is about dossiers *expected* to be late, so a dossier resolved by its original date is
    not late (TimelinessPolicy.rescheduled_counts_late=False, the default since issue 15)."""
    code = engine.receive("2.000999", "A", "desk").code  # due Mon 4/5 16:10
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    with pytest.raises(InvalidCommand, match="new_due_at"):
        engine.fire(code, "reschedule", SPECIALIST, at(2026, 4, 28, 9), reason="x")
    with pytest.raises(InvalidCommand, match="after the current"):
        engine.fire(
            code,
            "reschedule",
            SPECIALIST,
            at(2026, 4, 28, 9),
            new_due_at=at(2026, 4, 29, 8),
            reason="x",
        )
    moved = engine.fire(
        code,
        "reschedule",
        SPECIALIST,
        at(2026, 4, 29, 9),
        new_due_at=at(2026, 5, 8, 16),
        reason="chờ ý kiến cơ quan phối hợp",
    )
    assert moved.due_at == at(2026, 5, 8, 16)
    assert moved.original_due_at == at(2026, 5, 4, 16, 10)
    assert len(moved.reschedules) == 1 and moved.reschedules[0].reason.startswith("chờ")
    with pytest.raises(PolicyViolation, match="already rescheduled") as refused:
        engine.fire(
            code,
            "reschedule",
            LEADER,
            at(2026, 4, 29, 10),
            new_due_at=at(2026, 5, 9, 8),
            reason="y",
        )
    assert refused.value.policy == "ReschedulePolicy.max_times"
    assert refused.value.article == "Decree 118/2025/ND-CP art. 19.6"
    assert (refused.value.dossier_code, refused.value.trigger) == (code, "reschedule")
    engine.fire(code, "appraise", SPECIALIST, at(2026, 5, 4, 9))
    engine.fire(code, "verify", POLICE, at(2026, 5, 4, 10))
    done = engine.fire(code, "approve", LEADER, at(2026, 5, 4, 11))  # before the original date
    # due Mon 4/5 16:10 (received Fri 24/4 16:10, 3 working days: 28/4, 29/4, 4/5); resolved
    # Mon 4/5 11:00: on the due date, before the due moment: on time, apology or not
    assert done.timeliness is Timeliness.ON_TIME


def test_reschedule_too_close_to_the_due_date(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "desk").code  # due Mon 4/5 16:10
    with pytest.raises(PolicyViolation, match="at least 1 working day") as refused:
        engine.fire(
            code, "reschedule", DESK, at(2026, 5, 4, 8), new_due_at=at(2026, 5, 8, 8), reason="x"
        )
    assert refused.value.policy == "ReschedulePolicy.min_notice_days"
    assert refused.value.article == "Decree 118/2025/ND-CP art. 19.6"
    assert refused.value.trigger == "reschedule"


def test_unsupplemented_dossiers_are_closed(engine: Engine) -> None:
    """Decree 118/2025/ND-CP art. 19.5 ("Sau 15 ngày kể từ khi thông báo ... đóng hồ sơ");
    Civil Code 2015 art. 147.3, 148.1, 148.6.

    Notice Mon 27/4/2026 09:00 during appraisal; the day of the notice is not counted: day 1
    Tue 28/4 ... day 15 Tue 12/5, a working day; the period ends at 24:00 of Tue 12/5, so
    the dossier is closed from Wed 13/5 00:00 (the old rule closed it at 12/5 09:00, 15 x 24 h
    after the notice). Closed, not withdrawn: reports keep the two apart.
    """
    from tthc_flow.reports import Period, statistics

    code = engine.receive("2.000999", "A", "desk").code
    engine.fire(code, "handover", DESK, at(2026, 4, 27, 8))
    paused = engine.fire(code, "request_supplement", SPECIALIST, at(2026, 4, 27, 9))
    assert paused.closes_at == at(2026, 5, 13, 0, 0)
    assert engine.history(code)[-1].payload["closes_at"] == "2026-05-13T00:00:00+07:00"
    assert engine.close_unsupplemented(at(2026, 5, 12, 9)) == []
    assert engine.close_unsupplemented(at(2026, 5, 12, 23, 59)) == []
    with pytest.raises(PolicyViolation, match="may be closed from 2026-05-13") as refused:
        engine.fire(code, "stop", DESK, at(2026, 5, 12, 16), reason="x")
    assert refused.value.policy == "SupplementPolicy.close_after_days"
    assert refused.value.article == "Decree 118/2025/ND-CP art. 19.5"
    assert (refused.value.dossier_code, refused.value.trigger) == (code, "stop")
    closed = engine.close_unsupplemented(at(2026, 5, 13, 0, 0))
    assert [d.code for d in closed] == [code]
    assert closed[0].outcome == "closed" and not closed[0].paused
    assert closed[0].state == "stopped" and not closed[0].is_open  # "Dừng xử lý"
    assert engine.history(code)[-1].actor == "system"
    may = statistics([closed[0]], Period.month(2026, 5)).total
    assert (may.closed, may.withdrawn, may.resolved) == (1, 0, 0) and may.balanced


def test_clock_start_cutoff_moves_late_afternoon_receipts(catalog: Catalog) -> None:
    engine = Engine(
        catalog,
        store=MemoryStore(),
        policies=Policies(clock_start=ClockStartPolicy(cutoff=time(16, 0))),
    )
    dossier = engine.receive("2.000999", "A", "desk", at=at(2026, 5, 4, 16, 30))
    assert dossier.clock_started_at == engine.calendar.next_working_moment(at(2026, 5, 5, 0, 0))


def test_end_of_day_due_dates(catalog: Catalog) -> None:
    engine = Engine(
        catalog, store=MemoryStore(), policies=Policies(due_date=DueDatePolicy(mode="end_of_day"))
    )
    dossier = engine.receive("2.000999", "A", "desk", at=at(2026, 5, 4, 9))
    last_period_end = engine.calendar.working_periods(dossier.due_at.date())[-1][1]  # type: ignore[union-attr]
    assert dossier.due_at is not None and dossier.due_at.time() == last_period_end
    with pytest.raises(ValueError) as bad:
        DueDatePolicy(mode="whenever")
    assert isinstance(bad.value, ConfigurationError)
    assert bad.value.setting == "DueDatePolicy.mode" and bad.value.value == "whenever"
    assert bad.value.allowed == ("same_clock_time", "end_of_day")
    assert DueDatePolicy(mode="end_of_day").mode is DueDateMode.END_OF_DAY
    assert DueDatePolicy(mode=DueDateMode.END_OF_DAY) == DueDatePolicy(mode="end_of_day")


def test_dossier_code_format_is_configurable(catalog: Catalog) -> None:
    fmt = DossierCodeFormat(pattern="000.00.17.H26.{agency}-{date:%y%m%d}-{seq:06d}")
    engine = Engine(catalog, store=MemoryStore(), policies=Policies(dossier_code=fmt))
    assert engine.receive("2.000999", "A", "desk", at=at(2026, 5, 4, 9)).code == (
        "000.00.17.H26.SCT-260504-000001"
    )


@given(
    pattern=st.sampled_from(
        [
            "{agency}-{date:%y%m%d}-{seq:04d}",
            "000.00.17.H26.{agency}-{date:%y%m%d}-{seq:06d}",
            "{{{agency}}}/{seq}/{date}",
            "{seq:>5}-{agency!r}-{date:%d.%m.%Y}}}",
        ]
    ),
    agency=st.text(max_size=6),
    day=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    seq=st.integers(0, 10**6),
)
def test_dossier_code_is_the_patterns_format(
    pattern: str, agency: str, day: date, seq: int
) -> None:
    """render() formats each agency's day once (a cached template): the text is exactly
    ``str.format`` of the pattern, braces in the agency's name included."""
    assert DossierCodeFormat(pattern=pattern).render(agency, day, seq) == pattern.format(
        agency=agency, date=day, seq=seq
    )


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("000.00.17.H26-{date:%y%m%d}-{seq:06d}", "missing {agency}"),
        ("{agency}-{date:%y%m%d}", "missing {seq}"),
        ("{agency}-{day}-{seq}", "unknown field"),
        ("{agency}-{seq:%y}", "Invalid format"),
        ("{agency-{seq}", "DossierCodeFormat.pattern"),
    ],
)
def test_dossier_code_format_is_checked_when_built(pattern: str, message: str) -> None:
    """Decree 118/2025/ND-CP art. 28: the code names the authority and is unique in its day."""
    with pytest.raises(ValueError, match=message.replace("{", "\\{")) as bad:
        DossierCodeFormat(pattern=pattern)
    assert isinstance(bad.value, ConfigurationError)
    assert (bad.value.setting, bad.value.value) == ("DossierCodeFormat.pattern", pattern)


@pytest.mark.parametrize(
    ("granularity", "resolved", "expected"),
    [
        # due Mon 4/5/2026 16:10
        ("date", at(2026, 5, 4, 17, 0), "late"),  # after the due moment, same day
        ("date", at(2026, 5, 4, 16, 10), "on_time"),  # at the due moment
        ("date", at(2026, 5, 4, 9, 0), "on_time"),
        ("date", at(2026, 5, 1, 9, 0), "early"),
        ("exact", at(2026, 5, 1, 9, 0), "on_time"),  # DVCQG 766: no early class
        ("exact", at(2026, 5, 4, 16, 11), "late"),
        ("whole_day", at(2026, 5, 4, 17, 0), "on_time"),  # local convention
        ("whole_day", at(2026, 5, 5, 7, 0), "late"),
    ],
)
def test_timeliness_granularity(granularity, resolved, expected) -> None:  # type: ignore[no-untyped-def]
    policy = TimelinessPolicy(granularity=granularity)
    assert classify_resolution(resolved, at(2026, 5, 4, 16, 10), False, policy) == expected


def test_timeliness_is_judged_in_vietnam_time() -> None:
    """16:30 UTC on 4/5 is 23:30 in Vietnam: after a 16:10 due moment, late, not on time."""
    utc_evening = datetime(2026, 5, 4, 9, 5, tzinfo=UTC)  # 16:05 in Vietnam: on time
    assert classify_resolution(utc_evening, at(2026, 5, 4, 16, 10), False, TimelinessPolicy()) == (
        "on_time"
    )
    next_day_vn = datetime(2026, 5, 3, 23, 0, tzinfo=UTC)  # 06:00 on 4/5 in Vietnam
    assert classify_resolution(next_day_vn, at(2026, 5, 4, 16, 10), False, TimelinessPolicy()) == (
        "on_time"
    )
    with pytest.raises(ValueError, match="granularity") as bad:
        TimelinessPolicy(granularity="moment")
    assert isinstance(bad.value, ConfigurationError)
    assert bad.value.setting == "TimelinessPolicy.granularity"
    assert bad.value.allowed == ("date", "exact", "whole_day")


def test_supplement_during_handling_only_within_three_working_days(engine: Engine) -> None:
    """Decree 118/2025/ND-CP art. 19.5: notified within 3 working days of receipt, once."""
    code = engine.receive("2.000999", "A", "desk").code  # Fri 24/4; 27/4, 30/4, 1/5 off
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    # Tue 28/4, Wed 29/4, Mon 4/5 are the three working days: Tue 5/5 is too late
    assert "request_supplement" not in engine.available_triggers(
        code, SPECIALIST, at(2026, 5, 5, 8)
    )
    with pytest.raises(
        PolicyViolation, match=r"within 3 working day.*within_working_days"
    ) as refused:
        engine.fire(code, "request_supplement", SPECIALIST, at(2026, 5, 5, 8))
    assert refused.value.policy == "SupplementPolicy.within_working_days"
    assert refused.value.article == "Decree 118/2025/ND-CP art. 19.5"
    assert engine.get(code).pauses == ()
    assert "request_supplement" in engine.available_triggers(code, SPECIALIST, at(2026, 5, 4, 16))
    engine.fire(code, "request_supplement", SPECIALIST, at(2026, 5, 4, 16))
    engine.fire(code, "submit_supplement", DESK, at(2026, 5, 5, 8))  # the limit restarts
    with pytest.raises(PolicyViolation, match="max_during_handling") as refused:
        engine.fire(code, "request_supplement", SPECIALIST, at(2026, 5, 5, 9))
    assert refused.value.policy == "SupplementPolicy.max_during_handling"
    assert refused.value.article == "Decree 118/2025/ND-CP art. 19.5"


def test_supplement_window_and_count_are_configurable(catalog: Catalog) -> None:
    policy = SupplementPolicy(within_working_days=None, max_during_handling=2)
    engine = Engine(catalog, store=MemoryStore(), policies=Policies(supplement=policy))
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 5, 4, 8)).code
    engine.fire(code, "handover", DESK, at(2026, 5, 4, 9))
    for day in (14, 20):  # long after the window, twice
        engine.fire(code, "request_supplement", SPECIALIST, at(2026, 5, day, 8))
        engine.fire(code, "submit_supplement", DESK, at(2026, 5, day, 9))
    assert len(engine.get(code).pauses) == 2


def test_pause_keeps_the_original_and_the_apology_date_apart(catalog: Catalog) -> None:
    policies = Policies(supplement=SupplementPolicy(mode=SupplementMode.PAUSE))
    engine = Engine(catalog, store=MemoryStore(), policies=policies)
    engine.register_hook("notify_leader", lambda d, e: None)
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 5, 4, 8)).code  # due Thu 7/5 8:00
    engine.fire(code, "handover", DESK, at(2026, 5, 4, 9))
    engine.fire(
        code, "reschedule", SPECIALIST, at(2026, 5, 5, 8), new_due_at=at(2026, 5, 11, 8), reason="x"
    )
    engine.fire(code, "request_supplement", SPECIALIST, at(2026, 5, 6, 8))
    resumed = engine.fire(code, "submit_supplement", DESK, at(2026, 5, 13, 8))  # 5 days later
    assert resumed.original_due_at == at(2026, 5, 14, 8)  # 1 working day was left
    assert resumed.due_at == at(2026, 5, 18, 8)  # 3 working days were left
    assert len(resumed.reschedules) == 1


def test_restart_after_an_apology_gives_a_new_appointment(engine: Engine) -> None:
    """Decree 118/2025/ND-CP art. 19.5 ("Thời hạn giải quyết được tính lại từ đầu sau khi nhận
    đủ hồ sơ") and 19.6: the complete dossier of Mon 11/5 09:00 (inside working hours) gets 3
    working days again: Tue 12/5, Wed 13/5, Thu 14/5 -> due Thu 14/5 09:00. Resolved Tue 12/5
    11:00, before that date: early; the apology stays on record but makes nothing late."""
    code = engine.receive("2.000999", "A", "desk").code  # due Mon 4/5 16:10
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    engine.fire(
        code, "reschedule", SPECIALIST, at(2026, 4, 28, 9), new_due_at=at(2026, 5, 8, 9), reason="x"
    )
    engine.fire(code, "request_supplement", SPECIALIST, at(2026, 4, 28, 10))
    resumed = engine.fire(code, "submit_supplement", DESK, at(2026, 5, 11, 9))
    assert resumed.due_at == resumed.original_due_at == at(2026, 5, 14, 9)
    assert len(resumed.reschedules) == 1  # the apology was sent: it stays on record
    assert "reschedule" not in engine.available_triggers(code, SPECIALIST, at(2026, 5, 11, 10))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 5, 12, 9))
    engine.fire(code, "verify", POLICE, at(2026, 5, 12, 10))
    assert engine.fire(code, "approve", LEADER, at(2026, 5, 12, 11)).timeliness is Timeliness.EARLY


def test_a_new_appointment_on_a_non_working_day(catalog: Catalog) -> None:
    engine = Engine(catalog, store=MemoryStore(), clock=FixedClock(at(2026, 5, 4, 8)))
    code = engine.receive("2.000999", "A", "desk").code  # due Thu 7/5 8:00
    with pytest.raises(InvalidCommand, match="non-working day"):
        engine.fire(
            code, "reschedule", DESK, at(2026, 5, 4, 9), new_due_at=at(2026, 5, 9, 9), reason="x"
        )  # Saturday
    assert engine.get(code).reschedules == ()
    rolling = Engine(
        catalog,
        store=MemoryStore(),
        clock=FixedClock(at(2026, 5, 4, 8)),
        policies=Policies(reschedule=ReschedulePolicy(non_working_day="roll_forward")),
    )
    code = rolling.receive("2.000999", "A", "desk").code
    moved = rolling.fire(
        code, "reschedule", DESK, at(2026, 5, 4, 9), new_due_at=at(2026, 5, 9, 9), reason="x"
    )
    assert moved.due_at == at(2026, 5, 11, 9)  # Monday, same time
    with pytest.raises(ValueError, match="non_working_day") as bad:
        ReschedulePolicy(non_working_day="ignore")
    assert isinstance(bad.value, ConfigurationError)
    assert bad.value.setting == "ReschedulePolicy.non_working_day"
    assert bad.value.allowed == ("reject", "roll_forward")
