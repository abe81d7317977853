"""Every label the ``tthc`` command prints, in Vietnamese and English, and number formats.

One table, :data:`LABELS`, so a command never spells a label of its own; the statistics
report keeps its column labels in :mod:`tthc_flow.reports` (Form 06a wording).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

Lang = Literal["vi", "en"]

LABELS: dict[str, tuple[str, str]] = {
    # validate
    "scenario": ("kịch bản", "scenario"),
    "procedures": ("thủ tục", "procedures"),
    "procedure_versions": ("phiên bản thủ tục", "procedure versions"),
    # show
    "field": ("Lĩnh vực", "Field"),
    "agency": ("Cơ quan", "Agency"),
    "statutory": ("Thời hạn luật định", "Statutory limit"),
    "shortened": ("Thời hạn cắt giảm", "Shortened limit"),
    "online_service": ("Dịch vụ công trực tuyến", "Online service"),
    "channels": ("Kênh", "Channels"),
    "on_the_spot": ("4 tại chỗ", "'4 on the spot'"),
    "fees": ("Phí, lệ phí", "Fees"),
    "legal_basis": ("Căn cứ pháp lý", "Legal basis"),
    "step": ("Bước", "Step"),
    "yes": ("có", "yes"),
    # values of the procedure model
    "working_days": ("ngày làm việc", "working days"),
    "working_hours": ("giờ làm việc", "working hours"),
    "calendar_days": ("ngày", "calendar days"),
    "desk": ("trực tiếp", "at the desk"),
    "postal": ("bưu chính", "by post"),
    "online": ("trực tuyến", "online"),
    "none": ("không", "none"),
    "partial": ("một phần", "partial"),
    "full": ("toàn trình", "full"),
    "one_stop": ("bộ phận một cửa", "one-stop desk"),
    "specialist": ("chuyên viên", "specialist"),
    "leader": ("lãnh đạo", "leader"),
    "applicant": ("người nộp", "applicant"),
    "system": ("hệ thống", "system"),
    # due
    "received_at": ("Tiếp nhận", "Received"),
    "clock_starts": ("Bắt đầu tính", "Clock starts"),
    "day_off": ("nghỉ", "off"),
    "due_at": ("Hẹn trả kết quả", "Due"),
    # simulate and demo
    "replications": ("lần lặp", "replications"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "baseline": ("hiện trạng", "baseline"),
    "difference": ("Chênh lệch [KTC 95 %]", "Difference [95 % CI]"),
    "significant": (
        "* khác biệt có ý nghĩa thống kê (khoảng tin cậy 95 % không chứa 0)",
        "* significant difference (the 95 % interval excludes 0)",
    ),
    "all_kpis": (
        "Đủ các chỉ tiêu: tthc simulate KỊCH_BẢN --json / --csv",
        "Every indicator: tthc simulate SCENARIO --json / --csv",
    ),
    "points": ("điểm %", "pp"),
    "comparison": ("So sánh", "Comparison"),
    "files_written": ("Tệp đã ghi", "Files written"),
    "database": ("Cơ sở dữ liệu", "Database"),
    "event_log": ("Nhật ký sự kiện (XES)", "Event log (XES)"),
    "plot": ("Biểu đồ", "Plot"),
    "no_plot": ("không vẽ biểu đồ", "no plot"),
    "run_time": ("Thời gian chạy", "Run time"),
    "written": ("đã ghi", "written"),
}
"""``key -> (Vietnamese, English)``."""

KPI_LABELS: dict[str, tuple[str, str]] = {
    "received": ("Hồ sơ tiếp nhận", "Dossiers received"),
    "on_time_rate": ("Tỷ lệ trước hạn, đúng hạn", "Early or on time"),
    "late": ("Hồ sơ giải quyết quá hạn", "Resolved late"),
    "processing_days_mean": (
        "Thời gian giải quyết TB (ngày làm việc)",
        "Mean processing (working days)",
    ),
    "processing_days_p90": (
        "Thời gian giải quyết, phân vị 90 (ngày làm việc)",
        "90th percentile processing (working days)",
    ),
    "citizen_days_mean": (
        "Người nộp chờ kết quả TB (ngày)",
        "Applicant waits for the result, mean (days)",
    ),
    "on_the_spot": ("Giải quyết theo cơ chế 4 tại chỗ", "Handled '4 on the spot'"),
    "backlog_mean": ("Hồ sơ đang giải quyết TB mỗi ngày", "Open dossiers, daily mean"),
    "utilisation.one_stop": ("Mức bận bộ phận một cửa", "One-stop desk utilisation"),
    "utilisation.specialist": ("Mức bận chuyên viên", "Specialist utilisation"),
}
"""The headline KPIs of a simulation, in the order printed (the rest: JSON / CSV)."""

PERCENT_KPIS = frozenset({"on_time_rate", "utilisation.one_stop", "utilisation.specialist"})
COUNT_KPIS = frozenset({"received", "late", "on_the_spot", "backlog_mean"})

WEEKDAYS = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def say(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (the key itself when the table has none, e.g. a
    procedure's own role)."""
    vi, en = LABELS.get(key, (key, key))
    return en if lang == "en" else vi


def kpi_label(kpi: str, lang: str) -> str:
    """A headline KPI's label in ``lang``."""
    vi, en = KPI_LABELS.get(kpi, (kpi, kpi))
    return en if lang == "en" else vi


def number(value: float, lang: str, decimals: int = 0) -> str:
    """``1.234,5`` in Vietnamese, ``1,234.5`` in English; ``-`` for NaN."""
    if math.isnan(value):
        return "-"
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def kpi_value(kpi: str, value: float, lang: str, *, signed: bool = False, unit: bool = True) -> str:
    """A KPI value as printed: rates in % (``unit=False`` leaves the sign out), counts whole,
    times with two decimals; ``signed`` puts ``+`` before a positive value."""
    percent = kpi in PERCENT_KPIS
    decimals = 1 if percent else 0 if kpi in COUNT_KPIS else 2
    scaled = value * 100 if percent else value
    if not math.isnan(scaled) and round(scaled, decimals) == 0:
        scaled = 0.0  # no "-0,0"
    text = number(scaled, lang, decimals)
    if signed and scaled > 0:
        text = "+" + text
    if not percent or not unit or text == "-":
        return text
    return text + (" " + say("points", lang) if signed else " %")  # a difference of rates


def weekday(day: date, lang: str) -> str:
    """``Thứ Bảy`` / ``Sat``."""
    return WEEKDAYS["en" if lang == "en" else "vi"][day.weekday()]
