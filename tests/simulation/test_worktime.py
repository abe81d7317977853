"""The simulator's float working-time table against its own slower compositions."""

from __future__ import annotations

import random
from datetime import date, datetime, time

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.simulation._worktime import WorkTime


def test_work_at_next_is_to_work_of_next_working() -> None:
    """One bisection gives exactly what next_working then to_work give (bit for bit)."""
    cal = WorkCalendar.vietnam(years=[2026])
    tables = [
        WorkTime(cal, date(2026, 1, 1), date(2026, 12, 31)),
        WorkTime(cal, date(2026, 1, 1), date(2026, 12, 31), [(time(8), time(12))]),
    ]
    rng = random.Random(7)
    lo = datetime(2026, 1, 1, tzinfo=VN_TZ).timestamp()
    hi = datetime(2026, 12, 20, tzinfo=VN_TZ).timestamp()
    for wt in tables:
        moments = [rng.uniform(lo, hi) for _ in range(5_000)]
        moments += wt.starts[:200] + wt.ends[:200]  # period boundaries exactly
        for ts in moments:
            assert wt.work_at_next(ts) == wt.to_work(wt.next_working(ts))


def test_day_span_is_the_calendars_working_day() -> None:
    """A working day's span runs from its first period's start to its last period's end."""
    cal = WorkCalendar.vietnam(years=[2026])
    wt = WorkTime(cal, date(2026, 1, 1), date(2026, 12, 31))
    for offset in range(365):
        day = wt.date_of(offset)
        periods = cal.working_periods(day)
        if not periods:
            assert wt.day_hours(offset) == 0
            continue
        expected = (
            datetime.combine(day, periods[0][0], VN_TZ).timestamp(),
            datetime.combine(day, periods[-1][1], VN_TZ).timestamp(),
        )
        assert wt.day_span(offset) == expected
