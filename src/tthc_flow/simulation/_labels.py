"""KPI names for people: labels in Vietnamese and English, the headline list, values as printed.

The one place for them: :func:`~tthc_flow.simulation.format_comparison`, the JSON/CSV exports
and the ``tthc simulate`` / ``tthc demo`` tables all read this module.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from tthc_flow._numbers import number
from tthc_flow.errors import InvalidCommand
from tthc_flow.simulation._kpis import Estimate, SimulationResult
from tthc_flow.simulation._run import BASELINE

if TYPE_CHECKING:  # _compare prints itself with these labels: no runtime import back
    from tthc_flow.simulation._compare import Comparison, Difference

LANGUAGES = ("vi", "en")

KPI_LABELS: dict[str, dict[str, str]] = {
    "arrived": {"vi": "Hồ sơ đến", "en": "Dossiers arrived"},
    "received": {"vi": "Hồ sơ tiếp nhận", "en": "Dossiers received"},
    "resolved": {"vi": "Hồ sơ đã giải quyết", "en": "Dossiers resolved"},
    "early": {"vi": "Giải quyết trước hạn", "en": "Resolved early"},
    "on_time": {"vi": "Giải quyết đúng hạn", "en": "Resolved on time"},
    "late": {"vi": "Giải quyết quá hạn", "en": "Resolved late"},
    "rejected": {"vi": "Từ chối", "en": "Rejected"},
    "withdrawn": {"vi": "Rút hồ sơ", "en": "Withdrawn"},
    "returned": {"vi": "Đã trả kết quả", "en": "Results handed over"},
    "rescheduled": {"vi": "Xin lỗi, hẹn lại", "en": "Apologised, rescheduled"},
    "open_at_end": {"vi": "Còn mở cuối kỳ", "en": "Open at horizon end"},
    "resolved_at_end": {"vi": "Đã giải quyết cuối kỳ", "en": "Resolved by horizon end"},
    "in_progress_at_end": {"vi": "Đang giải quyết cuối kỳ", "en": "In progress at horizon end"},
    "censored": {"vi": "Chưa xong sau kỳ bù", "en": "Still open after drain"},
    "censored_overdue": {"vi": "Chưa xong, đã quá hạn", "en": "Still open, overdue"},
    "on_the_spot": {"vi": "Giải quyết 4 tại chỗ", "en": "Handled '4 on the spot'"},
    "visits": {"vi": "Lượt đến Một cửa", "en": "Desk visits"},
    "visits_saved": {"vi": "Lượt đi lại tiết kiệm", "en": "Visits saved"},
    "visits_saved_per_dossier": {"vi": "Lượt tiết kiệm / hồ sơ", "en": "Visits saved per dossier"},
    "on_time_rate": {"vi": "Tỷ lệ trước hạn, đúng hạn", "en": "Early or on time"},
    "processing_days_mean": {
        "vi": "Xử lý TB (ngày làm việc)",
        "en": "Processing mean (work days)",
    },
    "processing_days_median": {
        "vi": "Xử lý P50 (ngày làm việc)",
        "en": "Processing P50 (work days)",
    },
    "processing_days_p90": {
        "vi": "Xử lý P90 (ngày làm việc)",
        "en": "Processing P90 (work days)",
    },
    "citizen_days_mean": {"vi": "Người dân chờ TB (ngày)", "en": "Applicant wait, mean (days)"},
    "backlog_mean": {"vi": "Hồ sơ đang mở TB mỗi ngày", "en": "Open dossiers, daily mean"},
    "wait_hours": {"vi": "Chờ (giờ)", "en": "Wait (hours)"},
    "busy_servers": {"vi": "Số người bận TB", "en": "Busy staff, mean"},
    "utilisation": {"vi": "Mức bận", "en": "Utilisation"},
}
"""Display names of every KPI (per-role KPIs by their prefix), in Vietnamese and English."""

ROLE_LABELS: dict[str, dict[str, str]] = {
    "one_stop": {"vi": "bộ phận một cửa", "en": "one-stop desk"},
    "specialist": {"vi": "chuyên viên", "en": "specialist"},
    "leader": {"vi": "lãnh đạo", "en": "leader"},
    "applicant": {"vi": "người nộp", "en": "applicant"},
    "system": {"vi": "hệ thống", "en": "system"},
}
"""The built-in roles, as per-role KPIs name them; a procedure's own role keeps its name."""

HEADLINE_KPIS: tuple[str, ...] = (
    "received",
    "on_time_rate",
    "late",
    "censored",
    "processing_days_mean",
    "processing_days_p90",
    "citizen_days_mean",
    "on_the_spot",
    "visits_saved_per_dossier",
    "backlog_mean",
    "utilisation.one_stop",
    "utilisation.specialist",
)
"""The KPIs a director reads first, in display order (those missing from a result are skipped;
every KPI is in the JSON / CSV exports)."""

TABLE_LABELS: dict[str, dict[str, str]] = {
    "kpi": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "baseline": {"vi": "hiện trạng", "en": "baseline"},
    "plot_backlog": {"vi": "Hồ sơ đang giải quyết mỗi ngày", "en": "Open dossiers per day"},
    "plot_open": {"vi": "hồ sơ đang mở", "en": "open dossiers"},
    "plot_processing": {
        "vi": "Thời gian giải quyết (ngày làm việc), tỷ lệ cộng dồn của hồ sơ đã giải quyết",
        "en": "Processing time (working days), cumulative share of resolved dossiers",
    },
    "plot_days": {
        "vi": "ngày làm việc từ tiếp nhận đến có kết quả",
        "en": "working days from receipt to result",
    },
    "plot_share": {"vi": "tỷ lệ", "en": "share"},
    "difference": {"vi": "Chênh lệch [KTC 95 %]", "en": "Difference [95 % CI]"},
    "significant": {
        "vi": "* khác biệt có ý nghĩa thống kê (khoảng tin cậy 95 % không chứa 0)",
        "en": "* significant difference (the 95 % interval excludes 0)",
    },
    "points": {"vi": "điểm %", "en": "pp"},
}
"""Words of a results table: column heads, the note on ``*``, the unit of a rate difference."""

COUNT_KPIS = frozenset(
    {
        "arrived", "received", "resolved", "early", "on_time", "late", "rejected", "withdrawn",
        "returned", "rescheduled", "open_at_end", "resolved_at_end", "in_progress_at_end",
        "censored", "censored_overdue", "on_the_spot", "visits", "visits_saved", "backlog_mean",
    }
)  # fmt: skip
"""KPIs printed as whole numbers (means of counts); rates are in %, the rest has 2 decimals."""


def _lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise InvalidCommand(f"unknown language {lang!r}; use one of {LANGUAGES}")
    return lang


def role_label(role: str, lang: str = "vi") -> str:
    """A built-in role in ``lang`` (``one_stop`` -> ``bộ phận một cửa``); other roles as given."""
    labels = ROLE_LABELS.get(role)
    return labels[_lang(lang)] if labels else role


def kpi_label(name: str, lang: str = "vi") -> str:
    """Display name of a KPI; ``utilisation.specialist`` -> ``Mức bận: chuyên viên``.

    >>> kpi_label("on_time_rate", "en")
    'Early or on time'
    """
    base, _, role = name.partition(".")
    labels = KPI_LABELS.get(base)
    if labels is None:
        _lang(lang)
        return name
    text = labels[_lang(lang)]
    return f"{text}: {role_label(role, lang)}" if role else text


def kpi_labels(lang: str = "vi") -> dict[str, str]:
    """Every label of :data:`KPI_LABELS` in one language."""
    return {name: kpi_label(name, lang) for name in KPI_LABELS}


def table_label(key: str, lang: str = "vi") -> str:
    """A word of :data:`TABLE_LABELS` in ``lang``."""
    return TABLE_LABELS[key][_lang(lang)]


def headline_kpis(result: SimulationResult | Comparison) -> list[str]:
    """The headline KPIs present in a result or comparison, in display order."""
    present = (
        set(result.kpis) if isinstance(result, SimulationResult) else {r.kpi for r in result.rows}
    )
    return [k for k in HEADLINE_KPIS if k in present]


def is_rate(name: str) -> bool:
    """Whether a KPI is a share (printed in %, differences in percentage points)."""
    return name == "on_time_rate" or name.startswith("utilisation.")


def format_kpi(
    name: str, value: float, lang: str = "vi", *, signed: bool = False, unit: bool = True
) -> str:
    """A KPI value as printed: rates in % with one decimal, counts whole, the rest with two
    decimals, in the number style of ``lang`` (``99,5 %`` / ``99.5 %``); ``-`` for NaN.

    ``signed`` writes a difference: ``+`` before a positive value, percentage points for a
    rate (``+1,5 điểm %`` / ``+1.5 pp``); ``unit=False`` leaves the unit out (interval ends).

    >>> format_kpi("on_time_rate", 0.995, "vi"), format_kpi("on_time_rate", 0.015, "en", signed=True)
    ('99,5 %', '+1.5 pp')
    """
    rate = is_rate(name)
    decimals = 1 if rate else 0 if name in COUNT_KPIS else 2
    scaled = value * 100 if rate else value
    if not math.isnan(scaled) and round(scaled, decimals) == 0:
        scaled = 0.0  # no "-0,0"
    text = number(scaled, _lang(lang), decimals)
    if signed and scaled > 0:
        text = "+" + text
    if not rate or not unit or text == "-":
        return text
    return f"{text} {table_label('points', lang)}" if signed else f"{text} %"


def format_estimate(name: str, estimate: Estimate, lang: str = "vi") -> str:
    """A mean and its 95 % interval: ``97,3 % [95,1; 99,5]`` (the interval only when known)."""
    text = format_kpi(name, estimate.mean, lang)
    if math.isnan(estimate.low):
        return text
    low, high = (format_kpi(name, v, lang, unit=False) for v in (estimate.low, estimate.high))
    return f"{text} [{low}; {high}]"


def format_difference(row: Difference, lang: str = "vi") -> str:
    """Variant minus baseline with its 95 % interval, ``*`` when the interval excludes 0:
    ``+2,1 điểm % [+0,4; +3,8] *``."""
    d = row.diff
    text = format_kpi(row.kpi, d.mean, lang, signed=True)
    if not math.isnan(d.low):
        low, high = (format_kpi(row.kpi, v, lang, signed=True, unit=False) for v in (d.low, d.high))
        text += f" [{low}; {high}]"
    return text + (" *" if row.significant else "")


def variant_label(variant: str, lang: str = "vi") -> str:
    """A variant's name as a column head: the baseline translated, others as named."""
    return table_label("baseline", lang) if variant == BASELINE else variant
