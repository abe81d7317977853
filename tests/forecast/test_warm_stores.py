"""The warm start reads any store: the same simulated log in the simulator's store, in
SQLite and in PostgreSQL gives the same open dossiers, and the same forecast."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from tthc_flow._time import VN_TZ
from tthc_flow.forecast import forecast, warm_start
from tthc_flow.reports import Period
from tthc_flow.simulation import Scenario, simulate
from tthc_flow.store import SqlStore
from tthc_flow.testing import small_scenario_text

AS_OF = datetime(2026, 4, 1, 8, 0, tzinfo=VN_TZ)


def log_scenario() -> Scenario:
    """The small department's March, stopped at 1 April (nothing drained): a busy office."""
    base = small_scenario_text()
    horizon = base.model.horizon.model_copy(
        update={"end": date(2026, 3, 31), "drain_working_days": 0}
    )
    model = base.model.model_copy(update={"horizon": horizon, "variants": []})
    return Scenario(model, base.catalog, base.calendar, base.source)


def scenario_from(as_of: datetime) -> Scenario:
    base = small_scenario_text()
    horizon = base.model.horizon.model_copy(
        update={"start": as_of.date(), "end": date(2026, 4, 30)}
    )
    model = base.model.model_copy(update={"horizon": horizon, "variants": []})
    return Scenario(model, base.catalog, base.calendar, base.source)


@pytest.fixture(scope="module")
def memory_log() -> object:
    return simulate(log_scenario(), replications=1, workers=1).store


def _compare(store: SqlStore, memory_log: object) -> None:
    simulate(log_scenario(), replications=1, workers=1, store=store)
    from_sql = warm_start(events=store.events(), as_of=AS_OF)
    from_memory = warm_start(events=memory_log.events(), as_of=AS_OF)
    assert [d.code for d in from_sql.open] == [d.code for d in from_memory.open]
    assert from_sql.open == from_memory.open
    assert len(from_sql.open) > 0
    period = Period(date(2026, 4, 1), date(2026, 4, 30))
    one = forecast(scenario_from(AS_OF), from_sql, period=period, replications=2, workers=1)
    two = forecast(scenario_from(AS_OF), from_memory, period=period, replications=2, workers=1)
    assert [r.p_late for r in one.risks] == [r.p_late for r in two.risks]
    assert one.indicators["2.1"].mean == two.indicators["2.1"].mean


def test_sqlite(tmp_path: Path, memory_log: object) -> None:
    with SqlStore.sqlite(tmp_path / "log.sqlite") as store:
        _compare(store, memory_log)


def test_postgresql(pg_url: str, memory_log: object) -> None:
    with SqlStore(pg_url) as store:
        _compare(store, memory_log)
