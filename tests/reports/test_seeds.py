"""The seed articles' headline figures, rebuilt from synthetic logs run through the Engine.

Sources (domain.md, "What the seeds report"): Khánh Hòa DoIT 2017, Hải Phòng DoIT 2020,
Hà Nội DoIT H1 2017. Each log is built to match the article, then the report must give the
article's numbers back, percentages rounded half up to one decimal as the articles print them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import cycle

from tests.reports.logs import LogBuilder, new_builder, seed_catalog
from tthc_flow._time import VN_TZ
from tthc_flow.reports import Period, Task, statistics, task_statistics


def _spread(b: LogBuilder, first: date, last: date, n: int) -> list[date]:
    days = cycle(b.days(first, last))
    return [next(days) for _ in range(n)]


def test_khanh_hoa_2017_resolved_by_timeliness_and_online_share() -> None:
    b = new_builder()
    plan = ["early"] * 10_450 + ["on_time"] * 96 + ["late"] * 17
    days = _spread(b, date(2017, 1, 3), date(2017, 8, 15), len(plan))
    for i, (when, day) in enumerate(zip(plan, days, strict=True)):
        channel = "online" if i % 7 == 0 and i // 7 < 1_410 else "desk"
        b.resolve(b.receive(day, "1.000002", channel=channel), when)
    report = statistics(b.dossiers(), Period.between(date(2017, 1, 1), date(2017, 8, 30)))
    total = report.total
    assert (total.resolved, total.resolved_early, total.resolved_on_time, total.resolved_late) == (
        10_563,
        10_450,
        96,
        17,
    )
    assert total.received_online == 1_410
    assert total.online_pct == 13.3
    assert total.in_progress == 0 and total.balanced


def test_hai_phong_2020_received_resolved_in_progress_withdrawn_and_tasks() -> None:
    b = new_builder()
    period = Period.parse("2020-01-01..2020-09-10")
    for day in _spread(b, date(2020, 1, 2), date(2020, 8, 20), 5_610):
        b.resolve(b.receive(day, "1.000002"), "early")
    for day in _spread(b, date(2020, 9, 9), date(2020, 9, 10), 20):
        b.start_work(b.receive(day, "1.000002"))
    for day in _spread(b, date(2020, 3, 2), date(2020, 6, 30), 21):
        b.withdraw(b.receive(day, "1.000002"))
    # 6,065 dossiers sent by express post from January to 30 September (Decision 45/2016):
    # another population than the 5,651 (C/O and other dossiers; procedure 1.000003 here)
    for day in _spread(b, date(2020, 1, 2), date(2020, 9, 30), 6_065):
        b.receive(day, "1.000003", channel="postal")
    to_september = statistics(
        b.dossiers(), Period.parse("2020-01-01..2020-09-30"), by="procedure", catalog=seed_catalog()
    )
    assert to_september.group("1.000003").received_postal == 6_065
    report = statistics(b.dossiers(), period, by="procedure", catalog=seed_catalog())
    t = report.group("1.000002")
    assert (t.received, t.resolved, t.in_progress, t.withdrawn) == (5_651, 5_610, 20, 21)
    assert t.received == t.resolved + t.in_progress + t.withdrawn + t.refused
    assert t.in_progress_within == 20

    def at(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, 9, tzinfo=VN_TZ)

    tasks = []
    for i in range(300):
        assigned = at(date(2020, 1, 6)) + timedelta(days=i % 200)
        due = assigned + timedelta(days=20)
        if i < 224:
            done = assigned + timedelta(days=10)
        elif i < 230:
            done = due + timedelta(days=3)
        else:
            done = None
        tasks.append(Task(f"NV-{i:03d}", f"Nhiệm vụ {i}", assigned, due, done))
    stats = task_statistics(tasks, period)
    assert (stats.assigned, stats.done_on_time, stats.done_late, stats.in_progress) == (
        300,
        224,
        6,
        70,
    )
    with_tasks = statistics([], period, tasks=tasks)
    assert with_tasks.tasks == stats


def test_ha_noi_h1_2017_received_online_and_all_results_on_time() -> None:
    """8,661 dossiers of organisations and firms, 8,482 online at level 3 (partial online,
    procedure 1.000001), 8,575 results, all on time; plus 3,800 promotion dossiers
    (1.000002) received by post. The promotions are counted apart from the 8,661: 8,482
    online + 3,800 postal would exceed 8,661 received if they were one population."""
    b = new_builder()
    period = Period.half(2017, 1)
    days = _spread(b, date(2017, 1, 3), date(2017, 6, 16), 8_575)
    for i, day in enumerate(days):
        channel = "online" if i < 8_482 else "desk"
        b.resolve(b.receive(day, "1.000001", channel=channel), "early" if i % 3 else "on_time")
    for day in _spread(b, date(2017, 6, 28), date(2017, 6, 30), 86):
        b.start_work(b.receive(day, "1.000001"))
    for day in _spread(b, date(2017, 1, 3), date(2017, 6, 30), 3_800):
        b.receive(day, "1.000002", channel="postal")
    report = statistics(b.dossiers(), period, by="procedure", catalog=seed_catalog())
    t = report.group("1.000001")
    assert t.received == 8_661
    assert t.received_online == 8_482 and t.online_pct == 97.9
    assert t.received_online_partial == 8_482  # "trực tuyến mức 3"
    assert t.resolved == 8_575 and t.on_time_pct == 100.0 and t.resolved_late == 0
    assert report.group("1.000002").received_postal == 3_800
    assert report.total.received_postal == 3_800
