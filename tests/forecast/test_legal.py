"""Dry run of a shorter limit: the engine's rule (version at receipt) decides who changes.

Expected dates by hand (Civil Code 2015 art. 147: the day of the event is not counted; a
limit in working days ends on the last of them, Mon-Fri, no holiday in early March 2026):
procedure 2.000745 has 3 working days; the change gives 2 from Tuesday 3 March 2026.
"""

from __future__ import annotations

from datetime import date, datetime

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine import Actor, Engine, FixedClock
from tthc_flow.forecast import dry_run, new_limit, warm_start
from tthc_flow.procedure import Duration, TimeUnit, load_catalog
from tthc_flow.store import MemoryStore
from tthc_flow.testing import EXAMPLE_CATALOG

CODE = "2.000745"


def test_a_shorter_limit_changes_only_dossiers_not_yet_received() -> None:
    catalog = load_catalog(EXAMPLE_CATALOG)
    calendar = WorkCalendar.vietnam(years=[2026])
    store = MemoryStore()
    engine = Engine(
        catalog,
        store=store,
        calendar=calendar,
        clock=FixedClock(datetime(2026, 3, 2, tzinfo=VN_TZ)),
    )
    desk = Actor.of("desk-1", "one_stop")
    received = engine.receive(
        CODE, "Công ty A", "desk", at=datetime(2026, 3, 2, 10, 30, tzinfo=VN_TZ), actor=desk
    )
    engine.fire(received.code, "handover", desk, at=datetime(2026, 3, 2, 10, 30, tzinfo=VN_TZ))
    waiting = engine.submit(
        CODE, "Công ty B", "online", at=datetime(2026, 3, 3, 9, 0, tzinfo=VN_TZ)
    )
    as_of = datetime(2026, 3, 3, 10, 0, tzinfo=VN_TZ)
    change = new_limit(
        catalog, CODE, Duration(value=2, unit=TimeUnit.WORKING_DAYS), date(2026, 3, 3)
    )
    assert change.version == 2 and change.effective_from == date(2026, 3, 3)
    warm = warm_start(store.dossiers(), as_of=as_of)
    rows = {r.code: r for r in dry_run(warm.open, catalog, [change], calendar, as_of=as_of)}
    kept = rows[received.code]
    # received Monday 10:30: 3 working days end Thursday 5 March; 2 would end Wednesday 4
    assert not kept.applies and not kept.changes
    assert kept.due_at is not None and kept.due_at.date() == date(2026, 3, 5)
    assert kept.due_before is not None and kept.due_before.date() == date(2026, 3, 5)
    assert kept.due_after is not None and kept.due_after.date() == date(2026, 3, 4)
    new = rows[waiting.code]
    # not received: received from Tuesday 3 March 10:00 (the dry run's moment), 3 working
    # days would end Friday 6 March, the new 2 end Thursday 5 March
    assert new.applies and new.changes
    assert new.due_at is None
    assert new.due_before is not None and new.due_before.date() == date(2026, 3, 6)
    assert new.due_after is not None and new.due_after.date() == date(2026, 3, 5)
    assert next(iter(rows)) == waiting.code  # the changed one first
