"""Statistics: the buckets, the identity, groupings, rounding and renderings."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest

from tests.reports.logs import LogBuilder, new_builder, seed_catalog
from tthc_flow import ConfigurationError
from tthc_flow.reports import Grouping, GroupStats, Period, percent, statistics

Q1 = Period.quarter(2026, 1)


def test_period_builders_and_parse() -> None:
    assert Period.parse("2026-03") == Period.month(2026, 3)
    assert Period.month(2026, 2).last == date(2026, 2, 28)
    assert Period.parse("2026-Q3") == Period(date(2026, 7, 1), date(2026, 9, 30), "quarter")
    assert Period.parse("2026").last == date(2026, 12, 31)
    assert Period.parse("2026-9M") == Period.nine_months(2026)
    assert Period.parse("2026-01-01..2026-09-10").last == date(2026, 9, 10)
    assert Period.quarter(2026, 4).label_vi == "Quý IV năm 2026"
    assert (
        Period.parse("2020-01-01..2020-09-10").label_vi == "Từ ngày 01/01/2020 đến ngày 10/09/2020"
    )
    for bad, setting in (
        ("2026-13", "Period.parse"),
        ("2026-Q5", "Period.parse"),
        ("26", "Period.parse"),
        ("2026-02-30..2026-03-01", "Period.parse"),  # no 30 February
        ("2026-02-01..2026-01-01", "Period.last"),  # ends before it starts
    ):
        with pytest.raises(ValueError) as wrong:
            Period.parse(bad)
        assert isinstance(wrong.value, ConfigurationError)
        assert wrong.value.setting == setting, bad
    with pytest.raises(ValueError) as wrong:
        Period.quarter(2026, 5)
    assert isinstance(wrong.value, ConfigurationError)
    assert (wrong.value.setting, wrong.value.allowed) == ("Period.quarter", ("1", "2", "3", "4"))


def test_percent_rounds_half_up_like_the_reports() -> None:
    assert percent(1_410, 10_563) == 13.3
    assert percent(8_482, 8_661) == 97.9
    assert percent(1, 16) == 6.3  # 6.25: half up, where round() would give 6.2
    assert percent(1, 8) == 12.5
    assert percent(3, 0) is None


def test_every_bucket_of_the_mixed_log(mixed: LogBuilder) -> None:
    t = statistics(mixed.dossiers(), Q1, catalog=seed_catalog()).total
    assert t.carried_over == 2
    assert t.received == 14
    assert (t.received_online, t.received_postal, t.received_desk) == (2, 2, 10)
    assert (t.received_online_partial, t.received_online_full) == (2, 0)
    assert t.on_the_spot == 1
    # the refusal after receipt (14/1) is a reasoned result, counted as a rejection resolved
    # early (Decree 118/2025/ND-CP art. 19.3; RefusalPolicy): 10 + 1 resolved, 1 + 1 rejected
    assert t.resolved == 11 and t.rejected == 2
    # the '4 tại chỗ' dossier is due 4 working hours after receipt (engine OnTheSpotPolicy):
    # resolved the same day, it is on time, not early
    assert (t.resolved_early, t.resolved_on_time, t.resolved_late) == (7, 2, 2)
    assert (t.in_progress, t.in_progress_within, t.in_progress_overdue) == (3, 2, 1)
    assert (t.withdrawn, t.refused) == (1, 1)  # only the refusal before receipt is left
    assert t.supplement_requested == 2 and t.rescheduled == 1
    assert t.balanced and t.total_to_handle == 16


def test_processing_times_match_a_hand_computation(mixed: LogBuilder) -> None:
    """Working days from clock start to result (8 h days, 07:30-11:30 and 13:00-17:00).

    1.000001 (7 resolved): 2.8125 (29/12 09:00 -> 02/01, a holiday: 6.5 + 8 + 8 h), four of
    0.0625 (30 min), 0.5625 (supplement restarts the clock: 05/02 10:00 -> 16:00, 4.5 h) and
    0.25 (the refusal after receipt, a rejection: 14/01 09:00 -> 11:00, 2 h): avg 3.875 / 7
    = 0.5536 -> 0.55; sorted 0.0625 x 4, 0.25, 0.5625, 2.8125, p90 at rank 5.4: 0.5625 + 0.4
    x 2.25 = 1.4625 -> 1.46.
    1.000003 (3): 9.9979 (80 h - 1 min), 11.0 (88 h), 13.125 (105 h): avg 11.37; p90 at rank
    1.8: 11 + 0.8 x 2.125 = 12.70. 1.000002 (1): 0.0625.
    Total: 38.0604 / 11 = 3.46; p90 at rank 9 of 11: 11.0;
    statutory (7 x 5 + 5 + 3 x 10) / 11 = 6.3636 -> 6.36; shortened (7 x 3 + 2 + 3 x 10) / 11
    = 4.8182 -> 4.82 (no shortened limit: the statutory one); saved 6.36 - 3.46 = 2.90 (the
    rounded figures, as before: 2.72 / 6.5 gave 41.85) = 45.5975 % of 6.36 -> 45.6 (45.60
    with two places).
    """
    report = statistics(mixed.dossiers(), Q1, by="procedure", catalog=seed_catalog())
    figures = {
        g.key: (g.resolved, g.processing_days_avg, g.processing_days_p90) for g in report.groups
    }
    assert figures == {
        "1.000001": (7, 0.55, 1.46),
        "1.000002": (1, 0.06, 0.06),
        "1.000003": (3, 11.37, 12.7),
        "*": (11, 3.46, 11.0),
    }
    t = report.total
    assert (t.statutory_days_avg, t.shortened_days_avg) == (6.36, 4.82)
    assert (t.saved_days_avg, t.saved_pct) == (2.9, 45.6)
    # late 2 of 11 resolved = 18.18 -> 18.2 %; early or on time 9 of 11 = 81.8 %
    assert (t.postal_pct, t.online_pct, t.late_pct, t.on_time_pct) == (14.3, 14.3, 18.2, 81.8)
    late = report.group("1.000003")
    assert (late.saved_days_avg, late.saved_pct) == (-1.37, -13.7)  # slower than the limit


def test_supplement_requests_and_apologies_count_in_their_own_period() -> None:
    """A request on 7 January and an apology on 8 January show in January only."""
    b = new_builder()
    b.supplemented_then_apologised()
    months = {m: statistics(b.dossiers(), Period.month(2026, m)).total for m in (1, 2, 3)}
    assert [months[m].supplement_requested for m in (1, 2, 3)] == [1, 0, 0]
    assert [months[m].rescheduled for m in (1, 2, 3)] == [1, 0, 0]
    assert [months[m].in_progress for m in (1, 2, 3)] == [1, 1, 1]


def test_open_dossiers_are_judged_at_as_of_when_the_period_has_not_ended() -> None:
    b = new_builder()
    b.start_work(b.receive(date(2026, 3, 2), "1.000003"))  # due mid-March
    year = Period.year(2026)
    early = statistics(b.dossiers(), year, as_of=b.at(date(2026, 3, 4))).total
    assert (early.in_progress_within, early.in_progress_overdue) == (1, 0)
    later = statistics(b.dossiers(), year, as_of=b.at(date(2026, 4, 1))).total
    assert (later.in_progress_within, later.in_progress_overdue) == (0, 1)
    with pytest.raises(ValueError):
        statistics([], year, as_of=datetime(2026, 3, 4))  # naive


def test_rejected_counts_as_resolved_and_the_identity_holds_per_group(mixed: LogBuilder) -> None:
    catalog = seed_catalog()
    for by in ("agency", "field", "procedure", "channel", "online"):
        report = statistics(mixed.dossiers(), Q1, by=by, catalog=catalog)
        groups = [g for g in report.groups if not g.is_total]
        assert len(groups) >= 2 or by == "online"
        assert all(g.balanced for g in report.groups), by
        assert sum(g.resolved for g in groups) == report.total.resolved == 11
        assert sum(g.received for g in groups) == report.total.received
    by_agency = statistics(mixed.dossiers(), Q1, by="agency")
    assert by_agency.group("SCT-QLTM").carried_over == 1
    assert by_agency.group("SCT-QLTM").resolved_late == 2


def test_previous_period_and_grouping_checks(mixed: LogBuilder) -> None:
    december = statistics(mixed.dossiers(), Period.month(2025, 12)).total
    assert (december.received, december.resolved, december.in_progress) == (3, 1, 2)
    with pytest.raises(ValueError, match="catalog") as bad:
        statistics([], Q1, by="field")
    assert isinstance(bad.value, ConfigurationError)
    assert (bad.value.setting, bad.value.value) == ("statistics.catalog", "field")
    with pytest.raises(ValueError, match="by=") as bad:
        statistics([], Q1, by="colour")
    assert isinstance(bad.value, ConfigurationError)
    assert (bad.value.setting, bad.value.value) == ("statistics.by", "colour")
    assert bad.value.allowed == ("agency", "field", "procedure", "channel", "online")
    assert statistics([], Q1, by=Grouping.AGENCY).total == statistics([], Q1, by="agency").total
    empty = statistics([], Q1).total
    assert empty.balanced and empty.online_pct is None


def test_renderings_vietnamese_and_english(mixed: LogBuilder) -> None:
    report = statistics(mixed.dossiers(), Q1, by="agency", catalog=seed_catalog())
    rows = report.rows()
    assert rows[-1]["group"] == "Total" and rows[-1]["received"] == 14
    text = report.to_text()
    assert "Quý I năm 2026" in text and "Số mới tiếp nhận" in text and "Tổng cộng" in text
    assert "Newly received" in report.to_text(lang="en")
    assert "Trước hạn" in report.to_text(rich=True)
    parsed = list(csv.reader(io.StringIO(report.to_csv())))
    assert parsed[0][0] == "Cơ quan" and "Số kỳ trước chuyển qua" in parsed[0]
    assert parsed[-1][0] == "Tổng cộng"
    assert parsed[-1][parsed[0].index("Số mới tiếp nhận")] == "14"
    data = json.loads(report.to_json())
    assert data["period"]["first"] == "2026-01-01" and data["rows"][-1]["resolved"] == 11


def test_group_stats_percentages() -> None:
    report = statistics([], Q1)
    g: GroupStats = report.total
    assert g.late_pct is None and g.saved_pct is None


def test_text_numbers_follow_the_language_and_tasks_reach_csv(mixed: LogBuilder) -> None:
    from tthc_flow.reports import Task

    task = Task("NV-1", "Báo cáo quý", mixed.at(date(2026, 1, 5)), mixed.at(date(2026, 1, 20)))
    report = statistics(mixed.dossiers(), Q1, catalog=seed_catalog(), tasks=[task])
    vi, en = report.to_text(), report.to_text(lang="en")
    assert "14,3" in vi and "45,6" in vi and "3,46" in vi  # Vietnamese decimal comma
    assert "14.3" in en and "45.6" in en
    lines = list(csv.reader(io.StringIO(report.to_csv())))
    assert lines[-7] == [] and lines[-6] == ["Nhiệm vụ được giao", "1"]
    assert ["Đang thực hiện, quá hạn", "1"] in lines
    two = statistics(mixed.dossiers(), Q1, catalog=seed_catalog(), percent_places=2).total
    assert (two.postal_pct, two.saved_pct) == (14.29, 45.6)


def test_thousands_use_a_dot_in_vietnamese_and_a_comma_in_english() -> None:
    from tthc_flow.reports._report import _fmt

    assert (_fmt(10_563), _fmt(10_563, "en")) == ("10.563", "10,563")
    assert (_fmt(13.3), _fmt(13.3, "en"), _fmt(6.0)) == ("13,3", "13.3", "6,0")
