"""Working hours: the clock periods of a working day.

No national text fixes the clock times of state agencies: Decision 188/1999/QĐ-TTg sets the
40-hour, Monday-Friday week (8 hours a day), and each province's People's Committee sets
the hours (e.g. 07:30-11:30 and 13:00-17:00 in Yên Bái, QĐ 1959/QĐ-UBND 2023; seasonal
hours in Vĩnh Phúc, QĐ 873/QĐ-UBND 2020). So the periods are per-agency configuration; the
default is the common 07:30-11:30, 13:00-17:00.
"""

from __future__ import annotations

from datetime import time, timedelta
from itertools import pairwise
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic._internal._model_construction import ModelMetaclass

from tthc_flow._located import python_problems
from tthc_flow.errors import InputError


class _LibraryErrorsMeta(ModelMetaclass):
    # Wraps `Model(...)` calls from user code only: pydantic validates nested models without
    # calling the class, so nested errors keep their paths (an overridden __init__ would be
    # called for nested models too and turn their errors into one opaque message).
    def __call__(cls, *args: Any, **data: Any) -> Any:
        try:
            return super().__call__(*args, **data)
        except ValidationError as exc:
            raise cls._library_error(exc, data) from None  # type: ignore[attr-defined]


class LibraryErrors(BaseModel, metaclass=_LibraryErrorsMeta):
    """Base of the calendar's models: built in Python (``WorkingHours(periods=[])``,
    ``CalendarOverrides.model_validate(data)``), bad values raise :attr:`error`, a
    :class:`~tthc_flow.errors.TthcError` listing every problem, not pydantic's own error.
    The YAML loaders validate with :meth:`_validate_located` to keep file and line."""

    error: ClassVar[type[InputError]] = InputError

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        try:
            return super().model_validate(obj, **options)
        except ValidationError as exc:
            raise cls._library_error(exc, obj) from None

    @classmethod
    def _validate_located(cls, obj: Any, context: dict[str, Any] | None = None) -> Self:
        """Validate and let pydantic's error through, for the loaders to locate in the file."""
        return super().model_validate(obj, context=context)

    @classmethod
    def _library_error(cls, exc: ValidationError, data: Any) -> InputError:
        problems = python_problems(exc, data, f"{cls.__name__}(...)")
        return cls.error(problems, f"invalid {cls.__name__}")


def _parse_clock(value: Any) -> Any:
    # PyYAML reads an unquoted 13:00 as the base-60 integer 780 (YAML 1.1), which happens to
    # be minutes since midnight; accept it so users need not quote times in YAML files.
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= 24 * 60:
            raise ValueError("a clock time must be between 00:00 and 24:00")
        if value == 24 * 60:
            return time.max
        return time(value // 60, value % 60)
    if isinstance(value, str) and value.strip() == "24:00":
        return time.max
    return value


class WorkingPeriod(LibraryErrors):
    """One working period of a day, ``[start, end)`` in local (Asia/Ho_Chi_Minh) clock time.

    >>> WorkingPeriod(start="07:30", end="11:30").duration
    datetime.timedelta(seconds=14400)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: time
    end: time

    _normalise = field_validator("start", "end", mode="before")(_parse_clock)

    @model_validator(mode="after")
    def _ordered(self) -> WorkingPeriod:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("period times are local clock times; give them without a time zone")
        if not self.start < self.end:
            raise ValueError(f"period start {self.start} must be before its end {self.end}")
        return self

    @property
    def duration(self) -> timedelta:
        """Length of the period."""
        return timedelta(microseconds=_micros(self.end) - _micros(self.start))


def _micros(t: time) -> int:
    if t == time.max:  # "24:00": the period runs to midnight
        return 86_400_000_000
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def periods_as_micros(periods: tuple[WorkingPeriod, ...]) -> tuple[tuple[int, int], ...]:
    """``((start_us, end_us), ...)`` since local midnight: the form the calendar computes with."""
    return tuple((_micros(p.start), _micros(p.end)) for p in periods)


def check_periods(periods: tuple[WorkingPeriod, ...]) -> tuple[WorkingPeriod, ...]:
    """Sort periods and reject overlaps (shared by WorkingHours and override entries)."""
    ordered = tuple(sorted(periods, key=lambda p: p.start))
    for before, after in pairwise(ordered):
        if after.start < before.end:
            raise ValueError(
                f"periods {before.start}-{before.end} and {after.start}-{after.end} overlap"
            )
    return ordered


DEFAULT_PERIODS: tuple[WorkingPeriod, ...] = (
    WorkingPeriod(start=time(7, 30), end=time(11, 30)),
    WorkingPeriod(start=time(13, 0), end=time(17, 0)),
)


class WorkingHours(LibraryErrors):
    """The working periods of an ordinary working day (default 07:30-11:30, 13:00-17:00).

    Days added by overrides (e.g. a Saturday service desk) may carry their own periods.

    >>> WorkingHours().hours_per_day
    datetime.timedelta(seconds=28800)
    >>> WorkingHours(periods=[{"start": "08:00", "end": "12:00"}]).hours_per_day.seconds // 3600
    4
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    periods: tuple[WorkingPeriod, ...] = DEFAULT_PERIODS

    @field_validator("periods")
    @classmethod
    def _valid(cls, value: tuple[WorkingPeriod, ...]) -> tuple[WorkingPeriod, ...]:
        if not value:
            raise ValueError("at least one working period is required")
        return check_periods(value)

    @property
    def hours_per_day(self) -> timedelta:
        """Total working time of an ordinary working day."""
        return sum((p.duration for p in self.periods), timedelta())
