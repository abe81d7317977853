"""Forms as data and as printable HTML (Circular 03/2025/TT-VPCP names, 01/2018 fields)."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import lxml.html
import pytest

from tests.reports.logs import LogBuilder, new_builder, seed_catalog
from tthc_flow import ConfigurationError
from tthc_flow.engine import Dossier
from tthc_flow.reports import (
    MOTTO,
    Letterhead,
    Period,
    apology_letters,
    control_slip,
    dossier_log,
    receipt_slip,
    refusal_slip,
    supplement_requests,
    to_html,
)

VOID = {"br", "meta", "img", "hr", "input", "link"}


class _Balance(HTMLParser):
    """Fails on a closing tag that does not match the open one (well-formedness)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()


def _well_formed_text(html: str) -> str:
    checker = _Balance()
    checker.feed(html)
    checker.close()
    assert checker.stack == []
    tree = lxml.html.document_fromstring(html)
    return str(tree.text_content())


def _find(mixed: LogBuilder, predicate: object) -> Dossier:
    return next(d for d in mixed.dossiers() if predicate(d))  # type: ignore[operator]


def test_receipt_slip_fields_and_html(mixed: LogBuilder) -> None:
    d = _find(mixed, lambda d: d.channel == "postal")
    definition = seed_catalog().get(d.procedure_code, d.procedure_version)
    slip = receipt_slip(d, mixed.engine.history(d.code), definition)
    assert slip.dossier_code == d.code and slip.received_by == "clerk-01"
    assert slip.due_at == d.original_due_at and slip.fee_amount == 500_000
    assert [c.quantity for c in slip.components] == [1, 2]
    assert slip.time_limit == "5 ngày làm việc (cắt giảm còn 3 ngày làm việc)"
    text = _well_formed_text(to_html(slip))
    for expected in (
        *MOTTO,
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        d.code,
        "03/2025/TT-VPCP",
        "Bản sao Giấy chứng nhận đăng ký doanh nghiệp",
        "Thời gian trả kết quả",
        "Qua dịch vụ bưu chính công ích",
        "500.000 đồng",
    ):
        assert expected in text


def test_supplement_refusal_apology_and_control_slip(mixed: LogBuilder) -> None:
    catalog = seed_catalog()
    sup = _find(mixed, lambda d: len(d.pauses) == 1 and d.is_resolved)
    definition = catalog.get(sup.procedure_code, sup.procedure_version)
    history = mixed.engine.history(sup.code)
    (request,) = supplement_requests(sup, history, definition)
    assert request.items == ("Bản sao Giấy chứng nhận đăng ký doanh nghiệp",)
    assert request.stage == "Thẩm định, giải quyết"
    assert "PHIẾU YÊU CẦU BỔ SUNG" in _well_formed_text(to_html(request))

    refused = _find(mixed, lambda d: d.outcome == "refused" and d.received_at is None)
    slip = refusal_slip(refused, mixed.engine.history(refused.code), definition)
    assert slip.reasons == ("Không thuộc thẩm quyền",) and slip.stage == "Tiếp nhận"
    assert "Không thuộc thẩm quyền" in _well_formed_text(to_html(slip))
    with pytest.raises(ValueError) as wrong:
        refusal_slip(sup, history, definition)
    assert isinstance(wrong.value, ConfigurationError)
    assert (wrong.value.setting, wrong.value.value) == ("refusal_slip.d", sup.code)

    late = _find(mixed, lambda d: bool(d.reschedules))
    late_def = catalog.get(late.procedure_code, late.procedure_version)
    (letter,) = apology_letters(late, mixed.engine.history(late.code), late_def)
    assert letter.new_due_at > letter.previous_due_at and letter.reason == "Cần xác minh thực tế"
    assert letter.responsible_unit == "Phòng chuyên môn"
    assert "xin lỗi" in _well_formed_text(to_html(letter))

    control = control_slip(late, mixed.engine.history(late.code), late_def)
    assert [h.to_unit for h in control.handovers] == [
        "Phòng chuyên môn: Thẩm định hồ sơ",
        "Lãnh đạo cơ quan: Phê duyệt, ký",
    ]
    assert control.handovers[0].handed_by == "clerk-01"
    assert control.handovers[0].timeliness == "Quá hạn"
    html = to_html(control)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in _well_formed_text(html)
    assert "Quá hạn" in html


def test_values_are_escaped() -> None:
    b = new_builder()
    d = b.engine.receive(
        "1.000001",
        "Công ty <b>A&B</b>",
        "desk",
        at=b.at(date(2026, 4, 6)),
        data={"applicant_address": 'Số 1 "Trần Phú" <script>'},
    )
    definition = seed_catalog().get(d.procedure_code, d.procedure_version)
    html = to_html(receipt_slip(d, b.engine.history(d.code), definition))
    assert "<script>" not in html and "&lt;b&gt;A&amp;B&lt;/b&gt;" in html
    assert "Công ty <b>A&B</b>" in _well_formed_text(html)


def test_dossier_log_book(mixed: LogBuilder) -> None:
    pairs = [(d, mixed.engine.history(d.code)) for d in mixed.dossiers()]
    log = dossier_log(pairs, Period.quarter(2026, 1), seed_catalog())
    assert len(log.entries) == 13  # received in Q1 (the refusal before receipt has no receipt)
    assert [e.line for e in log.entries] == list(range(1, 14))
    assert log.entries[0].received_at is not None
    assert log.entries[0].received_at.date() == date(2026, 1, 5)
    assert any(e.note == "Rút hồ sơ" for e in log.entries)
    text = _well_formed_text(to_html(log))
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Quý I năm 2026" in text


def test_letterhead_titles_and_the_added_fields(mixed: LogBuilder) -> None:
    catalog = seed_catalog()
    office = Letterhead(
        parent="UBND TỈNH KHÁNH HÒA",
        place="Nha Trang",
        number_suffix="/SCT-MC",
        log_book="03/2026",
        contact_phone="0258 3822 000",
    )
    d = _find(mixed, lambda d: d.channel == "postal")
    definition = catalog.get(d.procedure_code, d.procedure_version)
    slip = receipt_slip(d, mixed.engine.history(d.code), definition, office)
    assert (slip.header.issuer_parent, slip.header.place) == ("UBND TỈNH KHÁNH HÒA", "Nha Trang")
    assert slip.header.doc_number == f"{d.code}/SCT-MC"
    assert (slip.log_book, slip.log_line) == ("03/2026", 1)
    # a copy is "Bản sao" whatever its count; the application form is an original
    assert [c.form for c in slip.components] == ["Bản chính", "Bản sao"]
    text = _well_formed_text(to_html(slip))
    assert "UBND TỈNH KHÁNH HÒA" in text and "Nha Trang, ngày" in text
    assert "Quyển số: 03/2026, Số thứ tự: 1" in text
    plain = receipt_slip(d, mixed.engine.history(d.code), definition)
    assert plain.header.issuer_parent == "" and "Ủy ban nhân dân tỉnh" not in to_html(plain)

    sup = _find(mixed, lambda d: len(d.pauses) == 1 and d.is_resolved)
    sup_def = catalog.get(sup.procedure_code, sup.procedure_version)
    (request,) = supplement_requests(sup, mixed.engine.history(sup.code), sup_def, office)
    assert (request.contact_person, request.contact_phone) == ("chuyen-vien-02", "0258 3822 000")
    assert "0258 3822 000" in _well_formed_text(to_html(request))

    late = _find(mixed, lambda d: bool(d.reschedules))
    late_def = catalog.get(late.procedure_code, late.procedure_version)
    (letter,) = apology_letters(late, mixed.engine.history(late.code), late_def)
    assert letter.header.title == "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
    control = control_slip(late, mixed.engine.history(late.code), late_def)
    assert [h.received_by for h in control.handovers] == ["chuyen-vien-02", "lanh-dao-03"]
    assert "Người nhận" in _well_formed_text(to_html(control))
