"""Printable HTML of the forms: national motto header, Vietnamese labels, escaped values."""

from __future__ import annotations

from datetime import datetime
from html import escape

from tthc_flow._labels import label
from tthc_flow._safe_text import utf8_text
from tthc_flow.reports._forms import (
    LOG_COLUMNS,
    ApologyLetter,
    ControlSlip,
    DossierLog,
    Form,
    FormApplicant,
    FormHeader,
    Handover,
    ReceiptSlip,
    RefusalSlip,
    SupplementRequest,
)
from tthc_flow.reports._stop_notice import StopNotice

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")

_STYLE = (
    "body{font-family:'Times New Roman',serif;font-size:13pt;margin:2cm}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{vertical-align:top;padding:2px 4px}"
    ".grid td,.grid th{border:1px solid #000}"
    ".c{text-align:center}.b{font-weight:bold}.i{font-style:italic}"
)


def _e(value: object) -> str:
    return escape(utf8_text("" if value is None else str(value)), quote=True)


def when(moment: datetime | None) -> str:
    """``... giờ ... phút, ngày ... tháng ... năm ...`` as the forms print moments."""
    if moment is None:
        return ""
    return (
        f"{moment.hour:02d} giờ {moment.minute:02d} phút, "
        f"ngày {moment.day:02d} tháng {moment.month:02d} năm {moment.year}"
    )


def _head(h: FormHeader) -> str:
    place = f"{_e(h.place)}, " if h.place else ""
    return (
        f'<p class="i" style="text-align:right">{_e(h.form_no)} ({_e(h.circular)})</p>'
        '<table><tr><td class="c" style="width:45%">'
        f'{_e(h.issuer_parent)}<br><span class="b">{_e(h.issuer_name)}</span><br>'
        f"Số: {_e(h.doc_number)}</td>"
        f'<td class="c"><span class="b">{MOTTO[0]}</span><br>'
        f'<span class="b">{MOTTO[1]}</span><br>'
        f'<span class="i">{place}ngày {h.issued_on.day:02d} tháng {h.issued_on.month:02d} '
        f"năm {h.issued_on.year}</span></td></tr></table>"
        f'<h2 class="c">{_e(h.title)}</h2>'
    )


def _applicant(a: FormApplicant) -> str:
    return (
        f"<p>Ông/Bà/Tổ chức: <b>{_e(a.name)}</b></p>"
        f"<p>Địa chỉ: {_e(a.address)}</p>"
        f"<p>Số điện thoại: {_e(a.phone)} &nbsp; Email: {_e(a.email)}</p>"
    )


def _signatures(left: str, right: str, right_name: str = "") -> str:
    return (
        '<table style="margin-top:1.5em"><tr>'
        f'<td class="c b">{_e(left)}<br><span class="i">(Ký, ghi rõ họ tên)</span></td>'
        f'<td class="c b">{_e(right)}<br><span class="i">(Ký, ghi rõ họ tên)</span>'
        f"<br><br><br>{_e(right_name)}</td></tr></table>"
    )


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def _receipt(f: ReceiptSlip) -> str:
    rows = "".join(
        f"<tr><td>{i}</td><td>{_e(c.name)}</td><td>{_e(c.form)}</td><td>{c.quantity}</td></tr>"
        for i, c in enumerate(f.components, start=1)
    )
    fee = f"{f.fee_amount:,} đồng".replace(",", ".") if f.fee_amount else "Không"
    log = (
        f"<p>Vào {_e(label('log.sheet'))}, Quyển số: {_e(f.log_book)}, "
        f"Số thứ tự: {'' if f.log_line is None else f.log_line}</p>"
    )
    return (
        f"<p>Mã hồ sơ: <b>{_e(f.dossier_code)}</b></p>"
        f"<p>{_e(f.header.issuer_name)} tiếp nhận hồ sơ của:</p>{_applicant(f.applicant)}"
        f"<p>Nội dung yêu cầu giải quyết: {_e(f.procedure_name)} (mã TTHC {_e(f.procedure_code)})</p>"
        f"<p>Hình thức nộp: {_e(f.channel)}</p>"
        "<p>Thành phần hồ sơ nộp gồm:</p>"
        f'<table class="grid"><tr><th>{_e(label("log.line"))}</th><th>Tên giấy tờ</th><th>Hình thức</th>'
        f"<th>Số lượng</th></tr>{rows}</table>"
        f"<p>Số lượng hồ sơ: {f.set_count} (bộ)</p>"
        f"<p>Thời gian giải quyết hồ sơ theo quy định là: {_e(f.time_limit)}</p>"
        f"<p>Thời gian nhận hồ sơ: {when(f.received_at)}</p>"
        f"<p>Thời gian trả kết quả giải quyết hồ sơ: <b>{when(f.due_at)}</b></p>"
        f"<p>Đăng ký nhận kết quả tại: {_e(f.result_channel)}</p>"
        f"<p>{_e(label('procedure.fees'))}: {_e(fee)} ({'Đã thanh toán' if f.fee_paid else 'Chưa thanh toán'})</p>"
        + log
        + _signatures("NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", f.received_by)
    )


def _supplement(f: SupplementRequest) -> str:
    items = "".join(f"<li>{_e(i)}</li>" for i in f.items)
    return (
        f"<p>Mã hồ sơ: <b>{_e(f.dossier_code)}</b></p>{_applicant(f.applicant)}"
        f"<p>Nội dung yêu cầu giải quyết: {_e(f.procedure_name)}</p>"
        f"<p>Giai đoạn: {_e(f.stage)}; thời điểm yêu cầu: {when(f.requested_at)}</p>"
        f"<p>Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:</p><ol>{items}</ol>"
        f"<p>Lý do: {_e(f.reason)}</p>"
        "<p>Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ với "
        f"{_e(f.contact_person)}, số điện thoại {_e(f.contact_phone)} để được hướng dẫn.</p>"
        + _signatures("", "NGƯỜI HƯỚNG DẪN", f.issued_by)
    )


def _refusal(f: RefusalSlip) -> str:
    reasons = "".join(f"<li>{_e(r)}</li>" for r in f.reasons)
    return (
        f"<p>Mã hồ sơ: <b>{_e(f.dossier_code)}</b></p>"
        f"<p>{_e(f.header.issuer_name)} tiếp nhận hồ sơ của:</p>{_applicant(f.applicant)}"
        f"<p>Nội dung yêu cầu giải quyết: {_e(f.procedure_name)}</p>"
        "<p>Qua nghiên cứu, đối chiếu, hồ sơ không đủ điều kiện tiếp nhận, giải quyết "
        f"với lý do cụ thể như sau:</p><ol>{reasons}</ol>"
        f"<p>Giai đoạn: {_e(f.stage)}; thời điểm: {when(f.refused_at)}</p>"
        + _signatures("", "NGƯỜI TIẾP NHẬN HỒ SƠ", f.signed_by)
    )


def _apology(f: ApologyLetter) -> str:
    return (
        f"<p>Kính gửi: <b>{_e(f.applicant.name)}</b></p>"
        f"<p>Địa chỉ: {_e(f.applicant.address)}; Số điện thoại: {_e(f.applicant.phone)}</p>"
        f"<p>{_e(f.header.issuer_name)} tiếp nhận hồ sơ mã <b>{_e(f.dossier_code)}</b> "
        f"({_e(f.procedure_name)}) lúc {when(f.received_at)}, hẹn trả kết quả "
        f"{when(f.previous_due_at)}.</p>"
        f"<p>Hồ sơ đã được chuyển {_e(f.responsible_unit)} xem xét, giải quyết. Tuy nhiên, "
        f"đến nay hồ sơ chưa giải quyết xong vì lý do: {_e(f.reason)}.</p>"
        "<p>Sự chậm trễ này đã gây phiền hà cho Ông/Bà/Tổ chức. Chúng tôi xin lỗi và "
        f"hẹn lại ngày trả kết quả vào <b>{when(f.new_due_at)}</b> (lần thứ {f.reschedule_no}).</p>"
        f"<p>Nơi nhận: Như trên; {_e(label('role.one_stop'))}; Lưu VT.</p>"
        + _signatures("", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", f.signed_by)
    )


def _stop(f: StopNotice) -> str:
    """Form 05: the other forms' labels; its own body was not read (see _stop_notice)."""
    request = (
        f"<p>Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: {when(f.supplement_requested_at)}</p>"
        if f.supplement_requested_at is not None
        else ""
    )
    return (
        f"<p>Kính gửi: <b>{_e(f.applicant.name)}</b></p>"
        f"<p>Địa chỉ: {_e(f.applicant.address)}; Số điện thoại: {_e(f.applicant.phone)}</p>"
        f"<p>Mã hồ sơ: <b>{_e(f.dossier_code)}</b></p>"
        f"<p>Nội dung yêu cầu giải quyết: {_e(f.procedure_name)}</p>"
        f"<p>Thời gian nhận hồ sơ: {when(f.received_at)}</p>"
        + request
        + f"<p>Căn cứ: {_e(f.legal_basis)}</p>"
        f"<p>Lý do: {_e(f.reason)}</p>"
        f"<p>Thời điểm dừng giải quyết hồ sơ: <b>{when(f.stopped_at)}</b></p>"
        f"<p>Nơi nhận: Như trên; {label('role.one_stop')}; Lưu VT.</p>"
        + _signatures("", "BỘ PHẬN MỘT CỬA", f.signed_by)
    )


def _handover_note(h: Handover) -> str:
    """The row's note, with the step's lead handler and cooperating officials (issue 17) in
    the note column: the form has no column of its own for them."""
    parts = [h.note] if h.note else []
    if h.lead:
        parts.append(f"Cán bộ xử lý chính: {h.lead}")
    if h.cooperating:
        parts.append(f"phối hợp: {', '.join(h.cooperating)}")
    return "; ".join(parts)


def _control(f: ControlSlip) -> str:
    rows = "".join(
        f"<tr><td>{i}</td><td>1. Giao: {_e(h.from_unit)}<br>2. Nhận: {_e(h.to_unit)}</td>"
        f"<td>{when(h.handed_at)}</td><td>{_e(h.handed_by)}</td><td>{_e(h.received_by)}</td>"
        f"<td>{when(h.due_at)}</td>"
        f"<td>{_e(h.timeliness)}</td><td>{_e(_handover_note(h))}</td></tr>"
        for i, h in enumerate(f.handovers, start=1)
    )
    return (
        f"<p>Mã hồ sơ: <b>{_e(f.dossier_code)}</b></p>"
        f"<p>Kèm theo hồ sơ của: {_e(f.applicant.name)}</p>"
        f"<p>Nội dung yêu cầu giải quyết: {_e(f.procedure_name)}</p>"
        f"<p>Thời gian nhận hồ sơ: {when(f.received_at)}</p>"
        f"<p>Ngày hẹn trả kết quả: {when(f.due_at)}</p>"
        f'<table class="grid"><tr><th>{_e(label("log.line"))}</th><th>Tên cơ quan, đơn vị</th>'
        "<th>Thời gian giao, nhận hồ sơ</th><th>Người giao</th><th>Người nhận</th>"
        "<th>Hạn xử lý</th>"
        f"<th>{_e(_timeliness_column())}</th><th>{_e(label('log.note'))}</th></tr>{rows}"
        "</table>"
    )


def _log(f: DossierLog) -> str:
    def day(moment: datetime | None) -> str:
        return "" if moment is None else f"{moment:%d/%m/%Y %H:%M}"

    rows = "".join(
        f"<tr><td>{x.line}</td><td>{_e(x.dossier_code)}</td><td>{_e(x.procedure_name)}</td>"
        f"<td>{x.set_count}</td><td>{_e(x.applicant.name)}</td>"
        f"<td>{_e(x.applicant.address)} {_e(x.applicant.phone)}</td><td>{_e(x.resolving_agency)}</td>"
        f"<td>{day(x.received_at)}</td><td>{day(x.due_at)}</td><td>{day(x.transferred_at)}</td>"
        f"<td>{day(x.result_received_at)}</td><td>{day(x.returned_at)}</td><td></td>"
        f"<td>{_e(x.note)}</td></tr>"
        for x in f.entries
    )
    dates = LOG_COLUMNS[7:12]  # the five moments, under "Ngày, tháng, năm"
    before, after = LOG_COLUMNS[:7], LOG_COLUMNS[12:]

    def head(name: str, span: str = "") -> str:
        return f"<th{span}>{_e(label(f'log.{name}'))}</th>"

    return (
        f'<p class="c">{_e(f.period.label_vi)}</p><table class="grid"><tr>'
        + "".join(head(n, ' rowspan="2"') for n in before)
        + head("dates", f' colspan="{len(dates)}"')
        + "".join(head(n, ' rowspan="2"') for n in after)
        + "</tr><tr>"
        + "".join(head(n) for n in dates)
        + f"</tr>{rows}</table>"
    )


def _timeliness_column() -> str:
    """Mẫu 06's result column, naming the three classes the engine records."""
    marks = {k: label(f"timeliness.{k}") for k in ("early", "on_time", "late")}
    return label("form.timeliness_column", **marks)


def to_html(form: Form | StopNotice) -> str:
    """A complete, printable HTML page of ``form``."""
    if isinstance(form, StopNotice):
        body = _stop(form)
    elif isinstance(form, ReceiptSlip):
        body = _receipt(form)
    elif isinstance(form, SupplementRequest):
        body = _supplement(form)
    elif isinstance(form, RefusalSlip):
        body = _refusal(form)
    elif isinstance(form, ApologyLetter):
        body = _apology(form)
    elif isinstance(form, ControlSlip):
        body = _control(form)
    else:
        body = _log(form)
    return _page(form.header.title, _head(form.header) + body)
