"""``WorkCalendar``: working days and working hours of Vietnamese state agencies."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tthc_flow._time import VN_TZ, to_vn
from tthc_flow.calendar._hours import WorkingHours, periods_as_micros
from tthc_flow.calendar._overrides import CalendarOverrides, default_years, load_overrides
from tthc_flow.calendar._table import DayTable, Micros, cached_table
from tthc_flow.errors import CalendarError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_DAY_US = 86_400_000_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # numpy datetime64[D] counts days from here
_ONE_US = timedelta(microseconds=1)


class WorkCalendar:
    """Working days and working hours of Vietnamese state agencies.

    Build it with :meth:`vietnam`. Conventions (the engine and ``tthc due`` rely on them):

    * ``add_working_days(start, n)``: ``start`` is not counted; the result is the n-th
      working day after it. ``n = 0`` rolls ``start`` forward to a working day; negative
      ``n`` gives the |n|-th working day before ``start``.
    * ``working_days_between(a, b)`` counts the working days in ``(a, b]``; when ``b < a``
      it is minus the count in ``[b, a)`` (the mirror image: walking back from ``a``,
      ``a`` is not counted and ``b`` is), so that
      ``add_working_days(a, working_days_between(a, b)) == b`` whenever ``b`` is a
      working day.
    * Working days and working hours are separate units: a working day is never 24 hours;
      :attr:`hours_per_day` gives the length of an ordinary working day (8 h by default).

    >>> cal = WorkCalendar.vietnam()
    >>> cal.add_working_days(date(2024, 4, 26), 1)  # Mon 29/4 swapped off, 30/4 and 1/5 holidays
    datetime.date(2024, 5, 2)
    >>> cal.is_working_day(date(2024, 5, 4))  # the Saturday worked in exchange for 29/4
    True
    """

    __slots__ = (
        "_before",
        "_day_length",
        "_hours",
        "_last",
        "_lo",
        "_micros",
        "_prefix",
        "_table",
        "_work",
        "_working",
        "_working_ordinals",
    )

    def __init__(self, table: DayTable, working_hours: WorkingHours | None = None) -> None:
        """Wrap a precomputed table; use :meth:`vietnam` rather than calling this directly."""
        self._table = table
        self._hours = working_hours or WorkingHours()
        self._micros: Micros = periods_as_micros(self._hours.periods)
        self._day_length = timedelta(microseconds=sum(e - s for s, e in self._micros))
        self._prefix: list[int] | None = None  # _elapsed_prefix(), once asked
        self._lo = table.first.toordinal()
        self._last = table.last.toordinal() - self._lo
        self._work = table.work
        self._before = table.before
        self._working = table.working_dates
        self._working_ordinals = table.working_ordinals

    @classmethod
    def vietnam(
        cls,
        years: Iterable[int] | None = None,
        overrides: CalendarOverrides | str | Path | None = None,
        working_hours: WorkingHours | None = None,
        *,
        language: str = "vi",
    ) -> WorkCalendar:
        """The national calendar of state agencies, Monday-Friday, Asia/Ho_Chi_Minh.

        Public holidays and the government's swapped working Saturdays come from the
        ``holidays`` package plus the sourced corrections in ``_corrections.py``;
        ``overrides`` (a :class:`CalendarOverrides` or the path of a YAML file) adds an
        agency's closures, extra working days, Saturday service and working hours, or
        whole years not yet published. ``working_hours`` given here wins over the
        overrides' ``working_hours``.
        ``years`` defaults to :func:`default_years`; dates outside the covered years raise
        :class:`~tthc_flow.errors.CalendarError`. ``language`` ("vi" or "en_US") is the
        language of the reasons given for days off.

        Tables are cached per (years, overrides, language), so calling this per request or
        per test is cheap.
        """
        if isinstance(overrides, str | Path):
            overrides = load_overrides(overrides)
        elif overrides is None:
            overrides = _NO_OVERRIDES
        wanted = tuple(sorted(set(default_years() if years is None else years)))
        if working_hours is None and overrides.working_hours is not None:
            working_hours = WorkingHours(periods=overrides.working_hours)
        return cls(cached_table(wanted, overrides, language), working_hours)

    # ------------------------------------------------------------------ range and days

    @property
    def first_day(self) -> date:
        """First day covered (1 January of the first year)."""
        return self._table.first

    @property
    def last_day(self) -> date:
        """Last day covered (31 December of the last year)."""
        return self._table.last

    def _offset(self, d: date) -> int:
        if type(d) is not date:
            d = as_vn_date(d)
        i = d.toordinal() - self._lo
        if i < 0 or i > self._last:
            raise self._outside(d)
        return i

    def _outside(self, d: date) -> CalendarError:
        return CalendarError(
            f"{d} is outside the calendar's range {self.first_day}..{self.last_day}; "
            f"build it with WorkCalendar.vietnam(years=...) covering that year, or give "
            f"the year's schedule in the overrides' `years:` section"
        )

    def is_working_day(self, d: date) -> bool:
        """True if ``d`` is a working day of state agencies.

        >>> WorkCalendar.vietnam().is_working_day(date(2025, 9, 1))  # National Day holiday
        False
        """
        return self._work[self._offset(d)] == 1

    def non_working_reason(self, d: date) -> str | None:
        """Why ``d`` is not worked ("Thứ Bảy", a holiday's name, an override's reason), or None.

        >>> WorkCalendar.vietnam(language="en_US").non_working_reason(date(2026, 1, 3))
        'Saturday'
        """
        i = self._offset(d)
        return None if self._work[i] else self._table.reasons.get(i, "")

    def days_off_between(self, a: date, b: date) -> list[tuple[date, str]]:
        """The non-working days, with reasons, that :meth:`working_days_between` skips.

        That is the days in ``(a, b]``, or in ``[b, a)`` when ``b < a``, in date order.
        """
        ia, ib = self._offset(a), self._offset(b)
        lo, hi = (ia + 1, ib) if ib >= ia else (ib, ia - 1)
        reasons = self._table.reasons
        return [
            (date.fromordinal(self._lo + i), reasons.get(i, ""))
            for i in range(lo, hi + 1)
            if not self._work[i]
        ]

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` not counted); see the class notes.

        >>> cal = WorkCalendar.vietnam()
        >>> cal.add_working_days(date(2025, 1, 24), 1)  # Tết Ất Tỵ: off 25/1-2/2
        datetime.date(2025, 2, 3)
        >>> cal.add_working_days(date(2025, 1, 26), 0), cal.add_working_days(date(2025, 2, 3), -1)
        (datetime.date(2025, 2, 3), datetime.date(2025, 1, 24))
        """
        if type(start) is not date:
            start = as_vn_date(start, "start")
        if type(n) is not int:
            n = _count(n)
        i = start.toordinal() - self._lo
        if i < 0 or i > self._last:
            raise self._outside(start)
        k = self._before[i + 1] + n - 1 if n > 0 else self._before[i] + n
        if k < 0 or k >= len(self._working):
            raise self._beyond(start, n)
        return self._working[k]

    def _beyond(self, start: date, n: int) -> CalendarError:
        return CalendarError(
            f"{n} working days from {start} falls outside the calendar's range "
            f"{self.first_day}..{self.last_day}"
        )

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in ``(a, b]``; minus those in ``[b, a)`` when ``b < a``.

        >>> WorkCalendar.vietnam().working_days_between(date(2024, 4, 26), date(2024, 5, 6))
        4
        """
        ia, ib = self._offset(a), self._offset(b)
        before = self._before
        if ib >= ia:
            return before[ib + 1] - before[ia + 1]
        return before[ib] - before[ia]

    def add_working_days_many(self, starts: Any, ns: Any) -> Any:
        """Vectorised :meth:`add_working_days` for simulations and reports.

        ``starts`` is a sequence of dates or a numpy ``datetime64`` array; ``ns`` an int or a
        sequence/array of ints of the same length. With a numpy array as ``starts`` the
        result is a ``datetime64[D]`` array (numpy is the optional ``fast`` extra);
        otherwise a list of dates. Results equal the scalar form's, swapped Saturdays
        included.
        """
        np_mod = _numpy()
        if np_mod is not None and isinstance(starts, np_mod.ndarray):
            return self._many_numpy(np_mod, starts, ns)
        starts_list: Sequence[date] = [
            d if type(d) is date else as_vn_date(d, "starts[]") for d in starts
        ]
        counts: Sequence[int] = (
            [n if type(n) is int else _count(n) for n in ns]
            if isinstance(ns, Iterable)
            else [_count(ns)] * len(starts_list)
        )
        if len(counts) != len(starts_list):
            raise CalendarError(f"{len(starts_list)} starts but {len(counts)} counts")
        lo, last, before, working = self._lo, self._last, self._before, self._working
        size = len(working)
        out: list[date] = []
        append = out.append
        for start, n in zip(starts_list, counts, strict=True):
            i = start.toordinal() - lo
            if i < 0 or i > last:
                raise self._outside(start)
            k = before[i + 1] + n - 1 if n > 0 else before[i] + n
            if k < 0 or k >= size:
                raise self._beyond(start, n)
            append(working[k])
        return out

    def _many_numpy(self, np: Any, starts: Any, ns: Any) -> npt.NDArray[np.datetime64]:
        before, working = self._numpy_arrays(np)
        if starts.dtype.kind == "M":
            offsets = starts.astype("datetime64[D]").astype(np.int64) - (self._lo - _EPOCH_ORDINAL)
        else:
            offsets = np.fromiter((d.toordinal() for d in starts), np.int64, len(starts)) - self._lo
        given = np.asarray(ns)
        if given.dtype.kind not in "iu":
            raise CalendarError(
                f"counts must be whole numbers, not an array of {given.dtype}; "
                "for fractions of a day use add_working_time with working hours"
            )
        try:
            counts = np.broadcast_to(given.astype(np.int64), offsets.shape)
        except ValueError:
            raise CalendarError(f"{len(offsets)} starts but {given.size} counts") from None
        bad = (offsets < 0) | (offsets > self._last)
        if bad.any():
            first_bad = int(np.argmax(bad))
            raise self._outside(date.fromordinal(int(offsets[first_bad]) + self._lo))
        positive = (counts > 0).astype(np.int64)
        k = before[offsets + positive] + counts - positive
        bad = (k < 0) | (k >= len(working))
        if bad.any():
            first_bad = int(np.argmax(bad))
            start = date.fromordinal(int(offsets[first_bad]) + self._lo)
            raise self._beyond(start, int(counts[first_bad]))
        result: npt.NDArray[np.datetime64] = working[k].astype("datetime64[D]")
        return result

    def _numpy_arrays(self, np: Any) -> tuple[Any, Any]:
        derived = self._table.derived
        arrays = derived.get("numpy")
        if arrays is None:
            arrays = (
                np.asarray(self._before, dtype=np.int64),
                np.asarray(self._working_ordinals, dtype=np.int64) - _EPOCH_ORDINAL,
            )
            derived["numpy"] = arrays
        return arrays

    # ------------------------------------------------------------------ working hours

    @property
    def working_hours(self) -> WorkingHours:
        """The ordinary working periods of this calendar."""
        return self._hours

    @property
    def hours_per_day(self) -> timedelta:
        """Working time of an ordinary working day (8 h by default), not 24 h."""
        return self._day_length

    def working_periods(self, d: date) -> tuple[tuple[time, time], ...]:
        """The working periods of ``d`` as local clock times (empty on a day off)."""
        return tuple((_clock(s), _clock(e)) for s, e in self._periods(self._offset(d)))

    def _periods(self, i: int) -> Micros:
        if not self._work[i]:
            return ()
        return self._table.special_periods.get(i, self._micros)

    def _split(self, dt: datetime, name: str) -> tuple[int, int]:
        local = to_vn(dt, name)
        i = self._offset(local.date())
        us = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000
        return i, us + local.microsecond

    def _join(self, i: int, us: int) -> datetime:
        day = date.fromordinal(self._lo + i)
        seconds, micro = divmod(us, 1_000_000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        if hour < 24:  # one constructor call: half the cost of midnight + timedelta
            return datetime(day.year, day.month, day.day, hour, minute, second, micro, VN_TZ)
        return datetime(day.year, day.month, day.day, tzinfo=VN_TZ) + timedelta(microseconds=us)

    def _elapsed_prefix(self) -> list[int]:
        # Working microseconds before each day, for these working hours; shared via the table.
        prefix = self._prefix
        if prefix is not None:
            return prefix
        key = ("elapsed", self._micros)
        derived = self._table.derived
        prefix = derived.get(key)
        if prefix is None:
            prefix = [0] * (self._last + 2)
            total = 0
            for i in range(self._last + 1):
                prefix[i] = total
                total += sum(e - s for s, e in self._periods(i))
            prefix[self._last + 1] = total
            derived[key] = prefix
        self._prefix = prefix
        return prefix

    def _elapsed(self, i: int, us: int) -> int:
        done = self._elapsed_prefix()[i]
        for s, e in self._periods(i):
            if us >= e:
                done += e - s
            elif us > s:
                done += us - s
        return done

    def next_working_moment(self, dt: datetime) -> datetime:
        """``dt`` itself (in Vietnam time) if inside a working period, else the next period's start.

        Periods are half-open: at 11:30 sharp the next working moment is 13:00.

        >>> cal = WorkCalendar.vietnam()
        >>> cal.next_working_moment(datetime(2026, 11, 20, 17, 0, tzinfo=VN_TZ)).isoformat()
        '2026-11-23T07:30:00+07:00'
        """
        return self._join(*self._next_working(*self._split(dt, "dt")))

    def _next_working(self, i: int, us: int) -> tuple[int, int]:
        # next_working_moment as (day index, microseconds of the day)
        for s, e in self._periods(i):
            if us < e:
                return i, max(us, s)
        k = self._before[i + 1]
        if k >= len(self._working):
            raise self._beyond(date.fromordinal(self._lo + i), 1)
        j = self._working_ordinals[k] - self._lo
        return j, self._periods(j)[0][0]

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time between two moments; negative if ``b < a``.

        >>> cal = WorkCalendar.vietnam()
        >>> a = datetime(2026, 11, 20, 16, 0, tzinfo=VN_TZ)  # a Friday
        >>> cal.working_time_between(a, a + timedelta(days=3))  # Monday 16:00
        datetime.timedelta(seconds=28800)
        """
        ia, ua = self._split(a, "a")
        ib, ub = self._split(b, "b")
        return (self._elapsed(ib, ub) - self._elapsed(ia, ua)) * _ONE_US

    def add_working_time(self, dt: datetime, delta: timedelta) -> datetime:
        """The moment when ``delta`` of working time has passed since ``dt``.

        A result that falls exactly at the end of a period stays there (13:00 + 4 h is
        17:00 the same day, not 07:30 the next); ``delta == 0`` gives
        :meth:`next_working_moment`. Negative ``delta`` counts backwards, and a result at a
        period boundary is then the period's start.

        >>> cal = WorkCalendar.vietnam()
        >>> cal.add_working_time(datetime(2026, 11, 20, 16, 0, tzinfo=VN_TZ), timedelta(hours=2)).isoformat()
        '2026-11-23T08:30:00+07:00'
        """
        amount = delta // _ONE_US
        if amount == 0:
            return self.next_working_moment(dt)
        moment = self._add_time(*self._split(dt, "dt"), amount)
        if moment is None:
            raise CalendarError(
                f"{delta} of working time from {dt.isoformat()} falls outside the calendar's "
                f"range {self.first_day}..{self.last_day}"
            )
        return self._join(*moment)

    def _add_time(self, i: int, us: int, amount: int) -> tuple[int, int] | None:
        # add_working_time on (day index, microseconds) with a non-zero amount of
        # microseconds; None when the result leaves the calendar's range
        prefix = self._elapsed_prefix()
        target = self._elapsed(i, us) + amount
        if target < 0 or target > prefix[-1]:
            return None
        if amount > 0:
            # earliest day whose end reaches the target; an exact fit ends at a period end
            j = bisect_left(prefix, target) - 1
            rest = target - prefix[j]
            for s, e in self._periods(j):
                if rest <= e - s:
                    return j, s + rest
                rest -= e - s
        else:
            # latest moment with that much working time before it: a period start on a tie
            j = bisect_right(prefix, target) - 1
            rest = target - prefix[j]
            for s, e in self._periods(j):
                if rest < e - s:
                    return j, s + rest
                rest -= e - s
        raise AssertionError("unreachable: prefix sums and periods disagree")  # pragma: no cover

    def add_working_days_at(self, dt: datetime, n: int) -> datetime:
        """Same clock time on the n-th working day after ``dt``'s date.

        ``dt`` is first moved to :meth:`next_working_moment` (a dossier received on Saturday
        counts from Monday 07:30); the result keeps that clock time on the target day, moved
        to the next working moment if that day's periods do not contain it (e.g. a
        morning-only Saturday service day). The engine uses it for due dates given in
        working days.

        >>> cal = WorkCalendar.vietnam()
        >>> cal.add_working_days_at(datetime(2026, 11, 20, 9, 15, tzinfo=VN_TZ), 1).isoformat()
        '2026-11-23T09:15:00+07:00'
        """
        if type(n) is not int:
            n = _count(n)
        i, us = self._next_working(*self._split(dt, "dt"))
        return self._join(*self._days_at(i, us, n))

    def _days_at(self, i: int, us: int, n: int) -> tuple[int, int]:
        # add_working_days_at from a working moment (i, us): day i is a working day, so its
        # n-th working day after is entry before[i] + n of the working days
        k = self._before[i] + n
        if k < 0 or k >= len(self._working):
            raise self._beyond(date.fromordinal(self._lo + i), n)
        j = self._working_ordinals[k] - self._lo
        for s, e in self._periods(j):
            if s <= us < e:
                return j, us
        return self._next_working(j, us)

    def deadlines_at(self, start: datetime, days: Sequence[float]) -> list[datetime]:
        """For each amount of working days, the moment that long after ``start``.

        A whole number of days keeps the clock time as :meth:`add_working_days_at` does; a
        fraction adds that share of an ordinary working day (:attr:`hours_per_day`) of
        working time, as :meth:`add_working_time` does. The engine's due date and its step
        deadlines (shares of the limit) come from one call, which reads ``start`` once.

        >>> cal = WorkCalendar.vietnam()
        >>> start = datetime(2026, 11, 20, 9, 15, tzinfo=VN_TZ)  # a Friday
        >>> for moment in cal.deadlines_at(start, [1, 1.5]):
        ...     print(moment.isoformat())
        2026-11-23T09:15:00+07:00
        2026-11-23T14:45:00+07:00
        """
        i, us = self._next_working(*self._split(start, "start"))
        day_us = self._day_length
        result = []
        for amount in days:
            whole = int(amount)
            moment = self._days_at(i, us, whole) if whole else (i, us)
            fraction = amount - whole
            if fraction:
                extra = (day_us * fraction) // _ONE_US
                if extra:
                    shifted = self._add_time(*moment, extra)
                    if shifted is None:
                        raise CalendarError(
                            f"{amount} working days from {start.isoformat()} falls outside "
                            f"the calendar's range {self.first_day}..{self.last_day}"
                        )
                    moment = shifted
            result.append(self._join(*moment))
        return result

    def __repr__(self) -> str:
        return f"WorkCalendar({self.first_day}..{self.last_day}, hours={self.hours_per_day})"


def as_vn_date(value: Any, name: str = "d") -> date:
    """The calendar date of ``value``: a ``date`` as is, an aware ``datetime`` as its date in
    Vietnam time (23:00 UTC on Sunday is Monday in Hà Nội). Naive datetimes are rejected with
    :class:`~tthc_flow.errors.NaiveDatetimeError`: their day is ambiguous.

    >>> from datetime import timezone
    >>> as_vn_date(datetime(2026, 1, 4, 20, tzinfo=timezone.utc))
    datetime.date(2026, 1, 5)
    """
    if isinstance(value, datetime):
        return to_vn(value, name).date()
    if isinstance(value, date):
        return value
    raise CalendarError(f"{name} must be a date or an aware datetime, not {type(value).__name__}")


def _count(n: Any) -> int:
    """A number of working days: an int (numpy integers included), never a float or bool."""
    if isinstance(n, bool) or not hasattr(n, "__index__"):
        raise CalendarError(
            f"a number of working days must be a whole number, not {n!r}; "
            "for fractions of a day use add_working_time with working hours"
        )
    return int(n)


def _clock(us: int) -> time:
    if us >= _DAY_US:
        return time.max
    seconds, micro = divmod(us, 1_000_000)
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)


_NO_OVERRIDES = CalendarOverrides()

_NUMPY: list[Any] = []


def _numpy() -> Any:
    """numpy if installed (the optional ``fast`` extra), else None; imported on first use."""
    if not _NUMPY:
        try:
            import numpy
        except ImportError:  # pragma: no cover - depends on the environment
            _NUMPY.append(None)
        else:
            _NUMPY.append(numpy)
    return _NUMPY[0]
