"""Processing time is measured once, by the engine on its calendar, and every figure reads it
(issue 16: the SQL store measured it again on a default calendar of its own, so with two
storm closures on the engine's calendar ``statistics_sql`` reported 4.13 days for 2.13).

Hand count (working hours 07:30-11:30 and 13:00-17:00, 8 h a day; Decree 118/2025/ND-CP
and the calendar's own sources): received Monday 26/10/2026 at 08:00, result Monday 02/11 at
08:00. On the engine's calendar Wednesday 28 and Thursday 29/10 are closed (a typhoon):
Monday 7 h 30 (08:00-11:30, 13:00-17:00) + Tuesday 8 h + Friday 8 h + Monday 0 h 30 =
24 h = 3.00 working days. On the national calendar the two closed days count: 40 h = 5.00.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.engine.conftest import DESK, LEADER, POLICE, SPECIALIST, at
from tests.engine.conftest import PROCEDURE as TEST_PROCEDURE
from tthc_flow.calendar import CalendarOverrides, WorkCalendar
from tthc_flow.engine import Engine, FixedClock
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.reports import Period, statistics, statistics_sql
from tthc_flow.store import MemoryStore, SqlStore

CATALOG = Catalog([parse_procedure(TEST_PROCEDURE, "test.yaml")])
STORM = CalendarOverrides(
    closures=[
        {"date": "2026-10-28", "reason": "Bão số 12"},
        {"date": "2026-10-29", "reason": "Bão số 12"},
    ]
)
HAND_COUNTED_DAYS = 3.0


def _resolve(engine: Engine) -> str:
    engine.register_hook("notify_leader", lambda d, e: None)
    code = engine.receive("2.000999", "Công ty A", "desk", at=at(2026, 10, 26, 8)).code
    engine.fire(code, "handover", DESK, at(2026, 10, 26, 9))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 10, 27, 9))
    engine.fire(code, "verify", POLICE, at(2026, 10, 30, 9))
    engine.fire(code, "approve", LEADER, at(2026, 11, 2, 8))
    return code


def test_the_engine_records_the_processing_time_on_its_own_calendar() -> None:
    engine = Engine(
        CATALOG,
        store=MemoryStore(),
        calendar=WorkCalendar.vietnam(overrides=STORM),
        clock=FixedClock(at(2026, 10, 26, 8)),
    )
    dossier = engine.get(_resolve(engine))
    assert dossier.processing_seconds == HAND_COUNTED_DAYS * 8 * 3600
    national = WorkCalendar.vietnam().working_time_between(dossier.received_at, dossier.resolved_at)
    assert national == timedelta(hours=40)  # what a second calendar would have said


def test_the_sql_store_and_both_reports_read_the_engines_figure(tmp_path: Path) -> None:
    with SqlStore.sqlite(tmp_path / "storm.db") as store:  # the store's default calendar
        engine = Engine(
            CATALOG,
            store=store,
            calendar=WorkCalendar.vietnam(overrides=STORM),
            clock=FixedClock(at(2026, 10, 26, 8)),
        )
        code = _resolve(engine)
        period = Period.parse("2026-11")
        in_sql = statistics_sql(store, period, as_of=at(2026, 11, 30, 17))
        in_python = statistics([engine.get(code)], period, as_of=at(2026, 11, 30, 17))
        assert in_sql.total.processing_days_avg == HAND_COUNTED_DAYS
        assert in_python.total.processing_days_avg == HAND_COUNTED_DAYS
        assert store.verify().ok
