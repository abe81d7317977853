"""Synthetic dossier logs built through the real Engine, for the report tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine import Actor, Dossier, Engine, FixedClock
from tthc_flow.procedure import Catalog, ProcedureDefinition
from tthc_flow.store import MemoryStore

DESK = Actor.of("clerk-01", "one_stop")
SPECIALIST = Actor.of("chuyen-vien-02", "specialist")
LEADER = Actor.of("lanh-dao-03", "leader")


def _procedure(code: str, **overrides: Any) -> ProcedureDefinition:
    raw: dict[str, Any] = {
        "code": code,
        "effective_from": "2015-01-01",
        "name": "Cấp Giấy chứng nhận đủ điều kiện kinh doanh thử nghiệm",
        "field": "Thương mại quốc tế",
        "level": "province",
        "agency": "Sở Công Thương",
        "agency_code": "SCT",
        "legal_basis": ["Nghị định số 118/2025/NĐ-CP"],
        "time_limit": {
            "statutory": {"value": 5, "unit": "working_days"},
            "shortened": {"value": 3, "unit": "working_days"},
        },
        "online": "partial",
        "channels": ["desk", "postal", "online"],
        "fees": [{"name": "Phí thẩm định", "amount": 500000}],
        "components": [
            {"name": "Đơn đề nghị cấp Giấy chứng nhận", "digitise": True},
            {"name": "Bản sao Giấy chứng nhận đăng ký doanh nghiệp", "copies": 2},
        ],
        "result": "Giấy chứng nhận",
        "workflow": {
            "steps": [
                {
                    "id": "appraise",
                    "name": "Thẩm định hồ sơ",
                    "role": "specialist",
                    "share": 2,
                    "action": "appraise",
                },
                {
                    "id": "approve",
                    "name": "Phê duyệt, ký",
                    "role": "leader",
                    "share": 1,
                    "action": "approve",
                },
            ]
        },
    }
    raw.update(overrides)
    return ProcedureDefinition.model_validate(raw)


def seed_catalog() -> Catalog:
    """Three procedures valid from 2015, in two fields and two agencies."""
    return Catalog(
        [
            _procedure("1.000001"),
            _procedure(
                "1.000002",
                name="Đăng ký thực hiện khuyến mại",
                field="Xúc tiến thương mại",
                online="full",
                on_the_spot=True,
                fees=[],
                time_limit={
                    "statutory": {"value": 5, "unit": "working_days"},
                    "shortened": {"value": 2, "unit": "working_days"},
                },
                workflow={
                    "steps": [
                        {
                            "id": "appraise",
                            "name": "Thẩm định, phê duyệt tại chỗ",
                            "role": "leader",
                            "share": 2,
                            "action": "approve",
                        }
                    ]
                },
            ),
            _procedure(
                "1.000003",
                name="Cấp Giấy phép bán lẻ sản phẩm thuốc lá",
                field="Lưu thông hàng hóa",
                agency="Phòng Quản lý thương mại",
                agency_code="SCT-QLTM",
                time_limit={"statutory": {"value": 10, "unit": "working_days"}},
            ),
        ]
    )


@dataclass
class LogBuilder:
    """Receive and move dossiers through a real engine, at explicit moments."""

    engine: Engine
    cal: WorkCalendar
    made: list[str] = field(default_factory=list)

    def days(self, first: date, last: date) -> list[date]:
        """Working days in [first, last]."""
        out, d = [], first
        while d <= last:
            if self.cal.is_working_day(d):
                out.append(d)
            d += timedelta(days=1)
        return out

    def at(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), VN_TZ)

    def receive(
        self, day: date, code: str = "1.000001", channel: str = "desk", **data: Any
    ) -> Dossier:
        d = self.engine.receive(
            code, f"Công ty TNHH {len(self.made) + 1}", channel, at=self.at(day), actor=DESK, **data
        )
        self.made.append(d.code)
        return d

    def resolve(self, d: Dossier, when: str, trigger: str = "approve") -> Dossier:
        """Hand over, appraise and approve (or reject): ``when`` in early / on_time / late."""
        assert d.received_at is not None and d.due_at is not None
        start = d.received_at
        e = self.engine
        if when == "early":
            done = start + timedelta(minutes=30)
        elif when == "on_time":
            done = d.due_at - timedelta(minutes=1)
        else:
            done = d.due_at + timedelta(days=1)
        if d.state == "handled_at_desk":  # "4 tại chỗ": decided at the desk, no hand-over
            if trigger == "reject":
                return e.fire(d.code, "reject", LEADER, at=done, reason="Không đủ điều kiện")
            return e.fire(d.code, "resolve_at_desk", LEADER, at=done)
        e.fire(d.code, "handover", DESK, at=start + timedelta(minutes=5))
        steps = self.engine.catalog.get(d.procedure_code, d.procedure_version).workflow.steps
        for step in steps[:-1]:
            actor = SPECIALIST if step.role == "specialist" else LEADER
            e.fire(d.code, step.trigger, actor, at=done - timedelta(minutes=1))
        if trigger == "reject":
            return e.fire(d.code, "reject", LEADER, at=done, reason="Không đủ điều kiện")
        return e.fire(d.code, "approve", LEADER, at=done)

    def withdraw(self, d: Dossier) -> Dossier:
        assert d.received_at is not None
        return self.engine.fire(
            d.code,
            "withdraw",
            DESK,
            at=d.received_at + timedelta(hours=1),
            reason="Tổ chức đề nghị rút hồ sơ",
        )

    def start_work(self, d: Dossier) -> Dossier:
        assert d.received_at is not None
        return self.engine.fire(d.code, "handover", DESK, at=d.received_at + timedelta(minutes=5))

    def supplemented_then_apologised(self) -> Dossier:
        """A 1.000003 dossier received 5 Jan 2026: a supplement requested on 7 Jan, supplied on
        8 Jan, and an apology with a new date that morning; still open afterwards."""
        d = self.start_work(self.receive(date(2026, 1, 5), "1.000003"))
        e = self.engine
        e.fire(
            d.code, "request_supplement", SPECIALIST, at=self.at(date(2026, 1, 7)), missing=["Đơn"]
        )
        resumed = e.fire(d.code, "submit_supplement", DESK, at=self.at(date(2026, 1, 8)))
        assert resumed.due_at is not None
        return e.fire(
            d.code,
            "reschedule",
            SPECIALIST,
            at=self.at(date(2026, 1, 8), 10),
            new_due_at=resumed.due_at + timedelta(days=35),  # a working day (30 days on is Tết)
            reason="Cần xác minh",
        )

    def dossiers(self) -> Iterator[Dossier]:
        return self.engine.store.dossiers()  # type: ignore[attr-defined, no-any-return]


def new_builder(catalog: Catalog | None = None, store: Any = None) -> LogBuilder:
    cal = WorkCalendar.vietnam()
    clock = FixedClock(datetime(2015, 1, 1, tzinfo=VN_TZ))
    return LogBuilder(
        Engine(catalog or seed_catalog(), calendar=cal, store=store or MemoryStore(), clock=clock),
        cal,
    )


def build_mixed(b: LogBuilder) -> None:
    """A small log around Q1 2026 exercising every bucket (expected figures in the tests).

    December 2025: A resolved in December; B carried over and resolved early in January;
    C carried over and still open on 31 March (overdue).
    Q1 2026 (14 received): 3 early, 1 on time, 1 late, 1 rejected (early), 1 withdrawn, 1 refused before
    receipt, 1 refused after receipt (Wed 14/1 09:00 -> 11:00: a reasoned result, resolved
    early as a rejection: Decree 118/2025/ND-CP art. 19.3, RefusalPolicy), 1 supplement then
    resolved early, 1 waiting for a
    supplement across the period end (judged within), 1 rescheduled and resolved (late),
    1 in progress within the deadline, 1 online, 2 postal, 1 "4 tại chỗ". April: 1 (outside).
    """
    e = b.engine
    a = b.receive(date(2025, 12, 1))
    b.resolve(a, "early")
    carried_b = b.receive(date(2025, 12, 29))
    e.fire(carried_b.code, "handover", DESK, at=b.at(date(2025, 12, 29), 10))
    e.fire(carried_b.code, "appraise", SPECIALIST, at=b.at(date(2025, 12, 30), 10))
    e.fire(carried_b.code, "approve", LEADER, at=b.at(date(2026, 1, 2), 9))
    b.start_work(b.receive(date(2025, 12, 30), "1.000003"))
    for day in (date(2026, 1, 5), date(2026, 1, 6), date(2026, 2, 2)):
        b.resolve(b.receive(day, channel="postal" if day.month == 1 else "online"), "early")
    b.resolve(b.receive(date(2026, 1, 7), "1.000003"), "on_time")
    b.resolve(b.receive(date(2026, 1, 8), "1.000003"), "late")
    b.resolve(b.receive(date(2026, 1, 9)), "early", trigger="reject")
    b.withdraw(b.receive(date(2026, 1, 12)))
    pending = e.submit("1.000001", "Hộ kinh doanh X", "online", at=b.at(date(2026, 1, 13)))
    e.fire(
        pending.code,
        "refuse",
        DESK,
        at=b.at(date(2026, 1, 13), 15),
        reason="Không thuộc thẩm quyền",
    )
    refused = b.receive(date(2026, 1, 14))
    e.fire(refused.code, "refuse", DESK, at=b.at(date(2026, 1, 14), 11), reason="Hồ sơ giả mạo")
    sup = b.receive(date(2026, 2, 3))
    e.fire(sup.code, "handover", DESK, at=b.at(date(2026, 2, 3), 10))
    e.fire(
        sup.code,
        "request_supplement",
        SPECIALIST,
        at=b.at(date(2026, 2, 4), 10),
        missing=["Bản sao Giấy chứng nhận đăng ký doanh nghiệp"],
    )
    e.fire(sup.code, "submit_supplement", DESK, at=b.at(date(2026, 2, 5), 10))
    e.fire(sup.code, "appraise", SPECIALIST, at=b.at(date(2026, 2, 5), 14))
    e.fire(sup.code, "approve", LEADER, at=b.at(date(2026, 2, 5), 16))
    waiting = b.receive(date(2026, 3, 30))
    e.fire(waiting.code, "handover", DESK, at=b.at(date(2026, 3, 30), 10))
    e.fire(
        waiting.code,
        "request_supplement",
        SPECIALIST,
        at=b.at(date(2026, 3, 31), 10),
        missing=["Đơn đề nghị"],
    )
    e.fire(waiting.code, "submit_supplement", DESK, at=b.at(date(2026, 4, 20), 10))
    late = b.receive(date(2026, 3, 2), "1.000003")
    e.fire(late.code, "handover", DESK, at=b.at(date(2026, 3, 2), 10))
    assert late.due_at is not None
    e.fire(
        late.code,
        "reschedule",
        SPECIALIST,
        at=b.at(date(2026, 3, 6), 10),
        new_due_at=late.due_at + timedelta(days=7),
        reason="Cần xác minh thực tế",
    )
    e.fire(late.code, "appraise", SPECIALIST, at=b.at(date(2026, 3, 18), 10))
    e.fire(late.code, "approve", LEADER, at=b.at(date(2026, 3, 19), 10))
    b.start_work(b.receive(date(2026, 3, 31)))
    spot = b.receive(date(2026, 3, 10), "1.000002", on_the_spot=True)
    b.resolve(spot, "early")
    b.resolve(b.receive(date(2026, 4, 1)), "early")
