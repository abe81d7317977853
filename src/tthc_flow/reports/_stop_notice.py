"""Mẫu 05 — Thông báo dừng giải quyết hồ sơ: the notice that a dossier's processing stopped.

Which form the law gives (issue 15): Decree 118/2025/ND-CP names no form for the closure of an
unsupplemented dossier (art. 19.5, "đóng hồ sơ") nor for the applicant's request to stop (art.
21, "Dừng thực hiện thủ tục hành chính"); it leaves the forms to the Government Office (art.
35.1.c). Circular 03/2025/TT-VPCP Annex I lists Form 05 "Thông báo dừng giải quyết hồ sơ"
(secondary sources: the list of the seven forms on thuviennhadat.vn and a public research
report, docs/forms.md). The form's own body was not read: this notice prints the form's title
and number, the same header and labels as the other forms, and the decree's words for the
ground (quoted from the transcription of Decree 118 named in docs/legal-rules.md). It is kept
in a module of its own so the form's wording can be replaced in one place once it is read.

The notice is built from the event that stopped processing: ``stop`` (the closure, art. 19.5)
or ``withdraw`` (the applicant's request, art. 21.1 at the desk or by post, 21.2 online). A
stop recorded before 1 Jul 2025 fell under Decree 61/2018, whose text was not found: no
notice is built for it rather than one citing the wrong decree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tthc_flow.engine import SYSTEM, Dossier, Event, OfficialDirectory
from tthc_flow.errors import ConfigurationError
from tthc_flow.procedure import ProcedureDefinition
from tthc_flow.reports._forms import (
    DEFAULT_LETTERHEAD,
    FormApplicant,
    FormHeader,
    Letterhead,
    applicant_of,
    official_name,
)

STOP_NOTICE_NO = "Mẫu số 05"
STOP_NOTICE_TITLE = "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"
"""Form 05's number and title as Circular 03/2025/TT-VPCP Annex I lists them."""

DECREE_118_IN_FORCE = date(2025, 7, 1)
"""Decree 118/2025/ND-CP art. 40.1: the articles the notice cites apply from this day."""

CLOSURE_BASIS = (
    "Khoản 5 Điều 19 Nghị định số 118/2025/NĐ-CP: “Sau 15 ngày kể từ khi thông báo hoặc theo "
    "thời hạn quy định của pháp luật chuyên ngành, nếu tổ chức, cá nhân không hoàn thành việc "
    "hoàn thiện hồ sơ, cán bộ, công chức, viên chức, nhân viên Bộ phận Một cửa thực hiện đóng "
    "hồ sơ trên Hệ thống thông tin giải quyết thủ tục hành chính.”"
)
WITHDRAWAL_BASIS = (
    "Khoản 1 Điều 21 Nghị định số 118/2025/NĐ-CP: tổ chức, cá nhân “được yêu cầu dừng thực "
    "hiện thủ tục hành chính trong khoảng thời gian kể từ khi nhận được Giấy tiếp nhận và trả "
    "kết quả nộp hồ sơ hợp lệ cho đến trước khi cơ quan, tổ chức có thẩm quyền ban hành quyết "
    "định giải quyết thủ tục hành chính hoặc có văn bản thông báo kết quả giải quyết thủ tục "
    "hành chính”."
)
ONLINE_WITHDRAWAL_BASIS = (
    "Khoản 2 Điều 21 Nghị định số 118/2025/NĐ-CP: hồ sơ nộp trực tuyến được yêu cầu dừng “kể "
    "từ thời điểm hệ thống tiếp nhận thành công đến trước khi cơ quan, tổ chức có thẩm quyền "
    "ban hành quyết định giải quyết thủ tục hành chính hoặc có văn bản thông báo kết quả giải "
    "quyết thủ tục hành chính”."
)
"""The grounds, in the words of Decree 118/2025/ND-CP (transcription, docs/legal-rules.md)."""

GROUNDS = {"stop": "closed", "withdraw": "withdrawn"}
"""The stopping event's effect -> the notice's ground."""


@dataclass(frozen=True, slots=True)
class StopNotice:
    """Mẫu 05 — Thông báo dừng giải quyết hồ sơ (title of Circular 03/2025/TT-VPCP Annex I).

    ``ground``: ``closed`` (not supplemented within the period, art. 19.5) or ``withdrawn``
    (the applicant asked to stop, art. 21); ``legal_basis``: the decree's words for it;
    ``supplement_requested_at``: the notice the closure counts from (closures only).
    """

    header: FormHeader
    dossier_code: str
    applicant: FormApplicant
    procedure_name: str
    received_at: datetime | None
    stopped_at: datetime
    ground: str
    legal_basis: str
    reason: str
    signed_by: str
    supplement_requested_at: datetime | None = None


def _basis(effect: str, channel: str) -> str:
    if effect == "stop":
        return CLOSURE_BASIS
    return ONLINE_WITHDRAWAL_BASIS if channel == "online" else WITHDRAWAL_BASIS


def stop_notice(
    d: Dossier,
    events: Sequence[Event],
    definition: ProcedureDefinition,
    letterhead: Letterhead = DEFAULT_LETTERHEAD,
    officials: OfficialDirectory | None = None,
) -> StopNotice:
    """Mẫu 05 from the event that stopped processing (``stop`` or ``withdraw``).

    :class:`~tthc_flow.errors.ConfigurationError` (a ValueError) if processing did not stop, or stopped before 1 Jul 2025 (Decree 61/2018's
    rules, text not found: see the module docstring).
    """
    found = [e for e in events if e.effect in GROUNDS]
    if not found:
        raise ConfigurationError(
            f"dossier {d.code} was neither closed nor withdrawn",
            setting="stop_notice.d",
            value=d.code,
        )
    e = found[-1]
    if e.at.date() < DECREE_118_IN_FORCE:
        raise ConfigurationError(
            f"dossier {d.code} stopped on {e.at.date().isoformat()}, under Decree 61/2018/ND-CP "
            "(text not found): Form 05 cites Decree 118/2025/ND-CP, in force from 2025-07-01",
            setting="stop_notice.d",
            value=d.code,
        )
    requests = [r for r in events if r.effect == "request_supplement" and r.at <= e.at]
    closure = e.effect == "stop"
    return StopNotice(
        header=FormHeader(
            issuer_name=letterhead.issuer or definition.agency,
            issuer_parent=letterhead.parent,
            form_no=STOP_NOTICE_NO,
            title=STOP_NOTICE_TITLE,
            doc_number=f"{d.code}/DG{letterhead.number_suffix}",
            place=letterhead.place,
            issued_on=e.at.date(),
        ),
        dossier_code=d.code,
        applicant=applicant_of(d),
        procedure_name=definition.name,
        received_at=d.received_at,
        stopped_at=e.at,
        ground=GROUNDS[e.effect],
        legal_basis=_basis(e.effect, d.channel),
        reason=str(e.payload.get("reason", "")),
        # the scheduler closes as SYSTEM; the desk officer signs the paper (art. 19.5: the
        # Bộ phận Một cửa closes the dossier), so no account id is printed for it
        signed_by="" if e.actor == SYSTEM.id else official_name(e, officials),
        supplement_requested_at=requests[-1].at if closure and requests else None,
    )
