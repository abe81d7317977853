"""Worklists of cooperating officials and observers (issue 17 items 1-2: "a step is assigned
to a named official (lead handler), with cooperating officials and observers"): "dossiers
where I cooperate" and "dossiers I observe", one contract on MemoryStore, SQLite and
PostgreSQL, read through the ``assignment_members`` table's primary key, and the schema step
that adds it.

Dossiers and deadlines are those of tests/store/test_worklist.py (received Tue 28/4/2026,
appraisal due one working day later at the receipt's clock time: d1 Wed 29/4 8:00, d2 9:00,
d3 10:00).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.store.test_worklist import DESK, HOA, HUNG, MAI, at, catalog
from tthc_flow import InvalidCommand
from tthc_flow.engine import Engine, FixedClock
from tthc_flow.store import MIGRATIONS, MemoryStore, SqlStore, WorklistQuery, schema
from tthc_flow.store._migrations import upgrade
from tthc_flow.store._worklist_sql import sql_of


@dataclass
class Members:
    d1: str
    d2: str
    d3: str
    d4: str
    d5: str


def build(store: Any) -> Members:
    """d1: Hùng leads, Mai cooperates, Hoa observes. d2: Mai leads, Hùng cooperates. d3: Hùng
    led with Mai observing, then reassigned to Mai alone. d4: Hùng leads with Mai cooperating,
    then withdrawn. d5: Hùng leads with Mai cooperating, then the step is finished."""
    engine = Engine(catalog(), store=store, clock=FixedClock(at(28, 7, 30)))
    desk = DESK.actor
    leader = HOA.actor
    found = []
    for hour in (8, 9, 10, 11, 13):
        code = engine.receive("2.000999", f"Công ty {hour}", "desk", at(28, hour), actor=desk).code
        engine.fire(code, "handover", desk, at(28, 15))
        found.append(code)
    d1, d2, d3, d4, d5 = found
    engine.assign(d1, HUNG, leader, cooperating=[MAI], observers=[HOA], at=at(28, 15, 10))
    engine.assign(d2, MAI, leader, cooperating=[HUNG], at=at(28, 15, 10))
    engine.assign(d3, HUNG, leader, observers=[MAI], at=at(28, 15, 10))
    engine.reassign(d3, MAI, leader, reason="Anh Hùng nghỉ phép", at=at(28, 15, 20))
    engine.assign(d4, HUNG, leader, cooperating=[MAI], at=at(28, 15, 10))
    engine.fire(d4, "withdraw", desk, at(28, 15, 30), reason="rút")
    engine.assign(d5, HUNG, leader, cooperating=[MAI], at=at(28, 15, 10))
    engine.fire(d5, "appraise", HUNG.actor, at(28, 15, 40))  # the step is left
    return Members(d1, d2, d3, d4, d5)


def codes(store: Any, **query: Any) -> list[str]:
    return [item.code for item in store.worklist(WorklistQuery(**query)).items]


def test_dossiers_where_i_cooperate_and_that_i_observe(store: Any) -> None:
    s = build(store)
    assert codes(store, agency="SCT", cooperating="mai.lt") == [s.d1]
    assert codes(store, agency="SCT", cooperating="hung.tv") == [s.d2]
    assert codes(store, agency="SCT", observer="hoa.dt") == [s.d1]
    # reassigned without observers: Mai no longer observes d3, she leads it
    assert codes(store, agency="SCT", observer="mai.lt") == []
    assert codes(store, agency="SCT", assignee="mai.lt") == [s.d2, s.d3]
    # combined with the other filters, scoped to the tenant
    assert codes(store, agency="SCT", cooperating="mai.lt", assignee="hung.tv") == [s.d1]
    assert codes(store, agency="SCT", cooperating="mai.lt", states={"received"}) == []
    assert codes(store, agency="STP", cooperating="mai.lt") == []


def test_member_pages_are_keyset_pages(store: Any) -> None:
    s = build(store)
    engine = Engine(catalog(), store=store, clock=FixedClock(at(28, 16)))
    engine.reassign(s.d2, MAI, HOA.actor, cooperating=[HUNG], observers=[HOA], reason="thêm")
    assert codes(store, agency="SCT", observer="hoa.dt") == [s.d1, s.d2]
    first = store.worklist(WorklistQuery(agency="SCT", observer="hoa.dt", limit=1))
    assert [i.code for i in first.items] == [s.d1] and first.next_cursor is not None
    rest = store.worklist(
        WorklistQuery(agency="SCT", observer="hoa.dt", limit=1, after=first.next_cursor)
    )
    assert [i.code for i in rest.items] == [s.d2] and rest.next_cursor is None


def test_a_bad_member_filter_is_refused() -> None:
    with pytest.raises(InvalidCommand) as caught:
        WorklistQuery(agency="SCT", cooperating="")
    assert caught.value.field == "cooperating"
    with pytest.raises(InvalidCommand) as caught:
        WorklistQuery(agency="SCT", observer=3)  # type: ignore[arg-type]
    assert caught.value.field == "observer"


def test_the_sqlite_member_page_reads_the_members_index_in_order(tmp_path: Path) -> None:
    """A page by deadline walks ix_assignment_members_page in order and looks each dossier
    up by its key: no scan, no sort."""
    with SqlStore.sqlite(tmp_path / "m.db") as store:
        build(store)
        for kind in ("cooperating", "observer"):
            query = WorklistQuery(agency="SCT", **{kind: "mai.lt"})
            sql, params = sql_of(query, "?", str)
            with store.engine.connect() as conn:
                explained = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", tuple(params))
                plan = " ".join(r[-1] for r in explained)
            assert "ix_assignment_members_page" in plan, plan
            assert "TEMP B-TREE" not in plan and "SCAN" not in plan, plan
        # another order reads the members' key too, then sorts the few dossiers found
        query = WorklistQuery(agency="SCT", cooperating="mai.lt", sort="submitted")
        sql, params = sql_of(query, "?", str)
        with store.engine.connect() as conn:
            explained = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", tuple(params))
            plan = " ".join(r[-1] for r in explained)
        assert "assignment_members" in plan and "SCAN assignment_members" not in plan, plan


def test_a_version_4_database_is_migrated_and_its_members_backfilled(sql_url: str) -> None:
    """The "assignment members" step creates the table and fills it from the replay of every
    open dossier's events."""
    from tthc_flow.calendar import WorkCalendar
    from tthc_flow.store._rows import event_row, summary_row

    source = MemoryStore()
    s = build(source)
    engine = sa.create_engine(sql_url)
    assert upgrade(engine, "test", MIGRATIONS[:4]) == 4
    with engine.begin() as conn:
        assert "assignment_members" not in sa.inspect(conn).get_table_names()
        v4 = {c["name"] for c in sa.inspect(conn).get_columns("dossiers")}
        for d in source.dossiers():
            row = summary_row(d, WorkCalendar.vietnam())
            conn.execute(schema.dossiers.insert(), {name: row[name] for name in v4})
        conn.execute(schema.events.insert(), [event_row(e) for e in source.events()])
    engine.dispose()
    with SqlStore(sql_url) as store:
        assert codes(store, agency="SCT", cooperating="mai.lt") == [s.d1]
        assert codes(store, agency="SCT", cooperating="hung.tv") == [s.d2]
        assert codes(store, agency="SCT", observer="hoa.dt") == [s.d1]
        with store.engine.connect() as conn:
            members = schema.assignment_members.c
            rows = conn.execute(
                sa.select(members.official_id, members.kind, members.dossier_code)
            ).all()
            dues = conn.execute(
                sa.select(members.holder_agency, members.work_due_at).distinct()
            ).all()
        # d1's two members and d2's one: d3 has none now, d4 is closed, d5 left its step
        assert sorted(rows) == sorted(
            [
                ("mai.lt", "cooperating", s.d1),
                ("hoa.dt", "observer", s.d1),
                ("hung.tv", "cooperating", s.d2),
            ]
        )
        # each row carries its dossier's holder and deadline (appraisal: Wed 29/4 8:00, 9:00)
        assert sorted(dues) == [("SCT", at(29, 8)), ("SCT", at(29, 9))]
