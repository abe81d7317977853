"""Decision 766/QĐ-TTg service-quality indicators computable from tthc_flow's own data.

Formulas, points and thresholds: docs/indicators.md (the national portal's description of
how DVCQG computes them) and docs/reports.md. Scoring: full points at or above the
threshold, else ``rate × max_points / threshold``.

Dossier data keys read (given with any command, e.g. ``return_result(e_result=True)``):

* ``paid_online`` — the fee was paid through DVCQG or the local payment gateway (3.6);
* ``e_result`` — an electronic result with its result code was returned (4.1, 4.2);
* ``digitised`` — the dossier's components were digitised at reception (4.2);
* ``complained`` — a petition or "dislike" rating concerns the dossier (5.4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tthc_flow.engine import Dossier
from tthc_flow.reports._period import Period
from tthc_flow.reports._rounding import percent, round_half_up
from tthc_flow.reports._statistics import CatalogLookup, entry_moment, exit_moment, judged_moment


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
        """``score(rate)``: full at or above the threshold, else proportional (two decimals)."""
        if not self.denominator:
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


def _flag(d: Dossier, key: str) -> bool:
    return bool(d.data_dict.get(key, False))


def indicators(dossiers: Iterable[Dossier], period: Period, catalog: Any) -> list[Indicator]:
    """Indicators 2.1, 3.3 (full-process online), 3.6, 4.1, 4.2 and 5.4 for ``period``."""
    lookup = CatalogLookup(catalog)
    start, end = period.start_at, period.end_at
    handled = on_time = 0
    eligible_full = online_full = 0
    with_fee = paid_online = 0
    approved = with_e_result = 0
    received = digitised = 0
    resolved = late = complained = 0
    for d in dossiers:
        entered = entry_moment(d)
        left, how = exit_moment(d)
        if entered is None or entered >= end or (left is not None and left < start):
            continue
        definition = lookup.get(d.procedure_code, d.procedure_version)
        if start <= entered and d.received_at is not None:
            received += 1
            if definition is not None and definition.online.value == "full":
                eligible_full += 1
                online_full += int(d.channel == "online")
            if d.fees_due > 0:
                with_fee += 1
                paid_online += int(_flag(d, "paid_online"))
            digitised += int(
                _flag(d, "digitised") and (d.outcome != "approved" or _flag(d, "e_result"))
            )
            complained += int(_flag(d, "complained"))
        if how in ("refused", "withdrawn") and left is not None and left < end:
            continue
        handled += 1
        if left is not None and left < end:
            resolved += 1
            good = d.resolution_timeliness in ("early", "on_time")
            late += int(not good)
            if d.outcome == "approved":
                approved += 1
                with_e_result += int(_flag(d, "e_result"))
        else:
            due = d.original_due_at
            good = due is None or judged_moment(d, end) <= due
        on_time += int(good and len(d.pauses) <= 1)
    satisfied = max(received - complained, 0) if received else 0
    late_pct = percent(late, resolved) or 0.0
    return [
        Indicator(
            "2.1",
            "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn",
            on_time,
            handled,
            20,
            1.0,
            "(đã giải quyết trước hạn, đúng hạn + đang giải quyết trong hạn, tối đa 01 lần bổ "
            "sung) ÷ (đã giải quyết + đang giải quyết); rút, từ chối không tính",
        ),
        Indicator(
            "3.3",
            "Tỷ lệ hồ sơ trực tuyến toàn trình",
            online_full,
            eligible_full,
            12,
            0.5,
            "hồ sơ nộp trực tuyến của TTHC toàn trình ÷ hồ sơ tiếp nhận của TTHC đủ điều kiện "
            "toàn trình; đủ điểm khi ≥ 50 %",
        ),
        Indicator(
            "3.6",
            "Tỷ lệ hồ sơ thanh toán trực tuyến",
            paid_online,
            with_fee,
            6,
            1.0,
            "hồ sơ có paid_online ÷ hồ sơ tiếp nhận có phí, lệ phí > 0",
        ),
        Indicator(
            "4.1",
            "Tỷ lệ hồ sơ có cấp kết quả điện tử",
            with_e_result,
            approved,
            6,
            1.0,
            "hồ sơ có e_result ÷ hồ sơ giải quyết (phê duyệt) trong kỳ",
        ),
        Indicator(
            "4.2",
            "Tỷ lệ hồ sơ thực hiện số hóa hồ sơ",
            digitised,
            received,
            4,
            0.8,
            "hồ sơ có digitised (và e_result nếu đã phê duyệt) ÷ hồ sơ tiếp nhận; đủ điểm khi ≥ 80 %",
        ),
        Indicator(
            "5.4",
            "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC (ước tính)",
            _satisfaction_numerator(received, satisfied, late_pct),
            received,
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
