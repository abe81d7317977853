"""Every label the ``tthc`` command prints, in Vietnamese and English.

One table, :data:`LABELS`, so a command never spells a label of its own. Others own theirs:
the statistics report its column labels (:mod:`tthc_flow.reports`, Form 06a wording); the
simulation its KPI names, role names, table words and value formats
(:mod:`tthc_flow.simulation`); numbers are written by :func:`tthc_flow._numbers.number`.
"""

from __future__ import annotations

from datetime import date

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
    # due
    "received_at": ("Tiếp nhận", "Received"),
    "clock_starts": ("Bắt đầu tính", "Clock starts"),
    "day_off": ("nghỉ", "off"),
    "due_at": ("Hẹn trả kết quả", "Due"),
    # simulate and demo
    "replications": ("lần lặp", "replications"),
    "all_kpis": (
        "Đủ các chỉ tiêu: tthc simulate KỊCH_BẢN --json / --csv",
        "Every indicator: tthc simulate SCENARIO --json / --csv",
    ),
    "comparison": ("So sánh", "Comparison"),
    "files_written": ("Tệp đã ghi", "Files written"),
    "database": ("Cơ sở dữ liệu", "Database"),
    "event_log": ("Nhật ký sự kiện (XES)", "Event log (XES)"),
    "plot": ("Biểu đồ", "Plot"),
    "run_time": ("Thời gian chạy", "Run time"),
    "written": ("đã ghi", "written"),
}
"""``key -> (Vietnamese, English)``."""

WEEKDAYS = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def say(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (the key itself when the table has none)."""
    vi, en = LABELS.get(key, (key, key))
    return en if lang == "en" else vi


def weekday(day: date, lang: str) -> str:
    """``Thứ Bảy`` / ``Sat``."""
    return WEEKDAYS["en" if lang == "en" else "vi"][day.weekday()]
