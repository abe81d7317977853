"""Working time as plain floats, for the simulator's inner loop.

The calendar answers with aware datetimes, which is right for the engine but slow for a
queue that asks millions of times "when does 2.5 working hours from now end?". This table
flattens the calendar's working periods over the simulated range into sorted POSIX
timestamps once (public :class:`WorkCalendar` API only) and answers by bisection.
The engine still decides every deadline with the calendar itself.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.errors import CalendarError

HOUR = 3600.0


class WorkTime:
    """Working hours elapsed since ``first`` 00:00, and back, as floats.

    >>> cal = WorkCalendar.vietnam(years=[2026])
    >>> wt = WorkTime(cal, date(2026, 3, 2), date(2026, 3, 6))
    >>> wt.to_work(wt.ts(datetime(2026, 3, 3, 7, 30, tzinfo=VN_TZ)))
    8.0
    """

    def __init__(
        self,
        calendar: WorkCalendar,
        first: date,
        last: date,
        hours: Sequence[tuple[time, time]] | None = None,
    ) -> None:
        """``hours`` replaces the calendar's periods on each working day (a role's own hours)."""
        self.calendar = calendar
        self.first = first
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.cum_start: list[float] = []  # working hours before each period
        self.cum_end: list[float] = []
        self.day_first: list[int] = []  # index of each day's first period (by day offset)
        total = 0.0
        day = first
        while day <= last:
            self.day_first.append(len(self.starts))
            periods = calendar.working_periods(day)
            for start, end in hours if hours is not None and periods else periods:
                s = datetime.combine(day, start, VN_TZ).timestamp()
                e = (
                    datetime.combine(day + timedelta(days=1), time(0), VN_TZ).timestamp()
                    if end == time.max
                    else datetime.combine(day, end, VN_TZ).timestamp()
                )
                self.starts.append(s)
                self.ends.append(e)
                self.cum_start.append(total)
                total += (e - s) / HOUR
                self.cum_end.append(total)
            day += timedelta(days=1)
        self.day_first.append(len(self.starts))
        self.total = total
        self.origin = datetime.combine(first, time(0), VN_TZ).timestamp()

    @staticmethod
    def ts(moment: datetime) -> float:
        """POSIX timestamp of an aware datetime."""
        return moment.timestamp()

    @staticmethod
    def dt(ts: float) -> datetime:
        """Aware Vietnam datetime of a timestamp, to the nearest microsecond (``fromtimestamp``
        rounds half to even itself; ``round(ts, 6)`` first would cost twice the conversion)."""
        return datetime.fromtimestamp(ts, VN_TZ)

    def to_work(self, ts: float) -> float:
        """Working hours in [first 00:00, ts)."""
        k = bisect_right(self.starts, ts) - 1
        if k < 0:
            return 0.0
        return self.cum_start[k] + (min(ts, self.ends[k]) - self.starts[k]) / HOUR

    def from_work(self, w: float) -> float:
        """The moment when ``w`` working hours have passed (a period end on an exact fit)."""
        k = bisect_left(self.cum_end, w)
        if k >= len(self.starts):
            raise CalendarError("working time beyond the simulated calendar range")
        return self.starts[k] + max(w - self.cum_start[k], 0.0) * HOUR

    def next_working(self, ts: float) -> float:
        """``ts`` if inside a working period, else the next period's start."""
        k = bisect_right(self.ends, ts)
        if k >= len(self.starts):
            raise CalendarError("beyond the simulated calendar range")
        return max(ts, self.starts[k])

    def work_at_next(self, ts: float) -> float:
        """``to_work(next_working(ts))`` with one search: when work can start on ``ts``."""
        k = bisect_right(self.ends, ts)
        if k >= len(self.starts):
            raise CalendarError("beyond the simulated calendar range")
        start = self.starts[k]
        return self.cum_start[k] + (max(ts, start) - start) / HOUR

    def add(self, ts: float, hours: float) -> float:
        """The moment ``hours`` of working time after ``ts``."""
        return self.from_work(self.to_work(ts) + hours)

    def day_offset(self, ts: float) -> int:
        """Days since ``first`` of the local date of ``ts`` (Vietnam has no DST: fixed 24 h)."""
        return int((ts - self.origin) // 86400.0)

    def day_span(self, offset: int) -> tuple[float, float]:
        """The start of the first and the end of the last working period of day ``offset``
        (a working day's, as timestamps)."""
        lo, hi = self.day_first[offset], self.day_first[offset + 1]
        return self.starts[lo], self.ends[hi - 1]

    def day_hours(self, offset: int) -> float:
        """Working hours of day ``offset`` (0 on a day off)."""
        lo, hi = self.day_first[offset], self.day_first[offset + 1]
        return self.cum_end[hi - 1] - self.cum_start[lo] if hi > lo else 0.0

    def day_start_work(self, offset: int) -> float:
        """Working hours before day ``offset``."""
        lo = self.day_first[offset]
        return self.cum_start[lo] if lo < len(self.cum_start) else self.total

    def date_of(self, offset: int) -> date:
        """The date of day ``offset``."""
        return self.first + timedelta(days=offset)
