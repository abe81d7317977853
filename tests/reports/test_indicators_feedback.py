"""Decision 766 3.6 and group 5 computed from the payments, ratings and petitions the engine
recorded (docs/payments.md, docs/indicators.md). Expected values by hand from the formula
texts of the portal's description (indicator set data):

- 3.6: "số lượng hồ sơ ... được thanh toán trực tuyến ... / (Tổng số hồ sơ của các TTHC ... có
  thông tin phí, lệ phí ... – ... có “Gia: 0”)";
- 5.1: "Số phản ánh kiến nghị ... được phân loại ... / Tổng số PAKN trong kỳ";
- 5.2: "Tổng số phản ánh, kiến nghị xử lý đúng, trước hạn và đang xử lý trong hạn / Tổng số";
- 5.3: "(Tổng số PAKN – Số bị phản hồi trạng thái không hài lòng hoặc tiếp tục có phản ánh,
  kiến nghị về kết quả giải quyết hoặc quá hạn) / Tổng số";
- 5.4: "100% - (Tỷ lệ hồ sơ giải quyết quá hạn + Tỷ lệ hồ sơ TTHC có phản ánh, kiến nghị hoặc
  đánh giá dislike)", full points at 90 %.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.engine.conftest import DESK, LEADER, POLICE, PROCEDURE, SPECIALIST, at
from tthc_flow.engine import Actor, Engine, FixedClock
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.reports import Indicator, IndicatorInputs, Period, Ratio, indicators
from tthc_flow.store import MemoryStore

APPLICANT = Actor.of("citizen", "applicant")
GATEWAY = Actor.of("paygov", "system")
OFFICE = Actor.of("van.phong", "petitions")
MAY = Period.month(2026, 5)
AS_OF = datetime(2026, 6, 30, 17, tzinfo=at(2026, 1, 1).tzinfo)
CATALOG = Catalog([parse_procedure(PROCEDURE, "test.yaml")])


def _engine() -> Engine:
    engine = Engine(CATALOG, store=MemoryStore(), clock=FixedClock(at(2026, 5, 4, 8)))
    engine.register_hook("notify_leader", lambda dossier, event: None)
    return engine


def _resolved(engine: Engine, *, pay_online: bool = False) -> str:
    """Received Mon 4/5/2026 08:00, approved the same morning: on time (due 7/5)."""
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 5, 4, 8)).code
    engine.fire(code, "handover", DESK, at(2026, 5, 4, 8, 30))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 5, 4, 9))
    engine.fire(code, "verify", POLICE, at(2026, 5, 4, 10))
    if pay_online:
        engine.fire(code, "request_payment", LEADER, at(2026, 5, 4, 10, 30))
        engine.fire(
            code,
            "payment_done",
            GATEWAY,
            at(2026, 5, 4, 10, 45),
            method="online",
            gateway="PayGov",
            transaction_id="TX-1",
        )
    engine.fire(code, "approve", LEADER, at(2026, 5, 4, 11))
    return code


@pytest.fixture(scope="module")
def may() -> dict[str, Indicator]:
    engine = _engine()
    d1 = _resolved(engine, pay_online=True)
    d2, d3, d4, d5 = (_resolved(engine) for _ in range(4))
    # d1: petition 1 (rules) answered on time, then continued by petition 2 (rules), on time
    engine.fire(d1, "record_petition", APPLICANT, at(2026, 5, 5, 9), content="Hỏi phí")
    engine.fire(
        d1, "answer_petition", OFFICE, at(2026, 5, 6, 9), answer="Đúng quy định", category="rules"
    )
    engine.fire(
        d1, "record_petition", APPLICANT, at(2026, 5, 7, 9), content="Vẫn thắc mắc", follows=1
    )
    engine.fire(
        d1, "answer_petition", OFFICE, at(2026, 5, 8, 9), answer="Giải thích", category="rules"
    )
    # d2: one working day, answered a day late (conduct)
    engine.fire(
        d2,
        "record_petition",
        APPLICANT,
        at(2026, 5, 5, 9),
        content="Thái độ",
        within_working_days=1,
    )
    engine.fire(
        d2, "answer_petition", OFFICE, at(2026, 5, 7, 9), answer="Đã nhắc nhở", category="conduct"
    )
    # d3: due Fri 8/5 17:00, never answered: open past its deadline at the period end
    engine.fire(
        d3,
        "record_petition",
        APPLICANT,
        at(2026, 5, 5, 9),
        content="Chậm",
        due_at=at(2026, 5, 8, 17),
    )
    # d4 dislikes (a score below 3), d5 is satisfied
    engine.fire(d4, "rate", APPLICANT, at(2026, 5, 5, 10), scores={"a": 1, "dd": 4})
    engine.fire(d5, "rate", APPLICANT, at(2026, 5, 5, 10), scores={"a": 5})
    found = indicators(engine.store.dossiers(), MAY, CATALOG, as_of=AS_OF)  # type: ignore[attr-defined]
    return {i.id: i for i in found}


def test_online_payment_share_reads_the_recorded_payment(may: dict[str, Indicator]) -> None:
    # 5 dossiers of a 500,000 VND procedure received in May; d1 paid online: 1/5 -> 6 × 0.2
    assert (may["3.6"].numerator, may["3.6"].denominator, may["3.6"].points) == (1, 5, 1.2)


def test_petitions_classified_on_time_and_satisfied(may: dict[str, Indicator]) -> None:
    # May's petitions: d1#1, d1#2, d2#1, d3#1 = 4
    # 5.1: classified d1#1, d1#2, d2#1 -> 3/4 = 75 % (monitoring: no points)
    assert (may["5.1"].numerator, may["5.1"].denominator, may["5.1"].rate) == (3, 4, 75.0)
    # 5.2: on time d1#1, d1#2; d2#1 late, d3#1 open past 8/5 -> 2/4; 6 × 0.5 = 3
    assert (may["5.2"].numerator, may["5.2"].denominator, may["5.2"].points) == (2, 4, 3.0)
    # 5.3: less d1#1 (petitioned again), d2#1 and d3#1 (late) -> 1/4; 6 × 0.25 = 1.5
    assert (may["5.3"].numerator, may["5.3"].denominator, may["5.3"].points) == (1, 4, 1.5)


def test_satisfaction_counts_petitions_and_dislikes(may: dict[str, Indicator]) -> None:
    # 2.1 basis: 5 handled, none late; with a petition d1, d2, d3, a dislike d4 -> 4
    # 5.4 = 100 % - (0/5 + 4/5) = 20 % -> 1/5; 6 × 0.2 / 0.9 = 1.333 -> 1.33
    assert (may["5.4"].numerator, may["5.4"].denominator, may["5.4"].points) == (1, 5, 1.33)


def test_given_inputs_still_win_and_a_log_without_feedback_asks_for_them() -> None:
    engine = _engine()
    _resolved(engine)
    dossiers = list(engine.store.dossiers())  # type: ignore[attr-defined]
    bare = {i.id: i for i in indicators(dossiers, MAY, CATALOG, as_of=AS_OF)}
    for name in ("5.1", "5.2", "5.3", "5.4"):
        assert bare[name].status.startswith("not computed (input missing: "), name
    given = IndicatorInputs(petitions_on_time=Ratio(9, 10), complained=frozenset())
    chosen = {i.id: i for i in indicators(dossiers, MAY, CATALOG, as_of=AS_OF, inputs=given)}
    # 5.2 as given: 6 × 0.9 = 5.4; 5.4: 1 handled on time, none complained -> 1/1 -> 6
    assert (chosen["5.2"].points, chosen["5.4"].points) == (5.4, 6)
