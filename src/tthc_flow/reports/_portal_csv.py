"""Reading the national portal's dossier export (CSV) for the reconciliation report.

Accepted columns (the portal's field names; a header row is required, order is free, other
columns are ignored):

================== ======== ==========================================================
column             required meaning
================== ======== ==========================================================
MaHoSo             yes      dossier code
TrangThaiHoSo      yes      status code 1-10 (1 Mới đăng ký ... 10 Đã trả kết quả)
NgayTiepNhan       yes      receipt moment (empty: not received)
NgayHenTra         no       appointment date as synchronised
NgayKetThucXuLy    no       end of processing as the portal took it
NgayTra            no       result returned
KenhThucHien       no       1 desk, 2 online, 3 post
DuocThanhToanTrucTuyen no   0 no, 1 on DVCQG, 2 on the local gateway
MaKetQua           no       electronic result code
DuongDanTepTinKetQua no     link to the electronic result file
DungHan            no       the portal's verdict for 2.1: 1 on time / in time, 0 late
================== ======== ==========================================================

Moments: ``yyyy-mm-dd[ HH:MM[:SS]]`` (or ISO 8601 with an offset), ``dd/mm/yyyy[ HH:MM[:SS]]``
or ``yyyymmddHHMMSS`` (the sync payload form); without an offset they are Vietnam time. A
date without a time means the end of that day for NgayHenTra (an appointment day) and its
start otherwise. Any bad value raises :class:`~tthc_flow.errors.InputError` naming the file,
the line and the column.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from tthc_flow._time import VN_TZ
from tthc_flow.errors import InputError, Problem

REQUIRED = ("MaHoSo", "TrangThaiHoSo", "NgayTiepNhan")
OPTIONAL = (
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "KenhThucHien",
    "DuocThanhToanTrucTuyen",
    "MaKetQua",
    "DuongDanTepTinKetQua",
    "DungHan",
)
CHANNELS = {"1": "desk", "2": "online", "3": "postal", "": "desk"}
"""KenhThucHien; empty counts as direct (the description: "KenhThucHien = 1 ... hoặc null")."""

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$")


@dataclass(frozen=True, slots=True)
class PortalRow:
    """One dossier of the export."""

    line: int
    code: str
    status: int
    received_at: datetime | None
    due_at: datetime | None
    end_at: datetime | None
    returned_at: datetime | None
    channel: str
    paid_online: bool
    result_code: str
    result_file: str
    on_time: bool | None


def _moment(text: str, *, end_of_day: bool) -> datetime:
    value = text.strip()
    if m := _DMY.match(value):
        day = datetime(int(m[3]), int(m[2]), int(m[1]))
        if m[4] is None:
            return _day(day, end_of_day)
        return day.replace(hour=int(m[4]), minute=int(m[5]), second=int(m[6] or 0), tzinfo=VN_TZ)
    if m := _COMPACT.match(value):
        year, month, dd, hour, minute, second = (int(part) for part in m.groups())
        return datetime(year, month, dd, hour, minute, second, tzinfo=VN_TZ)
    parsed = datetime.fromisoformat(value)
    if len(value) == 10:
        return _day(parsed, end_of_day)
    return parsed.astimezone(VN_TZ) if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)


def _day(day: datetime, end_of_day: bool) -> datetime:
    start = datetime.combine(day.date(), time(0), VN_TZ)
    # an appointment day ends at its 24:00 (Civil Code art. 148.6), as the engine's due dates
    return start + timedelta(days=1) - timedelta(microseconds=1) if end_of_day else start


class _Row:
    def __init__(self, file: str, line: int, values: dict[str, str], header: list[str]):
        self.file, self.line, self.values, self.header = file, line, values, header

    def problem(self, column: str, message: str) -> InputError:
        where = self.header.index(column) + 1
        return InputError(Problem(self.file, self.line, where, column, message))

    def text(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def moment(self, column: str, *, end_of_day: bool = False) -> datetime | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return _moment(value, end_of_day=end_of_day)
        except ValueError:
            raise self.problem(
                column, f"not a date/time: {value!r} (use dd/mm/yyyy HH:MM or ISO 8601)"
            ) from None

    def choice(self, column: str, allowed: set[str]) -> str:
        value = self.text(column)
        if value not in allowed:
            raise self.problem(column, f"{value!r} is not one of {', '.join(sorted(allowed))}")
        return value


def read_portal_csv(path: str | Path) -> list[PortalRow]:
    """The rows of a portal export; :class:`InputError` (file, line, column) if malformed."""
    file = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise InputError(
                    Problem(file, 1, None, ", ".join(missing), "required column missing"),
                    f"cannot read portal export {file}",
                )
            rows = [_parse(_Row(file, reader.line_num, raw, header)) for raw in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(Problem(file, None, None, "", f"cannot read: {exc}")) from exc
    seen: dict[str, int] = {}
    for row in rows:
        if row.code in seen:
            where = header.index("MaHoSo") + 1
            message = f"{row.code} repeats line {seen[row.code]}"
            raise InputError(Problem(file, row.line, where, "MaHoSo", message))
        seen[row.code] = row.line
    return rows


def _parse(row: _Row) -> PortalRow:
    code = row.text("MaHoSo")
    if not code:
        raise row.problem("MaHoSo", "empty dossier code")
    status = row.choice("TrangThaiHoSo", {str(n) for n in range(1, 11)})
    verdict = row.choice("DungHan", {"", "0", "1"}) if "DungHan" in row.header else ""
    paying = "DuocThanhToanTrucTuyen" in row.header
    paid = row.choice("DuocThanhToanTrucTuyen", {"", "0", "1", "2"}) if paying else ""
    channel = row.choice("KenhThucHien", set(CHANNELS)) if "KenhThucHien" in row.header else ""
    return PortalRow(
        line=row.line,
        code=code,
        status=int(status),
        received_at=row.moment("NgayTiepNhan"),
        due_at=row.moment("NgayHenTra", end_of_day=True),
        end_at=row.moment("NgayKetThucXuLy"),
        returned_at=row.moment("NgayTra"),
        channel=CHANNELS[channel],
        paid_online=paid in ("1", "2"),
        result_code=row.text("MaKetQua"),
        result_file=row.text("DuongDanTepTinKetQua"),
        on_time=None if verdict == "" else verdict == "1",
    )
