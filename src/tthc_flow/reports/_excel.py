"""Excel workbooks (openpyxl) of the statistics and of the dossier log book; headers from the
label table (:mod:`tthc_flow._labels`), the log book's in Vietnamese as Mẫu 07 prints them.

Every text is written as a string cell, never a formula: an applicant named
``=HYPERLINK("http://...","Bấm")`` stays that text. Characters the sheet's XML cannot hold are
written as U+FFFD, so one stored value never makes the whole workbook fail.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from tthc_flow._labels import label
from tthc_flow._safe_text import xml_text
from tthc_flow.reports._forms import LOG_COLUMNS, DossierLog
from tthc_flow.reports._report import Report
from tthc_flow.reports._statistics import ROW_COLUMNS


def _put(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write ``value`` into a cell; text as a string cell (openpyxl would make ``=...`` a
    formula)."""
    if not isinstance(value, str):
        return ws.cell(row=row, column=column, value=value)
    cell = ws.cell(row=row, column=column, value=None)
    cell.value = xml_text(value)
    cell.data_type = "s"  # set after the value: assigning "=..." makes openpyxl guess "f"
    return cell


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
    ws.title = label("report.sheet", lang)
    _put(ws, 1, 1, report.title(lang)).font = Font(bold=True, size=13)
    _put(ws, 2, 1, report.period.label(lang))
    for col, header in enumerate(report.headers(lang), start=1):
        cell = _put(ws, 4, col, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, g in enumerate(report.groups, start=5):
        _put(ws, r, 1, report.group_name(g, lang))
        values = g.as_dict()
        for col, name in enumerate(ROW_COLUMNS, start=2):
            _put(ws, r, col, values[name])
    last = 5 + len(report.groups)
    for r, (name, value) in enumerate(report.task_lines(lang), start=last + 1):
        _put(ws, r, 1, name).font = Font(bold=r == last + 1)
        _put(ws, r, 2, value)
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
    ws.title = label("log.sheet")
    _put(ws, 1, 1, f"{log.header.title} ({log.header.form_no})").font = Font(bold=True, size=13)
    _put(ws, 2, 1, log.period.label_vi)
    for col, name in enumerate(LOG_COLUMNS, start=1):
        _put(ws, 4, col, label(f"log.{name}")).font = Font(bold=True)
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
            cell = _put(ws, r, col, value)
            if isinstance(value, datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
    target = Path(path)
    wb.save(target)
    return target
