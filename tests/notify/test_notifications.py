"""Notifications to the applicant (issue 17 item 8): templates rendered in Vietnamese from
what the engine recorded and delivered through the outbox.

Dates are worked out by hand, as in tests/portal/test_portal_sync.py: procedure 2.000648
(xd-cua-hang-ban-le.yaml) has a 10-working-day limit; received Monday 2 March 2026 at 09:00
it runs from Tuesday 3 (Civil Code art. 147.2) to Monday 16 March, due at the same clock
time (DueDatePolicy.same_clock_time), no holiday in March 2026. A gap found in appraisal on
Wednesday 4 March (Decree 118/2025/ND-CP art. 19.5) closes the dossier 15 days after the
notice: the 4th not counted, the 15th day is Thursday 19 March, ending at 24:00 (Civil
Code art. 148.1, 148.6), which the engine records as 00:00 of Friday 20 March. The supplement arriving Friday 6
March at 10:00 restarts the limit: Monday 9 to Friday 20 March, due 10:00.
Moments are printed as the receipt slip (Mẫu 01) prints them: "09 giờ 00 phút, ngày 16
tháng 03 năm 2026".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tthc_flow import VN_TZ, Actor, Engine, FixedClock, Policies, SqlStore, load_catalog
from tthc_flow.engine import Applicant, IdNumber, OutboxPolicy
from tthc_flow.errors import NotificationTemplateError
from tthc_flow.notify import (
    DEFAULT_SET,
    NOTIFY_TOPICS,
    NotificationPolicy,
    TemplateSet,
    plain_text,
    slip_moment,
    sms_length,
)
from tthc_flow.portal import PORTAL_SYNC, PortalSyncPolicy
from tthc_flow.reports._html import when
from tthc_flow.store import Delivery, MemoryStore, deliver

CATALOG = load_catalog(Path(__file__).parents[2] / "examples" / "so-cong-thuong")
DESK = Actor.of("le.thu", "one_stop")
SPECIALIST = Actor.of("pham.an", "specialist")
LEADER = Actor.of("giam.doc", "leader")
CITIZEN = Actor.of("cong.dan", "applicant")
LEASE = "Tài liệu chứng minh cửa hàng thuộc sở hữu hoặc thuê"
NAME = "Cấp Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu"
SIGN = "\n\nTrân trọng,\nBộ phận Một cửa"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=VN_TZ)


def citizen(email: str | None = "an@example.vn") -> Applicant:
    return Applicant(
        type="citizen",
        name="Nguyễn Văn An",
        ids=[IdNumber(kind="citizen_id", number="031090001234")],
        phone="0912345678",
        email=email,
    )


def engine(store: Any, policy: OutboxPolicy | None = None) -> Engine:
    outbox = policy or NotificationPolicy(definitions=CATALOG.get)
    return Engine(
        CATALOG, store=store, clock=FixedClock(at(2, 9)), policies=Policies(outbox=outbox)
    )


def notices(store: Any, topic: str = "notify.sms") -> list[dict[str, Any]]:
    """Every message of ``topic`` (a dossier's next message is handed out once the previous
    one is acknowledged, so this delivers them round by round)."""
    sent: list[Delivery] = []
    topics = frozenset({topic})
    while deliver(store, sent.append, consumer="t", now=at(31, 23), topics=topics).delivered:
        pass
    return [m.payload for m in sent]


def by_kind(messages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {m["kind"]: m for m in messages}


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryStore()
        return
    url = (
        f"sqlite:///{tmp_path / 'tthc.db'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )
    sql = SqlStore(url)
    yield sql
    sql.close()


def supplemented(e: Engine) -> str:
    d = e.receive("2.000648", citizen(), "desk", at=at(2, 9))
    e.fire(d.code, "handover", DESK, at=at(2, 10))
    e.fire(d.code, "request_supplement", SPECIALIST, at=at(4, 10), missing=[LEASE])
    e.fire(d.code, "submit_supplement", DESK, at=at(6, 10))
    return d.code


def test_the_slip_format_is_the_forms() -> None:
    moment = at(16, 9)
    assert slip_moment(moment) == "09 giờ 00 phút, ngày 16 tháng 03 năm 2026" == when(moment)


def test_receipt_on_every_channel() -> None:
    store = MemoryStore()
    e = engine(store)
    code = e.receive("2.000648", citizen(), "desk", at=at(2, 9)).code
    (sms,) = notices(store, "notify.sms")
    assert sms["to"] == "0912345678" and sms["kind"] == "receipt"
    assert sms["body"] == (
        f"Hồ sơ {code} đã được tiếp nhận. Hẹn trả kết quả: 09 giờ 00 phút, ngày 16 tháng 03 "
        "năm 2026."
    )
    # 100 characters with Vietnamese letters: UCS-2, two parts of at most 67
    assert len(sms["body"]) == 100
    assert (sms["encoding"], sms["units"], sms["segments"]) == ("UCS-2", 100, 2)
    (mail,) = notices(store, "notify.email")
    assert mail["to"] == "an@example.vn"
    assert mail["subject"] == f"Tiếp nhận hồ sơ {code}"
    assert mail["body"] == (
        f"Kính gửi Nguyễn Văn An,\n\nHồ sơ {code} ({NAME}) đã được tiếp nhận lúc 09 giờ 00 "
        "phút, ngày 02 tháng 03 năm 2026.\nThời gian hẹn trả kết quả: 09 giờ 00 phút, ngày 16 "
        "tháng 03 năm 2026." + SIGN
    )
    (zalo,) = notices(store, "notify.zalo")
    assert (zalo["to"], zalo["subject"]) == ("0912345678", f"Tiếp nhận hồ sơ {code}")
    assert zalo["body"].endswith("Hẹn trả kết quả: 09 giờ 00 phút, ngày 16 tháng 03 năm 2026.")
    assert zalo["params"]["due"] == "09 giờ 00 phút, ngày 16 tháng 03 năm 2026"


def test_supplement_names_what_and_by_when_art_19() -> None:
    store = MemoryStore()
    code = supplemented(engine(store))
    sms = by_kind(notices(store))
    assert sms["supplement"]["body"] == (
        f"Hồ sơ {code} cần bổ sung: {LEASE}. Hạn bổ sung: 00 giờ 00 phút, ngày 20 tháng 03 "
        "năm 2026."
    )
    mail = by_kind(notices(store, "notify.email"))["supplement"]
    assert mail["subject"] == f"Yêu cầu bổ sung, hoàn thiện hồ sơ {code}"
    assert "khoản 5 Điều 19 Nghị định 118/2025/NĐ-CP" in mail["body"]
    assert "trước 00 giờ 00 phút, ngày 20 tháng 03 năm 2026 sẽ bị đóng" in mail["body"]


def test_supplement_at_reception_has_no_closure() -> None:
    store = MemoryStore()
    e = engine(store)
    online = e.submit("2.000648", citizen(), "online", at=at(2, 20), actor=CITIZEN)
    e.fire(online.code, "request_supplement", DESK, at=at(3, 8), missing=[LEASE])
    sms = by_kind(notices(store))
    assert "receipt" not in sms  # submitted, not yet received
    assert sms["supplement_at_reception"]["body"] == (
        f"Hồ sơ {online.code} chưa đầy đủ, đề nghị bổ sung: {LEASE}."
    )


def test_apology_and_new_appointment_art_19_6() -> None:
    store = MemoryStore()
    e = engine(store)
    code = e.receive("2.000648", citizen(), "desk", at=at(2, 9)).code
    e.fire(code, "handover", DESK, at=at(2, 10))
    e.fire(
        code,
        "reschedule",
        SPECIALIST,
        at=at(12, 9),
        new_due_at=at(20, 9),
        reason="Cần xác minh thực địa",
    )
    sms = by_kind(notices(store))["apology"]
    assert sms["body"] == (
        f"Xin lỗi ông/bà: hồ sơ {code} chưa có kết quả đúng hẹn. Hẹn lại: 09 giờ 00 phút, "
        "ngày 20 tháng 03 năm 2026."
    )
    mail = by_kind(notices(store, "notify.email"))["apology"]
    assert mail["body"] == (
        f"Kính gửi Nguyễn Văn An,\n\nHồ sơ {code} ({NAME}) hẹn trả kết quả 09 giờ 00 phút, "
        "ngày 16 tháng 03 năm 2026 chưa giải quyết được đúng hạn. Lý do: Cần xác minh thực "
        "địa.\nChúng tôi thành thật xin lỗi và hẹn trả kết quả vào 09 giờ 00 phút, ngày 20 "
        "tháng 03 năm 2026." + SIGN
    )


def test_result_ready_on_the_due_date_and_early_return_notice_art_22_5() -> None:
    store = MemoryStore()
    e = engine(store)
    code = supplemented(e)  # due Friday 20 March 10:00
    e.fire(code, "appraise", SPECIALIST, at=at(9, 9))
    e.fire(code, "inspect", SPECIALIST, at=at(10, 9))
    e.fire(code, "approve", LEADER, at=at(12, 9))  # 12 March: a day before the due date
    early = by_kind(notices(store))["early_return"]
    assert early["body"] == f"Hồ sơ {code} đã có kết quả trước hẹn. Mời ông/bà nhận kết quả sớm."
    mail = by_kind(notices(store, "notify.email"))["early_return"]
    assert (
        "lúc 09 giờ 00 phút, ngày 12 tháng 03 năm 2026, trước thời gian hẹn trả (10 giờ "
        in (mail["body"])
    )
    assert "khoản 5 Điều 22" in mail["body"]

    other = e.receive("2.000648", citizen(), "desk", at=at(2, 9)).code  # due 16 March 09:00
    e.fire(other, "handover", DESK, at=at(2, 10))
    e.fire(other, "appraise", SPECIALIST, at=at(13, 9))
    e.fire(other, "inspect", SPECIALIST, at=at(13, 10))
    e.fire(other, "approve", LEADER, at=at(16, 8, 30))  # on the due date, before 09:00
    ready = [m for m in notices(store) if m["dossier_code"] == other][-1]
    assert ready["kind"] == "result_ready"
    assert ready["body"] == f"Hồ sơ {other} đã có kết quả. Mời ông/bà nhận kết quả."


def test_recipients_come_from_the_applicant_record() -> None:
    store = MemoryStore()
    e = engine(store)
    e.receive("2.000648", citizen(email=None), "desk", at=at(2, 9))
    e.receive("2.000648", "Trần Văn Bình", "desk", at=at(2, 9))  # a name, no record
    assert len(notices(store, "notify.sms")) == 1
    assert notices(store, "notify.email") == []


def test_the_base_policy_keeps_its_messages() -> None:
    store = MemoryStore()
    policy = NotificationPolicy(base=PortalSyncPolicy(definitions=CATALOG.get))
    engine(store, policy).receive("2.000648", citizen(), "desk", at=at(2, 9))
    topics = {m.topic for m in store.claim("t", now=at(3, 9), limit=50)}
    assert topics == {"portal.status", "notify.receipt", PORTAL_SYNC} | NOTIFY_TOPICS


def test_an_agency_overrides_one_template() -> None:
    own = TemplateSet.from_mapping(
        {"receipt": {"sms": {"body": "So Cong Thuong: ho so ${code}, hen tra ${due}."}}}
    )
    store = MemoryStore()
    engine(store, NotificationPolicy(by_agency={"SCT": own})).receive(
        "2.000648", citizen(), "desk", at=at(2, 9)
    )
    (sms,) = notices(store)
    assert sms["body"].startswith("So Cong Thuong: ho so SCT-")
    assert sms["body"].endswith("hen tra 09 giờ 00 phút, ngày 16 tháng 03 năm 2026.")
    (mail,) = notices(store, "notify.email")
    assert mail["subject"].startswith("Tiếp nhận hồ sơ")  # the default kept elsewhere


def test_plain_sms_fits_gsm7() -> None:
    store = MemoryStore()
    code = engine(store, NotificationPolicy(sms_plain=True)).receive(
        "2.000648", citizen(), "desk", at=at(2, 9)
    )
    (sms,) = notices(store)
    assert sms["body"] == (
        f"Ho so {code.code} da duoc tiep nhan. Hen tra ket qua: 09 gio 00 phut, ngay 16 thang "
        "03 nam 2026."
    )
    assert (sms["encoding"], sms["segments"]) == ("GSM-7", 1)


def test_sms_segments_by_hand() -> None:
    assert sms_length("").segments == 0
    assert sms_length("a" * 160).segments == 1
    assert sms_length("a" * 161).segments == 2  # 153 + 8
    assert sms_length("a" * 306).segments == 2 and sms_length("a" * 307).segments == 3
    assert sms_length("[" * 80).units == 160  # an extension character is two septets
    assert sms_length("ơ" * 70).segments == 1 and sms_length("ơ" * 71).segments == 2
    assert sms_length("ơ" * 134).segments == 2 and sms_length("ơ" * 135).segments == 3
    # decomposed input is read as the handset shows it
    assert sms_length("e\u0323\u0302").units == 1
    assert plain_text("Đỗ Thị Hoa") == "Do Thi Hoa"


def test_an_unknown_placeholder_is_a_located_error() -> None:
    text = "receipt:\n  sms:\n    body: 'Hồ sơ ${code}, hạn ${closes}'\n  fax:\n    body: x\n"
    with pytest.raises(NotificationTemplateError) as caught:
        TemplateSet.from_yaml("sct.yaml", text)
    first, second = caught.value.problems
    assert (first.file, first.line, first.field) == ("sct.yaml", 3, "receipt.sms.body")
    assert "$closes" in first.message
    assert (second.line, second.field) == (5, "receipt.fax")  # located at its value
    with pytest.raises(NotificationTemplateError, match=r"a '\$' that starts no placeholder"):
        TemplateSet.from_mapping({"apology": {"sms": {"body": "giá 5$ ${code}"}}})
    with pytest.raises(NotificationTemplateError, match="missing subject"):
        TemplateSet.from_mapping({"apology": {"email": {"body": "${code}"}}})
    with pytest.raises(NotificationTemplateError, match="unknown kind"):
        TemplateSet.from_mapping({"hello": {}})
    # no expression is evaluated: attribute access is not a placeholder
    with pytest.raises(NotificationTemplateError):
        TemplateSet.from_mapping({"receipt": {"sms": {"body": "${code.__class__}"}}})


def test_every_default_template_is_there() -> None:
    assert len(DEFAULT_SET.templates) == 6 * 3


def test_delivery_through_the_outbox_at_least_once(store: Any) -> None:
    e = engine(store)
    code = supplemented(e)
    topics = frozenset({"notify.sms"})
    sent: list[Delivery] = []
    # a consumer claims and dies before its ack: nothing is delivered
    lease = timedelta(seconds=60)
    lost = store.claim("sms-1", now=at(6, 11), limit=10, topics=topics, lease=lease)
    # a dossier's next message waits for the previous one's ack: the receipt first
    assert [m.payload["kind"] for m in lost] == ["receipt"]
    # while the lease runs, another consumer gets nothing
    assert store.claim("sms-2", now=at(6, 11), limit=10, topics=topics) == []
    # once it has run out, the message comes again under its stable key, then the next one
    for minute in (5, 6, 7):
        deliver(store, sent.append, consumer="sms-2", now=at(6, 11, minute), topics=topics)
    assert [m.payload["kind"] for m in sent] == ["receipt", "supplement"]
    assert sent[0].key == lost[0].key == f"{code}/1/notify.sms"
    assert sent[0].payload == lost[0].payload
