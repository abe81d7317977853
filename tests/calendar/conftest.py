"""Shared calendar fixtures."""

from __future__ import annotations

import pytest

from tthc_flow.calendar import WorkCalendar


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    """The default national calendar (cached table, so cheap anyway)."""
    return WorkCalendar.vietnam()
