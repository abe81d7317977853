"""The SQL path gives the Python path's report on the same dossiers, on a real SqlStore."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.reports.logs import LogBuilder, build_mixed, new_builder, seed_catalog
from tthc_flow._time import VN_TZ
from tthc_flow.reports import Period, statistics, statistics_sql
from tthc_flow.store import SqlStore

AS_OF = datetime(2026, 6, 30, 17, tzinfo=VN_TZ)
PERIODS = ["2026-Q1", "2025-12", "2026-01-05..2026-03-31", "2026", "2026-02"]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LogBuilder]:
    """The mixed log written through the engine into a SQLite SqlStore."""
    path = Path(tmp_path_factory.mktemp("sql")) / "tthc.db"
    with SqlStore.sqlite(path, synchronous="NORMAL") as store:
        b = new_builder(store=store)
        build_mixed(b)
        yield b


@pytest.mark.parametrize("by", [None, "agency", "field", "procedure", "channel", "online"])
@pytest.mark.parametrize("period", PERIODS)
def test_sql_equals_python(stored: LogBuilder, by: str | None, period: str) -> None:
    catalog = seed_catalog()
    p = Period.parse(period)
    store = stored.engine.store
    expected = statistics(stored.dossiers(), p, by=by, catalog=catalog, as_of=AS_OF)
    got = statistics_sql(store, p, by=by, catalog=catalog, as_of=AS_OF)
    assert got.rows() == expected.rows()
    assert got.total.received > 0 or period == "2026-02"


@pytest.mark.parametrize("by", [None, "agency", "procedure", "channel"])
def test_sql_without_catalog_and_through_a_connection(stored: LogBuilder, by: str | None) -> None:
    p = Period.quarter(2026, 1)
    store = stored.engine.store
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        got = statistics_sql(conn, p, by=by, as_of=AS_OF)
    assert got.rows() == statistics(stored.dossiers(), p, by=by, as_of=AS_OF).rows()
    assert got.total.resolved == 11 and got.total.received_online_full is None
    assert got.total.processing_days_p90 is not None
    with pytest.raises(TypeError):
        statistics_sql(object(), p)


def test_sql_on_postgresql_equals_python(pg_url: str) -> None:
    with SqlStore(pg_url) as store:
        b = new_builder(store=store)
        build_mixed(b)
        catalog = seed_catalog()
        for by in (None, "agency", "field", "online"):
            for text in ("2026-Q1", "2026"):
                p = Period.parse(text)
                expected = statistics(store.dossiers(), p, by=by, catalog=catalog, as_of=AS_OF)
                got = statistics_sql(store, p, by=by, catalog=catalog, as_of=AS_OF)
                assert got.rows() == expected.rows()


def test_sql_counts_requests_and_apologies_in_their_own_month(tmp_path: Path) -> None:
    with SqlStore.sqlite(tmp_path / "t.db", synchronous="NORMAL") as store:
        b = new_builder(store=store)
        b.supplemented_then_apologised()
        for month, expected in ((1, 1), (2, 0), (3, 0)):
            p = Period.month(2026, month)
            got = statistics_sql(store, p, as_of=AS_OF).total
            assert (got.supplement_requested, got.rescheduled, got.in_progress) == (
                expected,
                expected,
                1,
            )
            assert got == statistics(store.dossiers(), p, as_of=AS_OF).total
