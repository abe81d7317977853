"""The reconciliation report: the library's judgement beside the portal's export, dossier by
dossier (rule 2.1 of "Mô tả công thức tính chỉ số 766", ChippedTopaz/qd766
web/dist/formula-document.js). The export is tests/reports/data/portal_export_2026q1.csv,
written by hand for the log of :func:`tests.reports.log_766.build_21`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.reports.log_766 import Log21, build_21
from tthc_flow._time import VN_TZ
from tthc_flow.errors import InputError
from tthc_flow.reports import DossierDifference, Period, read_portal_csv, reconcile

EXPORT = Path(__file__).parent / "data" / "portal_export_2026q1.csv"
AS_OF = datetime(2026, 6, 30, 17, tzinfo=VN_TZ)
HEADER = "MaHoSo,TrangThaiHoSo,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy\n"


@pytest.fixture(scope="module")
def diffs() -> tuple[Log21, dict[str, DossierDifference]]:
    log = build_21()
    found = reconcile(log.b.dossiers(), EXPORT, Period.quarter(2026, 1), as_of=AS_OF)
    return log, {d.code: d for d in found}


def test_matching_dossiers_are_not_reported(
    diffs: tuple[Log21, dict[str, DossierDifference]],
) -> None:
    log, found = diffs
    # A: same fields, all three verdicts on time -> nothing to report
    assert log.code["A"] not in found
    # B, E, F in the export; C, D, G, H, I, J received in Q1 but not exported; one unknown row
    names = {n for n, c in log.code.items() if c in found}
    assert names == set("BCDEFGHIJ") and "SCT-999999-0001" in found
    assert len(found) == 10


def test_withdrawal_apology_and_supplement_reasons(
    diffs: tuple[Log21, dict[str, DossierDifference]],
) -> None:
    log, found = diffs
    b = found[log.code["B"]]
    # withdrawn 6 Jan 10:00 <= 9 Jan 09:00: the portal counts it on time, the library not at all
    assert (b.library, b.portal_rule, b.portal, b.fields) == (None, True, True, ())
    assert any("withdrawn after receipt" in r for r in b.reasons)
    f = found[log.code["F"]]
    # apology to 12 Feb, approved 9 Feb: late for the library, on time for the portal
    assert (f.library, f.portal_rule, f.portal) == (False, True, True)
    assert any("apology with a new date" in r for r in f.reasons)
    e = found[log.code["E"]]
    # the export's NgayHenTra is the receipt slip's 15 Jan (the library restarted to 23 Jan);
    # no DungHan: the export's own fields give 26 Jan 10:00 > 15 Jan 09:00 -> late;
    # the portal rule on the library's data: 26 Jan 10:00 - 7 days <= 23 Jan -> on time
    assert (e.library, e.portal_rule, e.portal) == (False, True, False)
    assert [x.field for x in e.fields] == ["NgayHenTra"]
    assert e.fields[0].library == "23/01/2026 09:00" and e.fields[0].portal == "15/01/2026 09:00"
    assert any("supplement wait (168.0 h)" in r for r in e.reasons)


def test_dossiers_on_one_side_only(diffs: tuple[Log21, dict[str, DossierDifference]]) -> None:
    log, found = diffs
    unknown = found["SCT-999999-0001"]
    assert (unknown.line, unknown.portal, unknown.library) == (6, True, None)
    assert "only in the portal export" in unknown.reasons[0]
    d = found[log.code["D"]]
    assert d.line is None and "only in the library" in d.reasons[0]
    assert (d.library, d.portal_rule) == (True, False)  # two supplement requests: late


def test_export_rows_are_read_with_their_forms() -> None:
    rows = {r.code: r for r in read_portal_csv(EXPORT)}
    f = rows["SCT-260202-0001"]  # yyyymmddHHMMSS, as in the sync payload
    assert f.due_at == datetime(2026, 2, 12, 9, tzinfo=VN_TZ)
    x = rows["SCT-999999-0001"]  # a day without a time: an appointment runs to its end
    assert x.due_at is not None and (x.due_at.date(), x.due_at.hour) == (
        datetime(2026, 2, 13).date(),
        23,
    )
    assert (x.channel, x.paid_online, x.result_code, x.status) == ("online", True, "KQ-01", 10)


@pytest.mark.parametrize(
    ("body", "line", "column", "field"),
    [
        ("MaHoSo,NgayTiepNhan\nA,01/01/2026\n", 1, None, "TrangThaiHoSo"),
        (HEADER + "A,9,01/01/2026 09:00,31/02/2026,\n", 2, 4, "NgayHenTra"),
        (HEADER + "A,9,01/01/2026,,\nB,11,01/01/2026,,\n", 3, 2, "TrangThaiHoSo"),
        (HEADER + "A,9,hôm qua,,\n", 2, 3, "NgayTiepNhan"),
        (HEADER + "A,9,01/01/2026,,\nA,9,02/01/2026,,\n", 3, 1, "MaHoSo"),
        (HEADER + ",9,01/01/2026,,\n", 2, 1, "MaHoSo"),
    ],
)
def test_bad_exports_name_file_line_and_column(
    tmp_path: Path, body: str, line: int, column: int | None, field: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_portal_csv(path)
    problem = caught.value.first
    assert (problem.file, problem.line, problem.column) == (str(path), line, column)
    assert field in problem.field


def test_unreadable_export(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_portal_csv(tmp_path / "missing.csv")
