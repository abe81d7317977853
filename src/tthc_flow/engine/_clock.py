"""Injectable clocks: the system clock in production, a fixed or simulated one in tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from tthc_flow._time import VN_TZ, to_vn
from tthc_flow.errors import ConfigurationError


class Clock(Protocol):
    """Anything that tells the current aware time."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real time in Asia/Ho_Chi_Minh."""

    def now(self) -> datetime:
        """The current time in Vietnam."""
        return datetime.now(VN_TZ)


class FixedClock:
    """A clock that stays where it is set; tests and the simulator move it explicitly.

    >>> from datetime import datetime
    >>> clock = FixedClock(datetime(2026, 3, 2, 8, tzinfo=VN_TZ))
    >>> clock.advance(timedelta(hours=2)).hour
    10
    """

    def __init__(self, start: datetime) -> None:
        self._now = to_vn(start, "clock start")

    def now(self) -> datetime:
        """The time the clock was last set to."""
        return self._now

    def set(self, moment: datetime) -> datetime:
        """Move the clock to ``moment`` (aware); it may not go backwards."""
        moment = to_vn(moment, "clock time")
        if moment < self._now:
            raise ConfigurationError(
                f"clock cannot go back from {self._now} to {moment}",
                setting="FixedClock.set",
                value=moment,
            )
        self._now = moment
        return moment

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta``."""
        return self.set(self._now + delta)
