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


_TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))
_DAY_TEXT: dict[int, str] = {}  # ordinal -> "YYYY-MM-DDT", bounded below


def isoformat(moment: datetime) -> str:
    """``moment.isoformat()``, in about half the time for a Vietnam-time moment.

    The engine writes one or more moments as text for every command (the event's time in its
    hash, deadlines in payloads), and ``datetime.isoformat`` spends half its time on the UTC
    offset, which is always ``+07:00`` here. Other moments go to ``isoformat`` itself.

    >>> isoformat(datetime(2026, 11, 20, 9, 15, 0, 250, tzinfo=VN_TZ))
    '2026-11-20T09:15:00.000250+07:00'
    """
    if moment.tzinfo is not VN_TZ or type(moment) is not datetime:
        return moment.isoformat()
    ordinal = moment.toordinal()
    day = _DAY_TEXT.get(ordinal)
    if day is None:
        if len(_DAY_TEXT) >= 4096:
            _DAY_TEXT.clear()
        day = _DAY_TEXT[ordinal] = moment.date().isoformat() + "T"
    two = _TWO_DIGITS
    clock = f"{day}{two[moment.hour]}:{two[moment.minute]}:{two[moment.second]}"
    micro = moment.microsecond
    return f"{clock}.{micro:06d}+07:00" if micro else clock + "+07:00"
