"""Worklists ("Hồ sơ cần xử lý"): one contract on MemoryStore, SQLite and PostgreSQL, the
SQL read through the worklist indexes, and the schema step that adds them (issue 17 item 2).

Expected pages are written out by hand from the scenario below (Decree 118/2025/ND-CP art.
17.3 and Civil Code 2015 art. 147.2: a limit in days runs from the day after receipt, at the
receipt's clock time; 30/4 and 1/5/2026 are public holidays, 2-3/5 a weekend).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.engine.conftest import PROCEDURE
from tthc_flow import InvalidCommand
from tthc_flow._time import VN_TZ
from tthc_flow.engine import Engine, FixedClock, Official
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.store import (
    MIGRATIONS,
    MemoryStore,
    SqlStore,
    WorklistQuery,
    WorklistStore,
    procedures_in_field,
    schema,
)
from tthc_flow.store._migrations import upgrade
from tthc_flow.store._worklist_sql import sql_of

STP_PROCEDURE = """
code: "1.000111"
effective_from: 2020-01-01
name: Chứng thực bản sao từ bản chính
field: Chứng thực
level: province
agency: Sở Tư pháp
agency_code: STP
legal_basis: [Nghị định thử nghiệm]
time_limit:
  statutory: {value: 2, unit: working_days}
online: full
channels: [desk, online]
result: Bản sao chứng thực
workflow:
  steps:
    - {id: appraisal, name: Thẩm định, role: specialist, share: 1, action: appraise}
    - {id: approval, name: Phê duyệt, role: leader, share: 1, action: approve}
"""

HUNG = Official("hung.tv", "Trần Văn Hùng", frozenset({"specialist"}), "SCT", "QLTM")
MAI = Official("mai.lt", "Lê Thị Mai", frozenset({"specialist"}), "SCT", "QLTM")
HOA = Official("hoa.dt", "Đỗ Thị Hoa", frozenset({"leader"}), "SCT", "QLTM")
DESK = Official("lan.nt", "Nguyễn Thị Lan", frozenset({"one_stop"}), "SCT", "VP")
STP_DESK = Official("stp.01", "Vũ Văn Sơn", frozenset({"one_stop"}), "STP", "VP")
SCT_POLICE = Official("ca.01", "Ngô An Cường", frozenset({"specialist"}), "cong_an", "PC06")


def at(day: int, hour: int, minute: int = 0, month: int = 4) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN_TZ)


def catalog() -> Catalog:
    return Catalog([parse_procedure(PROCEDURE, "t.yaml"), parse_procedure(STP_PROCEDURE, "s.yaml")])


@dataclass
class Scenario:
    d1: str
    d2: str
    d3: str
    d4: str
    d5: str
    d6: str
    d7: str


def build(store: Any, *, keep_apart: bool = True) -> Scenario:
    """Seven dossiers received on Tue 28/4/2026 (3 working days for 2.000999, a third each
    step; 2 working days for 1.000111, a half each step). ``keep_apart=False``: the events as
    written before personal data were kept beside the chain (hash version 2)."""
    from tthc_flow.engine import PersonalDataPolicy, Policies

    policies = Policies(personal_data=PersonalDataPolicy(keep_apart=keep_apart))
    engine = Engine(catalog(), store=store, clock=FixedClock(at(28, 7, 30)), policies=policies)
    engine.register_hook("notify_leader", lambda d, e: None)
    desk = DESK.actor

    def received(applicant: str, channel: str, when: datetime, **kept: Any) -> str:
        return engine.receive("2.000999", applicant, channel, when, actor=desk, data=kept).code

    d1 = received("Công ty TNHH Gas Hải Phòng", "desk", at(28, 8), applicant_id_number="0201234567")
    d2 = received("Nguyễn Văn An", "online", at(28, 9), applicant_id_number="031099001234")
    d3 = received("Nguyễn Văn Bình", "postal", at(28, 10))
    d4 = received("Công ty Cổ phần Đông Á", "desk", at(28, 11))
    d5 = received("Trần Thị Cúc", "desk", at(28, 13))
    d6 = received("Lê Văn Dũng", "desk", at(28, 14))
    for code in (d1, d2, d3, d5):
        engine.fire(code, "handover", desk, at(28, 15))
    engine.assign(d1, HUNG, HOA.actor, unit="QLTM", at=at(28, 15, 10))
    engine.assign(d2, MAI, HOA.actor, unit="QLTM", at=at(28, 15, 10))
    engine.fire(d5, "appraise", HUNG.actor, at(28, 15, 20))  # now the police's step
    engine.fire(d6, "withdraw", desk, at(28, 15, 30), reason="rút")
    d7 = engine.receive(
        "1.000111",
        "Nguyễn Văn An",
        "desk",
        at(28, 8, 30),
        actor=STP_DESK.actor,
        data={"applicant_id_number": "031099001234"},
    ).code
    engine.fire(d7, "handover", STP_DESK.actor, at(28, 9))
    return Scenario(d1, d2, d3, d4, d5, d6, d7)


@pytest.fixture
def scenario(store: Any) -> Scenario:
    return build(store)


def codes(store: WorklistStore, **query: Any) -> list[str]:
    return [item.code for item in store.worklist(WorklistQuery(**query)).items]


def test_an_agencys_worklist_holds_its_open_dossiers_by_the_holders_deadline(
    store: Any, scenario: Scenario
) -> None:
    """d1-d3: appraisal due one working day after receipt, at its clock time (Wed 29/4 8:00,
    9:00, 10:00); d4 is still at the desk, due on the third working day (29/4, 4/5, 5/5:
    Tue 5/5 11:00). d5 is at the police's step, d6 withdrawn, d7 another department's."""
    s = scenario
    assert isinstance(store, WorklistStore)
    page = store.worklist(WorklistQuery(agency="SCT"))
    assert [i.code for i in page.items] == [s.d1, s.d2, s.d3, s.d4]
    assert [i.work_due_at for i in page.items] == [
        at(29, 8),
        at(29, 9),
        at(29, 10),
        at(5, 11, 0, 5),
    ]
    first = page.items[0]
    assert (first.holder_agency, first.holder_role, first.holder_unit, first.assignee) == (
        "SCT",
        "specialist",
        "QLTM",
        "hung.tv",
    )
    assert page.items[3].holder_role == "one_stop" and page.items[3].assignee is None
    assert page.next_cursor is None
    assert codes(store, agency="cong_an") == [s.d5]  # liên thông: held by the police
    assert codes(store, agency="cong_an", owner_agency="SCT") == [s.d5]
    assert codes(store, agency="STP") == [s.d7]


def test_per_official_per_role_within_a_unit_and_the_unassigned_pool(
    store: Any, scenario: Scenario
) -> None:
    s = scenario
    assert codes(store, agency="SCT", assignee="hung.tv") == [s.d1]
    assert codes(store, agency="SCT", assignee="mai.lt") == [s.d2]
    assert codes(store, agency="SCT", role="specialist", unit="QLTM") == [s.d1, s.d2]
    assert codes(store, agency="SCT", role="specialist", unassigned=True) == [s.d3]
    assert codes(store, agency="SCT", role="one_stop") == [s.d4]
    assert codes(store, agency="SCT", role="leader") == []
    assert codes(store, agency="STP", assignee="hung.tv") == []  # tenant scope


def test_filters_by_state_procedure_field_channel_period_and_due_window(
    store: Any, scenario: Scenario
) -> None:
    s = scenario
    assert codes(store, agency="SCT", states={"received"}) == [s.d4]
    assert codes(store, agency="SCT", states={"appraisal", "received"}) == [s.d1, s.d2, s.d3, s.d4]
    assert codes(store, agency="SCT", channels={"online", "postal"}) == [s.d2, s.d3]
    industry = procedures_in_field(catalog(), "Công nghiệp")
    assert industry == frozenset({"2.000999"})
    assert codes(store, agency="SCT", procedure_codes=industry) == [s.d1, s.d2, s.d3, s.d4]
    assert codes(store, agency="STP", procedure_codes=industry) == []
    assert codes(store, agency="SCT", received_from=at(28, 10)) == [s.d3, s.d4]
    assert codes(store, agency="SCT", received_until=at(28, 9)) == [s.d1]
    assert codes(store, agency="SCT", due_before=at(29, 9, 30)) == [s.d1, s.d2]
    assert codes(store, agency="SCT", due_from=at(29, 9)) == [s.d2, s.d3, s.d4]


def test_search_by_applicant_name_id_number_and_dossier_code(
    store: Any, scenario: Scenario
) -> None:
    s = scenario
    assert codes(store, agency="SCT", applicant="nguyen van") == [s.d2, s.d3]
    assert codes(store, agency="SCT", applicant="Nguyễn Văn A") == [s.d2]
    assert codes(store, agency="SCT", applicant="  CÔNG TY  ") == [s.d1, s.d4]
    assert codes(store, agency="SCT", applicant="dong a") == []  # a prefix of the whole name
    assert codes(store, agency="SCT", applicant_id="031099001234") == [s.d2]
    assert codes(store, agency="STP", applicant_id="031099001234") == [s.d7]
    assert codes(store, agency="SCT", applicant_id="0310990") == []  # the whole number
    assert codes(store, agency="SCT", code=s.d3) == [s.d3]
    assert codes(store, agency="SCT", code="SCT-260428-") == [s.d1, s.d2, s.d3, s.d4]


def test_keyset_pages_in_every_order(store: Any, scenario: Scenario) -> None:
    s = scenario
    first = store.worklist(WorklistQuery(agency="SCT", limit=2))
    assert [i.code for i in first.items] == [s.d1, s.d2] and first.next_cursor
    second = store.worklist(WorklistQuery(agency="SCT", limit=2, after=first.next_cursor))
    assert [i.code for i in second.items] == [s.d3, s.d4] and second.next_cursor is None
    down = store.worklist(WorklistQuery(agency="SCT", limit=3, descending=True))
    assert [i.code for i in down.items] == [s.d4, s.d3, s.d2]
    rest = store.worklist(
        WorklistQuery(agency="SCT", limit=3, descending=True, after=down.next_cursor)
    )
    assert [i.code for i in rest.items] == [s.d1] and rest.next_cursor is None
    for sort in ("code", "submitted", "updated"):
        walked, cursor = [], None
        while True:
            page = store.worklist(WorklistQuery(agency="SCT", sort=sort, limit=1, after=cursor))
            walked += [i.code for i in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        expected = {
            "code": [s.d1, s.d2, s.d3, s.d4],  # issued in order of receipt on 28/4
            "submitted": [s.d1, s.d2, s.d3, s.d4],
            "updated": [s.d4, s.d3, s.d1, s.d2],  # 11:00, handover 15:00, assigned 15:10
        }[sort]
        assert walked == expected, sort
    with pytest.raises(InvalidCommand) as info:
        WorklistQuery(agency="SCT", sort="code", after=first.next_cursor)
    assert info.value.field == "after"
    with pytest.raises(InvalidCommand, match="not a cursor"):
        WorklistQuery(agency="SCT", after="garbage!")


def test_inside_a_batch_the_worklist_sees_the_batchs_writes(store: Any, scenario: Scenario) -> None:
    """Inside a batch the SQL store reads on the batch's connection (the same SQL as the
    driver path outside a batch), after writing what the batch buffered."""
    s = scenario
    engine = Engine(catalog(), store=store, clock=FixedClock(at(28, 16)))
    outside = store.worklist(WorklistQuery(agency="SCT", limit=3))
    with store.batch():
        inside = store.worklist(WorklistQuery(agency="SCT", limit=3))
        assert inside == outside
        engine.take_over(s.d3, MAI.actor, at=at(28, 16))
        assert codes(store, agency="SCT", assignee="mai.lt") == [s.d2, s.d3]
        assert codes(store, agency="SCT", unassigned=True, role="specialist") == []
    assert codes(store, agency="SCT", assignee="mai.lt") == [s.d2, s.d3]


def test_bad_worklist_queries_are_refused() -> None:
    for bad, field in (
        ({"agency": ""}, "agency"),
        ({"agency": "SCT", "limit": 0}, "limit"),
        ({"agency": "SCT", "limit": 501}, "limit"),
        ({"agency": "SCT", "sort": "random"}, "sort"),
        ({"agency": "SCT", "unassigned": True, "assignee": "x"}, "assignee"),
        ({"agency": "SCT", "states": "received"}, "states"),
    ):
        with pytest.raises(InvalidCommand) as info:
            WorklistQuery(**bad)
        assert info.value.field == field


def test_the_sqlite_page_reads_a_worklist_index_in_order(tmp_path: Path) -> None:
    """No Python scan and no sort of the matches: SQLite walks the index in page order."""
    with SqlStore.sqlite(tmp_path / "w.db") as store:
        build(store)
        for query, index in (
            (WorklistQuery(agency="SCT"), "ix_dossiers_work_agency"),
            (WorklistQuery(agency="SCT", assignee="hung.tv"), "ix_dossiers_work_assignee"),
            (WorklistQuery(agency="SCT", role="specialist", unit="QLTM"), "ix_dossiers_work_unit"),
            (WorklistQuery(agency="SCT", role="one_stop"), "ix_dossiers_work_role"),
        ):
            sql, params = sql_of(query, "?", lambda moment: moment)
            with store.engine.connect() as conn:
                explained = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", tuple(params))
                plan = " ".join(r[-1] for r in explained)
            assert index in plan, plan
            assert "TEMP B-TREE" not in plan, plan


def test_a_version_3_database_is_migrated_and_its_worklists_backfilled(sql_url: str) -> None:
    """Step 4 adds the worklist columns and indexes and fills them from the replay of each
    dossier's events (assignments included)."""
    from tthc_flow.calendar import WorkCalendar
    from tthc_flow.store._rows import event_row, summary_row

    source = MemoryStore()
    s = build(source, keep_apart=False)  # a version 3 database holds hash version 2 events
    engine = sa.create_engine(sql_url)
    assert upgrade(engine, "test", MIGRATIONS[:3]) == 3
    with engine.begin() as conn:
        v3 = {c["name"] for c in sa.inspect(conn).get_columns("dossiers")}
        assert "assignee" not in v3 and "pending_due_at" in v3
        for d in source.dossiers():  # the current table's types, only version 3's columns
            row = summary_row(d, WorkCalendar.vietnam())
            conn.execute(schema.dossiers.insert(), {name: row[name] for name in v3})
        conn.execute(schema.events.insert(), [event_row(e) for e in source.events()])
    engine.dispose()
    with SqlStore(sql_url) as store:
        assert store.verify().ok  # every summary row, worklist columns included, = replay
        assert codes(store, agency="SCT") == [s.d1, s.d2, s.d3, s.d4]
        assert codes(store, agency="SCT", assignee="mai.lt") == [s.d2]
        assert codes(store, agency="SCT", applicant="nguyen van") == [s.d2, s.d3]
        with store.engine.connect() as conn:
            indexes = {i["name"] for i in sa.inspect(conn).get_indexes("dossiers")}
        assert {"ix_dossiers_work_agency", "ix_dossiers_work_assignee"} <= indexes
