"""Form 05 "Thông báo dừng giải quyết hồ sơ" (Circular 03/2025/TT-VPCP Annex I, title only):
the notice of a closure (Decree 118/2025/ND-CP art. 19.5) or a withdrawal (art. 21.1, 21.2).

Expected moments and texts are written by hand from the decree (transcription named in
docs/legal-rules.md) and the Civil Code's counting (art. 147.3, 148.1, 148.6)."""

from __future__ import annotations

import pytest

from tests.engine.conftest import DESK, PROCEDURE, SPECIALIST, at
from tests.reports.test_forms import _well_formed_text
from tthc_flow.engine import Actor, Engine
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.reports import MOTTO, Letterhead, stop_notice, to_html
from tthc_flow.store import MemoryStore

CITIZEN = Actor.of("citizen", "applicant")


def _engine() -> tuple[Engine, Catalog]:
    catalog = Catalog([parse_procedure(PROCEDURE, "test.yaml")])
    engine = Engine(catalog, store=MemoryStore())
    engine.register_hook("notify_leader", lambda d, e: None)
    return engine, catalog


def test_a_closed_dossier_gets_its_stop_notice_with_the_article_and_the_moments() -> None:
    """Received Tue 1/7/2025 10:00, sent back Wed 2/7 09:00: day 1 of the 15 is Thu 3/7
    (the notice day is not counted), day 15 Thu 17/7 (a working day), the period ends at 24:00,
    i.e. Fri 18/7/2025 00:00; the scheduler closes it at 08:00 that morning. The notice cites
    art. 19.5 in the decree's words, the request it counts from and the closing moment; the
    closure is the desk's (art. 19.5), so no scheduler account is printed as signer."""
    engine, catalog = _engine()
    code = engine.receive("2.000999", "Công ty A", "desk", at=at(2025, 7, 1, 10)).code
    engine.fire(code, "handover", DESK, at(2025, 7, 1, 11))
    sent_back = engine.fire(code, "request_supplement", SPECIALIST, at(2025, 7, 2, 9))
    assert sent_back.closes_at == at(2025, 7, 18, 0, 0)
    (closed,) = engine.close_unsupplemented(at(2025, 7, 18, 8))
    assert closed.state == "stopped"

    definition = catalog.get("2.000999", closed.procedure_version)
    notice = stop_notice(
        closed, engine.history(code), definition, Letterhead(place="Nha Trang", number_suffix="/MC")
    )
    assert notice.ground == "closed"
    assert notice.stopped_at == at(2025, 7, 18, 8)
    assert notice.supplement_requested_at == at(2025, 7, 2, 9)
    assert notice.received_at == at(2025, 7, 1, 10)
    assert notice.header.doc_number == f"{code}/DG/MC"
    assert notice.header.form_no == "Mẫu số 05" and notice.signed_by == ""
    text = _well_formed_text(to_html(notice))
    for expected in (
        *MOTTO,
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "Mẫu số 05 (Thông tư số 03/2025/TT-VPCP",
        "Nha Trang, ngày 18 tháng 07 năm 2025",
        "Kính gửi: Công ty A",
        f"Mã hồ sơ: {code}",
        "Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 01 tháng 07 năm 2025",
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: 09 giờ 00 phút, ngày 02 tháng 07 năm 2025",
        "Căn cứ: Khoản 5 Điều 19 Nghị định số 118/2025/NĐ-CP: “Sau 15 ngày kể từ khi thông báo",
        "thực hiện đóng hồ sơ trên Hệ thống thông tin giải quyết thủ tục hành chính.”",
        "Lý do: không hoàn thiện hồ sơ trong 15 ngày kể từ khi thông báo",
        "Thời điểm dừng giải quyết hồ sơ: 08 giờ 00 phút, ngày 18 tháng 07 năm 2025",
    ):
        assert expected in text, expected


def test_a_withdrawal_cites_article_21_by_channel_and_old_or_running_dossiers_get_none() -> None:
    """At the desk: art. 21.1 ("được yêu cầu dừng thực hiện thủ tục hành chính ..."); online:
    art. 21.2 ("kể từ thời điểm hệ thống tiếp nhận thành công ..."). A dossier still running
    has no notice; one withdrawn on Mon 30/6/2025 fell under Decree 61/2018 (text not found):
    no notice citing Decree 118 is made for it."""
    engine, catalog = _engine()
    definition = catalog.get("2.000999")
    desk = engine.receive("2.000999", "Bà B", "desk", at=at(2025, 8, 4, 9)).code
    withdrawn = engine.fire(desk, "withdraw", DESK, at(2025, 8, 5, 10), reason="Người nộp đề nghị")
    notice = stop_notice(withdrawn, engine.history(desk), definition)
    assert notice.ground == "withdrawn" and notice.signed_by == "clerk"
    assert notice.stopped_at == at(2025, 8, 5, 10) and notice.supplement_requested_at is None
    text = _well_formed_text(to_html(notice))
    assert "Căn cứ: Khoản 1 Điều 21 Nghị định số 118/2025/NĐ-CP" in text
    assert "được yêu cầu dừng thực hiện thủ tục hành chính trong khoảng thời gian" in text
    assert "Lý do: Người nộp đề nghị" in text and "Phiếu yêu cầu bổ sung" not in text

    online = engine.submit("2.000999", "Ông C", "online", at=at(2025, 8, 4, 8)).code
    gone = engine.fire(online, "withdraw", CITIZEN, at(2025, 8, 4, 9), reason="Nộp nhầm")
    online_notice = stop_notice(gone, engine.history(online), definition)
    assert online_notice.legal_basis.startswith("Khoản 2 Điều 21 Nghị định số 118/2025/NĐ-CP")
    assert "kể từ thời điểm hệ thống tiếp nhận thành công" in online_notice.legal_basis
    assert online_notice.received_at is None

    running = engine.receive("2.000999", "D", "desk", at=at(2025, 8, 4, 9))
    with pytest.raises(ValueError, match="neither closed nor withdrawn"):
        stop_notice(running, engine.history(running.code), definition)
    old = engine.receive("2.000999", "E", "desk", at=at(2025, 6, 30, 9)).code
    old_gone = engine.fire(old, "withdraw", DESK, at(2025, 6, 30, 10), reason="x")
    with pytest.raises(ValueError, match="61/2018"):
        stop_notice(old_gone, engine.history(old), definition)
