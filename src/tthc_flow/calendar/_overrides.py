"""Calendar overrides: an agency's closures, extra working days and whole future years.

Overrides are written by people (YAML) or built in Python; every entry needs a reason, so
that ``tthc due`` can say why a day was skipped or worked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tthc_flow._located import LocatedDocument, validation_problems
from tthc_flow._time import VN_TZ
from tthc_flow.calendar._hours import LibraryErrors, WorkingPeriod, check_periods
from tthc_flow.errors import CalendarOverrideError, Problem

YEAR_RANGE = range(1990, 2101)
"""Years an override may describe: the ``holidays`` package computes Vietnam's lunar holidays
up to 2100, and no dossier predates 1990. ``years: {0: ...}`` or ``{2200: ...}`` is a typo."""


def default_years() -> range:
    """2015 to five years after the current year (Vietnam time).

    Years after the latest official schedule are estimates from the ``holidays`` package's
    rules (public holidays and weekend compensation, but no future swaps).
    """
    return range(2015, dt.datetime.now(VN_TZ).year + 6)


_SKIP_CONFLICTS = "skip_conflicts"
"""Validation-context flag: ``load_overrides`` reports conflicts itself, located in the file."""


class _Overrides(LibraryErrors):
    error = CalendarOverrideError


class _Entry(_Overrides):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    reason: str = Field(min_length=1)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank_reason", "reason must not be blank")
        return value.strip()


class Closure(_Entry):
    """Extra non-working day(s): ``date`` or the inclusive range ``from``..``to``.

    >>> tuple(str(d) for d in Closure(**{"from": "2026-10-26", "to": "2026-10-27", "reason": "bão"}).days())
    ('2026-10-26', '2026-10-27')
    """

    date: dt.date | None = None
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Closure:
        if self.date is not None:
            if self.from_ is not None or self.to is not None:
                raise ValueError("give either date or from/to, not both")
        elif self.from_ is None or self.to is None:
            raise ValueError("give date, or both from and to")
        elif self.to < self.from_:
            raise ValueError(f"to ({self.to}) is before from ({self.from_})")
        elif (self.to - self.from_).days > 366:
            raise ValueError("a closure range may span at most one year")
        return self

    def days(self) -> Iterator[dt.date]:
        """Every closed day, in order."""
        if self.date is not None:
            yield self.date
            return
        assert self.from_ is not None and self.to is not None
        day = self.from_
        while day <= self.to:
            yield day
            day += timedelta(days=1)


class ExtraWorkingDay(_Entry):
    """A day worked although it is normally off (e.g. Saturday service at the one-stop desk).

    ``periods`` defaults to the calendar's ordinary working hours.
    """

    date: dt.date
    periods: tuple[WorkingPeriod, ...] | None = None

    @field_validator("periods")
    @classmethod
    def _valid_periods(
        cls, value: tuple[WorkingPeriod, ...] | None
    ) -> tuple[WorkingPeriod, ...] | None:
        if value is not None:
            if not value:
                raise ValueError("periods, when given, must list at least one period")
            value = check_periods(value)
        return value


class SaturdayService(_Entry):
    """A recurring service: every Saturday from ``from`` to ``until`` (inclusive) is worked with
    ``periods`` (e.g. a one-stop desk open on Saturday mornings), except the Saturdays that
    are public holidays or compensation days, and the agency's closures.

    Which agencies open on Saturdays and when is a local decision (the provincial People's
    Committee's), not a national rule, hence configuration.
    """

    from_: dt.date = Field(alias="from")
    until: dt.date
    periods: tuple[WorkingPeriod, ...] = Field(min_length=1)

    @field_validator("periods")
    @classmethod
    def _valid_periods(cls, value: tuple[WorkingPeriod, ...]) -> tuple[WorkingPeriod, ...]:
        return check_periods(value)

    @model_validator(mode="after")
    def _ordered(self) -> SaturdayService:
        if self.until < self.from_:
            raise ValueError(f"until ({self.until}) is before from ({self.from_})")
        return self

    def saturdays(self) -> Iterator[dt.date]:
        """Every Saturday of the period, in order."""
        day = self.from_ + timedelta(days=(5 - self.from_.weekday()) % 7)
        while day <= self.until:
            yield day
            day += timedelta(days=7)


class DatedReason(_Entry):
    """A date with its reason (used in ``years``)."""

    date: dt.date


class YearSchedule(_Overrides):
    """A whole year's official schedule, for a year the ``holidays`` package does not know yet.

    It replaces that year's data from ``holidays``: ``holidays`` lists every non-working
    weekday (public holidays, compensation and swapped days), ``working_days`` every worked
    Saturday or Sunday.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    holidays: tuple[DatedReason, ...] = ()
    working_days: tuple[DatedReason, ...] = ()


class CalendarOverrides(_Overrides):
    """Agency-specific changes to the national calendar.

    >>> o = CalendarOverrides(closures=[{"date": "2026-10-27", "reason": "Bão số 12"}])
    >>> o.closures[0].reason
    'Bão số 12'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    closures: tuple[Closure, ...] = ()
    extra_working_days: tuple[ExtraWorkingDay, ...] = ()
    saturday_service: tuple[SaturdayService, ...] = ()
    working_hours: tuple[WorkingPeriod, ...] | None = None
    years: dict[int, YearSchedule] = Field(default_factory=dict)

    @field_validator("working_hours")
    @classmethod
    def _valid_hours(
        cls, value: tuple[WorkingPeriod, ...] | None
    ) -> tuple[WorkingPeriod, ...] | None:
        if value is not None:
            if not value:
                raise ValueError("working_hours, when given, must list at least one period")
            value = check_periods(value)
        return value

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> CalendarOverrides:
        context = info.context or {}
        if context.get(_SKIP_CONFLICTS):
            return self
        problems = list(self.conflicts())
        if problems:
            raise ValueError("; ".join(f"{_dotted(path)}: {msg}" for path, msg in problems))
        return self

    def conflicts(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        """Every contradiction, as (path of the offending entry, message).

        A day may not be both closed and worked, nor listed twice in one list. A ``years``
        key must lie in :data:`YEAR_RANGE` and join the default years
        (:func:`default_years`) without a gap; its entries must lie in that year, its
        ``holidays`` be weekdays and its ``working_days`` weekend days (anything else is
        already so: a typo for another date).
        Closures and extra working days must fall in the default or the overrides' years,
        where the calendar would otherwise ignore them.
        """
        yield from self._year_problems()
        off: dict[dt.date, tuple[str | int, ...]] = {}
        on: dict[dt.date, tuple[str | int, ...]] = {}
        for year, schedule in self.years.items():
            for index, item in enumerate(schedule.holidays):
                path: tuple[str | int, ...] = ("years", year, "holidays", index, "date")
                yield from _claim(item.date, path, off, on)
                if item.date.year != year:
                    yield (path, f"not in {year}")
                elif item.date.weekday() >= 5:
                    yield (path, f"{item.date} is a {_weekday(item.date)}, already a day off")
            for index, item in enumerate(schedule.working_days):
                path = ("years", year, "working_days", index, "date")
                yield from _claim(item.date, path, on, off)
                if item.date.year != year:
                    yield (path, f"not in {year}")
                elif item.date.weekday() < 5:
                    yield (
                        path,
                        f"{item.date} is a {_weekday(item.date)}, already a working day; "
                        "list only the Saturdays and Sundays that are worked",
                    )
        covered = self.covered_years()
        for index, closure in enumerate(self.closures):
            key = "date" if closure.date is not None else "from"
            for day in closure.days():
                yield from _claim(day, ("closures", index, key), off, on)
            ends = [closure.date] if closure.date else [closure.from_, closure.to]
            for end in dict.fromkeys(ends):
                if end is not None and end.year not in covered:
                    yield (("closures", index, key), _outside(end, covered))
        for index, service in enumerate(self.saturday_service):
            for key, day in (("from", service.from_), ("until", service.until)):
                if day.year not in covered:
                    yield (("saturday_service", index, key), _outside(day, covered))
        for index, extra in enumerate(self.extra_working_days):
            path = ("extra_working_days", index, "date")
            yield from _claim(extra.date, path, on, off)
            if extra.date.year not in covered:
                yield (path, _outside(extra.date, covered))

    def covered_years(self) -> range:
        """The default years extended by those of ``years`` that join them without a gap."""
        default = default_years()
        low, high = default.start, default.stop - 1
        while low - 1 in self.years and low - 1 in YEAR_RANGE:
            low -= 1
        while high + 1 in self.years and high + 1 in YEAR_RANGE:
            high += 1
        return range(low, high + 1)

    def _year_problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        covered = self.covered_years()
        for year in sorted(self.years):
            if year not in YEAR_RANGE:
                yield (
                    ("years", year),
                    f"year {year} is outside {YEAR_RANGE.start}..{YEAR_RANGE.stop - 1}",
                )
            elif year not in covered:
                yield (
                    ("years", year),
                    f"year {year} leaves a gap: the calendar covers {covered.start}.."
                    f"{covered.stop - 1}; give the years in between too",
                )

    def cache_key(self) -> str:
        """A stable text form, used to share precomputed tables between equal overrides."""
        return self.model_dump_json(by_alias=True)


def _weekday(day: dt.date) -> str:
    return day.strftime("%A")


def _outside(day: dt.date, covered: range) -> str:
    return (
        f"{day} is outside the calendar's years {covered.start}..{covered.stop - 1} and would "
        "be ignored; add that year's schedule under `years`, or correct the date"
    )


def _claim(
    day: dt.date,
    path: tuple[str | int, ...],
    mine: dict[dt.date, tuple[str | int, ...]],
    other: dict[dt.date, tuple[str | int, ...]],
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if day in other:
        yield (
            path,
            f"{day} is listed both as a non-working and a working day (see {_dotted(other[day])})",
        )
    elif day in mine:
        yield (path, f"{day} is listed twice (see {_dotted(mine[day])})")
    else:
        mine[day] = path


def _dotted(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def load_overrides(path: str | Path) -> CalendarOverrides:
    """Load and validate an overrides YAML file.

    Raises :class:`~tthc_flow.errors.CalendarOverrideError` listing every problem with its
    file, line, column and field.
    """
    from tthc_flow._yaml import load_located  # PyYAML loads on first use, not on import

    doc, problems = load_located(path)
    if problems:
        raise CalendarOverrideError(problems, f"invalid calendar overrides file {path}")
    return _validate(doc, str(path))


def overrides_from_text(text: str, name: str = "<overrides>") -> CalendarOverrides:
    """Like :func:`load_overrides`, from YAML text (``name`` is used in error messages)."""
    from tthc_flow._yaml import load_located  # PyYAML loads on first use, not on import

    doc, problems = load_located(name, text)
    if problems:
        raise CalendarOverrideError(problems, f"invalid calendar overrides {name}")
    return _validate(doc, name)


def _validate(doc: LocatedDocument, name: str) -> CalendarOverrides:
    data = {} if doc.data is None else doc.data
    if not isinstance(data, dict):
        raise CalendarOverrideError(
            [
                doc.problem(
                    (),
                    "the file must be a mapping with closures, extra_working_days, saturday_service, "
                    "working_hours, years",
                )
            ]
        )
    try:
        result = CalendarOverrides._validate_located(data, context={_SKIP_CONFLICTS: True})
    except ValidationError as exc:
        raise CalendarOverrideError(
            validation_problems(exc, doc), f"invalid calendar overrides {name}"
        ) from None
    # Keys of `years` are ints after validation but may be written as ints or strings in YAML;
    # locate them as written.
    found: list[Problem] = []
    for path, message in result.conflicts():
        located = path
        if path[0] == "years" and path[1] not in _year_keys(data):
            located = ("years", str(path[1]), *path[2:])
        found.append(doc.problem(located, message))
    if found:
        raise CalendarOverrideError(found, f"invalid calendar overrides {name}")
    return result


def _year_keys(data: dict[str, Any]) -> set[Any]:
    years = data.get("years")
    return set(years) if isinstance(years, dict) else set()
