"""The legal rules the engine applies, each a named, configurable policy with its source.

Defaults follow Decree 118/2025/ND-CP (the one-stop mechanism, in force 1 Jul 2025) where it
speaks, and documented local practice where it is silent; docs/legal-rules.md gives the
articles and the tests that pin each rule. Agencies that differ pass their own values to
:class:`Policies`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum


class SupplementMode(StrEnum):
    """What a supplement request during handling does to the time limit."""

    RESTART = "restart"
    """The limit runs again in full from the moment the complete dossier arrives."""
    PAUSE = "pause"
    """The clock stops while waiting and resumes with the time that was left."""


@dataclass(frozen=True)
class ClockStartPolicy:
    """When the time limit starts.

    Source: Decree 118/2025/ND-CP art. 17.3: the limit runs from the receipt of a complete,
    valid dossier as shown on the receipt and appointment slip. The decree does not say what
    happens to a dossier (typically online) arriving outside working hours; like the national
    portal, the default starts the clock at the next working moment. ``cutoff`` (e.g. 16:00)
    moves dossiers arriving after it on a working day to the next working day (local rule).
    """

    cutoff: time | None = None


@dataclass(frozen=True)
class DueDatePolicy:
    """How a limit in working days becomes an appointment moment.

    ``same_clock_time`` (default): the n-th working day after receipt at the same time of
    day, so a dossier received Monday 10:00 with 3 days is due Thursday 10:00 (as OpenCPS
    computes it). ``end_of_day``: the close of the n-th working day. Calendar-day limits ending
    on a non-working day move to the next working day (Civil Code 2015 art. 148.5).
    """

    mode: str = "same_clock_time"

    def __post_init__(self) -> None:
        if self.mode not in {"same_clock_time", "end_of_day"}:
            raise ValueError("DueDatePolicy.mode must be 'same_clock_time' or 'end_of_day'")


@dataclass(frozen=True)
class SupplementPolicy:
    """Supplement requests (yêu cầu bổ sung, hoàn thiện hồ sơ).

    Source: Decree 118/2025/ND-CP art. 16.3 and 17.2.a (only one request at reception, listing
    everything missing) and art. 19.5 (a request found during appraisal is made within 3
    working days of receipt, and the limit is counted again from receipt of the complete
    dossier: ``RESTART``). ``close_after_days``: an unsupplemented dossier may be closed
    after this many days (domain.md; configurable, None disables the timer).
    """

    mode: SupplementMode = SupplementMode.RESTART
    max_at_reception: int = 1
    max_during_handling: int | None = None
    close_after_days: int | None = 15


@dataclass(frozen=True)
class ReschedulePolicy:
    """Apology and new appointment (xin lỗi và hẹn lại ngày trả kết quả).

    Source: Decree 118/2025/ND-CP art. 19.6: the unit at fault sends an apology with a new
    date no later than ``min_notice_days`` working day before the due date, and a dossier is
    rescheduled only ``max_times`` (once).
    """

    max_times: int = 1
    min_notice_days: int = 1


@dataclass(frozen=True)
class TimelinessPolicy:
    """Early / on time / late at resolution (trước hạn / đúng hạn / quá hạn).

    The decree does not define the classes; this follows the national portal's practice:
    ``date`` granularity compares calendar days (before the due date: early; on it: on time;
    after: late); ``moment`` compares exact times (on time only within ``on_time_window``
    before the due moment). ``rescheduled_counts_late``: a dossier that needed an apology counts
    as late in statistics even if it met the new date (domain.md; Decision 766/QD-TTg practice).
    """

    granularity: str = "date"
    rescheduled_counts_late: bool = True

    def __post_init__(self) -> None:
        if self.granularity not in {"date", "moment"}:
            raise ValueError("TimelinessPolicy.granularity must be 'date' or 'moment'")


@dataclass(frozen=True)
class DossierCodeFormat:
    """The dossier code (mã số hồ sơ).

    Source: Decree 118/2025/ND-CP art. 28 (authority identifier, receipt date, sequence of the
    day). ``pattern`` is a :meth:`str.format` template with ``agency``, ``date`` and ``seq``.
    Sequences are per agency and per day, issued atomically by the store.

    >>> DossierCodeFormat().render("SCT", date(2026, 4, 24), 7)
    'SCT-260424-0007'
    """

    pattern: str = "{agency}-{date:%y%m%d}-{seq:04d}"

    def render(self, agency: str, day: date, seq: int) -> str:
        """The code of the ``seq``-th dossier of ``day`` at ``agency``."""
        return self.pattern.format(agency=agency, date=day, seq=seq)


@dataclass(frozen=True)
class Policies:
    """All rules the engine applies; pass your own to change one."""

    clock_start: ClockStartPolicy = field(default_factory=ClockStartPolicy)
    due_date: DueDatePolicy = field(default_factory=DueDatePolicy)
    supplement: SupplementPolicy = field(default_factory=SupplementPolicy)
    reschedule: ReschedulePolicy = field(default_factory=ReschedulePolicy)
    timeliness: TimelinessPolicy = field(default_factory=TimelinessPolicy)
    dossier_code: DossierCodeFormat = field(default_factory=DossierCodeFormat)


def classify_resolution(
    resolved_at: datetime, due_at: datetime, rescheduled: bool, policy: TimelinessPolicy
) -> str:
    """``early``, ``on_time`` or ``late`` for a dossier resolved at ``resolved_at``."""
    if rescheduled and policy.rescheduled_counts_late:
        return "late"
    if policy.granularity == "date":
        resolved_day, due_day = resolved_at.date(), due_at.date()
        if resolved_day < due_day:
            return "early"
        return "on_time" if resolved_day == due_day else "late"
    if resolved_at > due_at:
        return "late"
    return "on_time" if resolved_at.date() == due_at.date() else "early"
