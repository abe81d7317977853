"""Time-zone helpers shared by the calendar, the engine and the simulator."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tthc_flow.errors import NaiveDatetimeError

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
"""Vietnam's only time zone: UTC+7 all year, no daylight saving time."""


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """Return ``value`` unchanged if it carries a time zone, else raise :class:`NaiveDatetimeError`.

    >>> require_aware(datetime(2026, 1, 5, 8, tzinfo=VN_TZ)).hour
    8
    """
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(
            f"{name} {value.isoformat()} has no time zone; pass an aware datetime, "
            f"e.g. datetime(..., tzinfo=ZoneInfo('Asia/Ho_Chi_Minh'))"
        )
    return value


def to_vn(value: datetime, name: str = "datetime") -> datetime:
    """Convert an aware datetime to Asia/Ho_Chi_Minh (naive ones are rejected)."""
    return require_aware(value, name).astimezone(VN_TZ)
