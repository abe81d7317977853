"""The national portal's dossier sync (DVCQG "đồng bộ hồ sơ"): the record and its progress rows.

Decree 118/2025/ND-CP art. 27.2.d: the provincial system "đồng bộ đầy đủ thông tin, trạng thái
về tình hình tiếp nhận, giải quyết, kết quả giải quyết thủ tục hành chính với Cổng Dịch vụ công
quốc gia". The portal's own specification is not public; the field names, the code lists and
the moment format here are those two public implementations send (docs/portal.md):

* the state system OpenCPS, ``VietOpenCPS/opencps-v2``,
  ``modules/backend-dossiermgt/backend-dossiermgt-service/src/main/java/org/opencps/dossiermgt/
  action/impl/DVCQGIntegrationActionImpl.java`` (``createSyncDossierBodyRequest``,
  ``createSyncDossierStatusBodyRequest``): moments as ``yyyyMMddHHmmss`` in Asia/Ho_Chi_Minh,
  codes as strings, empty string for "none";
* a vendor's .NET service (namespace ``TD.DichVuCongApi``, ``SyncDataToDVCQG``: classes
  ``HoSoDongBoDVC``, ``TaiLieuNopDongBoDVC``, ``HoSoBoSung``, ``GiayToKetQua``,
  ``QuaTrinhXuLyDongBoDVC``), which adds NgayNopHoSo, DuocSoHoa/DuocTaiSuDung and the old and
  new appointment of a supplement (NgayHenTraTruoc, NgayHenTraMoi).

Every value is read from the dossier the engine folded from its events (dates, states,
results: decided once, by the engine); nothing is recomputed. Codes whose values no public
source gave (the fee's LoaiPhiLePhi and HinhThucThu, MaLinhVuc) are not sent rather than
guessed; a vendor adds them by subclassing :class:`PortalSyncPolicy` or post-processing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tthc_flow._time import VN_TZ
from tthc_flow.engine import (
    Dossier,
    Event,
    ResultState,
    SubmittedDocument,
    apply,
    portal_status,
    replay,
)
from tthc_flow.procedure import ProcedureDefinition

CHANNEL_CODES = {"desk": "1", "online": "2", "postal": "3"}
"""KenhThucHien: 1 trực tiếp, 2 trực tuyến, 3 bưu chính (reports/_portal_csv.py reads the same)."""

MOMENT_FORMAT = "%Y%m%d%H%M%S"
"""``yyyyMMddHHmmss`` in Vietnam time (OpenCPS ``LUCENE_DATE_FORMAT`` with ``HCM_TIMEZONE``)."""


def portal_moment(moment: datetime | None) -> str:
    """A moment as the sync sends it; the empty string for none (as OpenCPS sends it).

    >>> from tthc_flow import VN_TZ
    >>> portal_moment(datetime(2026, 3, 2, 9, 5, tzinfo=VN_TZ)), portal_moment(None)
    ('20260302090500', '')
    """
    return "" if moment is None else moment.astimezone(VN_TZ).strftime(MOMENT_FORMAT)


def _flag(value: bool) -> str:
    return "1" if value else "0"


def dossier_record(d: Dossier, definition: ProcedureDefinition | None = None) -> dict[str, Any]:
    """The dossier record (HoSoDongBoDVC) of ``d``, without its progress rows.

    ``definition`` (optional) adds the procedure's name and field and the components' national
    codes already kept on the documents; everything else comes from ``d``.
    """
    record = d.applicant_record
    primary = record.primary_id if record is not None else None
    refused = d.outcome == "refused"
    fields: dict[str, Any] = {
        "MaHoSo": d.code,
        "MaTTHC": d.procedure_code,
        "KenhThucHien": CHANNEL_CODES[d.channel],
        "ChuHoSo": d.applicant,
        "LoaiDoiTuong": str(record.type.portal_code) if record is not None else "",
        "SoGiayToChuHoSo": primary.number if primary is not None else "",
        "SoDienThoai": (record.phone or "") if record is not None else "",
        "Email": (record.email or "") if record is not None else "",
        "NgayNopHoSo": portal_moment(d.submitted_at),
        "NgayTiepNhan": portal_moment(d.received_at),
        "NgayHenTra": portal_moment(d.due_at),
        "NgayKetThucXuLy": portal_moment(d.resolved_at),
        "NgayTra": portal_moment(d.returned_at),
        "NgayTuChoi": portal_moment(d.closed_at if refused else None),
        "TrangThaiHoSo": str(portal_status(d.state)),
        "DonViXuLy": definition.agency if definition is not None else d.agency_code,
        "HoSoCoThanhPhanSoHoa": _flag(any(doc.digitised for doc in d.documents)),
        "TaiLieuNop": documents(d),
        "DanhSachLePhi": fees(d),
        "DanhSachHoSoBoSung": supplements(d),
        "DanhSachGiayToKetQua": results(d),
    }
    if definition is not None:
        fields["TenTTHC"] = definition.name
        fields["TenLinhVuc"] = definition.field
    return fields


def documents(d: Dossier) -> list[dict[str, str]]:
    """TaiLieuNop: the components submitted (at receipt and with supplements), digitised
    (DuocSoHoa) or reused (DuocTaiSuDung)."""
    return [_document_row(doc) for doc in d.documents]


def _document_row(doc: SubmittedDocument) -> dict[str, str]:
    return {
        "TenTepDinhKem": doc.component,
        "MaThanhPhanHoSo": doc.component_code or "",
        "DuongDanTaiTepTin": doc.file.uri if doc.file is not None else "",
        "DuocSoHoa": _flag(doc.digitised),
        "DuocTaiSuDung": _flag(doc.reused),
        "MaKetQuaThayThe": doc.reuse_ref or "",
    }


def fees(d: Dossier) -> list[dict[str, str]]:
    """DanhSachLePhi: name and amount of each fee or charge (Gia, in VND)."""
    return [{"TenPhiLePhi": fee.name, "Gia": str(fee.amount)} for fee in d.fees]


def supplements(d: Dossier) -> list[dict[str, Any]]:
    """DanhSachHoSoBoSung: each supplement request, with the appointment before it
    (NgayHenTraTruoc) and after the supplement arrived (NgayHenTraMoi, empty while waiting)."""
    rows = []
    for number, pause in enumerate(d.pauses, start=1):
        rows.append(
            {
                "HoSoBoSungId": number,
                "NguoiYeuCauBoSung": pause.requested_by or "",
                "NoiDungBoSung": "; ".join(pause.missing),
                "NgayBoSung": portal_moment(pause.start),
                "NgayTiepNhanBoSung": portal_moment(pause.end),
                "TrangThaiBoSung": pause.end is not None,
                "NgayHenTraTruoc": portal_moment(pause.due_before),
                "NgayHenTraMoi": portal_moment(pause.due_after),
                "DanhSachGiayToBoSung": [_document_row(doc) for doc in pause.documents],
            }
        )
    return rows


def results(d: Dossier) -> list[dict[str, str]]:
    """DanhSachGiayToKetQua: the results issued (a result only signed is not yet public),
    each with its electronic result code (MaGiayToKetQua, art. 22.4)."""
    return [
        {
            "TenGiayTo": result.name,
            "MaGiayToKetQua": result.code,
            "DuongDanTepTinKetQua": result.file.uri if result.file is not None else "",
        }
        for result in d.results
        if result.state is not ResultState.SIGNED
    ]


def progress_row(event: Event, after: Dossier) -> dict[str, str]:
    """One row of QuaTrinhXuLy: who did what when, and the status it left (``after`` is the
    dossier right after ``event``). NgayBatDau/NgayKetThucTheoQuyDinh are the open step's
    start and deadline from the process control slip, when a step is open."""
    steps = after.steps
    step = steps[-1] if steps and steps[-1].left_at is None else None
    return {
        "MaHoSo": event.dossier_code,
        "NguoiXuLy": event.actor,
        "ThoiDiemXuLy": portal_moment(event.at),
        "PhongBanXuLy": event.payload.get("agency") or after.agency_code,
        "NoiDungXuLy": _content(event),
        "TrangThai": str(portal_status(after.state)),
        "NgayBatDau": portal_moment(step.entered_at) if step is not None else "",
        "NgayKetThucTheoQuyDinh": portal_moment(step.due_at) if step is not None else "",
    }


def _content(event: Event) -> str:
    reason = event.payload.get("reason")
    return f"{event.trigger}: {reason}" if isinstance(reason, str) and reason else event.trigger


def progress_rows(events: list[Event]) -> list[dict[str, str]]:
    """QuaTrinhXuLy for a whole history, oldest first (folded as the engine folds it)."""
    rows: list[dict[str, str]] = []
    dossier: Dossier | None = None
    for event in events:
        dossier = replay([event]) if dossier is None else apply(dossier, event)
        rows.append(progress_row(event, dossier))
    return rows
