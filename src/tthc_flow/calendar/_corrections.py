"""Built-in corrections to the ``holidays`` package's data for Vietnam, each with its source.

This is the one place where the calendar departs from ``holidays.country_holidays("VN")``.
An entry is applied after the package's data and before user overrides, so a newer
``holidays`` release that already carries the fix changes nothing (the entries are
idempotent). Remove an entry only when the installed ``holidays`` version has it and the
year-by-year tests in ``tests/calendar/test_calendar_official.py`` still pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Correction:
    """One day whose status the official schedule fixes differently from ``holidays``."""

    day: date
    working: bool
    reason_vi: str
    reason_en: str
    source: str


CORRECTIONS: tuple[Correction, ...] = (
    # holidays 0.109 has 1 January 2026 only. The government bridged Friday 2 January by
    # swapping it with Saturday 10 January for the state sector.
    Correction(
        date(2026, 1, 2),
        working=False,
        reason_vi="Ngày nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)",
        reason_en="New Year bridge day (swapped with Saturday 10/01/2026)",
        source="Công văn 12729/VPCP-KGVX ngày 25/12/2025 (Phó Thủ tướng đồng ý phương án "
        "Bộ Nội vụ: nghỉ 01/01-04/01/2026, hoán đổi thứ Sáu 02/01 sang thứ Bảy 10/01/2026)",
    ),
    Correction(
        date(2026, 1, 10),
        working=True,
        reason_vi="Làm bù cho thứ Sáu 02/01/2026",
        reason_en="Working Saturday in exchange for Friday 02/01/2026",
        source="Công văn 12729/VPCP-KGVX ngày 25/12/2025",
    ),
)
"""Day-level corrections, oldest first."""

CULTURE_DAY_FIRST_YEAR = 2026
"""24 November, Ngày Văn hóa Việt Nam, is a paid day off from this year.

Source: Nghị quyết 80-NQ/TW của Bộ Chính trị (January 2026) chose 24/11 as Vietnam Culture
Day "với chủ trương là ngày nghỉ, người lao động được hưởng nguyên lương"; Nghị quyết
30/NQ-CP (February 2026) tasks the amendment of Labor Code 2019 art. 112(1). Not a day off
in 2025 or earlier. ``holidays`` >= 0.109 already carries it from 2026; it is repeated here
so that the calendar does not depend on the package version for it.
"""

CULTURE_DAY_REASON_VI = "Ngày Văn hóa Việt Nam"
CULTURE_DAY_REASON_EN = "Vietnam Culture Day"
