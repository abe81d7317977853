"""The precomputed day table behind :class:`WorkCalendar`, built once per (years, overrides).

Every question the calendar answers is an array look-up in this table:

* ``work[i]``: 1 if day ``first + i`` is a working day;
* ``working``: the working days in order (as ``date`` objects and as ordinals);
* ``before[i]``: how many working days fall strictly before day ``first + i`` (length N+1).

so the n-th working day after ``d`` is ``working[before[i + 1] + n - 1]``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tthc_flow._labels import label
from tthc_flow.calendar._corrections import (
    CORRECTIONS,
    CULTURE_DAY_FIRST_YEAR,
    CULTURE_DAY_REASON_EN,
    CULTURE_DAY_REASON_VI,
)
from tthc_flow.calendar._hours import periods_as_micros
from tthc_flow.calendar._overrides import CalendarOverrides
from tthc_flow.errors import CalendarError

Micros = tuple[tuple[int, int], ...]

_WEEKEND_NAMES = {
    "vi": {day: label(f"weekday.{day}") for day in (5, 6)},
    "en_US": {5: "Saturday", 6: "Sunday"},  # a day-off reason names the whole day
}


@dataclass
class DayTable:
    """Working-day data over ``first``..``last`` (inclusive); immutable once built."""

    first: date
    last: date
    work: bytearray
    reasons: dict[int, str]  # offset -> why that day is not worked
    working_dates: list[date]
    working_ordinals: list[int]
    before: list[int]
    special_periods: dict[int, Micros]  # offset -> periods of an override working day
    # lazily derived data (numpy arrays, working-time prefix sums), shared by calendars;
    # a race only computes the same value twice
    derived: dict[Any, Any] = field(default_factory=dict)


def build_table(years: tuple[int, ...], overrides: CalendarOverrides, language: str) -> DayTable:
    """Build the table for ``years`` (plus the overrides' own years) from ``holidays``."""
    if language not in _WEEKEND_NAMES:
        raise CalendarError(f"language must be one of {sorted(_WEEKEND_NAMES)}, not {language!r}")
    replaced = set(overrides.years)
    all_years = sorted(set(years) | replaced)
    if not all_years:
        raise CalendarError("a calendar needs at least one year")
    if all_years != list(range(all_years[0], all_years[-1] + 1)):
        raise CalendarError(
            f"calendar years must be contiguous, got {all_years[0]}..{all_years[-1]} with gaps"
        )
    first, last = date(all_years[0], 1, 1), date(all_years[-1], 12, 31)
    lo = first.toordinal()
    size = last.toordinal() - lo + 1
    weekend = _WEEKEND_NAMES[language]

    work = bytearray(1 if (first + timedelta(days=i)).weekday() < 5 else 0 for i in range(size))
    reasons: dict[int, str] = {}
    for i in range(size):
        if not work[i]:
            reasons[i] = weekend[(first + timedelta(days=i)).weekday()]

    def set_day(day: date, working: bool, reason: str | None = None) -> None:
        i = day.toordinal() - lo
        if 0 <= i < size:
            work[i] = 1 if working else 0
            if working:
                reasons.pop(i, None)
            elif reason:
                reasons[i] = reason

    def national(day: date) -> bool:
        return first <= day <= last and day.year not in replaced

    # Ask holidays for one year more on each side: a swap announced in one year may move a
    # working day into the next (e.g. 31/12/2018 off, Saturday 05/01/2019 worked).
    package_years = [y for y in range(all_years[0] - 1, all_years[-1] + 2) if y <= 2100]
    import holidays  # on the first table built, not on import (15 ms: docs/performance.md)

    vn = holidays.country_holidays("VN", years=package_years, language=language)
    for day, name in vn.items():
        if national(day):
            set_day(day, False, name)
    for day in vn.weekend_workdays:
        if national(day) and day.weekday() >= 5:
            set_day(day, True)
    for fix in CORRECTIONS:
        if national(fix.day):
            set_day(fix.day, fix.working, fix.reason_vi if language == "vi" else fix.reason_en)
    culture = CULTURE_DAY_REASON_VI if language == "vi" else CULTURE_DAY_REASON_EN
    for year in all_years:
        day = date(year, 11, 24)
        if year >= CULTURE_DAY_FIRST_YEAR and national(day):
            set_day(day, False, culture)

    for schedule in overrides.years.values():
        for item in schedule.holidays:
            set_day(item.date, False, item.reason)
        for item in schedule.working_days:
            set_day(item.date, True)
    special: dict[int, Micros] = {}
    saturday = weekend[5]
    for service in overrides.saturday_service:
        hours = periods_as_micros(service.periods)
        for day in service.saturdays():
            i = day.toordinal() - lo
            if 0 <= i < size and not work[i] and reasons.get(i) == saturday:  # not a holiday
                set_day(day, True)
                special[i] = hours
    for closure in overrides.closures:
        for day in closure.days():
            set_day(day, False, closure.reason)
    for extra in overrides.extra_working_days:
        set_day(extra.date, True)
        i = extra.date.toordinal() - lo
        if 0 <= i < size:
            if extra.periods is not None:
                special[i] = periods_as_micros(extra.periods)
            else:
                special.pop(i, None)  # the calendar's ordinary hours

    working_ordinals = [lo + i for i in range(size) if work[i]]
    before = [0] * (size + 1)
    count = 0
    for i in range(size):
        before[i] = count
        count += work[i]
    before[size] = count
    return DayTable(
        first=first,
        last=last,
        work=work,
        reasons=reasons,
        working_dates=[date.fromordinal(o) for o in working_ordinals],
        working_ordinals=working_ordinals,
        before=before,
        special_periods=special,
    )


_CACHE: dict[tuple[tuple[int, ...], str, str], DayTable] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32


def cached_table(years: tuple[int, ...], overrides: CalendarOverrides, language: str) -> DayTable:
    """:func:`build_table`, memoised: building takes milliseconds, a look-up microseconds."""
    key = (years, overrides.cache_key(), language)
    table = _CACHE.get(key)
    if table is None:
        table = build_table(years, overrides, language)
        with _CACHE_LOCK:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))  # oldest first: dicts keep insertion order
            _CACHE[key] = table
    return table
