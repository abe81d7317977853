"""Fixtures of the report tests (helpers live in ``tests.reports.logs``)."""

from __future__ import annotations

import pytest

from tests.reports.logs import LogBuilder, build_mixed, new_builder


@pytest.fixture(scope="module")
def mixed() -> LogBuilder:
    """The small Q1 2026 log of :func:`build_mixed`, shared by a module's tests."""
    b = new_builder()
    build_mixed(b)
    return b
