"""Every label tthc_flow prints, in Vietnamese and English: one table, :data:`LABELS`.

Reports, forms, the simulation, the forecast and the ``tthc`` command all read their words
here by a stable key (``label("timeliness.early")`` -> ``"Trước hạn"``), so one concept has
one wording everywhere. Where an official form prescribes the wording, the entry cites it in
``source`` and the text is the form's, exactly:

* :data:`FORM_06A`: the periodic report "Tình hình, kết quả giải quyết thủ tục hành chính",
  Circular 02/2017/TT-VPCP form 06a/VPCP/KSTT and its successors (docs/forms.md, section 9);
* :data:`FORM_06`, :data:`FORM_07`, :data:`FORM_01`: the one-stop forms of Circular
  03/2025/TT-VPCP Annex I (Mẫu 06 Phiếu kiểm soát quá trình giải quyết hồ sơ, Mẫu 07 Sổ theo
  dõi hồ sơ, Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả), with the field wording of
  Circular 01/2018/TT-VPCP (docs/forms.md, sections 2, 7 and 8).

Keys are ``area.name``: ``report.*`` (statistics columns), ``group.*`` (what a report groups
by), ``task.*``, ``timeliness.*``, ``kpi.*``, ``role.*``, ``unit.*`` (the unit that holds a
step on a form), ``channel.*`` / ``form.channel.*``, ``procedure.*``, ``online.*``, ``time_unit.*``,
``state.*`` (the standard lifecycle's states), ``period.*`` (a reporting period's title), ``document_form.*``, ``log.*`` (the columns of
Mẫu 07), ``form.*``, ``sim.*`` (results tables and plots), ``cli.*`` and ``weekday.0`` ..
``weekday.6``. A text may hold ``{name}`` fields, filled by :func:`label`'s keywords.

This module is at the lowest layer: it imports nothing of tthc_flow but the error tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tthc_flow.errors import InvalidCommand

LANGUAGES = ("vi", "en")
"""The languages of every label: Vietnamese (the default) and English."""

FORM_06A = "Circular 02/2017/TT-VPCP, form 06a/VPCP/KSTT (docs/forms.md, section 9)"
FORM_01 = "Circular 03/2025/TT-VPCP Annex I, Mẫu 01 (docs/forms.md, section 2)"
FORM_06 = (
    "Circular 03/2025/TT-VPCP Annex I, Mẫu 06; wording of Circular 01/2018/TT-VPCP "
    "(docs/forms.md, section 7)"
)
FORM_07 = "Circular 03/2025/TT-VPCP Annex I, Mẫu 07 (docs/forms.md, section 8)"
DECREE_42 = "Decree 42/2022/ND-CP art. 11 (toàn trình / một phần)"


@dataclass(frozen=True, slots=True)
class Label:
    """One label: its Vietnamese and English text and, where a form prescribes it, the form."""

    vi: str
    en: str
    source: str = ""

    def text(self, lang: str) -> str:
        """The text in ``lang`` (``vi`` or ``en``)."""
        return self.en if check_language(lang) == "en" else self.vi


def _(vi: str, en: str, source: str = "") -> Label:
    return Label(vi, en, source)


LABELS: dict[str, Label] = {
    # ---- the statistics report (Form 06a columns and the library's extra figures)
    "report.title": _(
        "Tình hình, kết quả giải quyết thủ tục hành chính {period}",
        "Administrative procedure dossiers, {period}",
        FORM_06A,
    ),
    # ---- a reporting period's title (``Period.label``; quarters in Roman numerals, as printed)
    "period.month": _("Tháng {first:%m} năm {year}", "{first:%B} {year}"),
    "period.quarter": _("Quý {roman} năm {year}", "Q{quarter} {year}"),
    "period.first_half": _("6 tháng đầu năm {year}", "H1 {year}"),
    "period.second_half": _("6 tháng cuối năm {year}", "H2 {year}"),
    "period.nine_months": _("9 tháng đầu năm {year}", "Nine months {year}"),
    "period.year": _("Năm {year}", "Year {year}"),
    "period.range": _(
        "Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}", "{first:%Y-%m-%d} to {last:%Y-%m-%d}"
    ),
    "report.sheet": _("Thống kê", "Statistics"),
    "report.group": _("Nhóm", "Group"),
    "report.left_out": _(
        "Còn {count} nhóm khác không hiển thị (tệp CSV / Excel có đủ)",
        "{count} other groups not shown (CSV / Excel have every group)",
    ),
    "report.total": _("Tổng cộng", "Total"),
    "report.total_to_handle": _("Tổng số hồ sơ nhận giải quyết", "Total to handle", FORM_06A),
    "report.carried_over": _("Số kỳ trước chuyển qua", "Carried over", FORM_06A),
    "report.received": _("Số mới tiếp nhận", "Newly received", FORM_06A),
    "report.received_online": _("Tiếp nhận trực tuyến", "Received online"),
    "report.received_online_partial": _("Trực tuyến một phần", "Online, partial process"),
    "report.received_online_full": _("Trực tuyến toàn trình", "Online, full process"),
    "report.received_postal": _("Tiếp nhận qua dịch vụ bưu chính", "Received by post"),
    "report.received_desk": _("Tiếp nhận trực tiếp", "Received at the desk"),
    "report.online_pct": _("Tỷ lệ trực tuyến (%)", "Online share (%)"),
    "report.postal_pct": _("Tỷ lệ bưu chính (%)", "Postal share (%)"),
    "report.on_the_spot": _("Giải quyết theo cơ chế 4 tại chỗ", "Handled '4 on the spot'"),
    "report.resolved": _("Số hồ sơ đã giải quyết", "Resolved", FORM_06A),
    "report.rejected": _("Trong đó: trả lời không giải quyết", "Of which: rejected"),
    "report.on_time_rate": _("Tỷ lệ trước hạn, đúng hạn", "Early or on time"),
    "report.late_pct": _("Tỷ lệ quá hạn (%)", "Late (%)"),
    "report.in_progress": _("Số hồ sơ đang giải quyết", "In progress", FORM_06A),
    "report.in_progress_within": _("Trong hạn", "Within the deadline", FORM_06A),
    "report.in_progress_overdue": _("Quá hạn (đang giải quyết)", "Overdue (in progress)"),
    "report.withdrawn": _("Rút hồ sơ", "Withdrawn", FORM_06A),
    "report.closed": _("Đóng hồ sơ (không bổ sung)", "Closed (not supplemented)"),
    "report.refused": _("Từ chối tiếp nhận", "Refused"),
    "report.supplement_requested": _("Hồ sơ yêu cầu bổ sung", "Supplement requested"),
    "report.rescheduled": _("Hồ sơ xin lỗi, hẹn lại", "Apologies (rescheduled)"),
    "report.processing_days_avg": _(
        "Thời gian giải quyết trung bình (ngày làm việc)", "Average processing (working days)"
    ),
    "report.processing_days_p90": _(
        "Thời gian giải quyết phân vị 90 (ngày làm việc)",
        "90th percentile processing (working days)",
    ),
    "report.statutory_days_avg": _(
        "Thời hạn theo quy định, trung bình (ngày làm việc)",
        "Statutory limit, average (working days)",
    ),
    "report.shortened_days_avg": _(
        "Thời hạn đã cắt giảm, trung bình (ngày làm việc)",
        "Shortened limit, average (working days)",
    ),
    "report.saved_days_avg": _(
        "Thời gian tiết kiệm so với quy định (ngày làm việc)", "Saved vs statutory (working days)"
    ),
    "report.saved_pct": _("Tỷ lệ thời gian tiết kiệm (%)", "Time saved vs statutory (%)"),
    # ---- what a report groups by (also the rows of ``tthc show``)
    "group.whole": _("Toàn cơ quan", "Whole agency"),
    "group.agency": _("Cơ quan", "Agency"),
    "group.field": _("Lĩnh vực", "Field", FORM_06A),
    "group.procedure": _("Thủ tục hành chính", "Procedure"),
    "group.channel": _("Hình thức tiếp nhận", "Channel"),
    "group.online": _("Mức độ dịch vụ công trực tuyến", "Online service mode", DECREE_42),
    # ---- tasks assigned to officials (the report's task block)
    "task.assigned": _("Nhiệm vụ được giao", "Tasks assigned"),
    "task.done_on_time": _("Hoàn thành đúng hạn", "Done on time"),
    "task.done_late": _("Hoàn thành quá hạn", "Done late"),
    "task.in_progress": _("Đang thực hiện", "In progress"),
    "task.in_progress_overdue": _("Đang thực hiện, quá hạn", "In progress, overdue"),
    "task.on_time_pct": _("Tỷ lệ đúng hạn (%)", "On time (%)"),
    # ---- the class the engine records: Form 06a columns and the Mẫu 06 marks
    "timeliness.early": _("Trước hạn", "Early", FORM_06A),
    "timeliness.on_time": _("Đúng hạn", "On time", FORM_06A),
    "timeliness.late": _("Quá hạn", "Late", FORM_06A),
    "timeliness.open": _("Đang giải quyết", "In progress", FORM_06),
    # ---- simulation KPIs (those the report also counts use the report's entries)
    "kpi.arrived": _("Hồ sơ đến", "Dossiers arrived"),
    "kpi.open_at_end": _("Còn mở cuối kỳ", "Open at horizon end"),
    "kpi.resolved_at_end": _("Đã giải quyết cuối kỳ", "Resolved by horizon end"),
    "kpi.in_progress_at_end": _("Đang giải quyết cuối kỳ", "In progress at horizon end"),
    "kpi.censored": _("Chưa xong sau kỳ bù", "Still open after drain"),
    "kpi.censored_overdue": _("Chưa xong, đã quá hạn", "Still open, overdue"),
    "kpi.visits": _("Lượt đến Một cửa", "Desk visits"),
    "kpi.visits_saved": _("Lượt đi lại tiết kiệm", "Visits saved"),
    "kpi.visits_saved_per_dossier": _("Lượt tiết kiệm / hồ sơ", "Visits saved per dossier"),
    "kpi.processing_days_mean": _("Xử lý TB (ngày làm việc)", "Processing mean (work days)"),
    "kpi.processing_days_median": _("Xử lý P50 (ngày làm việc)", "Processing P50 (work days)"),
    "kpi.processing_days_p90": _("Xử lý P90 (ngày làm việc)", "Processing P90 (work days)"),
    "kpi.citizen_days_mean": _("Người dân chờ TB (ngày)", "Applicant wait, mean (days)"),
    "kpi.backlog_mean": _("Hồ sơ đang mở TB mỗi ngày", "Open dossiers, daily mean"),
    "kpi.wait_hours": _("Chờ (giờ)", "Wait (hours)"),
    "kpi.busy_servers": _("Số người bận TB", "Busy staff, mean"),
    "kpi.utilisation": _("Mức bận", "Utilisation"),
    # ---- the built-in roles (people), and the units that hold a step on a form
    "role.one_stop": _("Bộ phận Một cửa", "one-stop desk", FORM_06),
    "role.specialist": _("chuyên viên", "specialist"),
    "role.leader": _("lãnh đạo", "leader"),
    "role.applicant": _("người nộp", "applicant"),
    "role.system": _("hệ thống", "system"),
    "unit.specialist": _("Phòng chuyên môn", "Specialist department", FORM_06),
    "unit.leader": _("Lãnh đạo cơ quan", "Agency leadership", FORM_06),
    # ---- values of a procedure definition
    "channel.desk": _("trực tiếp", "at the desk"),
    "channel.postal": _("bưu chính", "by post"),
    "channel.online": _("trực tuyến", "online"),
    "form.channel.desk": _("Trực tiếp tại Bộ phận Một cửa", "At the one-stop desk", FORM_01),
    "form.channel.postal": _("Qua dịch vụ bưu chính công ích", "By public postal service", FORM_01),
    "form.channel.online": _("Trực tuyến", "Online", FORM_01),
    "online.none": _("không", "none"),
    "online.partial": _("một phần", "partial", DECREE_42),
    "online.full": _("toàn trình", "full", DECREE_42),
    "procedure.fees": _("Phí, lệ phí", "Fees", FORM_01),
    "time_unit.working_days": _("ngày làm việc", "working days"),
    "time_unit.working_hours": _("giờ làm việc", "working hours"),
    "time_unit.calendar_days": _("ngày", "calendar days"),
    "time_unit.same_day": _(
        "trong ngày", "same day", "Decree 118/2025/ND-CP art. 8.1.c (giải quyết ngay trong ngày)"
    ),
    "document_form.original": _("Bản chính", "Original", FORM_01),
    "document_form.copy": _("Bản sao", "Copy", FORM_01),
    "document_form.certified_copy": _("Bản sao chứng thực", "Certified copy", FORM_01),
    "document_form.electronic": _("Bản điện tử", "Electronic copy", FORM_01),
    # ---- the standard lifecycle's states (the national portal's status names where it has one)
    "state.submitted": _("Chờ tiếp nhận", "Awaiting receipt"),
    "state.received": _("Đã tiếp nhận", "Received"),
    "state.supplement_requested": _("Chờ bổ sung hồ sơ", "Awaiting supplement"),
    "state.result_ready": _("Có kết quả, chờ trả", "Result ready"),
    "state.returned": _("Đã trả kết quả", "Result returned"),
    "state.refused": _("Từ chối tiếp nhận", "Refused"),
    "state.withdrawn": _("Đã rút hồ sơ", "Withdrawn"),
    "state.stopped": _("Dừng xử lý", "Processing stopped"),
    "state.handled_at_desk": _("Giải quyết tại chỗ", "Handled at the desk"),
    "state.awaiting_payment": _("Chờ thực hiện nghĩa vụ tài chính", "Awaiting payment"),
    # ---- the one-stop forms' words (Circular 03/2025/TT-VPCP Annex I)
    "form.stage.reception": _("Tiếp nhận", "Reception", FORM_01),
    "form.stage.appraisal": _("Thẩm định, giải quyết", "Appraisal and decision", FORM_01),
    "form.shortened": _("(cắt giảm còn {limit})", "(shortened to {limit})"),
    "form.return_step": _(
        "Bộ phận Một cửa: trả kết quả", "One-stop desk: result returned", FORM_06
    ),
    "form.returned_note": _(
        "Đã trả kết quả cho tổ chức, cá nhân", "Result returned to the applicant", FORM_06
    ),
    "form.timeliness_column": _(
        "Kết quả giải quyết hồ sơ ({early}/{on_time}/{late})",
        "Result ({early}/{on_time}/{late})",
        FORM_06,
    ),
    "form.note.refused": _("Từ chối", "Refused", FORM_07),
    "form.note.withdrawn": _("Rút hồ sơ", "Withdrawn", FORM_07),
    "form.note.closed": _("Đóng hồ sơ", "Closed", FORM_07),
    "form.note.rejected": _("Không giải quyết", "Not resolved", FORM_07),
    "form.note.rescheduled": _("xin lỗi, hẹn lại", "apologised, rescheduled", FORM_07),
    # ---- Mẫu 07 Sổ theo dõi hồ sơ: its columns (the workbook and the HTML page)
    "log.sheet": _("Sổ theo dõi hồ sơ", "Dossier log", FORM_07),
    "log.line": _("STT", "No.", FORM_07),
    "log.dossier_code": _("Mã hồ sơ", "Dossier code", FORM_07),
    "log.procedure": _("Tên thủ tục hành chính", "Procedure", FORM_07),
    "log.set_count": _("Số lượng hồ sơ (bộ)", "Sets", FORM_07),
    "log.applicant": _("Tên cá nhân, tổ chức", "Applicant", FORM_07),
    "log.contact": _("Địa chỉ, số điện thoại", "Address, phone", FORM_07),
    "log.agency": _("Cơ quan chủ trì giải quyết", "Resolving agency", FORM_07),
    "log.dates": _("Ngày, tháng, năm", "Dates", FORM_07),
    "log.received_at": _("Nhận hồ sơ", "Received", FORM_07),
    "log.due_at": _("Hẹn trả kết quả", "Due", FORM_07),
    "log.transferred_at": _("Chuyển hồ sơ đến cơ quan giải quyết", "Transferred", FORM_07),
    "log.result_received_at": _("Nhận kết quả từ cơ quan giải quyết", "Result received", FORM_07),
    "log.returned_at": _("Trả kết quả cho cá nhân, tổ chức", "Returned", FORM_07),
    "log.signature": _("Ký nhận", "Signature", FORM_07),
    "log.note": _("Ghi chú", "Note", FORM_07),
    # ---- simulation results tables and plots
    "sim.kpi": _("Chỉ tiêu", "Indicator"),
    "sim.baseline": _("hiện trạng", "baseline"),
    "sim.plot_backlog": _("Hồ sơ đang giải quyết mỗi ngày", "Open dossiers per day"),
    "sim.plot_open": _("hồ sơ đang mở", "open dossiers"),
    "sim.plot_processing": _(
        "Thời gian giải quyết (ngày làm việc), tỷ lệ cộng dồn của hồ sơ đã giải quyết",
        "Processing time (working days), cumulative share of resolved dossiers",
    ),
    "sim.plot_days": _(
        "ngày làm việc từ tiếp nhận đến có kết quả", "working days from receipt to result"
    ),
    "sim.plot_share": _("tỷ lệ", "share"),
    "sim.difference": _("Chênh lệch [KTC 95 %]", "Difference [95 % CI]"),
    "sim.significant": _(
        "* khác biệt có ý nghĩa thống kê (khoảng tin cậy 95 % không chứa 0)",
        "* significant difference (the 95 % interval excludes 0)",
    ),
    "sim.points": _("điểm %", "pp"),
    # ---- the tthc command's own words
    "cli.scenario": _("kịch bản", "scenario"),
    "cli.procedures": _("thủ tục", "procedures"),
    "cli.procedure_versions": _("phiên bản thủ tục", "procedure versions"),
    "cli.statutory": _("Thời hạn luật định", "Statutory limit"),
    "cli.shortened": _("Thời hạn cắt giảm", "Shortened limit"),
    "cli.channels": _("Kênh", "Channels"),
    "cli.on_the_spot": _("4 tại chỗ", "'4 on the spot'"),
    "cli.legal_basis": _("Căn cứ pháp lý", "Legal basis"),
    "cli.step": _("Bước", "Step"),
    "cli.yes": _("có", "yes"),
    "cli.received_at": _("Tiếp nhận", "Received"),
    "cli.clock_starts": _("Bắt đầu tính", "Clock starts"),
    "cli.day_off": _("nghỉ", "off"),
    "cli.due_at": _("Hẹn trả kết quả", "Due", FORM_01),
    "cli.replications": _("lần lặp", "replications"),
    "cli.all_kpis": _(
        "Đủ các chỉ tiêu: tthc simulate KỊCH_BẢN --json / --csv",
        "Every indicator: tthc simulate SCENARIO --json / --csv",
    ),
    "cli.comparison": _("So sánh", "Comparison"),
    "cli.files_written": _("Tệp đã ghi", "Files written"),
    "cli.database": _("Cơ sở dữ liệu", "Database"),
    "cli.excel": _("Bảng tính Excel", "Excel workbook"),
    "cli.event_log": _("Nhật ký sự kiện (XES)", "Event log (XES)"),
    "cli.plot": _("Biểu đồ", "Plot"),
    "cli.run_time": _("Thời gian chạy", "Run time"),
    "cli.written": _("đã ghi", "written"),
    # ---- weekdays, Monday first (date.weekday())
    "weekday.0": _("Thứ Hai", "Mon"),
    "weekday.1": _("Thứ Ba", "Tue"),
    "weekday.2": _("Thứ Tư", "Wed"),
    "weekday.3": _("Thứ Năm", "Thu"),
    "weekday.4": _("Thứ Sáu", "Fri"),
    "weekday.5": _("Thứ Bảy", "Sat"),
    "weekday.6": _("Chủ nhật", "Sun"),
}
"""``key -> Label``: every label of the package (docs/concepts.md, "Labels")."""


def check_language(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGUAGES` (InvalidCommand otherwise)."""
    if lang not in LANGUAGES:
        raise InvalidCommand(f"lang: unknown language {lang!r}; use one of {LANGUAGES}")
    return lang


def has_label(key: str) -> bool:
    """Whether the table has ``key``."""
    return key in LABELS


def label(key: str, lang: str = "vi", **fields: object) -> str:
    """The label ``key`` in ``lang``, its ``{name}`` fields filled from ``fields``.

    An unknown key or language is an :class:`~tthc_flow.errors.InvalidCommand` naming it.

    >>> label("timeliness.early"), label("timeliness.early", "en")
    ('Trước hạn', 'Early')
    >>> label("report.title", "en", period="Q3 2026")
    'Administrative procedure dossiers, Q3 2026'
    """
    entry = LABELS.get(key)
    if entry is None:
        raise InvalidCommand(f"key: no label {key!r} in tthc_flow._labels.LABELS")
    text = entry.text(lang)
    return text.format(**fields) if fields else text


def weekday(day: date, lang: str = "vi") -> str:
    """The weekday of ``day``: ``Thứ Bảy`` / ``Sat``."""
    return label(f"weekday.{day.weekday()}", lang)


def duration(value: float, unit: str, lang: str = "vi") -> str:
    """A time limit as printed: ``15 ngày làm việc`` / ``15 working days``; a same-day limit
    is its unit alone (``trong ngày``)."""
    name = label(f"time_unit.{unit}", lang)
    if unit == "same_day":
        return name
    shown = int(value) if value == int(value) else value
    return f"{shown} {name}"
