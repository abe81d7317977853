"""The calendar against the official holiday schedules of state agencies, 2019-2026.

Each test lists every weekday off and every weekend day worked in one year, from the
government's decision for that year, and checks every day of the year. Labor Code 2019
art. 112 (Law 45/2019/QH14, in force 1/1/2021) gives 11 holiday days, two of them for
National Day (2/9 plus the day before or after); before 2021 (Labor Code 2012 art. 115)
National Day was one day. Holidays falling on a weekend are compensated on the next
working day (art. 112(3)).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tthc_flow.calendar import WorkCalendar


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _days(first: str, last: str) -> set[date]:
    start, end = _d(first), _d(last)
    return {start + timedelta(days=i) for i in range((end - start).days + 1)}


def _weekdays(first: str, last: str) -> set[date]:
    return {d for d in _days(first, last) if d.weekday() < 5}


def assert_year(cal: WorkCalendar, year: int, off: set[date], worked: set[date]) -> None:
    """Every day of ``year``: working iff (weekday and not off) or a worked weekend day."""
    assert all(d.weekday() < 5 for d in off), "list only weekdays as off"
    assert all(d.weekday() >= 5 for d in worked), "list only weekend days as worked"
    wrong = []
    for d in _days(f"{year}-01-01", f"{year}-12-31"):
        expected = (d.weekday() < 5 and d not in off) or d in worked
        if cal.is_working_day(d) != expected:
            wrong.append((d.isoformat(), d.strftime("%a"), expected, cal.non_working_reason(d)))
    assert not wrong, wrong


def test_2019(cal: WorkCalendar) -> None:
    """2019 (Labor Code 2012 art. 115; Công văn 6519/VPCP-KGVX 2018).

    31/12/2018 off swapped with Saturday 5/1/2019; Tết Kỷ Hợi Mon 4/2 - Fri 8/2 (break
    2/2-10/2); Hùng Kings' day Sunday 14/4 compensated Monday 15/4; 29/4 off swapped with
    Saturday 4/5; 30/4, 1/5; National Day Monday 2/9 (one day before 2021).
    """
    off = {_d("2019-01-01"), _d("2019-04-15"), _d("2019-04-29"), _d("2019-04-30")}
    off |= {_d("2019-05-01"), _d("2019-09-02")} | _weekdays("2019-02-04", "2019-02-08")
    assert_year(cal, 2019, off, {_d("2019-01-05"), _d("2019-05-04")})
    assert not cal.is_working_day(date(2018, 12, 31))


def test_2020(cal: WorkCalendar) -> None:
    """2020: Bộ LĐTBXH notice on Tết Canh Tý: Thu 23/1 - Wed 29/1/2020 (29 Chạp - mùng 5).

    Source: the Ministry's notice as reported by Sở Công Thương Đắk Lắk (7/1/2020,
    socongthuong.daklak.gov.vn); we did not find the notice's number. The rest is the
    statute with no swap (Labor Code 2012 art. 115): Hùng Kings' day Thu 2/4; 30/4 Thu and
    1/5 Fri; National Day Wed 2/9 only.
    """
    off = {_d("2020-01-01"), _d("2020-04-02"), _d("2020-04-30"), _d("2020-05-01")}
    off |= {_d("2020-09-02")} | _weekdays("2020-01-23", "2020-01-29")
    assert_year(cal, 2020, off, set())


def test_2021(cal: WorkCalendar) -> None:
    """2021, first year of Labor Code 2019 art. 112: Thông báo 4875/TB-LĐTBXH (December 2020)
    on Tết and National Day 2021.

    Tết Tân Sửu Wed 10/2 - Tue 16/2; Hùng Kings' day Wed 21/4; 30/4 Fri, 1/5 Saturday
    compensated Monday 3/5; National Day Thu 2/9 with the adjacent Fri 3/9.
    """
    off = {_d("2021-01-01"), _d("2021-04-21"), _d("2021-04-30"), _d("2021-05-03")}
    off |= {_d("2021-09-02"), _d("2021-09-03")} | _weekdays("2021-02-10", "2021-02-16")
    assert_year(cal, 2021, off, set())


def test_2022(cal: WorkCalendar) -> None:
    """2022: Tết by Công văn 245/VPCP-KGVX (11/1/2022, Deputy PM Vũ Đức Đam approving
    Bộ LĐTBXH's plan); National Day 1-2/9 as announced by the Government portal (VGP,
    5/8/2022; we did not find the document number). The rest is statutory, no swaps.

    1/1 Saturday compensated Mon 3/1; Tết Nhâm Dần Mon 31/1 - Fri 4/2; Hùng Kings' day
    Sunday 10/4 compensated Mon 11/4; 30/4 Sat and 1/5 Sun compensated Mon 2/5 and Tue 3/5;
    National Day Fri 2/9 with the adjacent Thu 1/9.
    """
    off = {_d("2022-01-03"), _d("2022-04-11"), _d("2022-05-02"), _d("2022-05-03")}
    off |= {_d("2022-09-01"), _d("2022-09-02")} | _weekdays("2022-01-31", "2022-02-04")
    assert_year(cal, 2022, off, set())


def test_2023(cal: WorkCalendar) -> None:
    """2023: Công văn 8056/VPCP-KGVX (1/12/2022): Tết Quý Mão Fri 20/1 - Thu 26/1 and National
    Day Fri 1/9 - Mon 4/9 (Deputy PM Vũ Đức Đam approving Bộ LĐTBXH's plan).

    1/1 Sunday compensated Mon 2/1; Hùng Kings' day Sat 29/4, 30/4 Sun, 1/5 Mon: Tue 2/5 and
    Wed 3/5 compensated; National Day Sat 2/9 with Fri 1/9, compensated Mon 4/9.
    """
    off = {_d("2023-01-02"), _d("2023-05-01"), _d("2023-05-02"), _d("2023-05-03")}
    off |= {_d("2023-09-01"), _d("2023-09-04")} | _weekdays("2023-01-20", "2023-01-26")
    assert_year(cal, 2023, off, set())


def test_2024(cal: WorkCalendar) -> None:
    """2024: Công văn 2450/VPCP-KGVX (12/4/2024): Monday 29/4 off, Saturday 4/5 worked.

    Tết Giáp Thìn Thu 8/2 - Wed 14/2; Hùng Kings' day Thu 18/4; National Day Mon 2/9 with
    the adjacent Tue 3/9 (MOLISA, break 31/8 - 3/9).
    """
    off = {_d("2024-01-01"), _d("2024-04-18"), _d("2024-04-29"), _d("2024-04-30")}
    off |= {_d("2024-05-01"), _d("2024-09-02"), _d("2024-09-03")}
    off |= _weekdays("2024-02-08", "2024-02-14")
    assert_year(cal, 2024, off, {_d("2024-05-04")})
    assert cal.add_working_days(date(2024, 4, 26), 1) == date(2024, 5, 2)


def test_2025(cal: WorkCalendar) -> None:
    """2025: Thông báo 6150/TB-LĐTBXH and Công văn 8726/VPCP-KGVX (26/11/2024).

    Tết Ất Tỵ: break Sat 25/1 - Sun 2/2, weekdays Mon 27/1 - Fri 31/1; Hùng Kings' day Mon
    7/4; 30/4 Wed, 1/5 Thu, Friday 2/5 off swapped with Saturday 26/4; National Day Tue 2/9
    with the adjacent Mon 1/9 (Ministry of Home Affairs, break 30/8 - 2/9). 24/11/2025 was
    an ordinary working day (Culture Day was adopted only in 2026).
    """
    off = {_d("2025-01-01"), _d("2025-04-07"), _d("2025-04-30"), _d("2025-05-01")}
    off |= {_d("2025-05-02"), _d("2025-09-01"), _d("2025-09-02")}
    off |= _weekdays("2025-01-27", "2025-01-31")
    assert_year(cal, 2025, off, {_d("2025-04-26")})
    assert cal.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)


def test_2026(cal: WorkCalendar) -> None:
    """2026, Ministry of Home Affairs announcements and government approvals.

    * New Year: Công văn 12729/VPCP-KGVX (25/12/2025): break Thu 1/1 - Sun 4/1, Friday 2/1
      swapped with Saturday 10/1 (missing from holidays 0.109: built-in correction).
    * Tết Bính Ngọ: break Sat 14/2 - Sun 22/2, weekdays Mon 16/2 - Fri 20/2 (Bộ Nội vụ,
      announced 17/10/2025).
    * Hùng Kings' day Sunday 26/4 compensated Monday 27/4; 30/4 Thu, 1/5 Fri.
    * National Day Wed 2/9 with Tue 1/9; Monday 31/8 off swapped with Saturday 22/8
      (break 29/8 - 2/9, same announcement).
    * 24/11 Ngày Văn hóa Việt Nam (Nghị quyết 80-NQ/TW; Nghị quyết 30/NQ-CP).
    """
    off = {_d("2026-01-01"), _d("2026-01-02"), _d("2026-04-27"), _d("2026-04-30")}
    off |= {_d("2026-05-01"), _d("2026-08-31"), _d("2026-09-01"), _d("2026-09-02")}
    off |= {_d("2026-11-24")} | _weekdays("2026-02-16", "2026-02-20")
    assert_year(cal, 2026, off, {_d("2026-01-10"), _d("2026-08-22")})


@pytest.mark.parametrize(
    ("day", "vi", "en"),
    [
        (date(2026, 1, 2), "Tết Dương lịch", "New Year"),
        (date(2026, 2, 17), "Tết Nguyên Đán", "Lunar New Year"),
        (date(2026, 11, 24), "Ngày Văn hóa Việt Nam", "Vietnam Culture Day"),
        (date(2026, 11, 21), "Thứ Bảy", "Saturday"),
        (date(2026, 11, 22), "Chủ nhật", "Sunday"),
    ],
)
def test_reasons_in_both_languages(cal: WorkCalendar, day: date, vi: str, en: str) -> None:
    """Days off carry a readable reason, in Vietnamese by default or in English."""
    assert vi in (cal.non_working_reason(day) or "")
    english = WorkCalendar.vietnam(language="en_US")
    assert en in (english.non_working_reason(day) or "")


def test_culture_day_from_2026_only(cal: WorkCalendar) -> None:
    """24/11, Ngày Văn hóa Việt Nam, is off from 2026, not before.

    Source: Nghị quyết 80-NQ/TW of the Politburo (January 2026) chose 24/11 "với chủ trương
    là ngày nghỉ, người lao động được hưởng nguyên lương" (reported by VietnamPlus and CafeF,
    13/1/2026); the holidays package (>= 0.109) carries it from 2026 citing the resolution.
    Uncertainty: a party resolution states a policy; the Labor Code art. 112 amendment that
    makes it a statutory holiday was not found passed when this was written. If the law
    ends up otherwise, change CULTURE_DAY_FIRST_YEAR in calendar/_corrections.py.
    """
    assert cal.is_working_day(date(2025, 11, 24))  # a Monday
    assert not cal.is_working_day(date(2026, 11, 24))  # a Tuesday
    assert not cal.is_working_day(date(2027, 11, 24))  # a Wednesday


def test_working_day_has_no_reason(cal: WorkCalendar) -> None:
    """A working day, including a swapped Saturday, has no non-working reason."""
    assert cal.non_working_reason(date(2026, 1, 10)) is None
    assert cal.non_working_reason(date(2026, 11, 23)) is None
