"""Working hours: periods, next working moment, working-time arithmetic, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import CalendarOverrides, WorkCalendar, WorkingHours
from tthc_flow.errors import CalendarError, InputError, NaiveDatetimeError

VN = VN_TZ  # the library's Vietnam zone (fixed UTC+7); ZoneInfo inputs are accepted too
FAST = settings(max_examples=150, deadline=None)

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(VN)
)
spans = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=200))


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def in_period(cal: WorkCalendar, moment: datetime, closed: bool) -> bool:
    local = moment.astimezone(VN)
    clock = local.time()
    return any(
        start <= clock <= end if closed else start <= clock < end
        for start, end in cal.working_periods(local.date())
    )


def test_defaults(cal: WorkCalendar) -> None:
    """07:30-11:30 and 13:00-17:00: 8 hours, a separate unit from working days."""
    assert cal.hours_per_day == timedelta(hours=8)
    assert cal.working_periods(date(2026, 11, 23)) == (
        (time(7, 30), time(11, 30)),
        (time(13, 0), time(17, 0)),
    )
    assert cal.working_periods(date(2026, 11, 22)) == ()


def test_custom_hours() -> None:
    """An agency's own hours (e.g. Thừa Thiên Huế 08:00-11:30, 13:00-17:30) are configurable."""
    hours = WorkingHours.model_validate(
        dict(periods=[{"start": "13:00", "end": "17:30"}, {"start": "08:00", "end": "11:30"}])
    )
    cal = WorkCalendar.vietnam(working_hours=hours)
    assert cal.hours_per_day == timedelta(hours=8)
    assert cal.working_hours.periods[0].start == time(8, 0)  # sorted
    assert cal.next_working_moment(at(23, 7, 45)) == at(23, 8, 0)


@pytest.mark.parametrize(
    "periods",
    [
        [],
        [{"start": "11:00", "end": "09:00"}],
        [{"start": "08:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}],
    ],
)
def test_bad_hours_rejected(periods: list[dict[str, str]]) -> None:
    """Empty, reversed or overlapping periods are errors."""
    with pytest.raises(InputError, match="WorkingHours"):
        WorkingHours.model_validate(dict(periods=periods))
    with pytest.raises(InputError, match="periods"):
        WorkingHours(periods=periods)


def test_next_working_moment(cal: WorkCalendar) -> None:
    """Inside a period: itself; in the lunch gap: 13:00; after hours or on a day off: next 07:30."""
    assert cal.next_working_moment(at(23, 9, 15)) == at(23, 9, 15)
    assert cal.next_working_moment(at(23, 11, 30)) == at(23, 13, 0)
    assert cal.next_working_moment(at(23, 17, 0)) == at(25, 7, 30)  # 24/11 is Culture Day
    assert cal.next_working_moment(at(21, 10, 0)) == at(23, 7, 30)


def test_time_zones(cal: WorkCalendar) -> None:
    """Any aware datetime is accepted; results are in Asia/Ho_Chi_Minh; naive ones are refused."""
    utc = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
    result = cal.next_working_moment(utc)
    assert result == utc and result.tzinfo == VN and result.hour == 9
    assert result.utcoffset() == timedelta(hours=7)
    from_zoneinfo = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert cal.next_working_moment(from_zoneinfo) == result
    naive = datetime(2026, 11, 23, 9, 0)
    for call in (
        lambda: cal.next_working_moment(naive),
        lambda: cal.add_working_time(naive, timedelta(hours=1)),
        lambda: cal.working_time_between(naive, utc),
        lambda: cal.working_time_between(utc, naive),
        lambda: cal.add_working_days_at(naive, 1),
    ):
        with pytest.raises(NaiveDatetimeError):
            call()


def test_add_working_time(cal: WorkCalendar) -> None:
    """4 working hours from 13:00 end at 17:00 the same day; overflow goes to the next day."""
    assert cal.add_working_time(at(23, 13, 0), timedelta(hours=4)) == at(23, 17, 0)
    assert cal.add_working_time(at(23, 16, 0), timedelta(hours=2)) == at(25, 8, 30)
    assert cal.add_working_time(at(23, 12, 0), timedelta(0)) == at(23, 13, 0)
    assert cal.add_working_time(at(25, 8, 30), -timedelta(hours=2)) == at(23, 16, 0)
    assert cal.add_working_time(at(23, 13, 0), -timedelta(hours=4)) == at(23, 7, 30)


def test_working_time_between(cal: WorkCalendar) -> None:
    """Counts only working periods; negative when reversed."""
    assert cal.working_time_between(at(20, 16, 0), at(23, 16, 0)) == timedelta(hours=8)
    assert cal.working_time_between(at(23, 16, 0), at(20, 16, 0)) == -timedelta(hours=8)
    assert cal.working_time_between(at(23, 11, 0), at(23, 13, 30)) == timedelta(hours=1)
    assert cal.working_time_between(at(21, 8, 0), at(22, 17, 0)) == timedelta(0)


def test_add_working_days_at(cal: WorkCalendar) -> None:
    """Same clock time n working days later; a Saturday receipt counts from Monday 07:30."""
    assert cal.add_working_days_at(at(20, 9, 15), 1) == at(23, 9, 15)
    assert cal.add_working_days_at(at(23, 9, 15), 1) == at(25, 9, 15)
    assert cal.add_working_days_at(at(21, 10, 0), 2) == at(26, 7, 30)
    assert cal.add_working_days_at(at(23, 18, 0), 0) == at(25, 7, 30)


def test_saturday_service_hours() -> None:
    """An extra working Saturday may have morning-only hours."""
    overrides = CalendarOverrides.model_validate(
        dict(
            extra_working_days=[
                {
                    "date": "2026-11-28",
                    "reason": "Một cửa sáng thứ Bảy",
                    "periods": [{"start": "07:30", "end": "11:30"}],
                }
            ]
        )
    )
    cal = WorkCalendar.vietnam(overrides=overrides)
    assert cal.is_working_day(date(2026, 11, 28))
    assert cal.working_time_between(at(27, 17, 0), at(30, 7, 30)) == timedelta(hours=4)
    # 14:00 does not exist on that Saturday: the due moment moves to Monday 07:30
    assert cal.add_working_days_at(at(27, 14, 0), 1) == at(30, 7, 30)
    assert cal.add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 28)


def test_working_time_out_of_range() -> None:
    """Working time past the last covered day is an error, not a guess."""
    cal = WorkCalendar.vietnam(years=[2026])
    with pytest.raises(CalendarError):
        cal.add_working_time(at(31, 16, 0, month=12), timedelta(hours=2))
    with pytest.raises(CalendarError):
        cal.next_working_moment(at(31, 17, 30, month=12))


@FAST
@given(moments)
def test_next_working_moment_properties(cal: WorkCalendar, moment: datetime) -> None:
    """Never earlier, always inside a period, and no working time is skipped."""
    nxt = cal.next_working_moment(moment)
    assert nxt >= moment
    assert in_period(cal, nxt, closed=False)
    assert cal.working_time_between(moment, nxt) == timedelta(0)
    assert cal.next_working_moment(nxt) == nxt


@FAST
@given(moments, moments)
def test_add_inverts_between(cal: WorkCalendar, a: datetime, b: datetime) -> None:
    """add_working_time(a, working_time_between(a, b)) lands at b, up to non-working time."""
    a, b = min(a, b), max(a, b)
    span = cal.working_time_between(a, b)
    assert span >= timedelta(0)
    assert cal.working_time_between(b, a) == -span
    result = cal.add_working_time(a, span)
    if span:
        assert result <= b
        assert cal.working_time_between(result, b) == timedelta(0)
        assert cal.working_time_between(a, result) == span
        assert cal.next_working_moment(result) == cal.next_working_moment(b) or result == b
    else:
        assert result == cal.next_working_moment(a) == cal.next_working_moment(b)


@FAST
@given(moments, spans, spans)
def test_add_working_time_monotone(
    cal: WorkCalendar, start: datetime, d1: timedelta, d2: timedelta
) -> None:
    """More working time never ends earlier; results lie in a working period; back and forth."""
    d1, d2 = min(d1, d2), max(d1, d2)
    r1, r2 = cal.add_working_time(start, d1), cal.add_working_time(start, d2)
    assert r1 <= r2
    assert in_period(cal, r2, closed=True)
    assert cal.working_time_between(start, r2) == d2
    if d2:
        assert cal.add_working_time(r2, -d2) == cal.next_working_moment(start)


@FAST
@given(moments, st.integers(min_value=0, max_value=40))
def test_add_working_days_at_properties(cal: WorkCalendar, start: datetime, n: int) -> None:
    """The result is a working moment on the n-th working day after the start's working day."""
    first = cal.next_working_moment(start)
    result = cal.add_working_days_at(start, n)
    assert in_period(cal, result, closed=False)
    assert result.date() == cal.add_working_days(first.date(), n)
    assert result.time() == first.time()


SATURDAY_SERVICE = WorkCalendar.vietnam(
    overrides=CalendarOverrides.model_validate(
        {
            "saturday_service": [
                {
                    "from": "2025-01-01",
                    "until": "2027-12-31",
                    "reason": "Một cửa sáng thứ Bảy",
                    "periods": [{"start": "07:30", "end": "11:30"}],
                }
            ]
        }
    )
)
amounts = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=30),
        st.floats(min_value=0, max_value=30, allow_nan=False).map(lambda x: round(x, 3)),
    ),
    max_size=6,
)


def deadline_by_parts(cal: WorkCalendar, start: datetime, days: float) -> datetime:
    """The scalar rule deadlines_at stands for: whole days at the same clock time, then
    the fraction of an ordinary day as working time."""
    whole = int(days)
    moment = cal.add_working_days_at(start, whole) if whole else cal.next_working_moment(start)
    return cal.add_working_time(moment, cal.hours_per_day * (days - whole))


@FAST
@given(moments, amounts, st.booleans())
def test_deadlines_at_equals_the_scalar_rules(
    cal: WorkCalendar, start: datetime, days: list[float], saturdays: bool
) -> None:
    """One pass over the calendar gives what add_working_days_at + add_working_time give."""
    calendar = SATURDAY_SERVICE if saturdays else cal
    expected = [deadline_by_parts(calendar, start, d) for d in days]
    assert calendar.deadlines_at(start, days) == expected


def test_deadlines_at_examples(cal: WorkCalendar) -> None:
    """Friday 16:00 + 1.5 days: Monday 16:00, then 4 more working hours: one on Monday and
    three on Wednesday (Tuesday 24/11 is a holiday from 2026)."""
    assert cal.deadlines_at(at(20, 16, 0), [0, 1, 1.5]) == [
        at(20, 16, 0),
        at(23, 16, 0),
        at(25, 10, 30),
    ]
    assert cal.deadlines_at(at(21, 10, 0), [0.5]) == [at(23, 11, 30)]  # Saturday: from Monday
    with pytest.raises(CalendarError, match="outside the calendar"):
        WorkCalendar.vietnam(years=[2026]).deadlines_at(at(31, 16, 0, month=12), [0.5])
