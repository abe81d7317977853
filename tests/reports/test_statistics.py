"""Statistics: the buckets, the identity, groupings, rounding and renderings."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from tests.reports.logs import LogBuilder, seed_catalog
from tthc_flow.reports import GroupStats, Period, percent, statistics

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
    for bad in ("2026-13", "2026-Q5", "26", "2026-02-01..2026-01-01"):
        with pytest.raises(ValueError):
            Period.parse(bad)


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
    assert t.resolved == 10 and t.rejected == 1
    # the '4 tại chỗ' dossier is due 4 working hours after receipt (engine OnTheSpotPolicy):
    # resolved the same day, it is on time, not early
    assert (t.resolved_early, t.resolved_on_time, t.resolved_late) == (6, 2, 2)
    assert (t.in_progress, t.in_progress_within, t.in_progress_overdue) == (3, 2, 1)
    assert (t.withdrawn, t.refused) == (1, 2)
    assert t.supplement_requested == 2 and t.rescheduled == 1
    assert t.balanced and t.total_to_handle == 16
    assert t.processing_days_avg is not None and t.processing_days_p90 is not None
    assert t.processing_days_p90 >= t.processing_days_avg
    assert t.statutory_days_avg is not None and t.saved_days_avg is not None
    assert t.saved_days_avg == pytest.approx(t.statutory_days_avg - t.processing_days_avg, abs=0.01)


def test_rejected_counts_as_resolved_and_the_identity_holds_per_group(mixed: LogBuilder) -> None:
    catalog = seed_catalog()
    for by in ("agency", "field", "procedure", "channel", "online"):
        report = statistics(mixed.dossiers(), Q1, by=by, catalog=catalog)
        groups = [g for g in report.groups if not g.is_total]
        assert len(groups) >= 2 or by == "online"
        assert all(g.balanced for g in report.groups), by
        assert sum(g.resolved for g in groups) == report.total.resolved == 10
        assert sum(g.received for g in groups) == report.total.received
    by_agency = statistics(mixed.dossiers(), Q1, by="agency")
    assert by_agency.group("SCT-QLTM").carried_over == 1
    assert by_agency.group("SCT-QLTM").resolved_late == 2


def test_previous_period_and_grouping_checks(mixed: LogBuilder) -> None:
    december = statistics(mixed.dossiers(), Period.month(2025, 12)).total
    assert (december.received, december.resolved, december.in_progress) == (3, 1, 2)
    with pytest.raises(ValueError, match="catalog"):
        statistics([], Q1, by="field")
    with pytest.raises(ValueError, match="by="):
        statistics([], Q1, by="colour")
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
    assert data["period"]["first"] == "2026-01-01" and data["rows"][-1]["resolved"] == 10


def test_group_stats_percentages() -> None:
    report = statistics([], Q1)
    g: GroupStats = report.total
    assert g.late_pct is None and g.saved_pct is None
