"""Hand-built logs for the Decision 766 indicator tests (expected values in the tests).

Spec: the portal's "Mô tả công thức tính chỉ số 766" as reproduced in ChippedTopaz/qd766,
web/dist/formula-document.js (commit 0a54bd2725cc4e6967a45af61676e636290fac1c).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from tests.reports.logs import DESK, LEADER, SPECIALIST, LogBuilder, new_builder, seed_catalog
from tthc_flow.engine import Dossier
from tthc_flow.procedure import Catalog


@dataclass
class Log21:
    """The 2.1 log of Q1 2026 (procedure 1.000001, three working days): one dossier per case.

    ``due`` holds each dossier's appointment (NgayHenTra) as the engine wrote it; the tests
    check those inputs first, then compute the expected rates from the spec by hand.
    """

    b: LogBuilder
    code: dict[str, str] = field(default_factory=dict)

    def dossier(self, name: str) -> Dossier:
        return self.b.engine.get(self.code[name])


def build_21(store: object = None) -> Log21:
    b = new_builder(store=store)
    e = b.engine
    log = Log21(b)

    def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
        return b.at(day, hour, minute)

    # N: received and resolved in December 2025: ended before the period, not counted
    log.code["N"] = b.resolve(b.receive(date(2025, 12, 22)), "early").code
    # O: received 30 Dec 2025, approved 9 Jan 2026, after its appointment: late, counted
    o = b.start_work(b.receive(date(2025, 12, 30)))
    e.fire(o.code, "appraise", SPECIALIST, at=at(date(2026, 1, 9)))
    e.fire(o.code, "approve", LEADER, at=at(date(2026, 1, 9), 10))
    log.code["O"] = o.code
    # A: approved 30 minutes after receipt
    log.code["A"] = b.resolve(b.receive(date(2026, 1, 5)), "early").code
    # B: withdrawn one hour after receipt
    log.code["B"] = b.withdraw(b.receive(date(2026, 1, 6))).code
    # C: refused (dừng xử lý) at the desk on 14 Jan, after its appointment
    c = b.receive(date(2026, 1, 7))
    e.fire(c.code, "refuse", DESK, at=at(date(2026, 1, 14)), reason="Không đủ điều kiện")
    log.code["C"] = c.code
    # D: a supplement requested at reception and another during appraisal, approved early
    d = e.submit("1.000001", "Công ty D", "online", at=at(date(2026, 1, 8), 8))
    e.fire(d.code, "request_supplement", DESK, at=at(date(2026, 1, 8)), missing=["Đơn"])
    e.fire(d.code, "submit_supplement", DESK, at=at(date(2026, 1, 9)))
    e.fire(d.code, "accept", DESK, at=at(date(2026, 1, 9), 10))
    e.fire(d.code, "handover", DESK, at=at(date(2026, 1, 9), 11))
    e.fire(d.code, "request_supplement", SPECIALIST, at=at(date(2026, 1, 12)), missing=["Bản sao"])
    e.fire(d.code, "submit_supplement", DESK, at=at(date(2026, 1, 12), 14))
    e.fire(d.code, "appraise", SPECIALIST, at=at(date(2026, 1, 13)))
    e.fire(d.code, "approve", LEADER, at=at(date(2026, 1, 13), 10))
    log.code["D"] = d.code
    # E: one supplement (13 -> 20 Jan, 7 days), approved 26 Jan after the restarted date
    e_ = b.start_work(b.receive(date(2026, 1, 12)))
    e.fire(e_.code, "request_supplement", SPECIALIST, at=at(date(2026, 1, 13)), missing=["Đơn"])
    e.fire(e_.code, "submit_supplement", DESK, at=at(date(2026, 1, 20)))
    e.fire(e_.code, "appraise", SPECIALIST, at=at(date(2026, 1, 26)))
    e.fire(e_.code, "approve", LEADER, at=at(date(2026, 1, 26), 10))
    log.code["E"] = e_.code
    # F: an apology with a new date (12 Feb), approved 9 Feb
    f = b.start_work(b.receive(date(2026, 2, 2)))
    e.fire(f.code, "reschedule", SPECIALIST, at=at(date(2026, 2, 3)),
           new_due_at=at(date(2026, 2, 12)), reason="Cần xác minh")  # fmt: skip
    e.fire(f.code, "appraise", SPECIALIST, at=at(date(2026, 2, 9)))
    e.fire(f.code, "approve", LEADER, at=at(date(2026, 2, 9), 10))
    log.code["F"] = f.code
    # J: approved a day after its appointment
    log.code["J"] = b.resolve(b.receive(date(2026, 2, 3)), "late").code
    # G: open on 31 March with an apology moving its date to 7 April
    g = b.start_work(b.receive(date(2026, 3, 23)))
    e.fire(g.code, "reschedule", SPECIALIST, at=at(date(2026, 3, 25)),
           new_due_at=at(date(2026, 4, 7)), reason="Cần xác minh")  # fmt: skip
    log.code["G"] = g.code
    # I: open on 31 March, past its appointment, no apology
    log.code["I"] = b.start_work(b.receive(date(2026, 3, 26))).code
    # H: waiting for a supplement requested 31 March 10:00 (supplied 20 April)
    h = b.start_work(b.receive(date(2026, 3, 27)))
    e.fire(h.code, "request_supplement", SPECIALIST, at=at(date(2026, 3, 31), 10), missing=["Đơn"])
    e.fire(h.code, "submit_supplement", DESK, at=at(date(2026, 4, 20)))
    log.code["H"] = h.code
    # K: submitted online and refused before receipt: no NgayTiepNhan, not counted
    k = e.submit("1.000001", "Hộ kinh doanh K", "online", at=at(date(2026, 1, 13)))
    e.fire(k.code, "refuse", DESK, at=at(date(2026, 1, 13), 15), reason="Không thuộc thẩm quyền")
    log.code["K"] = k.code
    return log


def fee_catalog() -> Catalog:
    """The seed catalog, with 1.000003 free until 14 Feb 2026 and 500,000 VND from 15 Feb."""
    seed = seed_catalog()
    free = seed.get("1.000003").model_copy(
        update={"fees": [], "effective_to": date(2026, 2, 14)}, deep=True
    )
    paid = seed.get("1.000003").model_copy(
        update={"version": 2, "effective_from": date(2026, 2, 15)}, deep=True
    )
    return Catalog([seed.get("1.000001"), seed.get("1.000002"), free, paid])


def build_february(store: object = None) -> tuple[LogBuilder, dict[int, str]]:
    """Ten dossiers received in February 2026 (and one in January), numbered as in the tests:

    1 P1 online, paid online, approved, e-result, digitised   2 P1 online, paid at the desk,
    approved, no e-result, digitised   3 P1 online, paid online, in progress   4 P1 online,
    rejected, unpaid   5 P1 desk, paid online, approved, e-result, digitised   6 P2 online,
    approved, digitised   7 P2 online, in progress   8 P2 desk, approved   9 P3 v1 (no fee)
    desk, approved, digitised   10 P3 v2 online, paid at the desk, approved, e-result;
    0 P1 online, paid online, received and approved in January.
    """
    b = new_builder(fee_catalog(), store)
    e = b.engine
    made: dict[int, str] = {}

    def receive(n: int, day: date, code: str, channel: str, **data: object) -> Dossier:
        d = b.receive(day, code, channel=channel, **data)
        made[n] = d.code
        return d

    def finish(d: Dossier, e_result: bool = False, paid: bool | None = None) -> None:
        done = b.resolve(d, "early")
        paying: dict[str, object] = {} if paid is None else {"fee_paid": True, "online": paid}
        kept = {"e_result": True} if e_result else None
        e.fire(done.code, "return_result", DESK, at=b.at(date(2026, 2, 27)), data=kept, **paying)

    finish(receive(0, date(2026, 1, 26), "1.000001", "online"), paid=True)
    finish(receive(1, date(2026, 2, 2), "1.000001", "online", data={"digitised": True}), True, True)
    finish(receive(2, date(2026, 2, 3), "1.000001", "online", data={"digitised": True}), paid=False)
    third = receive(3, date(2026, 2, 4), "1.000001", "online")
    e.fire(third.code, "handover", DESK, at=b.at(date(2026, 2, 4), 10), fee_paid=True, online=True)
    b.resolve(receive(4, date(2026, 2, 5), "1.000001", "online"), "early", trigger="reject")
    finish(receive(5, date(2026, 2, 6), "1.000001", "desk", data={"digitised": True}), True, True)
    finish(receive(6, date(2026, 2, 9), "1.000002", "online", data={"digitised": True}))
    b.start_work(receive(7, date(2026, 2, 10), "1.000002", "online"))
    finish(receive(8, date(2026, 2, 11), "1.000002", "desk"))
    finish(receive(9, date(2026, 2, 10), "1.000003", "desk", data={"digitised": True}))
    finish(receive(10, date(2026, 2, 16), "1.000003", "online"), True, False)
    return b, made
