"""Fees and charges as records of the dossier, paid at the desk or online."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.conftest import DESK, PROCEDURE, at
from tthc_flow import InvalidCommand
from tthc_flow.engine import Actor, Engine, FeeRecord, FixedClock
from tthc_flow.procedure import Catalog, load_procedure
from tthc_flow.store import MemoryStore

APPLICANT = Actor.of("citizen", "applicant")
TWO_FEES = PROCEDURE.replace(
    "  - {name: Phí thẩm định, amount: 500000}\n",
    "  - {name: Phí thẩm định, amount: 500000}\n"
    "  - {name: Lệ phí cấp giấy phép, amount: 100000, kind: charge}\n",
)


def test_fees_are_recorded_from_the_definition(engine: Engine) -> None:
    dossier = engine.receive("2.000999", "A", "desk")
    assert dossier.fees == (FeeRecord("Phí thẩm định", 500_000, "fee"),)
    assert dossier.fees_due == 500_000 and not dossier.fee_paid


def test_an_online_payment_marks_the_fee_paid_online(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "online").code
    paid = engine.fire(code, "pay_fee", APPLICANT, at(2026, 4, 27, 20), fee_paid=True)
    assert paid.fees[0].paid_at == at(2026, 4, 27, 20) and paid.fees[0].paid_online
    assert paid.fee_paid
    with pytest.raises(InvalidCommand, match="not unpaid"):
        engine.fire(
            code, "pay_fee", APPLICANT, at(2026, 4, 27, 21), fee_paid=True, fees=["Phí thẩm định"]
        )


def test_a_pay_fee_effect_pays_the_named_fees(tmp_path: Path) -> None:
    text = TWO_FEES + (
        "    - trigger: collect_fee\n"
        "      source: [received, appraisal]\n"
        "      roles: [one_stop]\n"
        "      effect: pay_fee\n"
    )
    path = tmp_path / "fees.yaml"
    path.write_text(text, encoding="utf-8")
    engine = Engine(
        Catalog([load_procedure(path)]),
        store=MemoryStore(),
        clock=FixedClock(at(2026, 4, 24, 16, 10)),
    )
    code = engine.receive("2.000999", "A", "desk").code
    one = engine.fire(code, "collect_fee", DESK, at(2026, 4, 28, 8), fees=["Phí thẩm định"])
    assert [(f.kind, f.paid_at is not None, f.paid_online) for f in one.fees] == [
        ("fee", True, False),
        ("charge", False, False),
    ]
    assert not one.fee_paid
    both = engine.fire(code, "collect_fee", DESK, at(2026, 4, 28, 9), online=True)
    assert both.fee_paid and both.fees[1].paid_online
    with pytest.raises(InvalidCommand, match="not unpaid"):
        engine.fire(code, "collect_fee", DESK, at(2026, 4, 28, 10), fees=["Phí khác"])
    with pytest.raises(InvalidCommand, match="unpaid: none"):
        engine.fire(code, "collect_fee", DESK, at(2026, 4, 28, 10))
