"""Time-zone helpers shared by the calendar, the engine and the simulator."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tthc_flow.errors import NaiveDatetimeError

VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
"""Vietnam's time: UTC+7 all year, no daylight saving time.

A fixed offset rather than ``zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")``: the two agree on every
date since 1975 (the only ones a dossier can carry), and the fixed offset makes ``isoformat``,
``utcoffset`` and arithmetic several times faster, which matters on the engine's hot path.
Aware datetimes in any zone, ``ZoneInfo`` included, are accepted and converted."""


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """Return ``value`` unchanged if it carries a time zone, else raise :class:`NaiveDatetimeError`.

    >>> require_aware(datetime(2026, 1, 5, 8, tzinfo=VN_TZ)).hour
    8
    """
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(
            f"{name} {value.isoformat()} has no time zone; pass an aware datetime, "
            f"e.g. datetime(..., tzinfo=tthc_flow.VN_TZ)"
        )
    return value


def to_vn(value: datetime, name: str = "datetime") -> datetime:
    """Convert an aware datetime to Asia/Ho_Chi_Minh (naive ones are rejected)."""
    if value.tzinfo is VN_TZ:  # the common case on hot paths: nothing to convert
        return value
    return require_aware(value, name).astimezone(VN_TZ)
