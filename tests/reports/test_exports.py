"""Excel, XES (validated against the IEEE 1849-2016 schema and read by pm4py) and OCEL 2.0."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from tests.reports.logs import LogBuilder, seed_catalog
from tthc_flow.reports import (
    Period,
    dossier_log,
    statistics,
    to_ocel,
    to_xes,
    write_log_xlsx,
    write_statistics_xlsx,
    write_xes,
)

XSD = Path(__file__).parent / "data" / "xes-ieee-1849-2016.xsd"
Q1 = Period.quarter(2026, 1)


def test_statistics_workbook(mixed: LogBuilder, tmp_path: Path) -> None:
    report = statistics(mixed.dossiers(), Q1, by="agency", catalog=seed_catalog())
    path = write_statistics_xlsx(report, tmp_path / "thong-ke.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "Tình hình, kết quả giải quyết thủ tục hành chính Quý I năm 2026"
    headers = [c.value for c in ws[4]]
    assert headers[0] == "Cơ quan" and "Số kỳ trước chuyển qua" in headers
    total_row = ws.max_row
    assert ws.cell(total_row, 1).value == "Tổng cộng"
    assert ws.cell(total_row, headers.index("Số mới tiếp nhận") + 1).value == 14
    # 10 approvals and rejections + the refusal after receipt, a reasoned result (art. 19.3)
    assert ws.cell(total_row, headers.index("Số hồ sơ đã giải quyết") + 1).value == 11
    assert ws.cell(5, 1).value == "SCT"


def test_log_book_workbook(mixed: LogBuilder, tmp_path: Path) -> None:
    pairs = [(d, mixed.engine.history(d.code)) for d in mixed.dossiers()]
    log = dossier_log(pairs, Q1, seed_catalog())
    ws = openpyxl.load_workbook(write_log_xlsx(log, tmp_path / "so.xlsx")).active
    assert ws["A1"].value == "SỔ THEO DÕI HỒ SƠ (Mẫu số 07)"
    assert [c.value for c in ws[4]][:3] == ["STT", "Mã hồ sơ", "Tên thủ tục hành chính"]
    assert ws.cell(5, 2).value == log.entries[0].dossier_code
    received = ws.cell(5, 8).value
    assert isinstance(received, datetime) and received == datetime(2026, 1, 5, 9, 0)
    assert ws.max_row == 4 + len(log.entries)


def test_xes_is_valid_against_the_ieee_schema(mixed: LogBuilder) -> None:
    events = list(mixed.engine.store.events())  # type: ignore[attr-defined]
    document = etree.fromstring(to_xes(events))
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    schema.assertValid(document)
    traces = document.findall("trace")
    assert len(traces) == len({e.dossier_code for e in events})
    first = traces[0]
    code = first.find("string[@key='concept:name']").get("value")
    mine = [e for e in events if e.dossier_code == code]
    xes_events = first.findall("event")
    assert [x.find("string[@key='concept:name']").get("value") for x in xes_events] == [
        e.trigger for e in mine
    ]
    stamp = xes_events[0].find("date[@key='time:timestamp']").get("value")
    assert datetime.fromisoformat(stamp) == mine[0].at
    assert xes_events[0].find("string[@key='org:resource']").get("value") == mine[0].actor
    assert xes_events[0].find("string[@key='org:role']").get("value") == mine[0].role
    broken = etree.fromstring(to_xes(events).replace(b'xes.version="1.0"', b'xes.version="x"'))
    assert not schema.validate(broken)


def test_xes_reads_in_pm4py(mixed: LogBuilder, tmp_path: Path) -> None:
    pm4py = pytest.importorskip("pm4py")
    events = list(mixed.engine.store.events())  # type: ignore[attr-defined]
    frame = pm4py.read_xes(str(write_xes(events, tmp_path / "log.xes")))
    assert len(frame) == len(events)
    assert frame["case:concept:name"].nunique() == len({e.dossier_code for e in events})
    assert set(frame["concept:name"]) == {e.trigger for e in events}


def test_ocel_objects_events_and_relationships(mixed: LogBuilder) -> None:
    events = list(mixed.engine.store.events())  # type: ignore[attr-defined]
    dossiers = list(mixed.dossiers())
    ocel = json.loads(json.dumps(to_ocel(dossiers, events)))
    assert {t["name"] for t in ocel["objectTypes"]} == {"dossier", "procedure"}
    assert {t["name"] for t in ocel["eventTypes"]} == {e.trigger for e in events}
    assert len(ocel["events"]) == len(events)
    ids = {o["id"] for o in ocel["objects"]}
    assert {"1.000001@1", "1.000003@1"} <= ids
    for event in ocel["events"]:
        targets = {r["objectId"] for r in event["relationships"]}
        assert targets <= ids and len(targets) == 2
    times = [e["time"] for e in ocel["events"]]
    assert times == sorted(times, key=datetime.fromisoformat)


def test_ocel_reads_in_pm4py(mixed: LogBuilder, tmp_path: Path) -> None:
    """An independent reader (pm4py's OCEL 2.0 JSON importer) opens the export."""
    pm4py = pytest.importorskip("pm4py")
    from tthc_flow.reports import write_ocel

    events = list(mixed.engine.store.events())  # type: ignore[attr-defined]
    dossiers = list(mixed.dossiers())
    ocel = pm4py.read_ocel2_json(str(write_ocel(dossiers, events, tmp_path / "log.jsonocel")))
    assert len(ocel.events) == len(events)
    assert set(ocel.events["ocel:activity"]) == {e.trigger for e in events}
    assert set(ocel.objects["ocel:type"]) == {"dossier", "procedure"}
    per_type = ocel.objects.groupby("ocel:type").size()
    assert per_type["dossier"] == len(dossiers)
    assert len(ocel.relations) == 2 * len(events)  # each event: its dossier and procedure
