"""The national portal's dossier sync (issue 17 item 6): the record and progress rows built from
what the engine recorded, delivered through the outbox with acknowledgements and retries.

Field names, codes and the moment format are those of the public implementations cited in
docs/portal.md (OpenCPS ``DVCQGIntegrationActionImpl``; a vendor's ``SyncDataToDVCQG``).
Expected dates are worked out by hand from the rules: a 10-working-day limit
(xd-cua-hang-ban-le.yaml, shortened) received on Monday 2 March 2026 runs from Tuesday 3
(Civil Code art. 147.2: the day of the event is not counted) to Monday 16 March (no holiday
in March 2026); a supplement asked during appraisal restarts the limit from the complete
dossier (Decree 118/2025/ND-CP art. 19.5): received Friday 6 March, it runs Monday 9 to Friday
20 March.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tthc_flow import VN_TZ, Actor, Engine, FixedClock, Policies, SqlStore, load_catalog
from tthc_flow.engine import (
    Applicant,
    DocumentSource,
    FileRef,
    IdNumber,
    Representative,
    SubmittedDocument,
)
from tthc_flow.portal import PORTAL_SYNC, PortalSyncPolicy, dossier_record, progress_rows
from tthc_flow.store import Delivery, MemoryStore, deliver

CATALOG = load_catalog(Path(__file__).parents[2] / "examples" / "so-cong-thuong")
DESK = Actor.of("le.thu", "one_stop")
SPECIALIST = Actor.of("pham.an", "specialist")
LEADER = Actor.of("giam.doc", "leader")
CITIZEN = Actor.of("cong.dan", "applicant")
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
GCN_DKDN = "Giấy chứng nhận đăng ký doanh nghiệp (bản sao)"
DON = "Đơn đề nghị cấp Giấy chứng nhận (Mẫu số 07, Nghị định 95/2021/NĐ-CP)"
LEASE = "Tài liệu chứng minh cửa hàng thuộc sở hữu hoặc thuê"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=VN_TZ)


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


def engine(store: Any) -> Engine:
    policies = Policies(outbox=PortalSyncPolicy(definitions=CATALOG.get))
    return Engine(CATALOG, store=store, clock=FixedClock(at(2, 9)), policies=policies)


def company() -> Applicant:
    return Applicant(
        type="enterprise",
        name="Công ty TNHH Xăng dầu Minh Phát",
        ids=[IdNumber(kind="tax_code", number="0101234567")],
        representative=Representative(name="Trần Thị Lan"),
        phone="0912345678",
        email="lan@minhphat.vn",
    )


def documents() -> list[SubmittedDocument]:
    return [
        SubmittedDocument(
            component=DON, digitised=True, file=FileRef(uri="s3://hs/don.pdf", sha256=SHA)
        ),
        SubmittedDocument(
            component=GCN_DKDN,
            source=DocumentSource.NATIONAL_DATABASE,
            reuse_ref="CSDLQG-DN-0101234567",
        ),
    ]


def run_to_delivery(e: Engine) -> str:
    d = e.receive("2.000648", company(), "desk", at=at(2, 9), documents=documents())
    e.fire(d.code, "handover", DESK, at=at(2, 10))
    e.fire(d.code, "request_supplement", SPECIALIST, at=at(4, 10), missing=[LEASE])
    lease = SubmittedDocument(
        component=LEASE, digitised=True, file=FileRef(uri="s3://hs/thue.pdf", sha256=SHA)
    )
    e.fire(d.code, "submit_supplement", DESK, at=at(6, 10), documents=[lease])
    e.fire(d.code, "appraise", SPECIALIST, at=at(9, 9))
    e.fire(d.code, "inspect", SPECIALIST, at=at(10, 9))
    e.fire(d.code, "approve", LEADER, at=at(12, 9))
    e.fire(
        d.code,
        "sign_result",
        LEADER,
        at=at(12, 10),
        result_type="KQ.2.000648",
        name="Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu",
        file_uri="s3://kq/gcn.pdf",
        file_sha256=SHA,
    )
    e.fire(d.code, "issue_result", DESK, at=at(12, 11), number="123/GCN-SCT")
    e.fire(d.code, "return_result", DESK, at=at(13, 9))
    e.fire(d.code, "deliver_result", DESK, at=at(13, 9, 5), via="portal")
    return d.code


def test_the_record_after_delivery(store: Any) -> None:
    e = engine(store)
    code = run_to_delivery(e)
    d = e.get(code)
    record = dossier_record(d, CATALOG.get("2.000648"))
    assert record["MaHoSo"] == code
    assert record["MaTTHC"] == "2.000648"
    assert record["TenTTHC"] == "Cấp Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu"
    assert record["KenhThucHien"] == "1"
    assert (record["ChuHoSo"], record["LoaiDoiTuong"], record["SoGiayToChuHoSo"]) == (
        "Công ty TNHH Xăng dầu Minh Phát",
        "2",
        "0101234567",
    )
    assert record["NgayNopHoSo"] == record["NgayTiepNhan"] == "20260302090000"
    assert record["NgayHenTra"].startswith("20260320")  # restarted by the supplement
    assert record["NgayKetThucXuLy"] == "20260312090000"
    assert record["NgayTra"] == "20260313090000"
    assert record["NgayTuChoi"] == ""
    assert record["TrangThaiHoSo"] == "10"  # Đã trả kết quả
    assert record["HoSoCoThanhPhanSoHoa"] == "1"
    assert record["TaiLieuNop"][:2] == [
        {
            "TenTepDinhKem": DON,
            "MaThanhPhanHoSo": "",
            "DuongDanTaiTepTin": "s3://hs/don.pdf",
            "DuocSoHoa": "1",
            "DuocTaiSuDung": "0",
            "MaKetQuaThayThe": "",
        },
        {
            "TenTepDinhKem": GCN_DKDN,
            "MaThanhPhanHoSo": "",
            "DuongDanTaiTepTin": "",
            "DuocSoHoa": "0",
            "DuocTaiSuDung": "1",
            "MaKetQuaThayThe": "CSDLQG-DN-0101234567",
        },
    ]
    assert record["DanhSachLePhi"] == [
        {"TenPhiLePhi": "Phí thẩm định cấp Giấy chứng nhận (thành phố, thị xã)", "Gia": "1200000"}
    ]
    (supplement,) = record["DanhSachHoSoBoSung"]
    assert supplement["NguoiYeuCauBoSung"] == "pham.an"
    assert supplement["NoiDungBoSung"] == LEASE
    assert supplement["NgayBoSung"] == "20260304100000"
    assert supplement["NgayTiepNhanBoSung"] == "20260306100000"
    assert supplement["TrangThaiBoSung"] is True
    assert supplement["NgayHenTraTruoc"].startswith("20260316")  # the first appointment
    assert supplement["NgayHenTraMoi"].startswith("20260320")
    assert supplement["NgayHenTraMoi"] == record["NgayHenTra"]
    assert supplement["DanhSachGiayToBoSung"] == [record["TaiLieuNop"][2]]
    assert record["TaiLieuNop"][2]["DuongDanTaiTepTin"] == "s3://hs/thue.pdf"
    assert record["DanhSachGiayToKetQua"] == [
        {
            "TenGiayTo": "Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu",
            "MaGiayToKetQua": "0101234567.KQ.2.000648",
            "DuongDanTepTinKetQua": "s3://kq/gcn.pdf",
        }
    ]


def test_the_dates_are_the_engines_not_recomputed() -> None:
    e = engine(MemoryStore())
    code = run_to_delivery(e)
    d = e.get(code)
    assert d.due_at is not None and d.pauses[0].due_before is not None
    record = dossier_record(d)
    assert record["NgayHenTra"] == d.due_at.strftime("%Y%m%d%H%M%S")
    first = d.pauses[0].due_before.strftime("%Y%m%d%H%M%S")
    assert record["DanhSachHoSoBoSung"][0]["NgayHenTraTruoc"] == first
    assert record["DonViXuLy"] == "SCT" and "TenTTHC" not in record  # no definition given


def test_the_three_channels_and_an_online_submission() -> None:
    e = engine(MemoryStore())
    desk = e.receive("2.000648", company(), "desk", at=at(2, 9))
    postal = e.receive("2.000648", company(), "postal", at=at(2, 9))
    online = e.submit("2.000648", company(), "online", at=at(2, 20), actor=CITIZEN)
    assert [dossier_record(d)["KenhThucHien"] for d in (desk, postal, online)] == ["1", "3", "2"]
    assert dossier_record(online)["TrangThaiHoSo"] == "1"  # Mới đăng ký
    assert dossier_record(online)["NgayTiepNhan"] == ""
    accepted = e.fire(online.code, "accept", DESK, at=at(3, 8))
    record = dossier_record(accepted)
    assert (record["NgayNopHoSo"], record["NgayTiepNhan"], record["TrangThaiHoSo"]) == (
        "20260302200000",
        "20260303080000",
        "2",  # Được tiếp nhận
    )


def test_a_refusal_sets_ngay_tu_choi() -> None:
    e = engine(MemoryStore())
    online = e.submit("2.000648", company(), "online", at=at(2, 20), actor=CITIZEN)
    refused = e.fire(online.code, "refuse", DESK, at=at(3, 8), reason="Không thuộc thẩm quyền")
    record = dossier_record(refused)
    assert (record["TrangThaiHoSo"], record["NgayTuChoi"]) == ("3", "20260303080000")


def test_one_sync_message_per_event_delivered_in_order_with_retries(store: Any) -> None:
    e = engine(store)
    code = run_to_delivery(e)
    events = e.history(code)
    sent: list[Delivery] = []
    failures = iter([True])  # the portal is down at the first attempt

    def send(delivery: Delivery) -> None:
        if next(failures, False):
            raise ConnectionError("DVCQG timeout")
        sent.append(delivery)

    moment = at(13, 10)
    report = deliver(store, send, consumer="dvcqg", now=moment, topics=frozenset({PORTAL_SYNC}))
    assert (report.delivered, report.failed) == (0, 1)
    for _ in range(len(events) + 1):  # one message per dossier per round: they go in order
        moment += timedelta(minutes=5)  # past the retry's first wait (10 s)
        deliver(store, send, consumer="dvcqg", now=moment, topics=frozenset({PORTAL_SYNC}))
    assert [m.version for m in sent] == [ev.version for ev in events]
    assert sent[0].key == f"{code}/1/{PORTAL_SYNC}"
    last = sent[-1].payload
    assert last["record"]["TrangThaiHoSo"] == "10"
    assert last["record"]["TenTTHC"].startswith("Cấp Giấy chứng nhận")
    assert [row for m in sent for row in m.payload["progress"]] == progress_rows(events)
    assert deliver(store, send, consumer="dvcqg", now=moment, topics=frozenset({PORTAL_SYNC})) == (
        type(report)(0, 0)
    )


def test_progress_rows_follow_the_events() -> None:
    e = engine(MemoryStore())
    code = run_to_delivery(e)
    rows = progress_rows(e.history(code))
    assert [r["NoiDungXuLy"] for r in rows][:3] == ["receive", "handover", "request_supplement"]
    assert [r["TrangThai"] for r in rows][:4] == ["2", "4", "5", "4"]
    assert rows[1] == {
        "MaHoSo": code,
        "NguoiXuLy": "le.thu",
        "ThoiDiemXuLy": "20260302100000",
        "PhongBanXuLy": "SCT",
        "NoiDungXuLy": "handover",
        "TrangThai": "4",
        "NgayBatDau": "20260302100000",
        "NgayKetThucTheoQuyDinh": rows[1]["NgayKetThucTheoQuyDinh"],
    }
    assert rows[1]["NgayKetThucTheoQuyDinh"].startswith("202603")
    assert rows[-1]["TrangThai"] == "10"
