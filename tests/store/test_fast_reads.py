"""The driver path for hot reads agrees with the plain SQLAlchemy path (the speed seam)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tthc_flow._time import VN_TZ
from tthc_flow.engine import Actor, Engine, FixedClock
from tthc_flow.procedure import load_catalog
from tthc_flow.store import DossierQuery, SqlStore

CATALOG = load_catalog(Path(__file__).parents[2] / "examples" / "so-cong-thuong")
EVERYONE = Actor.of("all", "one_stop", "specialist", "leader")
START = datetime(2026, 3, 2, 8, tzinfo=VN_TZ)


def _filled(url: str) -> SqlStore:
    store = SqlStore(url)
    engine = Engine(CATALOG, store=store, clock=FixedClock(START))
    for i in range(40):
        at = START + timedelta(hours=7 * i, minutes=13 * i)
        code = engine.receive("2.000234", applicant=f"A{i}", channel="desk", at=at).code
        if i % 3:
            engine.fire(code, "handover", EVERYONE, at + timedelta(hours=1))
        if i % 3 and i % 5 == 0:
            engine.fire(code, "request_supplement", EVERYONE, at + timedelta(hours=2))
        if i % 7 == 0:
            engine.fire(code, "withdraw", EVERYONE, at + timedelta(hours=3), reason="x")
    return store


def test_fast_and_plain_reads_agree(sql_url: str) -> None:
    store = _filled(sql_url)
    check(store)
    store.close()


def check(store: Any) -> None:
    @settings(max_examples=60, deadline=None)
    @given(
        st.integers(min_value=-5, max_value=60),
        st.integers(min_value=0, max_value=30),
        st.one_of(st.none(), st.integers(min_value=1, max_value=15)),
        st.booleans(),
    )
    def agree(days: int, width: int, limit: int | None, by_due: bool) -> None:
        start = START + timedelta(days=days, minutes=days * 37)
        for query in (
            DossierQuery(pending_due_before=start),
            DossierQuery(pending_due_from=start, pending_due_before=start + timedelta(days=width)),
            DossierQuery(pending_due_from=start),
        ):
            fast = store.summaries(query, limit=limit, by_due=by_due)
            assert fast == store._plain_summaries(query, limit, by_due)
            assert all(d.due_at is None or d.due_at.tzinfo is VN_TZ for d in fast)
        assert store.due_timers(start, limit=limit or 500) == store._slow_due_timers(
            start, limit or 500
        )
        for code in ("SCT-260302-0001", "SCT-260303-0002", "NONE"):
            with store._tx(write=False) as conn:
                from sqlalchemy import select

                from tthc_flow.store.schema import dossiers

                row = conn.execute(
                    select(dossiers.c.version, dossiers.c.last_hash).where(dossiers.c.code == code)
                ).first()
            assert store.head(code) == (tuple(row) if row else None)

    agree()
