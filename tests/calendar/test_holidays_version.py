"""Why pyproject pins ``holidays>=0.109``: deadlines depend on its 2025 and 2026 data.

The calendar takes Vietnam's public holidays and the yearly swapped days from the
``holidays`` package. Older releases lack the 2025 swap (Friday 2/5 off for Saturday 26/4,
Công văn 8726/VPCP-KGVX), the 2026 National Day bridge (Monday 31/8 off for Saturday 22/8,
Bộ Nội vụ, October 2025) or Vietnam Culture Day 24/11 (Nghị quyết 80-NQ/TW, 2026); with
them every deadline across those days would be off by one or more working days, silently.
This test fails if the pin is lowered below a release that carries that data.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from importlib.metadata import version
from pathlib import Path

import holidays

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _as_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_pin_is_at_least_the_release_with_the_2025_2026_schedules() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    (pin,) = [d for d in dependencies if d.startswith("holidays")]
    assert pin.startswith("holidays>=")
    assert _as_tuple(pin.removeprefix("holidays>=")) >= (0, 109)
    assert _as_tuple(version("holidays")) >= _as_tuple(pin.removeprefix("holidays>="))


def test_the_package_itself_carries_the_2025_2026_schedules() -> None:
    vn = holidays.country_holidays("VN", years=[2025, 2026])
    assert date(2025, 5, 2) in vn and date(2025, 4, 26) in vn.weekend_workdays
    assert date(2026, 8, 31) in vn and date(2026, 8, 22) in vn.weekend_workdays
    assert {date(2026, 2, d) for d in range(16, 21)} <= set(vn)  # Tết Bính Ngọ
    assert date(2026, 11, 24) in vn
