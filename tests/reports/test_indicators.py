"""Decision 766 indicators: rates, points, thresholds."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from tests.reports.logs import DESK, LogBuilder, build_mixed, new_builder, seed_catalog
from tthc_flow._time import VN_TZ
from tthc_flow.reports import (
    Period,
    average_days_by_procedure,
    indicators,
    indicators_sql,
    score,
    statistics,
)
from tthc_flow.store import SqlStore

AS_OF = datetime(2026, 6, 30, 17, tzinfo=VN_TZ)


def test_score_full_at_threshold_else_proportional() -> None:
    assert score(0.5, 12, 0.5) == 12
    assert score(0.4, 12, 0.5) == 9.6
    assert score(0.95, 20) == 19.0


def _log(store: object = None) -> LogBuilder:
    b = new_builder(store=store)
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
    return b


def test_indicators_from_dossier_data() -> None:
    b = _log()
    by_id = {i.id: i for i in indicators(b.dossiers(), Period.quarter(2026, 1), seed_catalog())}
    assert (by_id["2.1"].numerator, by_id["2.1"].denominator) == (8, 9)
    assert by_id["2.1"].rate == 88.9 and by_id["2.1"].points == pytest.approx(17.78)
    # 3.3: online and, once approved, with an electronic result: the 3 online dossiers were
    # approved without one
    assert (by_id["3.3"].numerator, by_id["3.3"].denominator) == (0, 9)
    assert (by_id["3.3a"].numerator, by_id["3.3a"].denominator) == (3, 4)
    assert by_id["3.3a"].points is None  # monitoring only
    assert (by_id["3.1"].numerator, by_id["3.1"].denominator) == (3, 3)  # all offer DVCTT
    assert (by_id["3.2"].numerator, by_id["3.2"].denominator) == (1, 3)  # only 1.000002 used
    assert (by_id["3.6"].numerator, by_id["3.6"].denominator) == (3, 5)
    assert (by_id["4.1"].numerator, by_id["4.1"].denominator) == (2, 8)
    assert (by_id["4.2"].numerator, by_id["4.2"].denominator) == (2, 9)
    assert by_id["4.2"].points == pytest.approx(round(2 / 9 * 4 / 0.8, 2))
    # 5.4: 100 % - 12.5 % late (1 of 8 resolved) - 0 % complaints = 87.5 % of 9 -> 8 / 9
    assert (by_id["5.4"].numerator, by_id["5.4"].denominator) == (8, 9)
    assert by_id["5.4"].rate == 88.9 and by_id["5.4"].points == pytest.approx(5.93)
    assert all(i.formula for i in by_id.values())
    empty = indicators([], Period.quarter(2026, 1), seed_catalog())
    catalog_based = {"3.1", "3.2"}
    assert all(i.points is None and i.rate is None for i in empty if i.id not in catalog_based)
    assert [(i.numerator, i.denominator) for i in empty if i.id in catalog_based] == [
        (3, 3),
        (0, 3),
    ]


def test_indicators_sql_equal_the_python_ones(tmp_path: Path) -> None:
    with SqlStore.sqlite(tmp_path / "i.db", synchronous="NORMAL") as store:
        b = _log(store)
        build_mixed(b)
        for text in ("2026-Q1", "2026-01", "2025-12", "2026"):
            p = Period.parse(text)
            expected = indicators(store.dossiers(), p, seed_catalog(), as_of=AS_OF)
            assert indicators_sql(store, p, seed_catalog(), as_of=AS_OF) == expected


def test_average_time_per_procedure_is_indicator_2_2(mixed: LogBuilder) -> None:
    report = statistics(mixed.dossiers(), Period.quarter(2026, 1), by="procedure")
    assert average_days_by_procedure(report) == {
        "1.000001": 0.55,  # 3.875 working days over 7 (test_statistics hand computation)
        "1.000002": 0.06,
        "1.000003": 11.37,
    }
