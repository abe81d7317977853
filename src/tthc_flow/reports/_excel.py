"""Excel workbooks (openpyxl) of the statistics and of the dossier log book, Vietnamese headers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from tthc_flow.reports._forms import DossierLog
from tthc_flow.reports._report import Report
from tthc_flow.reports._statistics import ROW_COLUMNS

LOG_HEADERS = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả cho cá nhân, tổ chức",
    "Ký nhận",
    "Ghi chú",
)


def _naive(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: write the Vietnam wall-clock time
    return None if moment is None else moment.replace(tzinfo=None)


def write_statistics_xlsx(report: Report, path: str | Path, lang: str = "vi") -> Path:
    """One sheet: title (A1), period (A2), headers on row 4, a row per group, total last;
    with tasks, their figures below after an empty row (label in A, value in B)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws: Any = wb.active
    ws.title = "Thống kê" if lang != "en" else "Statistics"
    ws["A1"] = report.title(lang)
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = report.period.label(lang)
    for col, header in enumerate(report.headers(lang), start=1):
        cell = ws.cell(row=4, column=col, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, g in enumerate(report.groups, start=5):
        ws.cell(row=r, column=1, value=report.group_name(g, lang))
        values = g.as_dict()
        for col, name in enumerate(ROW_COLUMNS, start=2):
            ws.cell(row=r, column=col, value=values[name])
    last = 5 + len(report.groups)
    for r, (name, value) in enumerate(report.task_lines(lang), start=last + 1):
        ws.cell(row=r, column=1, value=name).font = Font(bold=r == last + 1)
        ws.cell(row=r, column=2, value=value)
    ws.freeze_panes = "B5"
    target = Path(path)
    wb.save(target)
    return target


def write_log_xlsx(log: DossierLog, path: str | Path) -> Path:
    """Sổ theo dõi hồ sơ: title, period, headers on row 4, one line per dossier."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws: Any = wb.active
    ws.title = "Sổ theo dõi hồ sơ"
    ws["A1"] = f"{log.header.title} ({log.header.form_no})"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = log.period.label_vi
    for col, header in enumerate(LOG_HEADERS, start=1):
        ws.cell(row=4, column=col, value=header).font = Font(bold=True)
    for r, x in enumerate(log.entries, start=5):
        contact = " ".join(v for v in (x.applicant.address, x.applicant.phone) if v)
        row = (
            x.line,
            x.dossier_code,
            x.procedure_name,
            x.set_count,
            x.applicant.name,
            contact,
            x.resolving_agency,
            _naive(x.received_at),
            _naive(x.due_at),
            _naive(x.transferred_at),
            _naive(x.result_received_at),
            _naive(x.returned_at),
            None,
            x.note,
        )
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            if isinstance(value, datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
    target = Path(path)
    wb.save(target)
    return target
