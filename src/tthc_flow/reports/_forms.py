"""The one-stop forms of a dossier as data (Circular 03/2025/TT-VPCP, Annex I).

Field lists follow docs/forms.md: the names of the seven forms are those of Circular
03/2025/TT-VPCP; their fields are those of its predecessor Circular 01/2018/TT-VPCP (the
03/2025 field lists were not available), plus the dossier code, channel and fee lines seen on
post-2025 slips. Every builder takes the dossier, its events and its procedure definition.

Applicant details come from the dossier's applicant record (``Dossier.applicant_record``), or
for a dossier received with a name only, from the data keys ``applicant_address``,
``applicant_phone`` and ``applicant_email`` when they were given.

Officials are printed by name: the name recorded on the event (``actor_name``, written when
the acting :class:`~tthc_flow.engine.Actor` carries one, and the names of an assignment),
else the name in the ``officials`` directory given to the builder, else the account id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tthc_flow._labels import duration, has_label, label
from tthc_flow.engine import DocumentForm, Dossier, Event, OfficialDirectory, component_form
from tthc_flow.errors import ConfigurationError
from tthc_flow.procedure import ProcedureDefinition
from tthc_flow.reports._period import Period

CIRCULAR = "Thông tư số 03/2025/TT-VPCP ngày 15/9/2025 của Văn phòng Chính phủ"
"""The circular whose Annex I holds the forms (docs/forms.md)."""

UNIT_KEYS = {
    "one_stop": "role.one_stop",
    "specialist": "unit.specialist",
    "leader": "unit.leader",
}
"""The unit a form names for the role that holds a step (a procedure's own role keeps its
name); the words are in :mod:`tthc_flow._labels`."""


def channel_text(channel: str) -> str:
    """A channel as Mẫu 01 prints it (``Trực tiếp tại Bộ phận Một cửa``); unknown: as given."""
    key = f"form.channel.{channel}"
    return label(key) if has_label(key) else channel


def unit_text(role: str) -> str:
    """The unit that holds a step of ``role``, as the forms print it."""
    return label(UNIT_KEYS[role]) if role in UNIT_KEYS else role


@dataclass(frozen=True, slots=True)
class Letterhead:
    """What the issuing office prints on its forms (configure once per office).

    ``parent``: the body above the issuer (e.g. "UBND TỈNH KHÁNH HÒA"; empty: none printed);
    ``place``: the place before the date ("Nha Trang"); ``number_suffix``: appended to every
    document number ("/SCT-MC"); ``issuer``: replaces the procedure's agency name;
    ``log_book``: the log book's volume (Quyển số) printed on receipt slips;
    ``contact_phone``: the one-stop desk's phone, printed on supplement requests.
    """

    parent: str = ""
    place: str = ""
    number_suffix: str = ""
    issuer: str = ""
    log_book: str = ""
    contact_phone: str = ""


DEFAULT_LETTERHEAD = Letterhead()


@dataclass(frozen=True, slots=True)
class FormHeader:
    """Common header: issuing body, its parent, number, place and date, form number."""

    issuer_name: str
    issuer_parent: str
    form_no: str
    title: str
    doc_number: str
    place: str
    issued_on: date
    circular: str = CIRCULAR


@dataclass(frozen=True, slots=True)
class FormApplicant:
    """Who submitted the dossier, as a form prints it (name and contact). Not
    :class:`tthc_flow.engine.Applicant`, the applicant record the engine keeps: this is
    the block a form prints, taken from it (renamed from ``Applicant`` so one public name
    has one meaning)."""

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class ComponentLine:
    """One submitted document: name, form (bản chính / bản sao / bản điện tử), quantity."""

    name: str
    form: str
    quantity: int


@dataclass(frozen=True, slots=True)
class ReceiptSlip:
    """Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""

    header: FormHeader
    dossier_code: str
    applicant: FormApplicant
    procedure_code: str
    procedure_name: str
    components: tuple[ComponentLine, ...]
    set_count: int
    time_limit: str
    received_at: datetime
    due_at: datetime
    channel: str
    result_channel: str
    fee_amount: int
    fee_paid: bool
    received_by: str
    log_book: str = ""
    log_line: int | None = None


@dataclass(frozen=True, slots=True)
class SupplementRequest:
    """Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

    header: FormHeader
    dossier_code: str
    applicant: FormApplicant
    procedure_name: str
    items: tuple[str, ...]
    requested_at: datetime
    stage: str
    issued_by: str
    reason: str = ""
    contact_person: str = ""
    contact_phone: str = ""


@dataclass(frozen=True, slots=True)
class RefusalSlip:
    """Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    header: FormHeader
    dossier_code: str
    applicant: FormApplicant
    procedure_name: str
    reasons: tuple[str, ...]
    refused_at: datetime
    stage: str
    signed_by: str


@dataclass(frozen=True, slots=True)
class ApologyLetter:
    """Mẫu 04 — Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (title of Circular
    03/2025/TT-VPCP Annex I; 01/2018 called it "Phiếu xin lỗi và hẹn lại ngày trả kết quả")."""

    header: FormHeader
    dossier_code: str
    applicant: FormApplicant
    procedure_name: str
    received_at: datetime
    previous_due_at: datetime
    new_due_at: datetime
    reason: str
    sent_at: datetime
    responsible_unit: str
    signed_by: str
    reschedule_no: int = 1


@dataclass(frozen=True, slots=True)
class Handover:
    """One row of the process control slip."""

    from_unit: str
    to_unit: str
    handed_at: datetime
    handed_by: str
    due_at: datetime | None
    finished_at: datetime | None
    timeliness: str
    note: str = ""
    received_by: str = ""
    lead: str = ""
    """The step's lead handler (cán bộ xử lý chính), by name, from its last assignment."""
    cooperating: tuple[str, ...] = ()
    """The step's cooperating officials (phối hợp), by name."""


@dataclass(frozen=True, slots=True)
class ControlSlip:
    """Mẫu 06 — Phiếu kiểm soát quá trình giải quyết hồ sơ."""

    header: FormHeader
    dossier_code: str
    applicant: FormApplicant
    procedure_name: str
    received_at: datetime | None
    due_at: datetime | None
    handovers: tuple[Handover, ...]


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of the dossier log book."""

    line: int
    dossier_code: str
    procedure_name: str
    set_count: int
    applicant: FormApplicant
    resolving_agency: str
    received_at: datetime | None
    due_at: datetime | None
    transferred_at: datetime | None
    result_received_at: datetime | None
    returned_at: datetime | None
    note: str


@dataclass(frozen=True, slots=True)
class DossierLog:
    """Mẫu 07 — Sổ theo dõi hồ sơ, for one period."""

    header: FormHeader
    period: Period
    entries: tuple[LogEntry, ...] = field(default_factory=tuple)


LOG_COLUMNS = (
    "line",
    "dossier_code",
    "procedure",
    "set_count",
    "applicant",
    "contact",
    "agency",
    "received_at",
    "due_at",
    "transferred_at",
    "result_received_at",
    "returned_at",
    "signature",
    "note",
)
"""The columns of Mẫu 07 in the form's order; their heads are the ``log.*`` labels."""


Form = ReceiptSlip | SupplementRequest | RefusalSlip | ApologyLetter | ControlSlip | DossierLog


# ---------------------------------------------------------------- helpers


def applicant_of(d: Dossier) -> FormApplicant:
    """Name and contacts from the applicant record, else contact details from data keys."""
    record = d.applicant_record
    if record is not None:
        return FormApplicant(
            record.name, record.address or "", record.phone or "", record.email or ""
        )
    data = d.data_dict
    return FormApplicant(
        d.applicant,
        str(data.get("applicant_address", "")),
        str(data.get("applicant_phone", "")),
        str(data.get("applicant_email", "")),
    )


def _header(
    definition: ProcedureDefinition,
    form_no: str,
    title: str,
    number: str,
    on: date,
    letterhead: Letterhead,
) -> FormHeader:
    return FormHeader(
        issuer_name=letterhead.issuer or definition.agency,
        issuer_parent=letterhead.parent,
        form_no=form_no,
        title=title,
        doc_number=f"{number}{letterhead.number_suffix}",
        place=letterhead.place,
        issued_on=on,
    )


def official_name(
    event: Event | None, officials: OfficialDirectory | None, actor_id: str | None = None
) -> str:
    """Who acted in ``event``, by name: the name the event records, else the directory's,
    else the id (``actor_id`` when the event is not known)."""
    if event is not None:
        recorded = event.payload.get("actor_name")
        if isinstance(recorded, str) and recorded:
            return recorded
        actor_id = event.actor
    if not actor_id:
        return ""
    return officials.name_of(actor_id) if officials is not None else actor_id


def _events(events: Iterable[Event], effect: str) -> list[Event]:
    return [e for e in events if e.effect == effect]


def _stage(event: Event) -> str:
    return label(
        "form.stage.reception" if event.from_state == "submitted" else "form.stage.appraisal"
    )


# ---------------------------------------------------------------- builders


def receipt_slip(
    d: Dossier,
    events: Sequence[Event],
    definition: ProcedureDefinition,
    letterhead: Letterhead = DEFAULT_LETTERHEAD,
    officials: OfficialDirectory | None = None,
) -> ReceiptSlip:
    """Mẫu 01 from the receipt (``receive`` or ``accept``) event; the receiving officer by
    name (:func:`official_name`)."""
    received = next(e for e in events if e.effect == "accept")
    assert d.received_at is not None and d.original_due_at is not None
    components = _component_lines(d, definition)
    return ReceiptSlip(
        header=_header(
            definition,
            "Mẫu số 01",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            d.code,
            d.received_at.date(),
            letterhead,
        ),
        dossier_code=d.code,
        applicant=applicant_of(d),
        procedure_code=d.procedure_code,
        procedure_name=definition.name,
        components=components,
        set_count=1,
        time_limit=_limit_text(definition),
        received_at=d.received_at,
        due_at=_first_due(events) or d.original_due_at,
        channel=channel_text(d.channel),
        result_channel=channel_text(d.channel),
        fee_amount=d.fees_due,
        fee_paid=d.fee_paid,
        received_by=official_name(received, officials),
        log_book=letterhead.log_book,
        log_line=_day_number(d.code),
    )


def _component_lines(d: Dossier, definition: ProcedureDefinition) -> tuple[ComponentLine, ...]:
    """The documents received as the desk recorded them (``Dossier.documents``, their form
    decided at receipt); for a dossier received without that list, the procedure's components
    in the form their definition gives (docs/documents.md)."""
    if d.documents:
        return tuple(
            ComponentLine(doc.component, (doc.form or DocumentForm.ORIGINAL).label, doc.copies or 1)
            for doc in d.documents
        )
    return tuple(
        ComponentLine(c.name, component_form(c, d.channel).label, c.copies)
        for c in definition.components
    )


def _day_number(code: str) -> int | None:
    """The number of the day in a dossier code (``...-YYMMDD-0007`` -> 7): the log line."""
    tail = code.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _first_due(events: Sequence[Event]) -> datetime | None:
    for e in events:
        if e.effect == "accept" and "due_at" in e.payload:
            return datetime.fromisoformat(e.payload["due_at"])
    return None


def _limit_text(definition: ProcedureDefinition) -> str:
    limit = definition.time_limit
    out = duration(limit.statutory.value, limit.statutory.unit.value)
    if limit.shortened is not None:
        shortened = duration(limit.shortened.value, limit.shortened.unit.value)
        out += " " + label("form.shortened", limit=shortened)
    return out


def supplement_requests(
    d: Dossier,
    events: Sequence[Event],
    definition: ProcedureDefinition,
    letterhead: Letterhead = DEFAULT_LETTERHEAD,
) -> list[SupplementRequest]:
    """Mẫu 02, one per supplement request."""
    return [
        SupplementRequest(
            header=_header(
                definition,
                "Mẫu số 02",
                "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
                f"{d.code}/BS{i}",
                e.at.date(),
                letterhead,
            ),
            dossier_code=d.code,
            applicant=applicant_of(d),
            procedure_name=definition.name,
            items=tuple(e.payload.get("missing", ())),
            requested_at=e.at,
            stage=_stage(e),
            issued_by=e.actor,
            reason=str(e.payload.get("reason", "")),
            contact_person=str(e.payload.get("contact_person", "") or e.actor),
            contact_phone=str(e.payload.get("contact_phone", "") or letterhead.contact_phone),
        )
        for i, e in enumerate(_events(events, "request_supplement"), start=1)
    ]


def refusal_slip(
    d: Dossier,
    events: Sequence[Event],
    definition: ProcedureDefinition,
    letterhead: Letterhead = DEFAULT_LETTERHEAD,
) -> RefusalSlip:
    """Mẫu 03 from the ``refuse`` event (:class:`~tthc_flow.errors.ConfigurationError`, a
    ValueError, if the dossier was not refused)."""
    found = _events(events, "refuse")
    if not found:
        raise ConfigurationError(
            f"dossier {d.code} was not refused", setting="refusal_slip.d", value=d.code
        )
    e = found[-1]
    return RefusalSlip(
        header=_header(
            definition,
            "Mẫu số 03",
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            f"{d.code}/TC",
            e.at.date(),
            letterhead,
        ),
        dossier_code=d.code,
        applicant=applicant_of(d),
        procedure_name=definition.name,
        reasons=(str(e.payload.get("reason", "")),),
        refused_at=e.at,
        stage=_stage(e),
        signed_by=e.actor,
    )


def apology_letters(
    d: Dossier,
    events: Sequence[Event],
    definition: ProcedureDefinition,
    letterhead: Letterhead = DEFAULT_LETTERHEAD,
) -> list[ApologyLetter]:
    """Mẫu 04, one per reschedule (the policy allows one)."""
    letters = []
    for i, r in enumerate(d.reschedules, start=1):
        unit = next(
            (unit_text(s.role) for s in reversed(d.steps) if s.entered_at <= r.at),
            unit_text("one_stop"),
        )
        assert d.received_at is not None
        letters.append(
            ApologyLetter(
                header=_header(
                    definition,
                    "Mẫu số 04",
                    "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
                    f"{d.code}/XL{i}",
                    r.at.date(),
                    letterhead,
                ),
                dossier_code=d.code,
                applicant=applicant_of(d),
                procedure_name=definition.name,
                received_at=d.received_at,
                previous_due_at=r.previous_due_at,
                new_due_at=r.new_due_at,
                reason=r.reason,
                sent_at=r.at,
                responsible_unit=unit,
                signed_by=r.actor,
                reschedule_no=i,
            )
        )
    return letters


def _timeliness_mark(finished_at: datetime | None, timeliness: str | None) -> str:
    """The recorded class as the slip prints it: the engine decided it, the slip never does."""
    if finished_at is None:
        return label("timeliness.open")
    return label(f"timeliness.{timeliness}") if timeliness else ""


def control_slip(
    d: Dossier,
    events: Sequence[Event],
    definition: ProcedureDefinition,
    letterhead: Letterhead = DEFAULT_LETTERHEAD,
    officials: OfficialDirectory | None = None,
) -> ControlSlip:
    """Mẫu 06: every hand-over with its time and on-time mark, from ``dossier.steps``; who
    handed over, who finished and each step's lead and cooperating officials by name."""
    names = {s.id: s.name for s in definition.workflow.steps}
    agencies = {a.id: a.name for a in definition.agencies}
    rows = []
    previous = unit_text("one_stop")
    for step in d.steps:
        unit = names.get(step.step, step.step)
        holder = unit_text(step.role)
        if step.agency:
            holder = agencies.get(step.agency, step.agency)
        to_unit = f"{holder}: {unit}"
        held = [
            a for a in d.assignments if a.step == step.step and a.step_entered_at == step.entered_at
        ]
        finished = _event_at(events, step.left_at, step.actor) if step.left_at else None
        rows.append(
            Handover(
                from_unit=previous,
                to_unit=to_unit,
                handed_at=step.entered_at,
                handed_by=official_name(_event_at(events, step.entered_at), officials),
                due_at=step.due_at,
                finished_at=step.left_at,
                timeliness=_timeliness_mark(step.left_at, step.timeliness),
                received_by=official_name(finished, officials, step.actor),
                lead=held[-1].lead.name if held else "",
                cooperating=tuple(m.name for m in held[-1].cooperating) if held else (),
            )
        )
        previous = to_unit
    if d.returned_at is not None:
        rows.append(
            Handover(
                from_unit=previous,
                to_unit=label("form.return_step"),
                handed_at=d.returned_at,
                handed_by=official_name(_event_at(events, d.returned_at), officials),
                due_at=d.original_due_at,
                finished_at=d.resolved_at,
                timeliness=_timeliness_mark(d.resolved_at, d.resolution_timeliness),
                note=label("form.returned_note"),
                received_by=d.applicant,
            )
        )
    return ControlSlip(
        header=_header(
            definition,
            "Mẫu số 06",
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            d.code,
            (d.received_at or d.submitted_at).date(),
            letterhead,
        ),
        dossier_code=d.code,
        applicant=applicant_of(d),
        procedure_name=definition.name,
        received_at=d.received_at,
        due_at=d.due_at,
        handovers=tuple(rows),
    )


def _event_at(events: Sequence[Event], moment: datetime, actor: str | None = None) -> Event | None:
    """The event that moved the dossier at ``moment`` (by ``actor`` when given); assignment
    events, which move nothing, are skipped."""
    return next(
        (
            e
            for e in events
            if e.at == moment and e.from_state != e.to_state and (actor is None or e.actor == actor)
        ),
        None,
    )


def dossier_log(
    dossiers: Iterable[tuple[Dossier, Sequence[Event]]],
    period: Period,
    catalog: Any,
    *,
    issuer_name: str = "",
    letterhead: Letterhead = DEFAULT_LETTERHEAD,
) -> DossierLog:
    """Mẫu 07 for ``period``: the dossiers received in it, in order of receipt.

    ``dossiers`` yields ``(dossier, events)`` pairs; ``catalog`` gives procedure names;
    ``issuer_name`` defaults to the one-stop desk (Bộ phận Một cửa).
    """
    chosen = sorted(
        ((d, ev) for d, ev in dossiers if period.contains(d.received_at)),
        key=lambda pair: (pair[0].received_at, pair[0].code),
    )
    entries = []
    for line, (d, events) in enumerate(chosen, start=1):
        definition = catalog.get(d.procedure_code, d.procedure_version)
        transferred = next((e.at for e in events if e.effect == "handover"), None)
        outcome = f"form.note.{d.outcome}"
        note = label(outcome) if d.outcome and has_label(outcome) else ""
        extra = f" ; {label('form.note.rescheduled')}" if d.reschedules else ""
        entries.append(
            LogEntry(
                line=line,
                dossier_code=d.code,
                procedure_name=definition.name,
                set_count=1,
                applicant=applicant_of(d),
                resolving_agency=definition.agency,
                received_at=d.received_at,
                due_at=d.due_at,
                transferred_at=transferred,
                result_received_at=d.resolved_at,
                returned_at=d.returned_at,
                note=note + extra,
            )
        )
    header = FormHeader(
        issuer_name=letterhead.issuer or issuer_name or unit_text("one_stop"),
        issuer_parent=letterhead.parent,
        form_no="Mẫu số 07",
        title="SỔ THEO DÕI HỒ SƠ",
        doc_number=letterhead.log_book,
        place=letterhead.place,
        issued_on=period.last,
    )
    return DossierLog(header=header, period=period, entries=tuple(entries))
