"""Decision 766 indicators rebuilt by hand from the portal's formulas (February 2026 log).

Spec: "Mô tả công thức tính chỉ số 766" reproduced in ChippedTopaz/qd766
web/dist/formula-document.js (items 1.1-5.4); points: web/dist/formula-maximums.js. The log
is :func:`tests.reports.log_766.build_february` (dossiers numbered 0-10 there). Inputs the
library does not hold are given explicitly; the expected values are computed in the comments.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from tests.reports.log_766 import build_21, build_february, fee_catalog
from tests.reports.logs import LogBuilder, build_mixed, seed_catalog
from tthc_flow._time import VN_TZ
from tthc_flow.reports import (
    Indicator,
    IndicatorInputs,
    Period,
    Ratio,
    average_days_by_procedure,
    dossiers_with,
    group_scores,
    indicator_set,
    indicators,
    indicators_sql,
    portal_judgement,
    score,
    statistics,
)
from tthc_flow.store import SqlStore

AS_OF = datetime(2026, 6, 30, 17, tzinfo=VN_TZ)
FEB = Period.month(2026, 2)
P1, P2, P3 = "1.000001", "1.000002", "1.000003"


@pytest.fixture(scope="module")
def february() -> tuple[LogBuilder, dict[int, str]]:
    return build_february()


def _inputs(code: dict[int, str]) -> IndicatorInputs:
    return IndicatorInputs(
        publication_on_time=Ratio(9, 10),
        synced_dossiers=9,
        document_result=frozenset({P1, P3}),  # 1.000002's result is not a paper document
        reused_data=frozenset({code[1], code[2], code[0]}),
        population_data=frozenset({code[1], code[6], code[7]}),
        citizen_procedures=frozenset({P1, P2, P3}),
        certified_copy_communes=Ratio(0, 0),
        petitions_on_time=Ratio(3, 4),
        complained=frozenset({code[2]}),
    )


def _by_id(found: list[Indicator]) -> dict[str, Indicator]:
    return {i.id: i for i in found}


@pytest.fixture(scope="module")
def feb(february: tuple[LogBuilder, dict[int, str]]) -> dict[str, Indicator]:
    b, code = february
    found = indicators(b.dossiers(), FEB, fee_catalog(), as_of=AS_OF, inputs=_inputs(code))
    return _by_id(found)


def test_score_rule_is_rate_times_max_over_threshold_capped() -> None:
    assert score(0.5, 12, 0.5) == 12
    assert score(0.4, 12, 0.5) == 9.6
    assert score(0.95, 20) == 19.0
    assert indicator_set("2022").get("5.4").score(0.95) == 6  # capped at max


def test_sync_rate_and_online_share(feb: dict[str, Indicator]) -> None:
    # 1.4: 9 synced / max(10 received in February, portal count not given) = 90 % -> 6 × 0.9
    assert (feb["1.4"].numerator, feb["1.4"].denominator, feb["1.4"].points) == (9, 10, 5.4)
    # 3.3: online and, for paper-result procedures (P1, P3), with an e-result:
    # 1 (e-result) yes, 2 no, 3 (in progress) no, 4 (rejected) no, 6 and 7 (P2) yes, 10 yes
    # = 4 of 10 received, × sync rate 0.9 = 36 %; 12 × 0.36 / 0.5 = 8.64
    i = feb["3.3"]
    assert (i.numerator, i.denominator, i.factor, i.rate, i.points) == (4, 10, 0.9, 36.0, 8.64)
    # 3.3a: P2 (toàn trình) received 6, 7, 8; online 6, 7 -> 2/3 (monitoring in the 2022 set)
    assert (feb["3.3a"].numerator, feb["3.3a"].denominator, feb["3.3a"].points) == (2, 3, None)
    assert feb["3.3a"].rate == 66.67 and feb["3.3a"].status == "monitoring"


def test_online_share_needs_the_sync_rate(february: tuple[LogBuilder, dict[int, str]]) -> None:
    b, _ = february
    found = _by_id(indicators(b.dossiers(), FEB, fee_catalog(), as_of=AS_OF))
    for indicator_id in ("1.4", "3.3"):
        assert found[indicator_id].status == "not computed (input missing: synced_dossiers)"
        assert found[indicator_id].rate is None and found[indicator_id].points is None
    # without document_result every procedure returns a paper result: 6 and 7 no longer count
    assert found["4.1"].denominator == 10


def test_online_payment(feb: dict[str, Indicator]) -> None:
    # fee procedures on 28 Feb: P1 and P3 (500,000 from 15 Feb); P2 has none.
    # 3.6 dossiers of them: P1 1-5, P3 10 (9 is P3 version 1, fee list all 0: left out) = 6;
    # paid online (DuocThanhToanTrucTuyen): 1, 3, 5 -> 3/6 = 50 %; 6 × 0.5 = 3
    assert (feb["3.6"].numerator, feb["3.6"].denominator, feb["3.6"].points) == (3, 6, 3.0)
    # 3.5: fee procedures with a dossier whose fee data is not 0: P1, P3 -> 2/2 -> 2 points
    assert (feb["3.5"].numerator, feb["3.5"].denominator, feb["3.5"].points) == (2, 2, 2)
    # 3.5b: fee procedures with an online payment: P1 only -> 1/2; 2 × 0.5 = 1
    assert (feb["3.5b"].numerator, feb["3.5b"].denominator, feb["3.5b"].points) == (1, 2, 1.0)


def test_digitisation(feb: dict[str, Indicator]) -> None:
    # 4.1: all dossiers of P1, P3 (1-5, 9, 10 = 7, whatever the outcome); e-result: 1, 5, 10
    # 3/7 = 42.857 % -> 42.86 %; 6 × 3/7 = 2.571 -> 2.57
    i = feb["4.1"]
    assert (i.numerator, i.denominator, i.rate, i.points) == (3, 7, 42.86, 2.57)
    # 4.2: digitised and (e-result where a paper result is due): 1, 5, 6 (P2) -> 3/10 = 30 %
    # (2 and 9 are digitised without their e-result); 4 × 0.3 / 0.8 = 1.5
    assert (feb["4.2"].numerator, feb["4.2"].denominator, feb["4.2"].points) == (3, 10, 1.5)
    # 4.3: reused data: 1, 2 (0 was received in January) -> 2/10; 2 × 0.2 / 0.8 = 0.5
    assert (feb["4.3"].numerator, feb["4.3"].points) == (2, 0.5)
    # 4.4: not given
    assert feb["4.4"].status == "not computed (input missing: portal_store)"
    # 4.5b: population data: 1, 6, 7 -> 3/10; 2 × 0.3 = 0.6
    assert (feb["4.5b"].numerator, feb["4.5b"].denominator, feb["4.5b"].points) == (3, 10, 0.6)
    # 4.5a: procedures with such dossiers: P1, P2 of the 3 citizen procedures; 2 × 2/3 = 1.33
    assert (feb["4.5a"].numerator, feb["4.5a"].denominator, feb["4.5a"].points) == (2, 3, 1.33)
    # 4.6: 0 of 0 communes: nothing to rate, not 0 points
    assert (feb["4.6"].status, feb["4.6"].points) == ("no data", None)


def test_satisfaction_and_inputs(feb: dict[str, Indicator]) -> None:
    # 2.1 of February: 3 (due 9 Feb) and 7 (due 12 Feb) still open at 1 Mar 00:00: late;
    # the other 8 on time -> 8/10. 5.4 = 100 % - (2/10 late + 1/10 with a petition) = 70 %
    # -> 7/10; 6 × 0.7 / 0.9 = 4.667 -> 4.67
    assert (feb["2.1"].numerator, feb["2.1"].denominator) == (8, 10)
    assert (feb["5.4"].numerator, feb["5.4"].denominator, feb["5.4"].points) == (7, 10, 4.67)
    # inputs as given: 1.1 9/10 -> 6 × 0.9 = 5.4; 5.2 3/4 -> 6 × 0.75 = 4.5
    assert (feb["1.1"].points, feb["5.2"].points) == (5.4, 4.5)
    for missing in ("1.2", "1.3", "5.1", "5.3"):
        assert feb[missing].status.startswith("not computed (input missing: ")
        assert feb[missing].points is None and feb[missing].numerator is None


def test_group_scores_count_only_what_was_computed(feb: dict[str, Indicator]) -> None:
    groups = {g.id: g for g in group_scores(feb.values(), "2022")}
    # group 1: 1.1 5.4 of 6 and 1.4 5.4 of 6 computed; 1.2 and 1.3 missing
    assert (groups["1"].points, groups["1"].computed_max, groups["1"].missing) == (
        10.8,
        12,
        ("1.2", "1.3"),
    )
    # group 3 (2022): 3.3 8.64 + 3.5 2 + 3.5b 1 + 3.6 3 = 14.64 of 22
    assert (groups["3"].points, groups["3"].computed_max, groups["3"].max_points) == (14.64, 22, 22)


def test_the_result_time_comes_before_the_return(
    february: tuple[LogBuilder, dict[int, str]],
) -> None:
    b, code = february
    # dossier 1: approved 2 Feb 09:30, returned 27 Feb (after its 5 Feb appointment):
    # "Đã xử lý xong" is taken before "Đã trả kết quả" -> ended 2 Feb, on time
    d = next(d for d in b.dossiers() if d.code == code[1])
    j = portal_judgement(d, FEB.end_at)
    assert j is not None and (j.end_kind, j.on_time) == ("processed", True)
    assert d.returned_at is not None and d.due_at is not None and d.returned_at > d.due_at


def test_code_sets_from_dossier_data(february: tuple[LogBuilder, dict[int, str]]) -> None:
    b, code = february
    assert dossiers_with(b.dossiers(), "digitised") == {code[n] for n in (1, 2, 5, 6, 9)}


def test_every_input_given(february: tuple[LogBuilder, dict[int, str]]) -> None:
    b, code = february
    inputs = replace(
        _inputs(code),
        publication_updated=Ratio(3, 4),
        publication_complete=Ratio(10, 10),
        portal_received=12,
        portal_store=frozenset({code[1], code[5], code[10]}),
        petitions_classified=Ratio(5, 8),
        petitions_satisfied=Ratio(7, 8),
    )
    found = _by_id(indicators(b.dossiers(), FEB, fee_catalog(), as_of=AS_OF, inputs=inputs))
    # 1.2: 4 × 0.75 = 3; 1.3: 10/10 -> 2; 1.4: 9 / max(10, 12) = 75 % -> 6 × 0.75 = 4.5
    assert (found["1.2"].points, found["1.3"].points, found["1.4"].points) == (3.0, 2, 4.5)
    # 3.3 with the lower sync rate: 4/10 × 0.75 = 30 %; 12 × 0.3 / 0.5 = 7.2
    assert (found["3.3"].rate, found["3.3"].points) == (30.0, 7.2)
    # 4.4: 1, 5, 10 of 10 received -> 4 × 0.3 = 1.2
    assert found["4.4"].points == 1.2
    # 5.1 monitoring: 62.5 %, no points; 5.3: 6 × 0.875 = 5.25
    assert (found["5.1"].rate, found["5.1"].points, found["5.3"].points) == (62.5, None, 5.25)
    assert not [i.id for i in found.values() if i.status.startswith("not computed")]


def test_catalog_indicators(feb: dict[str, Indicator]) -> None:
    # 3.1: P1 partial, P2 full, P3 partial of 3 procedures; 3.2: all three used online
    assert (feb["3.1"].numerator, feb["3.1"].denominator, feb["3.1"].points) == (3, 3, None)
    assert (feb["3.2"].numerator, feb["3.2"].denominator) == (3, 3)


def test_the_2026_layout(february: tuple[LogBuilder, dict[int, str]]) -> None:
    b, code = february
    layout = indicator_set("2026")
    found = indicators(
        b.dossiers(), FEB, fee_catalog(), as_of=AS_OF, inputs=_inputs(code), indicator_set=layout
    )
    by_id = _by_id(found)
    # payment is group 6; the full-process share carries group 3's 12 points: 12 × 2/3 = 8
    assert {by_id[i].group for i in ("3.5", "3.5b", "3.6")} == {"6"}
    assert (by_id["3.3a"].points, by_id["3.3"].points, by_id["3.3"].status) == (
        8.0,
        None,
        "monitoring",
    )
    assert by_id["5.5"].status == "not computed (no input defined)"
    # a monitor that gives 5.2 eight points: 8 × 0.75 = 6
    other = layout.with_points({"5.2": 8})
    again = indicators(
        b.dossiers(), FEB, fee_catalog(), as_of=AS_OF, inputs=_inputs(code), indicator_set=other
    )
    assert _by_id(again)["5.2"].points == 6.0


def test_every_indicator_has_a_formula_and_source() -> None:
    for name in ("2022", "2026"):
        chosen = indicator_set(name)
        assert sum(g.points for g in chosen.groups) == 100
        for group in chosen.groups:
            assert (
                sum(s.points or 0 for s in chosen.indicators if s.group == group.id) == group.points
            )
        assert all(s.source for s in chosen.indicators)
    assert all(s.formula for s in indicator_set("2022").indicators)


@pytest.mark.parametrize("text", ["2026-Q1", "2026-01", "2026-02", "2025-12", "2026"])
def test_indicators_sql_equal_the_python_ones(tmp_path: Path, text: str) -> None:
    with SqlStore.sqlite(tmp_path / "i.db", synchronous="NORMAL") as store:
        b, code = build_february(store)
        build_mixed(b)
        p, inputs = Period.parse(text), _inputs(code)
        expected = indicators(store.dossiers(), p, fee_catalog(), as_of=AS_OF, inputs=inputs)
        assert indicators_sql(store, p, fee_catalog(), as_of=AS_OF, inputs=inputs) == expected
    with pytest.raises(TypeError):
        indicators_sql(object(), p, fee_catalog())


def test_indicators_sql_on_postgresql_equal_the_python_ones(pg_url: str) -> None:
    with SqlStore(pg_url) as store:
        build_21(store)
        for text in ("2026-Q1", "2026-01"):
            p = Period.parse(text)
            expected = indicators(store.dossiers(), p, seed_catalog(), as_of=AS_OF)
            assert indicators_sql(store, p, seed_catalog(), as_of=AS_OF) == expected
            assert next(i for i in expected if i.id == "2.1").denominator


def test_average_time_per_procedure_is_indicator_2_2(mixed: LogBuilder) -> None:
    report = statistics(mixed.dossiers(), Period.quarter(2026, 1), by="procedure")
    assert average_days_by_procedure(report) == {
        "1.000001": 0.55,  # 3.875 working days over 7 (test_statistics hand computation)
        "1.000002": 0.06,
        "1.000003": 11.37,
    }
    found = _by_id(indicators(mixed.dossiers(), Period.quarter(2026, 1), seed_catalog()))
    assert found["2.2"].status == "monitoring" and found["2.2"].points is None
