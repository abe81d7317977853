"""The receipt slip and the process control slip print officials' names (issue 17 item 1),
and reports' store queries are scoped to one agency (item 3)."""

from __future__ import annotations

from tests.engine.conftest import PROCEDURE, at
from tests.store.test_worklist import STP_PROCEDURE
from tthc_flow.engine import Actor, Engine, FixedClock, Official, OfficialDirectory
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.reports import Period, control_slip, receipt_slip, statistics, statistics_sql
from tthc_flow.reports._html import to_html
from tthc_flow.store import MemoryStore, SqlStore

LAN = Official("lan.nt", "Nguyễn Thị Lan", frozenset({"one_stop"}), "SCT", "VP")
HUNG = Official("hung.tv", "Trần Văn Hùng", frozenset({"specialist"}), "SCT", "QLTM")
MAI = Official("mai.lt", "Lê Thị Mai", frozenset({"specialist"}), "SCT", "QLTM")
HOA = Official("hoa.dt", "Đỗ Thị Hoa", frozenset({"leader"}), "SCT", "QLTM")
POLICE = Official("ca.01", "Ngô An Cường", frozenset({"specialist"}), "cong_an", "PC06")
DIRECTORY = OfficialDirectory([LAN, HUNG, MAI, HOA, POLICE])


def catalog() -> Catalog:
    return Catalog([parse_procedure(PROCEDURE, "t.yaml"), parse_procedure(STP_PROCEDURE, "s.yaml")])


def test_the_slips_print_names_recorded_on_the_events() -> None:
    cat = catalog()
    engine = Engine(cat, store=MemoryStore(), clock=FixedClock(at(2026, 4, 28, 8)))
    engine.register_hook("notify_leader", lambda d, e: None)
    code = engine.receive("2.000999", "Công ty A", "desk", at(2026, 4, 28, 8), actor=LAN.actor).code
    engine.fire(code, "handover", LAN.actor, at(2026, 4, 28, 9))
    engine.assign(code, HUNG, HOA.actor, cooperating=[MAI], at=at(2026, 4, 28, 9, 30))
    engine.fire(code, "appraise", HUNG.actor, at(2026, 4, 28, 10))
    engine.take_over(code, POLICE.actor, at=at(2026, 4, 28, 10, 30))
    engine.fire(code, "verify", POLICE.actor, at(2026, 4, 28, 11))
    done = engine.fire(code, "approve", HOA.actor, at(2026, 4, 28, 14))
    definition = cat.get("2.000999")
    events = engine.history(code)
    slip = receipt_slip(done, events, definition)
    assert slip.received_by == "Nguyễn Thị Lan"  # not "lan.nt"
    assert "Nguyễn Thị Lan" in to_html(slip)
    control = control_slip(done, events, definition)
    rows = [(h.handed_by, h.received_by, h.lead, h.cooperating) for h in control.handovers]
    assert rows == [
        ("Nguyễn Thị Lan", "Trần Văn Hùng", "Trần Văn Hùng", ("Lê Thị Mai",)),
        ("Trần Văn Hùng", "Ngô An Cường", "Ngô An Cường", ()),
        ("Ngô An Cường", "Đỗ Thị Hoa", "", ()),
    ]
    html = to_html(control)
    assert "Cán bộ xử lý chính: Trần Văn Hùng; phối hợp: Lê Thị Mai" in html
    assert "hung.tv" not in html and "lan.nt" not in html  # names, not account ids


def test_a_directory_names_officials_whose_events_hold_only_an_id() -> None:
    cat = catalog()
    engine = Engine(cat, store=MemoryStore(), clock=FixedClock(at(2026, 4, 28, 8)))
    clerk = Actor.of("lan.nt", "one_stop")  # the account id only, as before issue 17
    d = engine.receive("2.000999", "Công ty A", "desk", at(2026, 4, 28, 8), actor=clerk)
    events = engine.history(d.code)
    definition = cat.get("2.000999")
    assert receipt_slip(d, events, definition).received_by == "lan.nt"
    named = receipt_slip(d, events, definition, officials=DIRECTORY)
    assert named.received_by == "Nguyễn Thị Lan"


def test_report_queries_are_scoped_to_one_agency(tmp_path: object) -> None:
    """One database for two departments: SCT received 2 dossiers in the period, STP 1."""
    cat = catalog()
    with SqlStore.sqlite(f"{tmp_path}/shared.db") as store:
        engine = Engine(cat, store=store, clock=FixedClock(at(2026, 4, 28, 8)))
        for hour in (8, 9):
            engine.receive("2.000999", "Công ty A", "desk", at(2026, 4, 28, hour))
        engine.receive("1.000111", "Nguyễn Văn An", "desk", at(2026, 4, 28, 10))
        period = Period.month(2026, 4)
        total = statistics_sql(store, period).groups[-1]
        sct = statistics_sql(store, period, agency="SCT").groups[-1]
        stp = statistics_sql(store, period, agency="STP").groups[-1]
        assert (total.received, sct.received, stp.received) == (3, 2, 1)
        in_memory = statistics(
            [d for d in store.dossiers() if d.agency_code == "STP"], period
        ).groups[-1]
        assert in_memory.received == stp.received
