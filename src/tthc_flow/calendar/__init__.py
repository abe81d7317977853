"""The Vietnamese working-day calendar: public holidays, swapped Saturdays, working hours.

>>> from datetime import date
>>> cal = WorkCalendar.vietnam()
>>> cal.add_working_days(date(2026, 8, 28), 1)  # 29/8-2/9/2026 off (31/8 swapped with 22/8)
datetime.date(2026, 9, 3)
"""

from tthc_flow.calendar._core import WorkCalendar
from tthc_flow.calendar._hours import WorkingHours, WorkingPeriod
from tthc_flow.calendar._overrides import (
    CalendarOverrides,
    Closure,
    DatedReason,
    ExtraWorkingDay,
    SaturdayService,
    YearSchedule,
    default_years,
    load_overrides,
    overrides_from_text,
)

__all__ = [
    "CalendarOverrides",
    "Closure",
    "DatedReason",
    "ExtraWorkingDay",
    "SaturdayService",
    "WorkCalendar",
    "WorkingHours",
    "WorkingPeriod",
    "YearSchedule",
    "default_years",
    "load_overrides",
    "overrides_from_text",
]
