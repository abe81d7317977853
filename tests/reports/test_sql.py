"""The SQL path gives the Python path's report on the same dossiers (SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.reports.logs import LogBuilder, build_mixed, new_builder, seed_catalog
from tthc_flow.reports import Period, statistics, statistics_sql, summary_row, summary_table
from tthc_flow.store import SqlStore


@pytest.fixture(scope="module")
def sqlite(mixed: LogBuilder) -> sa.Engine:
    engine = sa.create_engine("sqlite://")
    table = summary_table()
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [summary_row(d) for d in mixed.dossiers()])
    return engine


@pytest.mark.parametrize("by", [None, "agency", "field", "procedure", "channel", "online"])
@pytest.mark.parametrize("period", ["2026-Q1", "2025-12", "2026-01-05..2026-03-31", "2026"])
def test_sql_equals_python(
    mixed: LogBuilder, sqlite: sa.Engine, by: str | None, period: str
) -> None:
    catalog = seed_catalog()
    p = Period.parse(period)
    expected = statistics(mixed.dossiers(), p, by=by, catalog=catalog)
    got = statistics_sql(sqlite, p, by=by, catalog=catalog, table=summary_table())
    assert got.rows() == expected.rows()
    assert got.total.received > 0


def test_sql_without_catalog_and_through_a_connection(mixed: LogBuilder, sqlite: sa.Engine) -> None:
    p = Period.quarter(2026, 1)
    with sqlite.connect() as conn:
        got = statistics_sql(conn, p, by="agency", table=summary_table())
    assert got.rows() == statistics(mixed.dossiers(), p, by="agency").rows()
    assert got.total.resolved == 10 and got.total.received_online_full is None
    with pytest.raises(TypeError):
        statistics_sql(object(), p)


def test_sql_store_written_by_the_engine(tmp_path: Path) -> None:
    """The real SqlStore (UTC text timestamps on SQLite) gives the Python path's figures."""
    with SqlStore.sqlite(tmp_path / "tthc.db", synchronous="NORMAL") as store:
        b = new_builder(store=store)
        build_mixed(b)
        catalog = seed_catalog()
        for by in (None, "agency", "field", "online"):
            for text in ("2026-Q1", "2025-12", "2026"):
                p = Period.parse(text)
                expected = statistics(store.dossiers(), p, by=by, catalog=catalog)
                assert statistics_sql(store, p, by=by, catalog=catalog).rows() == expected.rows()
        assert statistics_sql(store, Period.quarter(2026, 1)).total.resolved == 10
