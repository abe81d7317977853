"""``SqlStore.events()`` is one snapshot: commits made while an export reads are not in it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tthc_flow._time import VN_TZ
from tthc_flow.engine import Engine, FixedClock
from tthc_flow.procedure import load_catalog
from tthc_flow.store import SqlStore, _sql

CATALOG = load_catalog(Path(__file__).resolve().parents[2] / "examples" / "so-cong-thuong")
START = datetime(2026, 1, 5, 8, tzinfo=VN_TZ)


def _receive(store: SqlStore, count: int, day: int) -> None:
    engine = Engine(CATALOG, store=store, clock=FixedClock(START))
    for n in range(count):
        moment = START + timedelta(days=day, minutes=n)
        engine.receive("2.000128", f"Công ty {n}", "desk", at=moment)


def _export_while_writing(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sql, "_PAGE", 2)  # several pages, hence several reads
    reader, writer = SqlStore(url), SqlStore(url)
    _receive(writer, 5, 0)
    expected = [e.hash for e in reader.events()]
    export = reader.events()
    first = [next(export).hash for _ in range(3)]  # into the second page
    _receive(writer, 4, 1)  # commits while the export reads
    rest = [e.hash for e in export]
    assert first + rest == expected
    assert len(list(reader.events())) == 9  # a new export sees them
    reader.close()
    writer.close()


def test_sqlite_export_is_a_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _export_while_writing(f"sqlite:///{tmp_path / 's.db'}", monkeypatch)


@pytest.mark.postgres
def test_postgres_export_is_a_snapshot(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _export_while_writing(pg_url, monkeypatch)
