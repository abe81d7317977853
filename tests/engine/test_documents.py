"""Documents of a dossier (issue 17 item 5): the components submitted, original or copy from
the procedure's definition, digitised, reused (not asked for again), signed scans, file
references and hashes; results signed -> issued -> delivered with their result code.

Sources (Decree 118/2025/ND-CP, transcription in neornotl/rightly-beta):
art. 17.1.b "tổ chức, cá nhân không phải khai lại thông tin hoặc nộp lại hồ sơ, giấy tờ, tài
liệu" for components the state's databases already hold; art. 17.1.c the officer signs the
scanned copy; art. 22.1 the result is signed and issued; art. 22.4 "Mã số giấy tờ gồm hai thành
phần là mã số định danh của cá nhân, tổ chức và mã loại giấy tờ".
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tthc_flow import (
    VN_TZ,
    Actor,
    Engine,
    FixedClock,
    InvalidCommand,
    PolicyViolation,
    load_catalog,
)
from tthc_flow.engine import (
    Applicant,
    DocumentForm,
    DocumentSource,
    FileRef,
    IdNumber,
    ResultState,
    SubmittedDocument,
)
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.reports import receipt_slip
from tthc_flow.store import MemoryStore

EXAMPLES = Path(__file__).parents[2] / "examples" / "so-cong-thuong"
CATALOG = load_catalog(EXAMPLES)
DESK = Actor.of("le.thu", "one_stop")
SPECIALIST = Actor.of("pham.an", "specialist")
LEADER = Actor.of("giam.doc", "leader")
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
GCN_DKDN = "Giấy chứng nhận đăng ký doanh nghiệp (bản sao)"
DON = "Đơn đề nghị cấp Giấy chứng nhận (Mẫu số 07, Nghị định 95/2021/NĐ-CP)"
PCCC = "Văn bản nghiệm thu về phòng cháy và chữa cháy"
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"  # sha256("test")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=VN_TZ)


def engine() -> Engine:
    return Engine(CATALOG, store=MemoryStore(), clock=FixedClock(MONDAY_9))


def company() -> Applicant:
    return Applicant(
        type="enterprise",
        name="Công ty TNHH Xăng dầu Minh Phát",
        ids=[IdNumber(kind="tax_code", number="0101234567")],
    )


def documents() -> list[SubmittedDocument]:
    return [
        SubmittedDocument(
            component=DON,
            digitised=True,
            signed=True,
            file=FileRef(uri="s3://hs/don.pdf", sha256=SHA),
        ),
        SubmittedDocument(
            component=GCN_DKDN,
            source=DocumentSource.NATIONAL_DATABASE,
            reuse_ref="CSDLQG-DN-0101234567",
        ),
        SubmittedDocument(component=PCCC, form=DocumentForm.CERTIFIED_COPY, copies=2),
    ]


# ------------------------------------------------------------ submitted components


def test_the_form_comes_from_the_component_definition_unless_the_desk_says_otherwise() -> None:
    d = engine().receive("2.000648", company(), "desk", documents=documents())
    forms = {doc.component: (doc.form, doc.copies) for doc in d.documents}
    assert forms == {
        DON: (DocumentForm.ORIGINAL, 1),  # no form in the YAML, a paper dossier: the original
        GCN_DKDN: (DocumentForm.COPY, 1),  # `form: copy` in xd-cua-hang-ban-le.yaml
        PCCC: (DocumentForm.CERTIFIED_COPY, 2),  # what the desk recorded
    }
    don = d.documents[0]
    assert don.digitised and don.signed and don.file == FileRef(uri="s3://hs/don.pdf", sha256=SHA)
    assert d.documents[1].reused and not don.reused


def test_the_receipt_slip_prints_the_documents_as_received() -> None:
    e = engine()
    d = e.receive("2.000648", company(), "desk", documents=documents())
    slip = receipt_slip(d, e.history(d.code), CATALOG.get("2.000648"))
    assert [(line.name, line.form, line.quantity) for line in slip.components] == [
        (DON, "Bản chính", 1),
        (GCN_DKDN, "Bản sao", 1),
        (PCCC, "Bản sao chứng thực", 2),
    ]


def test_every_copy_of_the_example_catalog_prints_as_a_copy() -> None:
    # the catalog lists 15 components submitted as copies (counted in the YAML: 14 names end
    # in "(bản sao...)", one starts with "Bản sao"); the slip used to print 14 as originals
    e = engine()
    copies = 0
    for definition in CATALOG:  # every version: atp-kinh-doanh v1 and v2 both list one
        d = e.receive(definition.code, "Công ty A", "desk")
        slip = receipt_slip(d, e.history(d.code), definition)
        for component, line in zip(definition.components, slip.components, strict=True):
            if component.form == "copy":
                copies += 1
                assert line.form == "Bản sao", component.name
            else:
                assert line.form == "Bản chính", component.name
    assert copies == 15


def test_a_definition_without_form_falls_back_on_the_name() -> None:
    text = (EXAMPLES / "xd-cua-hang-ban-le.yaml").read_text(encoding="utf-8")
    definition = parse_procedure(text.replace("    form: copy\n", ""), "no-form.yaml")
    assert all(c.form is None for c in definition.components)
    e = Engine(Catalog([definition]), store=MemoryStore(), clock=FixedClock(MONDAY_9))
    d = e.receive("2.000648", "Công ty A", "desk")
    forms = [line.form for line in receipt_slip(d, e.history(d.code), definition).components]
    assert forms == ["Bản chính", "Bản sao", "Bản chính", "Bản chính", "Bản chính"]


def test_an_unknown_component_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidCommand, match="no component") as caught:
        engine().receive(
            "2.000648", company(), "desk", documents=[SubmittedDocument(component="Sổ hộ khẩu")]
        )
    assert caught.value.field == "documents[0].component"


def test_a_reused_component_names_where_it_came_from() -> None:
    with pytest.raises(InvalidCommand, match=r"17\.1\.b") as caught:
        engine().receive(
            "2.000648",
            company(),
            "desk",
            documents=[SubmittedDocument(component=GCN_DKDN, source="data_store")],
        )
    assert caught.value.field == "documents[0].reuse_ref"


def test_a_reused_component_is_not_asked_for_again() -> None:
    e = engine()
    d = e.receive("2.000648", company(), "desk", documents=documents(), at=at(2, 9))
    e.fire(d.code, "handover", DESK, at=at(2, 10))
    with pytest.raises(PolicyViolation, match=r"17\.1\.b") as refused:
        e.fire(d.code, "request_supplement", SPECIALIST, at=at(3, 9), missing=[GCN_DKDN])
    assert refused.value.article == "Decree 118/2025/ND-CP art. 17.1.b"
    assert (refused.value.dossier_code, refused.value.trigger) == (d.code, "request_supplement")
    asked = e.fire(d.code, "request_supplement", SPECIALIST, at=at(3, 9), missing=[PCCC])
    assert asked.paused


def test_components_handed_in_with_a_supplement_are_recorded() -> None:
    e = engine()
    d = e.receive("2.000648", company(), "desk", documents=documents(), at=at(2, 9))
    e.fire(d.code, "handover", DESK, at=at(2, 10))
    lease = SubmittedDocument(component="Tài liệu chứng minh cửa hàng thuộc sở hữu hoặc thuê")
    with pytest.raises(InvalidCommand, match="supplement") as caught:
        e.fire(d.code, "appraise", SPECIALIST, at=at(3, 9), documents=[lease])
    assert caught.value.field == "documents"
    e.fire(d.code, "request_supplement", SPECIALIST, at=at(3, 9), missing=[lease.component])
    back = e.fire(d.code, "submit_supplement", DESK, at=at(5, 9), documents=[lease])
    assert [doc.component for doc in back.documents] == [DON, GCN_DKDN, PCCC, lease.component]
    assert back.pauses[0].documents == (back.documents[3],)
    assert back.documents[3].form is DocumentForm.ORIGINAL  # from the definition, as at receipt
    with pytest.raises(InvalidCommand, match="SubmittedDocument"):
        e.fire(d.code, "appraise", SPECIALIST, at=at(5, 10), documents=["hợp đồng thuê"])  # type: ignore[list-item]


# ------------------------------------------------------------ results


def approved(e: Engine) -> str:
    d = e.receive("2.000648", company(), "desk", at=at(2, 9))
    e.fire(d.code, "handover", DESK, at=at(2, 10))
    e.fire(d.code, "appraise", SPECIALIST, at=at(3, 9))
    e.fire(d.code, "inspect", SPECIALIST, at=at(5, 9))
    e.fire(d.code, "approve", LEADER, at=at(6, 9))
    return d.code


def test_a_result_is_signed_issued_and_delivered_with_its_code() -> None:
    e = engine()
    code = approved(e)
    signed = e.fire(
        code,
        "sign_result",
        LEADER,
        at=at(6, 10),
        result_type="KQ.2.000648",
        name="Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu",
        file_uri="s3://kq/gcn.pdf",
        file_sha256=SHA,
    )
    (result,) = signed.results
    # art. 22.4: the holder's ID number, then the result-type code
    assert result.code == "0101234567.KQ.2.000648"
    assert (result.state, result.signed_by, result.signed_at) == (
        ResultState.SIGNED,
        "giam.doc",
        at(6, 10),
    )
    issued = e.fire(code, "issue_result", DESK, at=at(6, 11), number="123/GCN-SCT")
    assert (issued.results[0].state, issued.results[0].number) == (
        ResultState.ISSUED,
        "123/GCN-SCT",
    )
    returned = e.fire(code, "return_result", DESK, at=at(9, 9))
    delivered = e.fire(code, "deliver_result", DESK, at=at(9, 9, 5), via="portal")
    final = delivered.results[0]
    assert (final.state, final.delivered_at, final.delivered_via) == (
        ResultState.DELIVERED,
        at(9, 9, 5),
        "portal",
    )
    assert delivered.state == returned.state == "returned"  # internal: the state stays
    assert [ev.effect for ev in e.history(code)][-4:] == [
        "sign_result",
        "issue_result",
        "return",
        "deliver_result",
    ]
    assert "result_type" not in delivered.data_dict  # read by the command, not kept as data


def test_the_steps_come_in_order() -> None:
    e = engine()
    code = approved(e)
    with pytest.raises(InvalidCommand, match="no result"):
        e.fire(code, "issue_result", DESK, at=at(6, 10))
    e.fire(code, "sign_result", LEADER, at=at(6, 10), result_type="KQ1", name="Giấy chứng nhận")
    with pytest.raises(PolicyViolation, match="signed -> issued -> delivered") as refused:
        e.fire(code, "deliver_result", DESK, at=at(6, 11))
    assert refused.value.dossier_code == code
    assert refused.value.article == "Decree 118/2025/ND-CP art. 22.1"
    with pytest.raises(PolicyViolation, match="already signed"):
        e.fire(code, "sign_result", LEADER, at=at(6, 11), result_type="KQ1", name="Giấy chứng nhận")


def test_a_given_result_code_must_be_holder_and_type() -> None:
    e = engine()
    code = approved(e)
    with pytest.raises(InvalidCommand, match=r"22\.4"):
        e.fire(
            code,
            "sign_result",
            LEADER,
            at=at(6, 10),
            result_type="KQ1",
            name="GCN",
            result_code="X",
        )
    d = e.fire(
        code,
        "sign_result",
        LEADER,
        at=at(6, 10),
        result_type="KQ1",
        name="GCN",
        result_code="0101234567-KQ1",
    )
    assert d.results[0].code == "0101234567-KQ1"


def test_no_result_code_without_the_holders_id() -> None:
    e = engine()
    d = e.receive("2.000648", "Công ty A", "desk", at=at(2, 9))
    for trigger, actor, day in [
        ("handover", DESK, 2),
        ("appraise", SPECIALIST, 3),
        ("inspect", SPECIALIST, 4),
        ("approve", LEADER, 5),
    ]:
        e.fire(d.code, trigger, actor, at=at(day, 10))
    with pytest.raises(InvalidCommand, match="holder_id"):
        e.fire(d.code, "sign_result", LEADER, at=at(5, 11), result_type="KQ1", name="GCN")
    signed = e.fire(
        d.code,
        "sign_result",
        LEADER,
        at=at(5, 11),
        result_type="KQ1",
        name="GCN",
        holder_id="0109999999",
    )
    assert signed.results[0].code == "0109999999.KQ1"


def test_a_rejection_has_no_result_document() -> None:
    e = engine()
    d = e.receive("2.000648", company(), "desk", at=at(2, 9))
    e.fire(d.code, "handover", DESK, at=at(2, 10))
    e.fire(d.code, "reject", SPECIALIST, at=at(3, 9), reason="Không đủ điều kiện")
    with pytest.raises(PolicyViolation, match="no approved result"):
        e.fire(d.code, "sign_result", LEADER, at=at(3, 10), result_type="KQ1", name="GCN")
