"""The legal rules the engine applies, each a named, configurable policy with its source.

Defaults follow Decree 118/2025/ND-CP (the one-stop mechanism, in force 1 Jul 2025) where it
speaks, and documented local practice where it is silent; docs/legal-rules.md gives the
articles and the tests that pin each rule. Agencies that differ pass their own values to
:class:`Policies`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from functools import lru_cache

from tthc_flow._choices import set_choice
from tthc_flow.engine._assignment import AssignmentPolicy
from tthc_flow.engine._authority import Authorizer
from tthc_flow.engine._messages import OutboxPolicy
from tthc_flow.engine._personal import PersonalDataPolicy
from tthc_flow.engine._timeliness import (
    TimelinessPolicy,
)
from tthc_flow.engine._timers import ReminderPolicy
from tthc_flow.errors import ConfigurationError
from tthc_flow.procedure import Duration, TimeUnit


class SupplementMode(StrEnum):
    """What a supplement request during handling does to the time limit."""

    RESTART = "restart"
    """The limit runs again in full from the moment the complete dossier arrives."""
    PAUSE = "pause"
    """The clock stops while waiting and resumes with the time that was left."""


class DayLimitStart(StrEnum):
    """Where a limit in days starts counting (:attr:`ClockStartPolicy.day_limits_from`)."""

    RECEIPT_DATE = "receipt_date"
    """From the day after the receipt date (Civil Code 2015 art. 147.2): the law."""
    NEXT_WORKING_MOMENT = "next_working_moment"
    """From the day after the next working moment (a reading some systems used)."""


@dataclass(frozen=True)
class ClockStartPolicy:
    """When the time limit starts.

    Source: Decree 118/2025/ND-CP art. 17.3 ("Thời gian giải quyết thủ tục hành chính được
    tính từ thời điểm hồ sơ đã được tiếp nhận đầy đủ, hợp lệ và được thể hiện trên Giấy tiếp
    nhận hồ sơ và hẹn trả kết quả"). The decree has no counting rule of its own, so the Civil
    Code 2015 applies (art. 145.1): a limit in hours starts at the moment set (art. 147.1), so
    a working-hour limit runs in working time from the next working moment; a limit in days
    does not count the day of the event and runs from the next day (art. 147.2, 147.3).

    ``day_limits_from``: ``receipt_date`` (default, the law): a limit in days counts from the
    day after the receipt date even when the dossier arrived after closing time or on a day
    off. ``next_working_moment``: the reading of systems that first move such a receipt to
    the next working moment and count from that day (one working day later; kept for
    replaying such a system's figures, not the law's answer). ``cutoff`` (e.g. 16:00): a
    local rule that treats a receipt after it on a working day as made at the start of the
    next working day (not in the decree).
    """

    cutoff: time | None = None
    day_limits_from: DayLimitStart = DayLimitStart.RECEIPT_DATE
    """A :class:`DayLimitStart` or its text; anything else is a ConfigurationError."""

    def __post_init__(self) -> None:
        set_choice(self, "day_limits_from", DayLimitStart)


class DueDateMode(StrEnum):
    """How a limit in working days becomes a moment (:attr:`DueDatePolicy.mode`)."""

    SAME_CLOCK_TIME = "same_clock_time"
    """The receipt's clock time on the last day, if received inside working hours."""
    END_OF_DAY = "end_of_day"
    """Always the end of the last day (Civil Code 2015 art. 148.1)."""


class DayEnd(StrEnum):
    """What "the end of the last day" is (:attr:`DueDatePolicy.day_ends`)."""

    CLOSE = "close"
    """The close of the desk's last working period (17:00 by default)."""
    MIDNIGHT = "midnight"
    """24:00 (Civil Code 2015 art. 148.6), written as the day's last instant."""


@dataclass(frozen=True)
class DueDatePolicy:
    """How a limit in working days becomes an appointment moment.

    The last day: the n-th working day after the receipt date, the receipt date not counted
    (Civil Code 2015 art. 147.2; :class:`ClockStartPolicy`). ``same_clock_time`` (default,
    the practice of OpenCPS and the appointment slips): a dossier received inside working
    hours is due at the same time of day, so Monday 10:00 with 3 days is due Thursday 10:00;
    one received outside working hours (after closing, in the lunch break, on a day off) has
    no clock time of the working day to keep and is due at the end of the last day, the
    Civil Code's rule (art. 148.1). ``end_of_day``: always the end of the last day (art.
    148.1). A calendar-day limit whose last day is a weekend or holiday ends at the end of the
    next working day (art. 148.5), in both modes.

    ``day_ends`` says what "the end of the last day" is. ``"close"`` (default): the close of
    the desk's last working period (17:00 by default): an appointment is a time the desk is
    open to hand the result over. ``"midnight"``: 24:00, as Civil Code art. 148.6 defines the
    end of a day, written as the day's last instant (23:59:59.999999) so that the date stays
    the last day's (the slips and the date granularity of timeliness read it). The two differ
    only for an act done between closing and midnight of the last day (docs/legal-rules.md,
    "ambiguities").
    """

    mode: DueDateMode = DueDateMode.SAME_CLOCK_TIME
    """A :class:`DueDateMode` or its text; anything else is a ConfigurationError."""
    day_ends: DayEnd = DayEnd.CLOSE
    """A :class:`DayEnd` or its text; anything else is a ConfigurationError."""

    def __post_init__(self) -> None:
        set_choice(self, "mode", DueDateMode)
        set_choice(self, "day_ends", DayEnd)


@dataclass(frozen=True)
class SupplementPolicy:
    """Supplement requests (yêu cầu bổ sung, hoàn thiện hồ sơ).

    Source: Decree 118/2025/ND-CP art. 16.3 and 17.2.a (only ``max_at_reception`` = one
    request at reception, listing everything missing) and art. 19.5 (a gap found during
    appraisal is notified once, within ``within_working_days`` = 3 working days of receipt,
    and the limit is counted again from receipt of the complete dossier: ``RESTART``).
    ``max_during_handling`` (1): the article allows one notice during handling; None lifts
    the limit. ``within_working_days`` None lifts the window.

    Closure (art. 19.5: "Sau 15 ngày kể từ khi thông báo ... nếu tổ chức, cá nhân không hoàn
    thành việc hoàn thiện hồ sơ, cán bộ ... Bộ phận Một cửa thực hiện đóng hồ sơ"): a dossier
    sent back during handling whose supplement has not arrived ``close_after_days`` (15)
    days after the notice is closed ("đóng hồ sơ", outcome ``closed``, not a withdrawal).
    The days are counted as the Civil Code does (art. 145.1): the day of the notice is not
    counted (147.3), the period ends at 24:00 of its last day (148.1, 148.6), or of the next
    working day when the last day is a weekend or holiday (148.5). The moment is written as
    ``closes_at`` on the request event. ``close_at_reception`` (False): the article names
    dossiers returned after appraisal; a request at reception (art. 17.1.c, 17.2.a) sets no
    closure unless an agency's rule says so. None for ``close_after_days`` disables closure.
    """

    mode: SupplementMode = SupplementMode.RESTART
    """A :class:`SupplementMode` or its text; anything else is a ConfigurationError."""
    max_at_reception: int = 1
    max_during_handling: int | None = 1
    within_working_days: int | None = 3
    close_after_days: int | None = 15
    close_at_reception: bool = False

    def __post_init__(self) -> None:
        # coerced: the engine compares with ``is SupplementMode.RESTART``, so the text
        # "restart" left as a str would silently mean PAUSE
        set_choice(self, "mode", SupplementMode)


class NonWorkingDayRule(StrEnum):
    """A new appointment on a non-working day (:attr:`ReschedulePolicy.non_working_day`)."""

    REJECT = "reject"
    """Refused with InvalidCommand: choose a working day."""
    ROLL_FORWARD = "roll_forward"
    """Moved to the same time on the next working day."""


@dataclass(frozen=True)
class ReschedulePolicy:
    """Apology and new appointment (xin lỗi và hẹn lại ngày trả kết quả).

    Source: Decree 118/2025/ND-CP art. 19.6: the unit at fault sends an apology with a new
    date no later than ``min_notice_days`` working day before the due date, and a dossier is
    rescheduled only ``max_times`` (once).
    """

    max_times: int = 1
    min_notice_days: int = 1
    non_working_day: NonWorkingDayRule = NonWorkingDayRule.REJECT
    """A new appointment on a non-working day: ``reject`` it (InvalidCommand) or
    ``roll_forward`` to the same time on the next working day (local convention: the decree
    does not say; an appointment is a day the desk is open). A :class:`NonWorkingDayRule` or
    its text."""

    def __post_init__(self) -> None:
        set_choice(self, "non_working_day", NonWorkingDayRule)


@dataclass(frozen=True)
class DossierCodeFormat:
    """The dossier code (mã số hồ sơ).

    Source: Decree 118/2025/ND-CP art. 28 (authority identifier, receipt date, sequence of the
    day; docs/legal-rules.md §1.6). ``pattern`` is a :meth:`str.format` template with
    ``agency``, ``date`` and ``seq``; ``{agency}`` and ``{seq}`` are required (a code must name
    the authority and be unique within its day). Sequences are per agency and per day, issued
    atomically by the store. The date is the day, in Vietnam time, the dossier reached the
    agency (the creating event: receipt at the desk, or an online submission's arrival), since
    the code is issued then and never changes; the clock start is recorded separately.

    >>> DossierCodeFormat().render("SCT", date(2026, 4, 24), 7)
    'SCT-260424-0007'
    """

    pattern: str = "{agency}-{date:%y%m%d}-{seq:04d}"

    def __post_init__(self) -> None:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(self.pattern) if name}
        except ValueError as error:
            raise ConfigurationError(
                f"DossierCodeFormat.pattern {self.pattern!r}: {error}",
                setting="DossierCodeFormat.pattern",
                value=self.pattern,
            ) from None
        unknown = names - {"agency", "date", "seq"}
        missing = {"agency", "seq"} - names
        if unknown or missing:
            raise ConfigurationError(
                f"DossierCodeFormat.pattern {self.pattern!r}: "
                + (f"unknown field(s) {', '.join(sorted(unknown))}; " if unknown else "")
                + (
                    f"missing {', '.join('{' + m + '}' for m in sorted(missing))}; "
                    if missing
                    else ""
                )
                + "use {agency}, {date:%y%m%d} and {seq:04d}",
                setting="DossierCodeFormat.pattern",
                value=self.pattern,
            )
        try:
            self.render("SCT", date(2026, 1, 5), 1)
        except (ValueError, TypeError, KeyError, IndexError) as error:
            raise ConfigurationError(
                f"DossierCodeFormat.pattern {self.pattern!r}: {error}",
                setting="DossierCodeFormat.pattern",
                value=self.pattern,
            ) from None

    def render(self, agency: str, day: date, seq: int) -> str:
        """The code of the ``seq``-th dossier of ``day`` at ``agency``."""
        return _day_template(self.pattern, agency, day).format(seq=seq)


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@lru_cache(maxsize=1024)
def _day_template(pattern: str, agency: str, day: date) -> str:
    """``pattern`` with ``agency`` and ``date`` filled in and ``seq`` left as its field.

    Formatting a date (strftime) is most of a code's cost, and every dossier of an agency's
    day shares it: each (agency, day) is formatted once.
    """
    parts = []
    for literal, name, spec, conversion in string.Formatter().parse(pattern):
        parts.append(_escaped(literal))
        if name is None:
            continue
        suffix = (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if name == "seq":
            parts.append("{seq" + suffix)
        else:
            parts.append(_escaped(("{0" + suffix).format(agency if name == "agency" else day)))
    return "".join(parts)


@dataclass(frozen=True)
class OnTheSpotPolicy:
    """ "4 tại chỗ": receive, appraise, approve and return at the desk in one visit.

    Not in the decree: a local practice (docs/legal-rules.md §8; Hải Phòng 2020 plan). A
    dossier received with ``on_the_spot=True`` (of a procedure flagged ``on_the_spot``) skips
    the specialised units: it waits in ``handled_at_desk`` until the desk resolves it, and its
    time limit is ``limit`` (default 4 working hours) instead of the procedure's limit. Other
    dossiers of the same procedure keep the procedure's limit. A ``base: on_the_spot``
    workflow (every dossier decided at the desk) keeps its own steps and limit, without
    supplement requests during handling or apologies.
    """

    limit: Duration = field(default_factory=lambda: Duration(value=4, unit=TimeUnit.WORKING_HOURS))
    trimmed: bool = True
    """False: on-the-spot dossiers follow the standard path with the procedure's limit (the
    behaviour before this policy; the simulator's own on-the-spot model uses it)."""


@dataclass(frozen=True)
class TransferPolicy:
    """Hand-over deadlines, recorded on each step (never blocking a command).

    Sources (Decree 118/2025/ND-CP, transcription read for issue 15):

    * art. 18.2: a paper dossier received at the desk goes to the deciding unit the same
      working day, or at the start of the next working day if received after
      ``paper_cutoff`` (15:00); an online or digitised one moves at once (art. 18.1).
    * art. 20.1 (cross-level reception): a provincial or commune centre receiving a dossier
      for an authority of another level sends the electronic dossier at once and the paper
      one "trong không quá 01 ngày làm việc kể từ khi tiếp nhận hồ sơ":
      ``cross_level_working_days`` (1), counted from the day after the receipt date (Civil
      Code 2015 art. 147.2), so due at the end of that working day; the result returns
      through the receiving centre (art. 20.1.b). A dossier is cross-level when the receive
      command names a ``reception_level`` other than the procedure's ``level``.
    * art. 20.2.a (same level, several agencies): each agency has its own deadline on the
      hand-over slip and passes the dossier on as soon as its part is done, so entering
      another agency's step is due at the previous step's deadline
      (``inter_agency_working_days`` = 0). The earlier project rule "previous step's deadline
      + 1 working day" has no article; it is kept as a setting (1).
    """

    paper_cutoff: time = time(15, 0)
    inter_agency_working_days: int = 0
    cross_level_working_days: int = 1


@dataclass(frozen=True)
class AgencyPolicy:
    """Who may act on a step owned by another agency (liên thông).

    ``require_same_agency`` (default True): an actor acting on a step whose state names an
    agency must carry that agency (``Actor.agency``); otherwise PermissionDenied. Local rule
    (the decree assigns each agency its own part, art. 20); set False for single-system
    deployments that do not record the actor's agency.
    """

    require_same_agency: bool = True
    home_agency: bool = True
    """An actor with an agency may act only on dossiers of its agency, or on a dossier whose
    current step is its agency's (liên thông); else PermissionDenied (rule
    ``AgencyPolicy.home_agency``). Roles ``applicant`` and ``system`` are not scoped."""
    serves: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Agencies whose staff act for others: ``{"TTPVHCC": frozenset({"*"})}`` lets the
    provincial service centre's desk receive and return for every department (art. 14.2)."""
    actors_need_agency: bool = False
    """True: an actor without an agency is refused (a multi-agency deployment should set it,
    so an account missing its agency cannot act everywhere)."""
    authorize: Authorizer | None = None
    """The deployment's own check, run inside every command after the engine's role and
    agency checks, on the dossier as committed (docs/agencies.md)."""


@dataclass(frozen=True)
class ResultPolicy:
    """Returning the result and paying online (Decree 118/2025/ND-CP art. 22.5, 24.3).

    * art. 22.5: returning a result before the appointment is encouraged, but "phải được Bộ
      phận Một cửa thông báo cho tổ chức, cá nhân biết trước": a ``return_result`` before
      ``due_at`` is recorded with ``early_return: true`` and ``early_notice`` (the command's
      ``notified=True``); ``require_early_notice`` (False: recorded, not enforced) refuses an
      early return without notice.
    * art. 24.3: a charge paid online is remitted to the budget within ``remit_working_hours``
      (8) working hours of the payment unless a sector law sets another time: the payment
      event carries ``remit_due_at``; None disables it.
    """

    require_early_notice: bool = False
    remit_working_hours: float | None = 8
    correction_working_days: int = 3
    """art. 23.1: a wrong result found at return is corrected and back at the desk "chậm nhất
    trong vòng 03 ngày làm việc" (counted like any limit in days: from the day after)."""


class AlertUnit(StrEnum):
    """How the 2-hour alert of an online submission is counted
    (:attr:`OnlineReceiptPolicy.alert_unit`; docs/legal-rules.md, ambiguities)."""

    HOURS = "hours"
    """Clock hours ("02 giờ", art. 17.2)."""
    WORKING_HOURS = "working_hours"
    """Working hours (the other reading)."""


@dataclass(frozen=True)
class OnlineReceiptPolicy:
    """Deadlines of an online submission before its receipt (art. 17.2).

    Source: Decree 118/2025/ND-CP art. 17.2: "Trong vòng 02 giờ kể từ khi Cổng Dịch vụ công
    quốc gia phản hồi ..., Hệ thống thông tin ... có thông báo với cán bộ ... tiếp nhận hồ sơ"
    (``alert_hours`` = 2) and 17.2.c: the desk notifies the official receipt or a request to
    complete the dossier "không muộn hơn 08 (tám) giờ làm việc kể từ khi Hệ thống thông tin
    giải quyết thủ tục hành chính tiếp nhận hồ sơ" (``accept_working_hours`` = 8), unless a
    sector law sets another limit. Both run from the submission (Civil Code 2015 art. 147.1);
    the engine writes them as ``alert_due_at`` and ``accept_due_at`` on the ``submit`` event of
    an online dossier, and marks ``accept_late`` on the receipt or the supplement request
    made after ``accept_due_at``.

    The article says "02 giờ" for the alert and "08 giờ làm việc" for the receipt: the
    default reads the alert as clock hours (``alert_unit="hours"``); ``"working_hours"`` is
    the other reading (docs/legal-rules.md, ambiguities). None disables a deadline.
    """

    alert_hours: float | None = 2
    alert_unit: AlertUnit = AlertUnit.HOURS
    """An :class:`AlertUnit` or its text; anything else is a ConfigurationError."""
    accept_working_hours: float | None = 8

    def __post_init__(self) -> None:
        set_choice(self, "alert_unit", AlertUnit)


class RefusalAfterReceipt(StrEnum):
    """What a ``refuse`` after the receipt slip is (:attr:`RefusalPolicy.after_receipt`)."""

    AS_REJECTION = "as_rejection"
    """The authority's reasoned result: resolved, outcome ``rejected`` (art. 19.3)."""
    FORBID = "forbid"
    """Refused with PolicyViolation: use the procedure's ``reject``."""


@dataclass(frozen=True)
class RefusalPolicy:
    """A refusal after the receipt slip is the authority's reasoned result.

    Source: Decree 118/2025/ND-CP art. 17.1.c: the desk refuses to *receive* a dossier before
    the slip ("Trường hợp từ chối nhận hồ sơ ... nêu rõ lý do theo mẫu Phiếu từ chối giải quyết
    hồ sơ"); once received, art. 19.3: a dossier found not to qualify is returned with a
    written, reasoned notice ("Phiếu từ chối giải quyết hồ sơ") entered as the result, within
    the time limit. ``after_receipt``: ``as_rejection`` (default): a ``refuse`` of a received
    dossier gets a rejection's bookkeeping: resolved, outcome ``rejected``, timeliness against
    the original appointment, so it stays in the resolved figures; ``forbid``: refused with
    PolicyViolation (use the procedure's ``reject``).
    """

    after_receipt: RefusalAfterReceipt = RefusalAfterReceipt.AS_REJECTION
    """A :class:`RefusalAfterReceipt` or its text; anything else is a ConfigurationError."""

    def __post_init__(self) -> None:
        set_choice(self, "after_receipt", RefusalAfterReceipt)


@dataclass(frozen=True)
class Policies:
    """All rules the engine applies; pass your own to change one."""

    clock_start: ClockStartPolicy = field(default_factory=ClockStartPolicy)
    due_date: DueDatePolicy = field(default_factory=DueDatePolicy)
    supplement: SupplementPolicy = field(default_factory=SupplementPolicy)
    reschedule: ReschedulePolicy = field(default_factory=ReschedulePolicy)
    timeliness: TimelinessPolicy = field(default_factory=TimelinessPolicy)
    dossier_code: DossierCodeFormat = field(default_factory=DossierCodeFormat)
    on_the_spot: OnTheSpotPolicy = field(default_factory=OnTheSpotPolicy)
    transfer: TransferPolicy = field(default_factory=TransferPolicy)
    agency: AgencyPolicy = field(default_factory=AgencyPolicy)
    assignment: AssignmentPolicy = field(default_factory=AssignmentPolicy)
    refusal: RefusalPolicy = field(default_factory=RefusalPolicy)
    online_receipt: OnlineReceiptPolicy = field(default_factory=OnlineReceiptPolicy)
    result: ResultPolicy = field(default_factory=ResultPolicy)
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    outbox: OutboxPolicy = field(default_factory=OutboxPolicy)
    personal_data: PersonalDataPolicy = field(default_factory=PersonalDataPolicy)
