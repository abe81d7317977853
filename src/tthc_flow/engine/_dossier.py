"""The dossier (hồ sơ): an immutable snapshot folded from its events.

``apply(dossier, event)`` is pure and needs neither the calendar nor the procedure: every
decision (due dates, step deadlines, timeliness) is made when the command is handled and
written into the event's payload. Replay therefore gives exactly the live state, and stays
right even if the calendar or a policy is changed later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import MISSING, dataclass, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from tthc_flow._time import VN_TZ
from tthc_flow.engine._assignment import ASSIGNMENT_TRIGGERS, Assignment, assignment_of
from tthc_flow.engine._events import GENESIS_HASH, Event
from tthc_flow.engine._fast import build_frozen, copy_frozen
from tthc_flow.engine._payments import Payment, PaymentRequest, fold_payment, fold_request
from tthc_flow.engine._personal import ERASE_EFFECT, ERASED, MARKER, erased_fields
from tthc_flow.engine._petitions import EFFECTS as PETITION_EFFECTS
from tthc_flow.engine._petitions import Petition
from tthc_flow.engine._petitions import fold as fold_petitions
from tthc_flow.engine._ratings import RATE, Rating
from tthc_flow.engine._ratings import fold as fold_rating
from tthc_flow.engine._results import EFFECTS as RESULT_EFFECTS
from tthc_flow.engine._results import fold as fold_results
from tthc_flow.engine._timeliness import DEFAULT_TIMELINESS, classify
from tthc_flow.errors import EventOutOfOrder

if TYPE_CHECKING:  # pydantic models, imported when a dossier first has papers (import time)
    from tthc_flow.engine._applicant import Applicant
    from tthc_flow.engine._documents import IssuedResult, SubmittedDocument
    from tthc_flow.engine._dossier_json import DossierModel

OPEN_STATES_EXCLUDED = frozenset({"returned", "refused", "withdrawn", "stopped"})


class Timeliness(StrEnum):
    """Trước hạn / đúng hạn / quá hạn at resolution; trong hạn / quá hạn while open."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    WITHIN_DEADLINE = "within_deadline"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class Pause:
    """A wait for the applicant's supplement; ``origin`` is the state it interrupted."""

    start: datetime
    origin: str
    end: datetime | None = None
    missing: tuple[str, ...] = ()
    closes_at: datetime | None = None
    """When the request lapses and the dossier is closed (SupplementPolicy, art. 19.5);
    None when the closure does not apply (e.g. a request at reception)."""
    requested_by: str | None = None
    """Who asked for the supplement (the portal's NguoiYeuCauBoSung)."""
    due_before: datetime | None = None
    """The appointment when the supplement was asked for (NgayHenTraTruoc)."""
    due_after: datetime | None = None
    """The appointment once the supplement arrived (NgayHenTraMoi): moved on by the pause, or
    restarted from zero (art. 19.5); None while waiting."""
    documents: tuple[SubmittedDocument, ...] = ()
    """The components handed in with the supplement (also appended to ``Dossier.documents``)."""


@dataclass(frozen=True, slots=True)
class Consultation:
    """An opinion asked of another body during a step (Decree 118/2025/ND-CP art. 19.4)."""

    body: str
    asked_at: datetime
    due_at: datetime
    answered_at: datetime | None = None
    late: bool | None = None


@dataclass(frozen=True, slots=True)
class Reschedule:
    """An apology with a new appointment (phiếu xin lỗi và hẹn lại ngày trả kết quả)."""

    at: datetime
    previous_due_at: datetime
    new_due_at: datetime
    reason: str
    actor: str


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One row of the process control slip: who held the dossier, until when, by when.

    ``timeliness`` (early / on_time / late, by the engine's TimelinessPolicy) is set when the
    step is left; ``transfer_due_at`` is the hand-over deadline of TransferPolicy (art. 18.2
    from the desk, art. 20.1.a across levels, art. 20.2.a across agencies), recorded, never
    enforced.
    """

    step: str
    role: str
    agency: str | None
    entered_at: datetime
    due_at: datetime | None
    left_at: datetime | None = None
    actor: str | None = None
    timeliness: str | None = None
    transfer_due_at: datetime | None = None

    @property
    def on_time(self) -> bool | None:
        """Whether the step finished by its deadline (None while open or without deadline)."""
        if self.left_at is None or self.due_at is None:
            return None
        return self.left_at <= self.due_at

    @property
    def transfer_late(self) -> bool | None:
        """Whether the dossier reached this step after its hand-over deadline (None: no rule)."""
        if self.transfer_due_at is None:
            return None
        return self.entered_at > self.transfer_due_at


StepRow = tuple[
    str,  # step
    str,  # role
    str | None,  # agency
    datetime,  # entered_at
    datetime | None,  # due_at
    datetime | None,  # left_at
    str | None,  # actor
    str | None,  # timeliness
    datetime | None,  # transfer_due_at
]
"""A :class:`StepRecord` as a snapshot keeps it (:attr:`Dossier.step_rows`), its fields in order.

Plain tuples of strings and datetimes are untracked by Python's cyclic garbage collector, so
the open dossiers a service holds are not walked again at every full collection, which
StepRecord objects (two to four per dossier in progress) made it do (docs/performance.md)."""

# positions in a StepRow read on the hot path
ROW_STEP: Final = 0
ROW_AGENCY: Final = 2
ROW_DUE_AT: Final = 4
ROW_LEFT_AT: Final = 5


@dataclass(frozen=True, slots=True)
class FeeRecord:
    """A fee (phí) or charge (lệ phí) of the dossier, and whether and how it was paid."""

    name: str
    amount: int
    kind: str
    paid_at: datetime | None = None
    paid_online: bool = False
    remit_due_at: datetime | None = None
    """Paid online: when the money must reach the budget (art. 24.3, ResultPolicy)."""


@dataclass(frozen=True, slots=True)
class Papers:
    """What a dossier holds besides its dates and states: the applicant record, the receiving
    centre, the components submitted, the results issued, the payment requests and payments,
    the applicant's rating and petitions (docs/payments.md).

    One field of the snapshot rather than four: a :class:`Dossier` keeps its fields in an
    instance dict, and four more entries made that dict outgrow its table (832 to 1,584 bytes
    per snapshot, measured with ``sys.getsizeof``); dossiers without any share
    :data:`NO_PAPERS`.
    """

    applicant_record: Applicant | None = None
    reception_centre: str | None = None
    documents: tuple[SubmittedDocument, ...] = ()
    results: tuple[IssuedResult, ...] = ()
    payment_requests: tuple[PaymentRequest, ...] = ()
    payments: tuple[Payment, ...] = ()
    rating: Rating | None = None
    petitions: tuple[Petition, ...] = ()


NO_PAPERS: Final = Papers()


@dataclass(frozen=True)
class Dossier:
    """A dossier's current state; obtain it from :class:`~tthc_flow.engine.Engine`."""

    code: str
    procedure_code: str
    procedure_version: int
    agency_code: str
    applicant: str
    channel: str
    state: str
    version: int
    last_hash: str
    submitted_at: datetime
    updated_at: datetime
    received_at: datetime | None = None
    clock_started_at: datetime | None = None
    due_at: datetime | None = None
    original_due_at: datetime | None = None
    resolved_at: datetime | None = None
    returned_at: datetime | None = None
    closed_at: datetime | None = None
    correction_due_at: datetime | None = None
    """A wrong result reported: when the corrected one must be back (art. 23.1)."""
    corrected_at: datetime | None = None
    correction_late: bool | None = None
    awaiting_payment_since: datetime | None = None
    """Waiting for the applicant's financial obligation since (state ``awaiting_payment``)."""
    early_return: bool | None = None
    """The result was returned before the appointment; ``early_notice`` whether the applicant
    was told first (art. 22.5, ResultPolicy)."""
    early_notice: bool | None = None
    alert_due_at: datetime | None = None
    """Online submission: when staff must have been alerted (art. 17.2, OnlineReceiptPolicy)."""
    accept_due_at: datetime | None = None
    """Online submission: when the desk must receive it or ask for a supplement (art. 17.2.c)."""
    accept_late: bool | None = None
    """Whether that receipt (or supplement request) came after ``accept_due_at``."""
    outcome: str | None = None
    resolution_timeliness: str | None = None
    processing_seconds: int | None = None
    """Working seconds from the clock start (else the receipt) to the result, measured by the
    engine's calendar when the result was decided (None while unresolved, and in events
    written before the engine recorded it: see :func:`tthc_flow.store.processing_seconds`)."""
    on_the_spot: bool = False
    fees_due: int = 0
    fees: tuple[FeeRecord, ...] = ()
    step_due: tuple[tuple[str, datetime], ...] = ()
    step_rows: tuple[StepRow, ...] = ()
    pauses: tuple[Pause, ...] = ()
    reschedules: tuple[Reschedule, ...] = ()
    consultations: tuple[Consultation, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    """Every assignment of a step to officials, oldest first (docs/officials.md)."""
    data: tuple[tuple[str, Any], ...] = ()
    as_of: datetime | None = None
    papers: Papers = NO_PAPERS
    """The applicant record, receiving centre, documents and results (:class:`Papers`), read
    through the properties of the same names."""

    @property
    def applicant_record(self) -> Applicant | None:
        """The applicant as a record (type, ID numbers, representative, contacts) when the
        dossier was created with an :class:`~tthc_flow.engine.Applicant`; None for the older
        string form (``applicant`` holds the name in both cases)."""
        return self.papers.applicant_record

    @property
    def reception_centre(self) -> str | None:
        """The centre that received the dossier when it is not the deciding authority's own
        desk (Decree 118/2025/ND-CP art. 14.2, 20.1): ``agency_code`` decides, this centre
        receives and returns the result (art. 20.1.b)."""
        return self.papers.reception_centre

    @property
    def documents(self) -> tuple[SubmittedDocument, ...]:
        """The components submitted (at receipt and with supplements), as recorded."""
        return self.papers.documents

    @property
    def results(self) -> tuple[IssuedResult, ...]:
        """The result documents: signed -> issued -> delivered (art. 22.1, 22.4)."""
        return self.papers.results

    @property
    def payment_requests(self) -> tuple[PaymentRequest, ...]:
        """Every payment request (status 6), oldest first, with the total the engine set."""
        return self.papers.payment_requests

    @property
    def payment_request(self) -> PaymentRequest | None:
        """The latest payment request (None: none asked for)."""
        requests = self.papers.payment_requests
        return requests[-1] if requests else None

    @property
    def payments(self) -> tuple[Payment, ...]:
        """Every payment recorded: amount, method (online / desk) and its reference."""
        return self.papers.payments

    @property
    def rating(self) -> Rating | None:
        """The applicant's rating on the criteria of Decree 118 art. 33.1 (None: not rated)."""
        return self.papers.rating

    @property
    def petitions(self) -> tuple[Petition, ...]:
        """Petitions (phản ánh, kiến nghị) about the dossier, with their handling."""
        return self.papers.petitions

    @property
    def is_open(self) -> bool:
        """Not yet returned, refused or withdrawn."""
        return self.state not in OPEN_STATES_EXCLUDED

    @property
    def is_resolved(self) -> bool:
        """A result (approval or reasoned rejection) exists."""
        return self.resolved_at is not None

    @property
    def paused(self) -> bool:
        """Waiting for a supplement."""
        return bool(self.pauses) and self.pauses[-1].end is None

    @property
    def paused_from(self) -> str | None:
        """The state a paused dossier returns to when the supplement arrives."""
        return self.pauses[-1].origin if self.paused else None

    @property
    def closes_at(self) -> datetime | None:
        """When an open supplement request lapses and the dossier is closed ("đóng hồ sơ",
        Decree 118/2025/ND-CP art. 19.5), from the request event's ``closes_at``."""
        return self.pauses[-1].closes_at if self.paused else None

    @property
    def fee_paid(self) -> bool:
        """Whether every fee is paid (or the data says so: ``fee_paid: true``)."""
        if self.fees and all(fee.paid_at is not None for fee in self.fees):
            return True
        return bool(self.data_dict.get("fee_paid", False))

    @property
    def data_dict(self) -> dict[str, Any]:
        """Data given with the commands, latest value per key."""
        return dict(self.data)

    @property
    def steps(self) -> tuple[StepRecord, ...]:
        """The process control slip: one :class:`StepRecord` per step entered, in order
        (built from :attr:`step_rows` on each read)."""
        return tuple(StepRecord(*row) for row in self.step_rows)

    @property
    def assignment(self) -> Assignment | None:
        """Who holds the step in progress (lead, cooperating, observers), or None when it is
        not assigned or no step is in progress."""
        rows = self.step_rows
        if not self.assignments or not rows or rows[-1][ROW_LEFT_AT] is not None:
            return None
        last = self.assignments[-1]
        row = rows[-1]
        return last if last.step == row[ROW_STEP] and last.step_entered_at == row[3] else None

    @property
    def step_deadlines(self) -> dict[str, datetime]:
        """Deadline of each step, from its share of the limit (process control slip)."""
        return dict(self.step_due)

    def timeliness_at(self, now: datetime) -> Timeliness | None:
        """Resolution class if resolved, else within deadline / overdue at ``now``.

        Dossiers not yet received, refused or withdrawn have none. A paused dossier is judged
        at the moment it was paused: its clock is stopped.
        """
        if self.resolution_timeliness is not None:
            return Timeliness(self.resolution_timeliness)
        if self.due_at is None or not self.is_open or self.outcome is not None:
            return None
        moment = self.pauses[-1].start if self.paused else now
        return Timeliness.OVERDUE if moment > self.due_at else Timeliness.WITHIN_DEADLINE

    @property
    def timeliness(self) -> Timeliness | None:
        """:meth:`timeliness_at` the moment this snapshot was read (``as_of``), else its last change."""
        return self.timeliness_at(self.as_of or self.updated_at)

    def to_dict(self) -> dict[str, Any]:
        """The dossier as JSON-ready data: :class:`~tthc_flow.engine.DossierModel`'s form
        (docs/dossier-json.md); :meth:`from_dict` reads it back to an equal dossier."""
        from tthc_flow.engine._dossier_json import DossierModel

        return DossierModel.of(self).model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Dossier:
        """The dossier :meth:`to_dict` gave; raises pydantic's ValidationError on bad data."""
        from tthc_flow.engine._dossier_json import DossierModel

        return _from_model(DossierModel.model_validate(data))


def _from_model(model: DossierModel) -> Dossier:
    """The dossier a :class:`DossierModel` describes, its moments in the library's zone."""
    values: dict[str, Any] = {}
    for name in type(model).model_fields:
        if name not in _MODEL_ONLY:
            values[name] = _vn(getattr(model, name))
    values["fees"] = tuple(FeeRecord(**_vn(f.model_dump())) for f in model.fees)
    values["step_due"] = tuple((s.step, _vn(s.due_at)) for s in model.step_due)
    values["step_rows"] = tuple(tuple(_vn(s.model_dump()).values()) for s in model.steps)
    values["pauses"] = tuple(
        Pause(**{**_vn(p.model_dump()), "missing": p.missing, "documents": p.documents})
        for p in model.pauses
    )
    values["reschedules"] = tuple(Reschedule(**_vn(r.model_dump())) for r in model.reschedules)
    values["consultations"] = tuple(
        Consultation(**_vn(c.model_dump())) for c in model.consultations
    )
    values["data"] = tuple(sorted(model.data.items()))
    papers = Papers(
        values.pop("applicant_record"),
        values.pop("reception_centre"),
        values.pop("documents"),
        values.pop("results"),
        values.pop("payment_requests"),
        values.pop("payments"),
        values.pop("rating"),
        values.pop("petitions"),
    )
    return Dossier(**values, papers=NO_PAPERS if papers == NO_PAPERS else papers)


_MODEL_ONLY = frozenset({"schema_version", "steps"})


def _vn(value: Any) -> Any:
    """Moments in the library's own zone object (parsed JSON carries a fixed +07:00 offset)."""
    if isinstance(value, datetime):
        return value.astimezone(VN_TZ)
    if isinstance(value, dict):
        return {k: _vn(v) for k, v in value.items()}
    return value


# The template start() copies and fills in (never handed out): every field, None for those
# without a default. Copying a dict is cheaper than Dossier's frozen __init__, which sets the
# fields one object.__setattr__ at a time (a first snapshot's __dict__ costs ~830 B).
_EMPTY = build_frozen(
    Dossier, {f.name: None if f.default is MISSING else f.default for f in fields(Dossier)}
)


def iso(moment: datetime) -> str:
    """ISO text of a Vietnam-time moment for an event payload (read back by :func:`_at`)."""
    return moment.isoformat()


def _at(value: str) -> datetime:
    # payloads hold ISO text; give back the zone every other datetime of the library carries
    return datetime.fromisoformat(value).astimezone(VN_TZ)


def _dt(value: str | None) -> datetime | None:
    return _at(value) if value else None


def _step_due(payload: dict[str, Any]) -> tuple[tuple[str, datetime], ...] | None:
    raw = payload.get("step_due")
    if raw is None:
        return None
    return tuple((step, _at(due)) for step, due in raw)


def _merge_data(dossier_data: tuple[tuple[str, Any], ...], new: dict[str, Any] | None) -> Any:
    if not new:
        return dossier_data
    merged = dict(dossier_data)
    merged.update(new)
    return tuple(sorted(merged.items()))


def start(event: Event) -> Dossier:
    """The dossier created by its first event (``submit`` or ``receive``)."""
    p = event.payload
    fields_of_new: dict[str, Any] = {
        "code": event.dossier_code,
        "procedure_code": p["procedure_code"],
        "procedure_version": p["procedure_version"],
        "agency_code": p["agency_code"],
        # a version 4 payload read without its kept-apart values (a chain export, which
        # never holds them): the name reads as erased
        "applicant": p["applicant"] if MARKER not in p else p.get("applicant", ERASED),
        "channel": p["channel"],
        "state": event.to_state,
        "version": event.version,
        "last_hash": event.hash,
        "submitted_at": event.at,
        "updated_at": event.at,
        "on_the_spot": bool(p.get("on_the_spot", False)),
        "fees_due": int(p.get("fees_due", 0)),
        "fees": tuple(
            FeeRecord(name, int(amount), kind) for name, amount, kind in p.get("fees", ())
        ),
        "data": _merge_data((), p.get("data")),
        "alert_due_at": _dt(p.get("alert_due_at")),
        "accept_due_at": _dt(p.get("accept_due_at")),
    }
    record = p.get("applicant_record")
    documents = p.get("documents")
    centre = p.get("reception_centre")
    if record is not None or documents or centre is not None:
        from tthc_flow.engine._applicant import Applicant

        fields_of_new["papers"] = Papers(
            Applicant.model_validate(record) if record is not None else None,
            centre,
            _documents(documents) if documents else (),
        )
    if event.effect == "accept":
        fields_of_new.update(_accepted(event))
    return copy_frozen(_EMPTY, fields_of_new)


def _documents(raw: list[dict[str, Any]]) -> tuple[SubmittedDocument, ...]:
    from tthc_flow.engine._documents import SubmittedDocument

    return tuple(SubmittedDocument.model_validate(item) for item in raw)


def _accepted(event: Event) -> dict[str, Any]:
    """The fields the receipt sets: the clock start, the appointment, the step deadlines."""
    due = _dt(event.payload["due_at"])
    return {
        "received_at": event.at,
        "clock_started_at": _dt(event.payload["clock_started_at"]),
        "due_at": due,
        "original_due_at": due,
        "step_due": _step_due(event.payload) or (),
    }


def _close_step(d: Dossier, event: Event) -> tuple[StepRow, ...]:
    rows = d.step_rows
    if rows and rows[-1][ROW_LEFT_AT] is None:
        step, role, agency, entered_at, due, _, _, _, transfer_due_at = rows[-1]
        at = event.at
        # The engine writes ``step_timeliness`` unless its TimelinessPolicy is the default,
        # which then decided it: the same rule, read from its one home (keeps the hashed
        # payload short on the hot path; _engine._decide)
        timeliness = event.payload.get("step_timeliness")
        if timeliness is None and due is not None:
            timeliness = classify(at, due, DEFAULT_TIMELINESS)
        closed = (step, role, agency, entered_at, due, at, event.actor, timeliness, transfer_due_at)
        return (*rows[:-1], closed)
    return rows


def _open_step(d: Dossier, rows: tuple[StepRow, ...], event: Event) -> tuple[StepRow, ...]:
    p = event.payload
    due = None
    for step, at in d.step_due:  # a plain loop: next() over a generator costs twice as much
        if step == event.to_state:
            due = at
            break
    transfer = p.get("transfer_due_at")
    entered: StepRow = (
        event.to_state,
        p["role"],
        p.get("agency"),
        event.at,
        due,
        None,
        None,
        None,
        _at(transfer) if transfer else None,
    )
    return (*rows, entered)


def _pay(d: Dossier, event: Event) -> tuple[FeeRecord, ...]:
    paid = event.payload["fees_paid"]
    names, online = set(paid["names"]), bool(paid["online"])
    remit = _dt(paid.get("remit_due_at"))
    return tuple(
        replace(fee, paid_at=event.at, paid_online=online, remit_due_at=remit)
        if fee.name in names and fee.paid_at is None
        else fee
        for fee in d.fees
    )


def apply(d: Dossier, event: Event) -> Dossier:
    """The dossier after ``event``; pure. Raises :class:`~tthc_flow.errors.EventOutOfOrder`
    (a ValueError) if the event does not follow ``d``."""
    if event.version != d.version + 1 or event.prev_hash != d.last_hash:
        raise EventOutOfOrder(
            f"event {event.version} of {event.dossier_code} does not follow version {d.version}",
            dossier_code=event.dossier_code,
            version=event.version,
            expected_version=d.version + 1,
        )
    p = event.payload
    common: dict[str, Any] = {}  # the fields that change, set below (engine/_fast.py)
    common["state"] = event.to_state
    common["version"] = event.version
    common["last_hash"] = event.hash
    common["updated_at"] = event.at
    new_data = p.get("data")
    if new_data:
        common["data"] = _merge_data(d.data, new_data)
    effect = event.effect
    if "accept_late" in p:
        common["accept_late"] = p["accept_late"]
    if effect == "accept":
        common.update(_accepted(event))
    elif effect == "request_supplement":
        closes_at = p.get("closes_at")
        pause = Pause(
            event.at,
            event.from_state,
            None,
            tuple(p.get("missing", ())),
            _at(closes_at) if closes_at else None,
            event.actor,
            d.due_at,
        )
        common["pauses"] = (*d.pauses, pause)
    elif effect == "resume":
        if "due_at" in p:
            due = _dt(p["due_at"])
            common["due_at"] = due
            common["original_due_at"] = _dt(p.get("original_due_at")) or due
            if "clock_started_at" in p:
                common["clock_started_at"] = _dt(p["clock_started_at"])
            common["step_due"] = _step_due(p) or d.step_due
            rows = d.step_rows
            if rows and rows[-1][ROW_LEFT_AT] is None:
                # the step in progress gets its new deadline
                current = rows[-1]
                new_due = dict(common["step_due"]).get(current[ROW_STEP])
                common["step_rows"] = (*rows[:-1], (*current[:4], new_due, *current[5:]))
        handed_in = p.get("documents")
        ended = replace(
            d.pauses[-1],
            end=event.at,
            due_after=common.get("due_at", d.due_at),
            documents=_documents(handed_in) if handed_in else (),
        )
        common["pauses"] = (*d.pauses[:-1], ended)
    elif effect in ("handover", "advance"):
        common["step_rows"] = _open_step(d, _close_step(d, event), event)
    elif effect in ("approve", "reject"):
        common["step_rows"] = _close_step(d, event)
        common["resolved_at"] = event.at
        common["outcome"] = "approved" if effect == "approve" else "rejected"
        common["resolution_timeliness"] = p["timeliness"]
        common["processing_seconds"] = p.get("processing_seconds")
    elif effect == "return":
        common["returned_at"] = event.at
        common["closed_at"] = event.at
        if "early_return" in p:
            common["early_return"] = p["early_return"]
            common["early_notice"] = p["early_notice"]
    elif effect in ("refuse", "withdraw", "stop"):
        common["step_rows"] = _close_step(d, event)
        common["closed_at"] = event.at
        common["outcome"] = {"refuse": "refused", "withdraw": "withdrawn"}.get(effect, "closed")
        if effect == "refuse" and "timeliness" in p:
            # refused after the receipt slip: the authority's reasoned result, a rejection
            # (Decree 118/2025/ND-CP art. 19.3; RefusalPolicy)
            common["resolved_at"] = event.at
            common["outcome"] = "rejected"
            common["resolution_timeliness"] = p["timeliness"]
            common["processing_seconds"] = p.get("processing_seconds")
        if d.paused:
            common["pauses"] = (*d.pauses[:-1], replace(d.pauses[-1], end=event.at))
    elif effect == "custom":
        if event.to_state != event.from_state:
            # a procedure's own move (e.g. send back to appraisal) still keeps the slip right
            steps = _close_step(d, event)
            common["step_rows"] = _open_step(d, steps, event) if "role" in p else steps
    elif effect == "consult":
        asked = Consultation(p["body"], event.at, _at(p["answer_due_at"]))
        common["consultations"] = (*d.consultations, asked)
    elif effect == "answer":
        done = False
        updated = []
        for c in d.consultations:
            if not done and c.body == p["body"] and c.answered_at is None:
                c = replace(c, answered_at=event.at, late=p["answer_late"])
                done = True
            updated.append(c)
        common["consultations"] = tuple(updated)
    elif effect == "report_error":
        common["correction_due_at"] = _at(p["correction_due_at"])
        common["corrected_at"] = common["correction_late"] = None
    elif effect == "correct":
        common["corrected_at"] = event.at
        common["correction_late"] = p["correction_late"]
    elif effect == "request_payment":
        common["awaiting_payment_since"] = event.at
        if "payment_request" in p:
            request = fold_request(p, event.at, event.actor)
            requests = (*d.payment_requests, request)
            common["papers"] = replace(d.papers, payment_requests=requests)
    elif effect == "payment_done":
        common["awaiting_payment_since"] = None
    elif effect == "reschedule":
        new_due = _at(p["new_due_at"])
        assert d.due_at is not None
        record = Reschedule(event.at, d.due_at, new_due, p.get("reason", ""), event.actor)
        common["reschedules"] = (*d.reschedules, record)
        common["due_at"] = new_due
    elif effect in ASSIGNMENT_TRIGGERS:
        entered = d.step_rows[-1][3]  # the engine assigns only a step in progress
        recorded = assignment_of(p, effect, event.at, event.actor, entered)
        common["assignments"] = (*d.assignments, recorded)
    elif effect in RESULT_EFFECTS:
        common["papers"] = replace(d.papers, results=fold_results(d.results, event))
    elif effect == RATE:
        common["papers"] = replace(d.papers, rating=fold_rating(p, event.at, event.actor))
    elif effect in PETITION_EFFECTS:
        petitions = fold_petitions(d.petitions, effect, p, event.at, event.actor)
        common["papers"] = replace(d.papers, petitions=petitions)
    elif effect == ERASE_EFFECT:  # the personal data erased on request (engine/_personal.py)
        common.update(erased_fields(d, event))
    documents = p.get("documents")
    if documents:  # components handed in with a supplement
        papers = common.get("papers", d.papers)
        common["papers"] = replace(papers, documents=(*papers.documents, *_documents(documents)))
    if "fees_paid" in p:
        common["fees"] = _pay(d, event)
    if "payment" in p:
        common["papers"] = _paid(common.get("papers", d.papers), event)
    return copy_frozen(d, common)


def _paid(papers: Papers, event: Event) -> Papers:
    """``papers`` with the payment ``event`` recorded (and its request marked paid)."""
    payment = fold_payment(event.payload, event.at, event.actor)
    requests = papers.payment_requests
    if payment.request is not None:
        requests = tuple(
            replace(r, paid_at=event.at) if r.number == payment.request else r for r in requests
        )
    return replace(papers, payments=(*papers.payments, payment), payment_requests=requests)


def replay(events: Iterable[Event]) -> Dossier:
    """Fold a dossier's events, oldest first, into its state."""
    iterator = iter(events)
    first = next(iterator, None)
    if first is None:
        raise EventOutOfOrder("no events to replay", expected_version=1)
    if first.version != 1 or first.prev_hash != GENESIS_HASH:
        raise EventOutOfOrder(
            f"first event of {first.dossier_code} is not version 1",
            dossier_code=first.dossier_code,
            version=first.version,
            expected_version=1,
        )
    dossier = start(first)
    for event in iterator:
        dossier = apply(dossier, event)
    return dossier
