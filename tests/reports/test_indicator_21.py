"""Indicator 2.1 by the portal's rule, rebuilt by hand from the spec.

Spec: "Mô tả công thức tính chỉ số 766", item 2.1, reproduced in ChippedTopaz/qd766
web/dist/formula-document.js: end time (NgayKetThucXuLy) = first of "Đã xử lý xong" >
"Đã trả kết quả" > "Dừng xử lý / Từ chối / rút" (received dossiers only); a dossier still
waiting for a supplement ends at the request; more than one "Yêu cầu bổ sung" is late; the
supplement wait is subtracted from the end time; unfinished dossiers end at the period end;
on time ⇔ end ≤ NgayHenTra.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.reports.log_766 import Log21, build_21
from tests.reports.logs import seed_catalog
from tthc_flow._time import VN_TZ
from tthc_flow.reports import Indicator, Period, PortalJudgement, indicators, portal_judgement

AS_OF = datetime(2026, 6, 30, 17, tzinfo=VN_TZ)
END_Q1 = datetime(2026, 4, 1, tzinfo=VN_TZ)


def vn(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=VN_TZ)


@pytest.fixture(scope="module")
def log() -> Log21:
    return build_21()


def test_the_appointments_the_engine_gave_are_the_inputs_assumed(log: Log21) -> None:
    # NgayHenTra of each dossier, as the hand computation below takes them (3 working days)
    due = {n: log.dossier(n).due_at for n in "OABCEFJI"}
    assert due == {
        "O": vn(2026, 1, 6),
        "A": vn(2026, 1, 8),
        "B": vn(2026, 1, 9),
        "C": vn(2026, 1, 10),
        "E": vn(2026, 1, 23),  # restarted after the supplement of 13 -> 20 Jan
        "F": vn(2026, 2, 12),  # the apology's new date (original 5 Feb)
        "J": vn(2026, 2, 6),
        "I": vn(2026, 3, 31),
    }
    assert log.dossier("G").due_at == vn(2026, 4, 7)
    assert log.dossier("G").original_due_at == vn(2026, 3, 26)
    assert len(log.dossier("D").pauses) == 2


def test_each_case_judged_by_the_portal_rule(log: Log21) -> None:
    def j(name: str) -> PortalJudgement:
        found = portal_judgement(log.dossier(name), END_Q1)
        assert found is not None
        return found

    # B withdrawn 6 Jan 10:00 <= 9 Jan 09:00: ended, on time
    assert (j("B").end_kind, j("B").end_at, j("B").on_time) == (
        "withdrawn",
        vn(2026, 1, 6, 10),
        True,
    )
    # C refused after its receipt slip 14 Jan 09:00 > 10 Jan 09:00: the authority's reasoned
    # result (RefusalPolicy "as_rejection", Decree 118 art. 17.1.c, 19.3), so "Đã xử lý xong"
    # at that moment; late either way
    assert (j("C").end_kind, j("C").on_time) == ("processed", False)
    # D: two supplement requests -> late, although approved before NgayHenTra
    assert (j("D").supplement_requests, j("D").on_time) == (2, False)
    # E: 26 Jan 10:00 - 7 days waiting = 19 Jan 10:00 <= 23 Jan 09:00: on time
    assert j("E").compared_at == vn(2026, 1, 19, 10) and j("E").on_time
    # F: 9 Feb 10:00 <= the apology's 12 Feb 09:00: on time
    assert j("F").on_time
    # G: unfinished, judged at the period end 1 Apr 00:00 <= 7 Apr 09:00: in time
    assert (j("G").end_kind, j("G").end_at, j("G").on_time) == ("period_end", END_Q1, True)
    # I: unfinished, 1 Apr 00:00 > 31 Mar 09:00: late
    assert (j("I").end_kind, j("I").on_time) == ("period_end", False)
    # H: waiting for the applicant at the period end: ends at the request, 31 Mar 10:00
    assert (j("H").end_kind, j("H").end_at, j("H").on_time) == (
        "waiting",
        vn(2026, 3, 31, 10),
        True,
    )
    # K: never received (refused at the desk): no NgayTiepNhan, not judged
    assert portal_judgement(log.dossier("K"), END_Q1) is None


def _21(log: Log21, period: Period) -> Indicator:
    found = indicators(log.b.dossiers(), period, seed_catalog(), as_of=AS_OF)
    return next(i for i in found if i.id == "2.1")


def test_quarter_rate_and_points(log: Log21) -> None:
    # Q1 2026: counted O A B C D E F J G I H = 11 (N ended in Dec 2025, K never received).
    # On time: A, B (withdrawn), E (wait subtracted), F (new date), G (in time), H (waiting) = 6.
    # Late: O, C (refused late), D (2 requests), J, I = 5.
    # 6 / 11 = 54.5454 % -> 54.55 %; points 20 × 0.545454 / 1.0 = 10.909 -> 10.91.
    got = _21(log, Period.quarter(2026, 1))
    assert (got.numerator, got.denominator) == (6, 11)
    assert got.rate == 54.55 and got.points == 10.91 and got.status == "computed"


def test_month_and_carried_over(log: Log21) -> None:
    # January (judged 1 Feb 00:00): O, A, B, C, D, E ended in January -> A, B, E on time: 3/6
    jan = _21(log, Period.month(2026, 1))
    assert (jan.numerator, jan.denominator, jan.points) == (3, 6, 10.0)
    # December 2025: N ended 22 Dec (on time); O open at 1 Jan 00:00 <= 6 Jan: in time -> 2/2
    dec = _21(log, Period.month(2025, 12))
    assert (dec.numerator, dec.denominator, dec.points) == (2, 2, 20.0)
