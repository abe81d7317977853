"""Calendar overrides: YAML loading with located errors, Python construction, whole years."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest

from tthc_flow.calendar import (
    CalendarOverrides,
    WorkCalendar,
    WorkingHours,
    load_overrides,
    overrides_from_text,
)
from tthc_flow.errors import CalendarOverrideError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "calendar" / "overrides.yaml"


def test_example_file_loads_and_applies() -> None:
    """The shipped example: a two-day typhoon closure and morning-only Saturday service."""
    overrides = load_overrides(EXAMPLE)
    cal = WorkCalendar.vietnam(overrides=EXAMPLE)
    assert len(overrides.closures) == 2
    assert not cal.is_working_day(date(2026, 10, 27))
    assert not cal.is_working_day(date(2026, 10, 28))
    assert "bão" in (cal.non_working_reason(date(2026, 10, 27)) or "")
    assert cal.is_working_day(date(2026, 12, 5))
    assert cal.working_periods(date(2026, 12, 5)) == ((time(7, 30), time(11, 30)),)
    assert cal.add_working_days(date(2026, 10, 26), 1) == date(2026, 10, 29)
    assert cal.working_periods(date(2027, 1, 9)) == ((time(7, 30), time(11, 30)),)
    # the national calendar is untouched
    assert WorkCalendar.vietnam().is_working_day(date(2026, 10, 27))


def test_unquoted_times_are_accepted() -> None:
    """YAML 1.1 reads 13:00 as 780; it is taken as minutes since midnight."""
    overrides = overrides_from_text(
        "extra_working_days:\n  - date: 2026-12-05\n    reason: x\n    periods:\n      - {start: 13:00, end: 16:30}\n"
    )
    periods = overrides.extra_working_days[0].periods
    assert (
        periods is not None and periods[0].start == time(13, 0) and periods[0].end == time(16, 30)
    )


@pytest.mark.parametrize(
    ("text", "line", "column", "field", "message"),
    [
        (
            "closures:\n  - date: 2026-10-27\n    reson: bão\n",
            3,
            12,
            "closures[0].reson",
            "unknown key",
        ),
        (
            "closures:\n  - date: 2026-10-27\n    reason: bão\n  - date: 2026-13-01\n    reason: x\n",
            4,
            11,
            "closures[1].date",
            "",
        ),
        (
            "extra_working_days:\n  - date: 2026-12-05\n",
            2,
            5,
            "extra_working_days[0].reason",
            "required key is missing",
        ),
        (
            "closures:\n  - date: 2026-10-27\n    reason: '  '\n",
            3,
            13,
            "closures[0].reason",
            "blank",
        ),
        (
            "closures:\n  - date: 2026-12-05\n    reason: a\nextra_working_days:\n  - date: 2026-12-05\n    reason: b\n",
            5,
            11,
            "extra_working_days[0].date",
            "both as a non-working and a working day",
        ),
        (
            "closures:\n  - from: 2026-12-01\n    to: 2026-12-07\n    reason: a\nextra_working_days:\n  - date: 2026-12-05\n    reason: b\n",
            6,
            11,
            "extra_working_days[0].date",
            "closures[0].from",
        ),
        (
            "closures:\n  - from: 2026-12-07\n    to: 2026-12-01\n    reason: a\n",
            2,
            5,
            "closures[0]",
            "before from",
        ),
        (
            "years:\n  2031:\n    holidays:\n      - {date: 2032-01-01, reason: a}\n",
            4,
            16,
            "years.2031.holidays[0].date",
            "not in 2031",
        ),
    ],
)
def test_bad_files_name_file_line_column_and_field(
    tmp_path: Path, text: str, line: int, column: int, field: str, message: str
) -> None:
    """Unknown key, bad date, missing reason, a day both closed and worked, and more."""
    path = tmp_path / "agency.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarOverrideError) as info:
        load_overrides(path)
    located = {p.field: p for p in info.value.problems}
    assert field in located, info.value.problems
    problem = located[field]
    assert (problem.file, problem.line, problem.column) == (str(path), line, column)
    assert message in problem.message
    assert str(path) in str(info.value)


def test_unreadable_and_non_mapping(tmp_path: Path) -> None:
    """A missing file or a YAML list is reported, not crashed on."""
    with pytest.raises(CalendarOverrideError, match="cannot read"):
        load_overrides(tmp_path / "missing.yaml")
    with pytest.raises(CalendarOverrideError, match="mapping"):
        overrides_from_text("- 1\n- 2\n")


def test_python_construction_checks_conflicts() -> None:
    """Built in Python, the same contradictions are refused."""
    with pytest.raises(CalendarOverrideError, match="both as a non-working and a working day"):
        CalendarOverrides.model_validate(
            dict(
                closures=[{"date": "2026-12-05", "reason": "a"}],
                extra_working_days=[{"date": "2026-12-05", "reason": "b"}],
            )
        )
    with pytest.raises(CalendarOverrideError, match="reason") as caught:
        CalendarOverrides.model_validate(dict(closures=[{"date": "2026-12-05"}]))
    assert caught.value.first.field == "closures[0].reason"
    with pytest.raises(CalendarOverrideError) as caught:
        CalendarOverrides(extra_working_days=[{"date": "2026-12-05", "reason": " "}])
    assert caught.value.first.field == "extra_working_days[0].reason"
    assert caught.value.first.file == "CalendarOverrides(...)"


def test_whole_year_extends_the_range() -> None:
    """A `years:` entry supplies a year's schedule and extends the covered range to it."""
    year = WorkCalendar.vietnam().last_day.year + 1
    new_year = date(year, 1, 1)
    saturday = new_year + timedelta(days=(5 - new_year.weekday()) % 7)
    overrides = CalendarOverrides.model_validate(
        dict(
            years={
                year: {
                    "holidays": [{"date": new_year, "reason": "Tết Dương lịch"}],
                    "working_days": [{"date": saturday, "reason": "Làm bù"}],
                }
            }
        )
    )
    cal = WorkCalendar.vietnam(overrides=overrides)
    assert cal.last_day == date(year, 12, 31)
    assert cal.is_working_day(saturday)
    assert not cal.is_working_day(saturday + timedelta(days=1))
    if new_year.weekday() < 5:
        assert cal.non_working_reason(new_year) == "Tết Dương lịch"


def test_year_entry_replaces_package_data() -> None:
    """For a year inside the range, the entry replaces holidays' (estimated) data entirely."""
    overrides = CalendarOverrides.model_validate(
        dict(years={2030: {"holidays": [{"date": "2030-01-02", "reason": "x"}]}})
    )
    cal = WorkCalendar.vietnam(overrides=overrides)
    assert cal.is_working_day(date(2030, 1, 1))  # dropped: the entry lists the whole year
    assert not cal.is_working_day(date(2030, 1, 2))
    assert not WorkCalendar.vietnam().is_working_day(date(2030, 1, 1))


def test_opting_out_of_a_holiday() -> None:
    """An agency that must work on a holiday lists it as an extra working day."""
    overrides = CalendarOverrides.model_validate(
        dict(extra_working_days=[{"date": "2026-11-24", "reason": "Trực"}])
    )
    assert WorkCalendar.vietnam(overrides=overrides).is_working_day(date(2026, 11, 24))


@pytest.mark.parametrize(
    ("years", "message"),
    [
        ("2200", "outside 1990..2100"),
        ("0", "outside 1990..2100"),
        ("2090", "leaves a gap"),
        ("2005", "leaves a gap"),
    ],
)
def test_override_years_are_checked_where_written(years: str, message: str) -> None:
    """A year the calendar could not cover is reported at its key, not at build time."""
    text = f"closures: []\nyears:\n  {years}: {{}}\n"
    with pytest.raises(CalendarOverrideError, match=message) as caught:
        overrides_from_text(text, "agency.yaml")
    problem = caught.value.first
    value_column = len(f"  {years}: ") + 1  # a key's problem points at its value
    assert (problem.file, problem.line, problem.column) == ("agency.yaml", 3, value_column)
    assert problem.field == f"years.{years}"


def test_adjacent_years_extend_the_covered_years() -> None:
    last = WorkCalendar.vietnam().last_day.year
    text = f"years:\n  {last + 2}: {{}}\n  {last + 1}: {{}}\n"
    assert WorkCalendar.vietnam(overrides=overrides_from_text(text)).last_day.year == last + 2


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (
            "closures:\n  - {date: 2001-05-02, reason: x}\n",
            "closures[0].date",
            "outside the calendar's years",
        ),
        (
            "extra_working_days:\n  - {date: 2099-05-02, reason: x}\n",
            "extra_working_days[0].date",
            "would be ignored",
        ),
        (
            "years:\n  2026:\n    working_days:\n      - {date: 2026-05-04, reason: x}\n",
            "years.2026.working_days[0].date",
            "Monday, already a working day",
        ),
        (
            "years:\n  2026:\n    holidays:\n      - {date: 2026-05-02, reason: x}\n",
            "years.2026.holidays[0].date",
            "Saturday, already a day off",
        ),
    ],
)
def test_days_the_calendar_would_ignore_are_errors(text: str, field: str, message: str) -> None:
    with pytest.raises(CalendarOverrideError, match=message) as caught:
        overrides_from_text(text, "agency.yaml")
    assert caught.value.first.field == field
    assert caught.value.first.line is not None


AGENCY = """\
working_hours:
  - {start: "08:00", end: "11:30"}
  - {start: "13:30", end: "17:00"}
saturday_service:
  - from: 2026-04-01
    until: 2026-05-31
    reason: "Bộ phận Một cửa tiếp nhận hồ sơ sáng thứ Bảy"
    periods: [{start: "07:30", end: "11:30"}]
  - from: 2023-04-22
    until: 2023-04-30
    reason: "Tiếp nhận hồ sơ thứ Bảy"
    periods: [{start: "07:30", end: "11:30"}]
closures:
  - {date: 2026-05-16, reason: "Mất điện"}
"""


def test_agency_hours_and_recurring_saturday_service() -> None:
    cal = WorkCalendar.vietnam(overrides=overrides_from_text(AGENCY))
    assert cal.working_periods(date(2026, 4, 6)) == (
        (time(8), time(11, 30)),
        (time(13, 30), time(17)),
    )
    assert cal.working_periods(date(2026, 4, 4)) == ((time(7, 30), time(11, 30)),)  # Saturday
    assert cal.is_working_day(date(2026, 5, 9))
    assert cal.is_working_day(date(2023, 4, 22))
    assert not cal.is_working_day(date(2023, 4, 29))  # a Saturday, but Hùng Kings' day
    assert not cal.is_working_day(date(2026, 5, 16))  # closed: a closure wins
    assert not cal.is_working_day(date(2026, 6, 6))  # after `until`
    assert not cal.is_working_day(date(2026, 4, 5))  # Sundays are not served
    explicit = WorkingHours(periods=[{"start": "07:00", "end": "11:00"}])
    mine = WorkCalendar.vietnam(overrides=overrides_from_text(AGENCY), working_hours=explicit)
    assert mine.working_hours == explicit


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (
            "saturday_service:\n  - {from: 2026-05-01, until: 2026-04-01, reason: x, periods: [{start: '07:30', end: '11:30'}]}\n",
            "saturday_service[0]",
        ),
        (
            "saturday_service:\n  - {from: 2026-04-01, until: 2026-05-01, reason: x, periods: []}\n",
            "saturday_service[0].periods",
        ),
        ("working_hours: [{start: '13:00', end: '08:00'}]\n", "working_hours[0]"),
        ("working_hours: []\n", "working_hours"),
    ],
)
def test_bad_agency_hours_are_located(text: str, field: str) -> None:
    with pytest.raises(CalendarOverrideError) as caught:
        overrides_from_text(text, "agency.yaml")
    assert caught.value.first.field == field, str(caught.value)
    assert caught.value.first.line == (2 if text.startswith("saturday") else 1)
