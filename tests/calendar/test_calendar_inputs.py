"""What the day-level API accepts: dates, aware datetimes (as their Vietnam date), whole counts.

Naive datetimes are ambiguous (whose midnight?) and are rejected; wrong types and counts
raise library errors, not AttributeError or TypeError from deep inside.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest

from tthc_flow.calendar import WorkCalendar
from tthc_flow.errors import CalendarError, NaiveDatetimeError

# Sunday 4 January 2026, 20:00 UTC is Monday 5 January, 03:00 in Hà Nội.
SUNDAY_EVENING_UTC = datetime(2026, 1, 4, 20, tzinfo=UTC)
NAIVE = datetime(2026, 1, 5, 9)


def test_aware_datetimes_count_as_their_date_in_vietnam(cal: WorkCalendar) -> None:
    assert cal.is_working_day(SUNDAY_EVENING_UTC)
    assert cal.non_working_reason(SUNDAY_EVENING_UTC) is None
    assert cal.add_working_days(SUNDAY_EVENING_UTC, 1) == date(2026, 1, 6)
    assert cal.add_working_days(SUNDAY_EVENING_UTC, 0) == date(2026, 1, 5)
    assert cal.working_days_between(SUNDAY_EVENING_UTC, date(2026, 1, 7)) == 2
    assert cal.add_working_days_many([SUNDAY_EVENING_UTC], [1]) == [date(2026, 1, 6)]
    west = timezone(timedelta(hours=-5))
    assert not cal.is_working_day(datetime(2026, 1, 2, 20, tzinfo=west))  # Sat 3/1 in VN


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_working_day(NAIVE),
        lambda c: c.non_working_reason(NAIVE),
        lambda c: c.add_working_days(NAIVE, 1),
        lambda c: c.working_days_between(date(2026, 1, 2), NAIVE),
        lambda c: c.days_off_between(NAIVE, date(2026, 1, 9)),
        lambda c: c.working_periods(NAIVE),
        lambda c: c.add_working_days_many([date(2026, 1, 5), NAIVE], 1),
    ],
)
def test_naive_datetimes_are_rejected(cal: WorkCalendar, call: object) -> None:
    assert callable(call)
    with pytest.raises(NaiveDatetimeError, match="no time zone"):
        call(cal)


@pytest.mark.parametrize("n", [1.5, 2.0, True, "3", None])
def test_counts_must_be_whole_numbers(cal: WorkCalendar, n: object) -> None:
    with pytest.raises(CalendarError, match="whole number"):
        cal.add_working_days(date(2026, 1, 5), n)  # type: ignore[arg-type]
    with pytest.raises(CalendarError, match="whole number"):
        cal.add_working_days_many([date(2026, 1, 5)], [n])


def test_numpy_integers_are_counts(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 1, 5), np.int64(1)) == date(2026, 1, 6)  # type: ignore[arg-type]


def test_wrong_types_and_lengths_are_library_errors(cal: WorkCalendar) -> None:
    with pytest.raises(CalendarError, match="date or an aware datetime"):
        cal.is_working_day("2026-01-05")  # type: ignore[arg-type]
    with pytest.raises(CalendarError, match="2 starts but 1 counts"):
        cal.add_working_days_many([date(2026, 1, 5), date(2026, 1, 6)], [1])
    starts = np.array(["2026-01-05", "2026-01-06"], dtype="datetime64[D]")
    with pytest.raises(CalendarError, match="2 starts but 3 counts"):
        cal.add_working_days_many(starts, [1, 2, 3])
    with pytest.raises(CalendarError, match="whole numbers"):
        cal.add_working_days_many(starts, np.array([1.5, 2.0]))
