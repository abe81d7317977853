"""Decision 766 indicators: rates, points, thresholds."""

from __future__ import annotations

from datetime import date

import pytest

from tests.reports.logs import DESK, new_builder, seed_catalog
from tthc_flow.reports import Period, indicators, score


def test_score_full_at_threshold_else_proportional() -> None:
    assert score(0.5, 12, 0.5) == 12
    assert score(0.4, 12, 0.5) == 9.6
    assert score(0.95, 20) == 19.0


def test_indicators_from_dossier_data() -> None:
    b = new_builder()
    # 1.000001: partial online, fee 500,000; 1.000002: full online, no fee
    for i in range(4):
        d = b.receive(date(2026, 1, 5 + i), paid_online=i < 3, digitised=True)
        b.resolve(d, "early" if i < 3 else "late")
        b.engine.fire(d.code, "return_result", DESK, at=b.at(date(2026, 2, 2)), e_result=i < 2)
    for i in range(4):
        channel = "online" if i else "desk"
        b.resolve(b.receive(date(2026, 1, 12 + i), "1.000002", channel=channel), "early")
    more = b.receive(date(2026, 3, 30))
    b.start_work(more)
    by_id = {i.id: i for i in indicators(b.dossiers(), Period.quarter(2026, 1), seed_catalog())}
    assert (by_id["2.1"].numerator, by_id["2.1"].denominator) == (8, 9)
    assert by_id["2.1"].rate == 88.9 and by_id["2.1"].points == pytest.approx(17.78)
    assert (by_id["3.3"].numerator, by_id["3.3"].denominator) == (3, 4)
    assert by_id["3.3"].points == 12  # 75 % is above the 50 % threshold
    assert (by_id["3.6"].numerator, by_id["3.6"].denominator) == (3, 5)
    assert (by_id["4.1"].numerator, by_id["4.1"].denominator) == (2, 8)
    assert (by_id["4.2"].numerator, by_id["4.2"].denominator) == (2, 9)
    assert by_id["4.2"].points == pytest.approx(round(2 / 9 * 4 / 0.8, 2))
    assert all(i.formula for i in by_id.values())
    empty = indicators([], Period.quarter(2026, 1), seed_catalog())
    assert all(i.points is None and i.rate is None for i in empty)
