"""Reconciling recorded online payments with a gateway's settlement report (docs/payments.md).

Each dossier pays its 500,000 VND fee (the test procedure's) through the engine; the report's
rows are written by hand, and so is every expected difference."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.conftest import PROCEDURE, at
from tthc_flow import InputError
from tthc_flow.engine import Actor, Engine, FixedClock
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.reports import (
    SettlementRow,
    read_settlement_csv,
    reconcile_payments,
)
from tthc_flow.store import MemoryStore

APPLICANT = Actor.of("citizen", "applicant")


def _paid(engine: Engine, day: int, transaction: str | None) -> str:
    code = engine.receive("2.000999", "A", "online", at=at(2026, 4, 24, 16, 10)).code
    reference = {"method": "online", "gateway": "PayGov", "transaction_id": transaction}
    engine.fire(
        code,
        "pay_fee",
        APPLICANT,
        at(2026, 4, day, 10),
        fee_paid=True,
        **(reference if transaction is not None else {}),
    )
    return code


@pytest.fixture
def engine() -> Engine:
    catalog = Catalog([parse_procedure(PROCEDURE, "test.yaml")])
    return Engine(catalog, store=MemoryStore(), clock=FixedClock(at(2026, 4, 24, 16, 10)))


def _row(transaction: str, code: str, amount: int, line: int) -> SettlementRow:
    return SettlementRow(transaction, code, amount, at(2026, 4, 28, 11), "PayGov", line)


def test_every_kind_of_difference(engine: Engine) -> None:
    ok = _paid(engine, 28, "TX-1")
    short = _paid(engine, 28, "TX-2")
    unreported = _paid(engine, 28, "TX-3")
    moved = _paid(engine, 28, "TX-7")
    unreferenced = _paid(engine, 28, None)
    earlier = _paid(engine, 27, "TX-0")  # the day before the report: not expected in it
    unpaid = engine.receive("2.000999", "A", "online", at=at(2026, 4, 24, 16, 10)).code
    rows = [
        _row("TX-1", ok, 500_000, 2),
        _row("TX-2", short, 450_000, 3),
        _row("TX-9", unpaid, 500_000, 4),
        _row("TX-8", ok, 500_000, 5),
        _row("TX-5", unpaid, 500_000, 6),
        _row("TX-5", unpaid, 500_000, 7),
        _row("TX-7", ok, 500_000, 8),
    ]
    found = reconcile_payments(engine.store.dossiers(), rows)  # type: ignore[attr-defined]
    got = sorted((d.kind, d.transaction_id, d.dossier_code, d.line) for d in found)
    assert got == sorted(
        [
            ("amount_differs", "TX-2", short, 3),
            ("missing_in_log", "TX-9", unpaid, 4),
            ("paid_twice", "TX-8", ok, 5),  # ok's fee is already paid by TX-1
            ("paid_twice", "TX-5", unpaid, 6),
            ("paid_twice", "TX-5", unpaid, 7),
            ("dossier_differs", "TX-7", moved, 8),
            ("missing_in_report", "TX-3", unreported, None),
            ("no_reference", None, unreferenced, None),
        ]
    )
    assert earlier not in {d.dossier_code for d in found}
    (short_one,) = [d for d in found if d.kind == "amount_differs"]
    assert (short_one.log_amount, short_one.report_amount) == (500_000, 450_000)


def test_the_same_transaction_on_two_dossiers_is_paid_twice(engine: Engine) -> None:
    first = _paid(engine, 28, "TX-1")
    second = _paid(engine, 28, "TX-1")  # the engine checks one dossier; the log holds both
    found = reconcile_payments(
        engine.store.dossiers(),  # type: ignore[attr-defined]
        [_row("TX-1", first, 500_000, 2)],
    )
    assert sorted((d.kind, d.dossier_code) for d in found) == [
        ("paid_twice", first),
        ("paid_twice", second),
    ]


def test_a_settlement_report_is_read_with_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "settlement.csv"
    path.write_text(
        "transaction_id,dossier_code,amount,paid_at,gateway\n"
        "TX-1,SCT-260424-0001,500000,28/04/2026 11:00,PayGov\n",
        encoding="utf-8",
    )
    (row,) = read_settlement_csv(path)
    assert (row.transaction_id, row.amount, row.paid_at, row.line) == (
        "TX-1",
        500_000,
        at(2026, 4, 28, 11),
        2,
    )
    path.write_text(
        "transaction_id,dossier_code,amount,paid_at\nTX-1,SCT-1,500.000,28/04/2026\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_settlement_csv(path)
    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (2, 3)
