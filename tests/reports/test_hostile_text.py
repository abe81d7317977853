"""Stored text never becomes a formula in a spreadsheet, and never breaks an export.

An applicant may call themselves ``=HYPERLINK("http://...","Bấm")``: the Excel files hold it
as a string cell and the CSV files neutralise it with a leading apostrophe. Text that XML or
UTF-8 cannot hold (stored by an older version or another writer) is replaced by U+FFFD in
XES, Excel, OCEL and HTML instead of making the whole export fail.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
from lxml import etree

from tests.reports.logs import DESK, LogBuilder, new_builder, seed_catalog
from tthc_flow._safe_text import csv_text
from tthc_flow.engine import Event
from tthc_flow.procedure import Catalog
from tthc_flow.reports import (
    Period,
    dossier_log,
    receipt_slip,
    statistics,
    to_html,
    to_ocel,
    to_xes,
    write_log_xlsx,
    write_ocel,
    write_statistics_xlsx,
)

FORMULAS = [
    '=HYPERLINK("http://example.invalid/x","Bấm")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
]
"""Applicant names a spreadsheet would run (a tab or carriage return before one is refused by
the engine already, and neutralised by :func:`csv_text` too)."""
UNWRITABLE = "Nguyễn\x00Văn\x01A\x1b\ud800\ufffe"
"""NUL, C0 controls, a lone surrogate and a non-character: XML 1.0 holds none of them."""
XSD = Path(__file__).parent / "data" / "xes-ieee-1849-2016.xsd"
Q1 = Period.quarter(2026, 1)


def _received(names: list[str], catalog: Catalog | None = None) -> LogBuilder:
    b = new_builder(catalog)
    for name in names:
        b.engine.receive("1.000001", name, "desk", at=b.at(date(2026, 1, 5)), actor=DESK)
    return b


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


def _events(b: LogBuilder) -> list[Event]:
    return list(b.engine.store.events())  # type: ignore[attr-defined]


def test_log_book_holds_formulas_as_text(tmp_path: Path) -> None:
    b = _received(FORMULAS)
    pairs = [(d, b.engine.history(d.code)) for d in b.dossiers()]
    path = write_log_xlsx(dossier_log(pairs, Q1, seed_catalog()), tmp_path / "so.xlsx")
    assert "<f>" not in _sheet_xml(path)
    ws = openpyxl.load_workbook(path).active
    names = {ws.cell(row, 5).value: ws.cell(row, 5).data_type for row in range(5, ws.max_row + 1)}
    assert names == dict.fromkeys(FORMULAS, "s")


def test_statistics_workbook_and_csv_hold_formulas_as_text(tmp_path: Path) -> None:
    catalog = Catalog([d.model_copy(update={"field": "=1+1"}) for d in seed_catalog()])
    b = _received(["Công ty A"], catalog)
    report = statistics(b.dossiers(), Q1, by="field", catalog=catalog)
    assert report.group_name(report.groups[0]) == "=1+1"
    path = write_statistics_xlsx(report, tmp_path / "thong-ke.xlsx")
    assert "<f>" not in _sheet_xml(path)
    ws = openpyxl.load_workbook(path).active
    assert (ws.cell(5, 1).value, ws.cell(5, 1).data_type) == ("=1+1", "s")
    rows = list(csv.reader(io.StringIO(report.to_csv())))
    assert rows[1][0] == "'=1+1"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_log_book_replaces_what_xml_cannot_hold(tmp_path: Path) -> None:
    b = _received(["Công ty A"])
    pairs = [(replace(d, applicant=UNWRITABLE), b.engine.history(d.code)) for d in b.dossiers()]
    path = write_log_xlsx(dossier_log(pairs, Q1, seed_catalog()), tmp_path / "so.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws.cell(5, 5).value == "Nguyễn\ufffdVăn\ufffdA\ufffd\ufffd\ufffd"


def test_xes_and_ocel_never_fail_on_stored_text(tmp_path: Path) -> None:
    b = _received(["Công ty A"])
    events = [replace(e, actor=UNWRITABLE, role="=cmd", trigger=e.trigger) for e in _events(b)]
    document = etree.fromstring(to_xes(events, name=UNWRITABLE))
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(document)
    resource = document.find("trace/event/string[@key='org:resource']")
    assert resource is not None
    assert resource.get("value") == "Nguyễn\ufffdVăn\ufffdA\ufffd\ufffd\ufffd"
    dossiers = [replace(d, applicant=UNWRITABLE) for d in b.dossiers()]
    text = json.dumps(to_ocel(dossiers, events), ensure_ascii=False).encode("utf-8")
    assert "\ud800" not in text.decode("utf-8")
    ocel = json.loads(write_ocel(dossiers, events, tmp_path / "log.json").read_text("utf-8"))
    assert ocel["events"][0]["attributes"][0]["value"] == "Nguyễn\x00Văn\x01A\x1b\ufffd\ufffe"


def test_html_form_never_fails_on_stored_text() -> None:
    b = _received(["Công ty A"])
    dossier = replace(next(iter(b.dossiers())), applicant=UNWRITABLE + "<script>")
    page = to_html(
        receipt_slip(dossier, b.engine.history(dossier.code), seed_catalog().get("1.000001"))
    )
    page.encode("utf-8")
    assert "<script>" not in page


def test_csv_fields_led_by_a_tab_or_return_are_neutralised() -> None:
    assert [csv_text(v) for v in ("\t=1+1", "\r=1+1", "-2", -2, "a=1")] == [
        "'\t=1+1",
        "'\r=1+1",
        "'-2",
        -2,
        "a=1",
    ]
