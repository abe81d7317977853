"""Late risk per open dossier, and what to do about it in time (Decree 118 art. 19.6).

Art. 19.6 (transcription of Decree 118/2025/ND-CP): "Đối với hồ sơ dự kiến quá hạn giải
quyết, trong thời hạn chậm nhất 01 ngày trước ngày hết hạn, cơ quan ... phải thông báo bằng
văn bản cho Bộ phận Một cửa và gửi văn bản xin lỗi tổ chức, cá nhân, trong đó ghi rõ lý do quá
hạn, thời gian đề nghị gia hạn trả kết quả ... Việc hẹn lại ngày trả kết quả được thực hiện
không quá một lần." The last day an apology may be sent is therefore the last working day
with at least ``ReschedulePolicy.min_notice_days`` working days left before the due date,
counted as the engine counts them (``WorkCalendar.working_days_between``), and a dossier
already rescheduled cannot be rescheduled again (``max_times``).

The draft is the library's own Mẫu 04 (:func:`tthc_flow.reports.apology_letters`) of the
dossier with the proposed reschedule added, so it reads exactly as the letter the engine's
``reschedule`` would later produce.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine import Dossier, Reschedule, ReschedulePolicy
from tthc_flow.procedure import Catalog
from tthc_flow.reports import ApologyLetter, apology_letters

DEFAULT_REASON = "Hồ sơ cần thêm thời gian thẩm định, xác minh"


def apology_deadline(
    due_at: datetime, calendar: WorkCalendar, policy: ReschedulePolicy | None = None
) -> date | None:
    """The last working day on which the engine still accepts an apology for ``due_at``
    (``min_notice_days`` working days ahead, art. 19.6); None if no day qualifies."""
    notice = (policy or ReschedulePolicy()).min_notice_days
    day = due_at.astimezone(VN_TZ).date()
    for _ in range(400):
        if (
            calendar.is_working_day(day)
            and calendar.working_days_between(day, due_at.astimezone(VN_TZ).date()) >= notice
        ):
            return day
        day -= timedelta(days=1)
        if day < calendar.first_day:
            return None
    return None


@dataclass(frozen=True)
class LateRisk:
    """One open dossier: how likely it ends late, and whether an apology can still be sent."""

    code: str
    procedure_code: str
    state: str
    due_at: datetime | None
    p_late: float
    p_no_result: float
    replications: int
    result_p90: datetime | None
    """90 % of the replications have the result by then (None: too few results)."""
    apology_by: date | None
    """Last day to send the apology (art. 19.6); None: no day left or not applicable."""
    rescheduled: bool
    proposed_due_at: datetime | None

    @property
    def action(self) -> str:
        """What the unit can do: ``apologise by ...``, or why it cannot."""
        if self.rescheduled:
            return "already rescheduled once (art. 19.6: not again)"
        if self.apology_by is None:
            return "too late for an apology (less than the notice left)"
        return f"apologise by {self.apology_by.isoformat()}"


def late_risks(
    dossiers: tuple[Dossier, ...],
    outcomes: list[bytes],
    ends: list[list[float]],
    as_of: datetime,
    calendar: WorkCalendar,
    policy: ReschedulePolicy | None = None,
) -> list[LateRisk]:
    """One row per warm dossier, most at risk first (see :class:`LateRisk`)."""
    from tthc_flow.forecast._warm import LATE, NO_RESULT, NOT_SIMULATED

    rows = []
    for i, d in enumerate(dossiers):
        simulated = [o[i] for o in outcomes if o[i] != NOT_SIMULATED]
        n = len(simulated)
        p_late = sum(1 for o in simulated if o == LATE) / n if n else math.nan
        p_none = sum(1 for o in simulated if o == NO_RESULT) / n if n else math.nan
        results = sorted(e[i] for e in ends if not math.isnan(e[i]))
        p90 = None
        if results:
            p90 = datetime.fromtimestamp(
                results[min(len(results) - 1, int(0.9 * len(results)))], VN_TZ
            )
        deadline = None
        if d.due_at is not None and not d.reschedules:
            last = apology_deadline(d.due_at, calendar, policy)
            if last is not None and last >= as_of.astimezone(VN_TZ).date():
                deadline = last
        proposed = None
        if d.due_at is not None and p90 is not None and p90 > d.due_at:
            proposed = _end_of_next_working_day(p90, calendar)
        rows.append(
            LateRisk(
                code=d.code,
                procedure_code=d.procedure_code,
                state=d.state,
                due_at=d.due_at,
                p_late=p_late,
                p_no_result=p_none,
                replications=n,
                result_p90=p90,
                apology_by=deadline,
                rescheduled=bool(d.reschedules),
                proposed_due_at=proposed,
            )
        )
    rows.sort(key=lambda r: (-(r.p_late if not math.isnan(r.p_late) else -1.0), r.code))
    return rows


def _end_of_next_working_day(moment: datetime, calendar: WorkCalendar) -> datetime:
    """A new appointment with a working day's margin after the likely result: the end of the
    next working day's last working period."""
    day = moment.astimezone(VN_TZ).date() + timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    end = calendar.working_periods(day)[-1][1]
    return datetime.combine(day, end if end != time.max else time(23, 59), VN_TZ)


def draft_apology(
    risk: LateRisk,
    dossier: Dossier,
    catalog: Catalog,
    *,
    reason: str = DEFAULT_REASON,
    actor: str = "",
) -> ApologyLetter | None:
    """Mẫu 04 for ``dossier`` with the proposed new date, dated the last allowed day (None
    when no apology can be sent or no later date is proposed)."""
    if risk.apology_by is None or risk.proposed_due_at is None or dossier.due_at is None:
        return None
    sent = datetime.combine(risk.apology_by, time(8, 0), VN_TZ)
    planned = Reschedule(
        at=sent,
        previous_due_at=dossier.due_at,
        new_due_at=risk.proposed_due_at,
        reason=reason,
        actor=actor,
    )
    hypothetical = replace(dossier, reschedules=(*dossier.reschedules, planned))
    definition = catalog.get(dossier.procedure_code, dossier.procedure_version)
    return apology_letters(hypothetical, [], definition)[-1]


__all__ = ["DEFAULT_REASON", "LateRisk", "apology_deadline", "draft_apology", "late_risks"]
