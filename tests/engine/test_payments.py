"""Payment requests (portal status 6) and payments online or at the desk (docs/payments.md).

Decree 118/2025/ND-CP art. 24 (fees, charges and other financial obligations paid at the desk
or online), 24.3 (a charge paid online reaches the budget within 8 working hours); the
national portal's status 6 "Yêu cầu thực hiện nghĩa vụ tài chính". Amounts by hand.
"""

from __future__ import annotations

import pytest

from tests.engine.conftest import DESK, LEADER, POLICE, SPECIALIST, at
from tthc_flow import InvalidCommand, PolicyViolation
from tthc_flow.engine import (
    Actor,
    Dossier,
    Engine,
    Payment,
    PaymentLine,
    portal_status,
    replay,
)

APPLICANT = Actor.of("citizen", "applicant")
GATEWAY = Actor.of("paygov", "system")
LICENCE_CHARGE = {
    "name": "Lệ phí cấp giấy phép",
    "amount": 100_000,
    "kind": "charge",
    "legal_basis": "Thông tư 168/2016/TT-BTC",
}


def _at_approval(engine: Engine, channel: str = "desk") -> str:
    """Received Fri 24/4/2026 16:10; handed over, appraised, verified Tue 28/4 08:00-08:20."""
    code = engine.receive("2.000999", "A", channel, at=at(2026, 4, 24, 16, 10)).code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 8, 10))
    engine.fire(code, "verify", POLICE, at(2026, 4, 28, 8, 20))
    return code


def test_a_request_defaults_to_the_unpaid_fees_and_waits_in_status_6(engine: Engine) -> None:
    code = _at_approval(engine)
    waiting = engine.fire(code, "request_payment", LEADER, at(2026, 4, 28, 8, 30))
    assert waiting.state == "awaiting_payment" and portal_status(waiting.state) == 6
    request = waiting.payment_request
    assert request is not None
    # the procedure's one fee, 500,000 VND, published without a note (no basis to quote)
    assert request.lines == (PaymentLine("Phí thẩm định", 500_000, "fee", None),)
    assert (request.number, request.total, request.paid_at) == (1, 500_000, None)
    assert engine.history(code)[-1].payload["payment_request"]["total"] == 500_000


def test_given_lines_are_checked_and_their_total_is_set_once(engine: Engine) -> None:
    code = _at_approval(engine)
    fee = {"name": "Phí thẩm định", "amount": 500_000, "kind": "fee", "legal_basis": "TT 279"}
    wrong = {**fee, "amount": 450_000}
    with pytest.raises(PolicyViolation, match="published fee of 500000"):
        engine.fire(code, "request_payment", LEADER, at(2026, 4, 28, 8, 30), lines=[wrong])
    no_basis = {k: v for k, v in LICENCE_CHARGE.items() if k != "legal_basis"}
    with pytest.raises(InvalidCommand) as caught:
        engine.fire(code, "request_payment", LEADER, at(2026, 4, 28, 8, 30), lines=[fee, no_basis])
    assert caught.value.field == "data.lines[1].legal_basis"
    with pytest.raises(InvalidCommand, match="whole number of VND"):
        engine.fire(
            code,
            "request_payment",
            LEADER,
            at(2026, 4, 28, 8, 30),
            lines=[{**LICENCE_CHARGE, "amount": 99.5}],
        )
    assert engine.get(code).version == 4  # refused commands store nothing
    waiting = engine.fire(
        code, "request_payment", LEADER, at(2026, 4, 28, 8, 30), lines=[fee, LICENCE_CHARGE]
    )
    assert waiting.payment_request is not None
    assert waiting.payment_request.total == 600_000  # 500,000 + 100,000


def test_a_partial_or_an_over_payment_is_refused(engine: Engine) -> None:
    code = _at_approval(engine)
    engine.fire(code, "request_payment", LEADER, at(2026, 4, 28, 8, 30))
    for amount, which in ((400_000, "partial"), (700_000, "over-payment")):
        with pytest.raises(PolicyViolation, match=which):
            engine.fire(
                code,
                "payment_done",
                DESK,
                at(2026, 4, 28, 9),
                amount=amount,
                method="desk",
                receipt_number="BL-0001",
            )
    with pytest.raises(InvalidCommand) as caught:
        engine.fire(code, "payment_done", DESK, at(2026, 4, 28, 9), method="desk")
    assert caught.value.field == "data.receipt_number"
    assert engine.get(code).state == "awaiting_payment" and not engine.get(code).payments


def test_an_online_payment_carries_its_transaction_and_remittance_deadline(
    engine: Engine,
) -> None:
    """Paid Tue 28/4/2026 09:00: 09:00-11:30 (2.5 h), 13:00-17:00 (4 h, 6.5 in all), Wed 29/4
    07:30 + 1.5 h -> Wed 29/4 09:00 (art. 24.3, 8 working hours)."""
    code = _at_approval(engine, "online")
    engine.fire(code, "request_payment", LEADER, at(2026, 4, 28, 8, 30))
    with pytest.raises(InvalidCommand) as caught:
        engine.fire(code, "payment_done", GATEWAY, at(2026, 4, 28, 9), method="online")
    assert caught.value.field == "data.gateway"
    with pytest.raises(InvalidCommand, match="do not go with a payment 'online'"):
        engine.fire(
            code,
            "payment_done",
            GATEWAY,
            at(2026, 4, 28, 9),
            method="online",
            gateway="PayGov",
            transaction_id="TX-1",
            receipt_number="BL-1",
        )
    paid = engine.fire(
        code,
        "payment_done",
        GATEWAY,
        at(2026, 4, 28, 9),
        amount=500_000,
        method="online",
        gateway="PayGov",
        transaction_id="TX-1",
    )
    assert paid.state == "approval" and paid.fee_paid
    assert paid.payments == (
        Payment(
            amount=500_000,
            method="online",
            paid_at=at(2026, 4, 28, 9),
            recorded_by="paygov",
            fees=("Phí thẩm định",),
            request=1,
            gateway="PayGov",
            transaction_id="TX-1",
            remit_due_at=at(2026, 4, 29, 9),
        ),
    )
    assert paid.fees[0].paid_online and paid.fees[0].remit_due_at == at(2026, 4, 29, 9)
    assert paid.payment_request is not None
    assert paid.payment_request.paid_at == at(2026, 4, 28, 9)
    _same_on_replay(engine, code, paid)


def test_a_desk_payment_records_its_receipt_and_a_transaction_is_recorded_once(
    engine: Engine,
) -> None:
    code = engine.receive("2.000999", "A", "online", at=at(2026, 4, 24, 16, 10)).code
    first = engine.fire(
        code,
        "pay_fee",
        APPLICANT,
        at(2026, 4, 27, 20),
        fee_paid=True,  # the test procedure's own pay_fee transition (effect custom)
        method="online",
        gateway="PayGov",
        transaction_id="TX-7",
    )
    assert [(p.amount, p.method, p.request) for p in first.payments] == [(500_000, "online", None)]
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 8, 10))
    engine.fire(code, "verify", POLICE, at(2026, 4, 28, 8, 20))
    with pytest.raises(PolicyViolation, match="owes nothing"):
        engine.fire(code, "request_payment", LEADER, at(2026, 4, 28, 8, 30))
    engine.fire(code, "request_payment", LEADER, at(2026, 4, 28, 8, 30), lines=[LICENCE_CHARGE])
    with pytest.raises(PolicyViolation, match="TX-7 is already recorded"):
        engine.fire(
            code,
            "payment_done",
            GATEWAY,
            at(2026, 4, 28, 9),
            method="online",
            gateway="PayGov",
            transaction_id="TX-7",
        )
    paid = engine.fire(
        code,
        "payment_done",
        DESK,
        at(2026, 4, 28, 9),
        method="desk",
        receipt_number="BL-0002",
        amount=100_000,
    )
    assert [(p.amount, p.method, p.receipt_number, p.request) for p in paid.payments] == [
        (500_000, "online", None, None),
        (100_000, "desk", "BL-0002", 1),  # the first request (the refused one left none)
    ]
    assert paid.payments[1].remit_due_at is None  # art. 24.3 is about online payment
    assert [r.total for r in paid.payment_requests] == [100_000]
    _same_on_replay(engine, code, paid)


def test_the_older_forms_still_record_a_payment(engine: Engine) -> None:
    """``payment_done`` without details pays the request (the obligation met) as before."""
    code = _at_approval(engine)
    engine.fire(code, "request_payment", LEADER, at(2026, 4, 28, 8, 30), obligations=["Thuế"])
    paid = engine.fire(code, "payment_done", APPLICANT, at(2026, 4, 28, 9))
    assert paid.fee_paid and [(p.amount, p.method) for p in paid.payments] == [(500_000, "desk")]


def test_a_request_with_lines_is_idempotent(engine: Engine) -> None:
    code = _at_approval(engine)
    once = engine.fire(
        code, "request_payment", LEADER, at(2026, 4, 28, 8, 30), "req-1", lines=[LICENCE_CHARGE]
    )
    again = engine.fire(
        code, "request_payment", LEADER, at(2026, 4, 28, 8, 30), "req-1", lines=[LICENCE_CHARGE]
    )
    assert again.version == once.version and len(again.payment_requests) == 1


def _same_on_replay(engine: Engine, code: str, live: Dossier) -> None:
    replayed = replay(engine.history(code))
    assert replayed.payments == live.payments
    assert replayed.payment_requests == live.payment_requests
    assert Dossier.from_dict(live.to_dict()) == live
