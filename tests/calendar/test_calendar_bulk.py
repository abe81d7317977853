"""The bulk form gives the scalar form's results, with numpy arrays or plain lists."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from tthc_flow.calendar import WorkCalendar
from tthc_flow.errors import CalendarError


def _pairs(count: int) -> tuple[list[date], list[int]]:
    rng = random.Random(20261123)
    first = date(2020, 1, 1)
    starts = [first + timedelta(days=rng.randrange(7 * 365)) for _ in range(count)]
    return starts, [rng.randint(-30, 30) for _ in range(count)]


def test_list_form_matches_scalar(cal: WorkCalendar) -> None:
    """Lists in, list of dates out."""
    starts, ns = _pairs(2000)
    assert cal.add_working_days_many(starts, ns) == [
        cal.add_working_days(s, n) for s, n in zip(starts, ns, strict=True)
    ]
    assert cal.add_working_days_many(starts[:5], 3) == [
        cal.add_working_days(s, 3) for s in starts[:5]
    ]


def test_numpy_form_matches_scalar(cal: WorkCalendar) -> None:
    """datetime64 arrays in, datetime64[D] array out, swapped Saturdays included."""
    np = pytest.importorskip("numpy")
    starts, ns = _pairs(2000)
    starts += [date(2024, 4, 26), date(2026, 1, 9), date(2026, 8, 21)]  # around swaps
    ns += [1, 1, 1]
    result = cal.add_working_days_many(np.array(starts, dtype="datetime64[D]"), np.array(ns))
    assert result.dtype == np.dtype("datetime64[D]")
    assert [d.item() for d in result] == [
        cal.add_working_days(s, n) for s, n in zip(starts, ns, strict=True)
    ]
    assert result[-3:].tolist() == [date(2024, 5, 2), date(2026, 1, 10), date(2026, 8, 22)]
    objects = cal.add_working_days_many(np.array(starts[:10], dtype=object), 2)
    assert objects.tolist() == [cal.add_working_days(s, 2) for s in starts[:10]]


def test_bulk_range_errors(cal: WorkCalendar) -> None:
    """Out-of-range starts or results raise like the scalar form."""
    np = pytest.importorskip("numpy")
    with pytest.raises(CalendarError, match="outside"):
        cal.add_working_days_many(np.array(["2010-01-01"], dtype="datetime64[D]"), 1)
    with pytest.raises(CalendarError, match="outside"):
        cal.add_working_days_many(np.array([cal.last_day], dtype="datetime64[D]"), 5)
    with pytest.raises(CalendarError, match="outside"):
        cal.add_working_days_many([date(2010, 1, 1)], [1])
    with pytest.raises(ValueError, match="counts"):
        cal.add_working_days_many([date(2026, 1, 5)], [1, 2])
