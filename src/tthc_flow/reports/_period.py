"""Reporting periods: a month, a quarter, six or nine months, a year, or any range of days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tthc_flow._labels import label as _label
from tthc_flow._time import VN_TZ, require_aware
from tthc_flow.errors import ConfigurationError

_ROMAN = ("I", "II", "III", "IV")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_HALF = re.compile(r"^(\d{4})-H([12])$", re.IGNORECASE)
_NINE = re.compile(r"^(\d{4})-9M$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_FIRST_DAY = date(1, 1, 2)


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Period:
    """Whole days ``first``..``last`` (both inclusive) in Asia/Ho_Chi_Minh.

    A dossier event belongs to the period when ``start_at <= moment < end_at``.

    >>> Period.parse("2026-Q3").label_vi
    'Quý III năm 2026'
    >>> Period.parse("2026-01-01..2026-09-10").last
    datetime.date(2026, 9, 10)
    """

    first: date
    last: date
    kind: str = "range"

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ConfigurationError(
                f"period ends ({self.last}) before it starts ({self.first})",
                setting="Period.last",
                value=self.last,
            )
        if not (self.first >= _FIRST_DAY and self.last < date.max):
            # the moments of the first and the last day must exist in UTC too
            raise ConfigurationError(
                f"a period lies within {_FIRST_DAY}..{date.max - timedelta(1)}",
                setting="Period.first",
                value=(self.first, self.last),
            )

    # ---------------------------------------------------------------- builders
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """One calendar month."""
        return cls(date(year, month, 1), _month_end(year, month), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """Quarter 1-4."""
        if not 1 <= quarter <= 4:
            raise ConfigurationError(
                f"quarter must be 1-4, not {quarter}",
                setting="Period.quarter",
                value=quarter,
                allowed=("1", "2", "3", "4"),
            )
        first_month = 3 * (quarter - 1) + 1
        return cls(date(year, first_month, 1), _month_end(year, first_month + 2), "quarter")

    @classmethod
    def half(cls, year: int, half: int = 1) -> Period:
        """The first (1) or second (2) six months of a year."""
        if half not in (1, 2):
            raise ConfigurationError(
                f"half must be 1 or 2, not {half}",
                setting="Period.half",
                value=half,
                allowed=("1", "2"),
            )
        return cls(date(year, 6 * half - 5, 1), _month_end(year, 6 * half), "half")

    @classmethod
    def nine_months(cls, year: int) -> Period:
        """January to September (báo cáo 9 tháng)."""
        return cls(date(year, 1, 1), date(year, 9, 30), "nine_months")

    @classmethod
    def year(cls, year: int) -> Period:
        """A calendar year."""
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        """Any range of whole days, both inclusive."""
        return cls(first, last, "range")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026``, ``2026-03``, ``2026-Q3``, ``2026-H1``, ``2026-9M`` or ``2026-01-01..2026-09-10``."""
        value = text.strip()
        if m := _RANGE.match(value):
            try:
                first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            except ValueError as error:  # e.g. 2026-02-30: the shape matched, the day does not
                raise ConfigurationError(
                    f"cannot read period {text!r}: {error}", setting="Period.parse", value=text
                ) from None
            return cls.between(first, last)
        if m := _QUARTER.match(value):
            return cls.quarter(int(m[1]), int(m[2]))
        if m := _HALF.match(value):
            return cls.half(int(m[1]), int(m[2]))
        if m := _NINE.match(value):
            return cls.nine_months(int(m[1]))
        if m := _MONTH.match(value):
            if not 1 <= int(m[2]) <= 12:
                raise ConfigurationError(
                    f"no month {m[2]} in {text!r}", setting="Period.parse", value=text
                )
            return cls.month(int(m[1]), int(m[2]))
        if m := _YEAR.match(value):
            return cls.year(int(m[1]))
        raise ConfigurationError(
            f"cannot read period {text!r}; use 2026, 2026-03, 2026-Q3, 2026-H1, 2026-9M "
            "or 2026-01-01..2026-09-10",
            setting="Period.parse",
            value=text,
        )

    # ---------------------------------------------------------------- moments
    @property
    def start_at(self) -> datetime:
        """00:00 of the first day, Vietnam time (inclusive)."""
        return datetime.combine(self.first, time(0), VN_TZ)

    @property
    def end_at(self) -> datetime:
        """00:00 of the day after the last day, Vietnam time (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), VN_TZ)

    def contains(self, moment: datetime | None) -> bool:
        """Whether ``moment`` falls in the period."""
        return moment is not None and self.start_at <= moment < self.end_at

    # ---------------------------------------------------------------- labels
    @property
    def label_vi(self) -> str:
        """Vietnamese title, as printed on a report (``Quý III năm 2026``)."""
        return self.label("vi")

    @property
    def label_en(self) -> str:
        """English title (``Q3 2026``)."""
        return self.label("en")

    def label(self, lang: str = "vi") -> str:
        """The title in ``vi`` or ``en`` (``period.*`` in :mod:`tthc_flow._labels`)."""
        kind = self.kind
        if kind == "half":
            kind = "first_half" if self.first.month == 1 else "second_half"
        quarter = (self.first.month - 1) // 3
        return _label(
            f"period.{kind}",
            lang,
            first=self.first,
            last=self.last,
            year=self.first.year,
            roman=_ROMAN[quarter],
            quarter=quarter + 1,
        )

    def __str__(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def judgement_moment(period: Period, as_of: datetime | None) -> datetime:
    """When open dossiers are judged: the period end, or ``as_of`` (default now) if earlier.

    A period that has not ended yet (the current month) judges its open dossiers now, not
    at a future end where every open dossier would look overdue.
    """
    now = as_of if as_of is not None else datetime.now(VN_TZ)
    require_aware(now, "as_of")
    return min(period.end_at, now)
