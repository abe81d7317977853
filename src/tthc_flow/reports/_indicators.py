"""Decision 766/QĐ-TTg service-quality indicators computable from tthc_flow's own data.

Formulas, points and thresholds: docs/indicators.md (the national portal's description of
how DVCQG computes them). Scoring: full points at or above the threshold, else
``rate × max_points / threshold``.

Dossier data keys read (given with any command, e.g. ``return_result(e_result=True)``; the
SQL store keeps them as summary columns of the same names):

* ``paid_online`` — the fee was paid through DVCQG or the local payment gateway (3.6);
* ``e_result`` — an electronic result with its result code was returned (3.3, 4.1, 4.2);
* ``digitised`` — the dossier's components were digitised at reception (4.2);
* ``complained`` — a petition or "dislike" rating concerns the dossier (5.4).

Both paths count per procedure version (:class:`Counts`) and share :func:`build`;
:func:`indicators_sql` counts with one GROUP BY in the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from tthc_flow.engine import Dossier
from tthc_flow.errors import UnknownProcedure
from tthc_flow.reports._period import Period
from tthc_flow.reports._rounding import percent, round_half_up
from tthc_flow.reports._statistics import (
    CatalogLookup,
    entry_moment,
    exit_moment,
    judged_moment,
    judgement_moment,
)


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator: its rate, points out of ``max_points`` and the formula used."""

    id: str
    name: str
    numerator: int
    denominator: int
    max_points: float
    threshold: float
    formula: str

    @property
    def rate(self) -> float | None:
        """Numerator ÷ denominator in per cent (half up, one decimal); None when nothing to rate."""
        return percent(self.numerator, self.denominator)

    @property
    def points(self) -> float | None:
        """``score(rate)``: full at or above the threshold, else proportional (two decimals);
        None for monitoring indicators (no points) or when there is nothing to rate."""
        if not self.denominator or not self.max_points:
            return None
        return score(self.numerator / self.denominator, self.max_points, self.threshold)

    def as_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "id": self.id,
            "name": self.name,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "rate": self.rate,
            "points": self.points,
            "max_points": self.max_points,
            "threshold": self.threshold,
            "formula": self.formula,
        }


def score(rate: float, max_points: float, threshold: float = 1.0) -> float:
    """Points of a rate (0..1): ``max_points`` at ``threshold`` or above, else proportional.

    >>> score(0.4, 12, 0.5)
    9.6
    """
    if rate >= threshold:
        return max_points
    return round_half_up(rate * max_points / threshold, 2)


@dataclass
class Counts:
    """Dossier counts of one procedure version in a period (both paths fill these)."""

    handled: int = 0
    on_time: int = 0
    received: int = 0
    received_online: int = 0
    online_with_result: int = 0
    with_fee: int = 0
    paid_online: int = 0
    resolved: int = 0
    late: int = 0
    approved: int = 0
    with_e_result: int = 0
    digitised: int = 0
    complained: int = 0

    def add(self, other: Counts) -> None:
        """Add ``other`` into this one."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def _flag(data: dict[str, Any], key: str) -> bool:
    return bool(data.get(key, False))


def _count(d: Dossier, period: Period, judge_at: datetime) -> Counts | None:
    entered = entry_moment(d)
    left, how = exit_moment(d)
    start, end = period.start_at, period.end_at
    if entered is None or entered >= end or (left is not None and left < start):
        return None
    c = Counts()
    data = d.data_dict
    result_ok = d.outcome != "approved" or _flag(data, "e_result")
    if start <= entered and d.received_at is not None:
        c.received = 1
        if d.channel == "online":
            c.received_online = 1
            c.online_with_result = int(result_ok)
        if d.fees_due > 0:
            c.with_fee = 1
            c.paid_online = int(_flag(data, "paid_online"))
        c.digitised = int(_flag(data, "digitised") and result_ok)
        c.complained = int(_flag(data, "complained"))
    if how in ("refused", "withdrawn", "closed") and left is not None and left < end:
        return c
    c.handled = 1
    if left is not None and left < end:
        c.resolved = 1
        good = d.resolution_timeliness in ("early", "on_time")
        c.late = int(not good)
        if d.outcome == "approved":
            c.approved = 1
            c.with_e_result = int(_flag(data, "e_result"))
    else:
        due = d.original_due_at
        good = due is None or judged_moment(d, judge_at) <= due
    c.on_time = int(good and len(d.pauses) <= 1)
    return c


def indicators(
    dossiers: Iterable[Dossier], period: Period, catalog: Any, *, as_of: datetime | None = None
) -> list[Indicator]:
    """Indicators 2.1, 3.1, 3.2, 3.3, 3.3a, 3.6, 4.1, 4.2 and 5.4 for ``period``.

    Open dossiers are judged at the period end, or at ``as_of`` (default now) if earlier.
    """
    judge_at = judgement_moment(period, as_of)
    per_procedure: dict[tuple[str, int], Counts] = {}
    for d in dossiers:
        c = _count(d, period, judge_at)
        if c is not None:
            per_procedure.setdefault((d.procedure_code, d.procedure_version), Counts()).add(c)
    return build(per_procedure, period, catalog)


def indicators_sql(
    store: Any, period: Period, catalog: Any, *, as_of: datetime | None = None
) -> list[Indicator]:
    """:func:`indicators` computed by the database (one GROUP BY per procedure version).

    ``store``: a :class:`~tthc_flow.store.SqlStore`, or an SQLAlchemy Engine / Connection.
    Same approximation as :func:`statistics_sql` for open dossiers waiting for a supplement.
    """
    from tthc_flow.reports._sql import connect, indicator_counts_query

    query = indicator_counts_query(period, judgement_moment(period, as_of))
    per_procedure: dict[tuple[str, int], Counts] = {}
    with connect(store) as conn:
        for row in conn.execute(query).mappings():
            counts = Counts(**{f.name: int(row[f.name]) for f in fields(Counts)})
            per_procedure[(row["procedure_code"], int(row["procedure_version"]))] = counts
    return build(per_procedure, period, catalog)


def _offered(catalog: Any, period: Period) -> list[Any]:
    """Definitions in force on the period's last day (all procedures under the authority)."""
    found = []
    for code in catalog.codes():
        try:
            found.append(catalog.effective(code, period.last))
        except UnknownProcedure:
            continue
    return found


def build(
    per_procedure: dict[tuple[str, int], Counts], period: Period, catalog: Any
) -> list[Indicator]:
    """The indicators from per-procedure counts and the catalog."""
    lookup = CatalogLookup(catalog)
    total = Counts()
    eligible_full = online_full = 0
    used_online: set[str] = set()
    for (code, version), c in per_procedure.items():
        total.add(c)
        definition = lookup.get(code, version)
        if definition is not None and definition.online.value == "full":
            eligible_full += c.received
            online_full += c.received_online
        if c.received_online:
            used_online.add(code)
    offered = _offered(catalog, period)
    online_codes = {p.code for p in offered if p.online.value != "none"}
    late_pct = percent(total.late, total.resolved) or 0.0
    satisfied = max(total.received - total.complained, 0)
    return [
        Indicator(
            "2.1",
            "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn",
            total.on_time,
            total.handled,
            20,
            1.0,
            "(đã giải quyết trước hạn, đúng hạn + đang giải quyết trong hạn, tối đa 01 lần bổ "
            "sung) ÷ (đã giải quyết + đang giải quyết); rút, từ chối không tính",
        ),
        Indicator(
            "3.1",
            "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến",
            len(online_codes),
            len(offered),
            0,
            0.8,
            "TTHC có DVCTT (toàn trình hoặc một phần) ÷ TTHC đang có hiệu lực trong danh mục "
            "(theo dõi; điểm nằm trong 12 điểm của nhóm 3, đủ khi ≥ 80 %)",
        ),
        Indicator(
            "3.2",
            "Tỷ lệ DVCTT có phát sinh hồ sơ",
            len(online_codes & used_online),
            len(online_codes),
            0,
            1.0,
            "DVCTT có ít nhất 01 hồ sơ nộp trực tuyến tiếp nhận trong kỳ ÷ DVCTT (theo dõi)",
        ),
        Indicator(
            "3.3",
            "Tỷ lệ hồ sơ trực tuyến",
            total.online_with_result,
            total.received,
            12,
            0.5,
            "hồ sơ tiếp nhận trực tuyến (nếu đã phê duyệt: có kết quả điện tử, e_result) ÷ hồ sơ "
            "tiếp nhận; đủ điểm khi ≥ 50 %",
        ),
        Indicator(
            "3.3a",
            "Tỷ lệ hồ sơ trực tuyến toàn trình",
            online_full,
            eligible_full,
            0,
            0.5,
            "hồ sơ nộp trực tuyến của TTHC toàn trình ÷ hồ sơ tiếp nhận của TTHC đủ điều kiện "
            "toàn trình (theo dõi)",
        ),
        Indicator(
            "3.6",
            "Tỷ lệ hồ sơ thanh toán trực tuyến",
            total.paid_online,
            total.with_fee,
            6,
            1.0,
            "hồ sơ có paid_online ÷ hồ sơ tiếp nhận có phí, lệ phí > 0",
        ),
        Indicator(
            "4.1",
            "Tỷ lệ hồ sơ có cấp kết quả điện tử",
            total.with_e_result,
            total.approved,
            6,
            1.0,
            "hồ sơ có e_result ÷ hồ sơ giải quyết (phê duyệt) trong kỳ",
        ),
        Indicator(
            "4.2",
            "Tỷ lệ hồ sơ thực hiện số hóa hồ sơ",
            total.digitised,
            total.received,
            4,
            0.8,
            "hồ sơ có digitised (và e_result nếu đã phê duyệt) ÷ hồ sơ tiếp nhận; đủ điểm khi ≥ 80 %",
        ),
        Indicator(
            "5.4",
            "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC (ước tính)",
            _satisfaction_numerator(total.received, satisfied, late_pct),
            total.received,
            6,
            0.9,
            "100 % − (tỷ lệ hồ sơ quá hạn + tỷ lệ hồ sơ có phản ánh, complained); đủ điểm khi ≥ 90 %",
        ),
    ]


def _satisfaction_numerator(received: int, satisfied: int, late_pct: float) -> int:
    # 100 % − late rate − complaint rate, expressed as a count of received dossiers
    if not received:
        return 0
    share = satisfied / received - late_pct / 100
    return max(round(share * received), 0)


def average_days_by_procedure(report: Any) -> dict[str, float | None]:
    """Indicator 2.2 (monitoring): average processing time per procedure, working days.

    ``report`` is ``statistics(..., by="procedure")`` or ``statistics_sql(..., by="procedure")``.
    """
    return {g.key: g.processing_days_avg for g in report.groups if not g.is_total}
