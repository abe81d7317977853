"""Column labels of the statistics report: Vietnamese (as on Form 06a-style reports) and English."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "group": ("Nhóm", "Group"),
    "total_to_handle": ("Tổng số hồ sơ nhận giải quyết", "Total to handle"),
    "carried_over": ("Số kỳ trước chuyển qua", "Carried over"),
    "received": ("Số mới tiếp nhận", "Newly received"),
    "received_online": ("Tiếp nhận trực tuyến", "Received online"),
    "received_online_partial": ("Trực tuyến một phần", "Online, partial process"),
    "received_online_full": ("Trực tuyến toàn trình", "Online, full process"),
    "received_postal": ("Tiếp nhận qua dịch vụ bưu chính", "Received by post"),
    "received_desk": ("Tiếp nhận trực tiếp", "Received at the desk"),
    "online_pct": ("Tỷ lệ trực tuyến (%)", "Online share (%)"),
    "postal_pct": ("Tỷ lệ bưu chính (%)", "Postal share (%)"),
    "on_the_spot": ("Giải quyết theo cơ chế 4 tại chỗ", "Handled '4 on the spot'"),
    "resolved": ("Số hồ sơ đã giải quyết", "Resolved"),
    "resolved_early": ("Trước hạn", "Early"),
    "resolved_on_time": ("Đúng hạn", "On time"),
    "resolved_late": ("Quá hạn", "Late"),
    "rejected": ("Trong đó: trả lời không giải quyết", "Of which: rejected"),
    "on_time_pct": ("Tỷ lệ trước hạn, đúng hạn (%)", "Early or on time (%)"),
    "late_pct": ("Tỷ lệ quá hạn (%)", "Late (%)"),
    "in_progress": ("Số hồ sơ đang giải quyết", "In progress"),
    "in_progress_within": ("Trong hạn", "Within the deadline"),
    "in_progress_overdue": ("Quá hạn (đang giải quyết)", "Overdue (in progress)"),
    "withdrawn": ("Rút hồ sơ", "Withdrawn"),
    "closed": ("Đóng hồ sơ (không bổ sung)", "Closed (not supplemented)"),
    "refused": ("Từ chối tiếp nhận", "Refused"),
    "supplement_requested": ("Hồ sơ yêu cầu bổ sung", "Supplement requested"),
    "rescheduled": ("Hồ sơ xin lỗi, hẹn lại", "Apologies (rescheduled)"),
    "processing_days_avg": (
        "Thời gian giải quyết trung bình (ngày làm việc)",
        "Average processing (working days)",
    ),
    "processing_days_p90": (
        "Thời gian giải quyết phân vị 90 (ngày làm việc)",
        "90th percentile processing (working days)",
    ),
    "statutory_days_avg": (
        "Thời hạn theo quy định, trung bình (ngày làm việc)",
        "Statutory limit, average (working days)",
    ),
    "shortened_days_avg": (
        "Thời hạn đã cắt giảm, trung bình (ngày làm việc)",
        "Shortened limit, average (working days)",
    ),
    "saved_days_avg": (
        "Thời gian tiết kiệm so với quy định (ngày làm việc)",
        "Saved vs statutory (working days)",
    ),
    "saved_pct": ("Tỷ lệ thời gian tiết kiệm (%)", "Time saved vs statutory (%)"),
}
"""``field -> (Vietnamese, English)`` for every column of a statistics row."""

TOTAL_LABEL = {"vi": "Tổng cộng", "en": "Total"}


def label(name: str, lang: str = "vi") -> str:
    """The header of column ``name`` in ``lang`` (``vi`` or ``en``)."""
    vi, en = LABELS.get(name, (name, name))
    return en if lang == "en" else vi
