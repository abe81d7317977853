"""Working-day arithmetic: conventions, range errors, and properties against a naive oracle."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tthc_flow.calendar import WorkCalendar
from tthc_flow.errors import CalendarError

FRI, SAT, SUN, MON = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23)

dates = st.dates(min_value=date(2016, 3, 1), max_value=date(2030, 9, 30))
counts = st.integers(min_value=-60, max_value=60)
FAST = settings(max_examples=150, deadline=None)


@cache
def oracle_off() -> tuple[frozenset[date], frozenset[date]]:
    """(days off, weekend days worked) from holidays' data plus the documented corrections.

    Independent of the calendar's implementation: the corrections are restated from their
    sources (Công văn 12729/VPCP-KGVX; Nghị quyết 80-NQ/TW).
    """
    vn = holidays.country_holidays("VN", years=range(2015, 2033))
    off = set(vn) | {date(2026, 1, 2)} | {date(y, 11, 24) for y in range(2026, 2033)}
    worked = {d for d in vn.weekend_workdays if d.weekday() >= 5} | {date(2026, 1, 10)}
    return frozenset(off), frozenset(worked)


def naive_is_working(d: date) -> bool:
    off, worked = oracle_off()
    return d in worked if d.weekday() >= 5 else d not in off


def naive_add(start: date, n: int) -> date:
    """Day-by-day loop, the obvious definition."""
    step = 1 if n >= 0 else -1
    d = start
    if n == 0:
        while not naive_is_working(d):
            d += timedelta(days=1)
        return d
    remaining = abs(n)
    while remaining:
        d += timedelta(days=step)
        if naive_is_working(d):
            remaining -= 1
    return d


def test_start_not_counted(cal: WorkCalendar) -> None:
    """Friday + 1 working day is Monday; Saturday + 1 is Monday too."""
    assert cal.add_working_days(FRI, 1) == MON
    assert cal.add_working_days(SAT, 1) == MON
    assert cal.add_working_days(MON, 1) == date(2026, 11, 25)  # 24/11 Culture Day skipped


def test_zero_rolls_forward(cal: WorkCalendar) -> None:
    """n = 0: a working day stays, a day off rolls to the next working day."""
    assert cal.add_working_days(FRI, 0) == FRI
    assert cal.add_working_days(SUN, 0) == MON


def test_negative_goes_back(cal: WorkCalendar) -> None:
    """n < 0: the |n|-th working day before start."""
    assert cal.add_working_days(MON, -1) == FRI
    assert cal.add_working_days(SUN, -1) == FRI
    assert cal.add_working_days(date(2026, 11, 25), -1) == MON


def test_between_conventions(cal: WorkCalendar) -> None:
    """(a, b] forwards; minus [b, a) backwards; both inverse to add_working_days."""
    assert cal.working_days_between(FRI, MON) == 1
    assert cal.working_days_between(FRI, FRI) == 0
    assert cal.working_days_between(MON, FRI) == -1
    assert cal.working_days_between(SUN, FRI) == -1
    assert cal.working_days_between(FRI, SUN) == 0


def test_days_off_between_lists_skipped_days(cal: WorkCalendar) -> None:
    """``tthc due`` prints every skipped day with its reason."""
    skipped = cal.days_off_between(FRI, date(2026, 11, 25))
    assert [d for d, _ in skipped] == [SAT, SUN, date(2026, 11, 24)]
    assert skipped[2][1] == "Ngày Văn hóa Việt Nam"
    assert cal.days_off_between(date(2026, 11, 25), FRI) == skipped  # [FRI, 25/11)


def test_out_of_range_raises() -> None:
    """Outside the covered years the calendar refuses rather than guess."""
    cal = WorkCalendar.vietnam(years=range(2024, 2027))
    with pytest.raises(CalendarError, match="outside the calendar's range"):
        cal.is_working_day(date(2023, 12, 31))
    with pytest.raises(CalendarError, match="outside"):
        cal.add_working_days(date(2027, 1, 1), 1)
    with pytest.raises(CalendarError, match="outside"):
        cal.add_working_days(date(2026, 12, 30), 5)  # the result would be in 2027
    with pytest.raises(CalendarError, match="outside"):
        cal.working_days_between(date(2026, 1, 5), date(2030, 1, 1))
    with pytest.raises(CalendarError, match="contiguous"):
        WorkCalendar.vietnam(years=[2024, 2026])


def test_default_range_is_wide(cal: WorkCalendar) -> None:
    """2015 to five years ahead, so ordinary questions never hit the edge."""
    assert cal.first_day == date(2015, 1, 1)
    assert cal.last_day.year >= 2031


@FAST
@given(dates, counts)
def test_agrees_with_naive_loop(cal: WorkCalendar, start: date, n: int) -> None:
    """Same answer as stepping day by day over holidays' data plus the corrections."""
    assert cal.add_working_days(start, n) == naive_add(start, n)
    assert cal.is_working_day(start) == naive_is_working(start)


@FAST
@given(dates, counts.filter(lambda n: n != 0))
def test_between_inverts_add(cal: WorkCalendar, start: date, n: int) -> None:
    """working_days_between(a, add_working_days(a, n)) == n."""
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@FAST
@given(dates, dates)
def test_add_inverts_between(cal: WorkCalendar, a: date, b: date) -> None:
    """add_working_days(a, working_days_between(a, b)) == b when b is a working day."""
    result = cal.add_working_days(a, cal.working_days_between(a, b))
    if cal.is_working_day(b):
        assert result == b
    else:
        assert cal.is_working_day(result)


@FAST
@given(dates, dates, counts, counts)
def test_monotone(cal: WorkCalendar, a: date, b: date, n: int, m: int) -> None:
    """Later start or larger n never gives an earlier result; the result is a working day."""
    a, b = min(a, b), max(a, b)
    n, m = min(n, m), max(n, m)
    assert cal.add_working_days(a, n) <= cal.add_working_days(b, n)
    assert cal.add_working_days(a, n) <= cal.add_working_days(a, m)
    assert cal.is_working_day(cal.add_working_days(a, n))
    if n != 0:
        assert cal.add_working_days(a, n) != a


@FAST
@given(dates, dates)
def test_between_counts_and_days_off(cal: WorkCalendar, a: date, b: date) -> None:
    """Working days plus days off in the interval add up to its length."""
    between = cal.working_days_between(a, b)
    off = cal.days_off_between(a, b)
    assert abs(between) + len(off) == abs((b - a).days)
    assert all(not cal.is_working_day(d) for d, _ in off)
