"""The national portal's own on-time judgement of a dossier (indicator 2.1 of Decision 766).

This is **the portal's rule**, a different definition from the engine's TimelinessPolicy
(which decides ``resolution_timeliness`` and stays the library's own judgement, used by the
statistics and forms). The portal judges each dossier from the fields it synchronises; its
description ("Mô tả công thức tính chỉ số 766", item 2.1, reproduced in ChippedTopaz/qd766
web/dist/formula-document.js) says:

* end time (``NgayKetThucXuLy``): the first of "Đã xử lý xong" > "Đã trả kết quả" >
  "Dừng xử lý / Từ chối / Công dân yêu cầu rút hồ sơ" (received dossiers only);
* a dossier waiting for the applicant's supplement: the request time is its end time;
* "Yêu cầu bổ sung" more than once: late;
* with a supplement, ``end − (supplement completed − supplement requested)`` is compared;
* not finished: the end of the reporting period is its end time;
* on time ⇔ end ≤ ``NgayHenTra``, the appointment date of the synchronised dossier.

Read from the :class:`~tthc_flow.engine.Dossier` fold: ``resolved_at`` (approval or reasoned
rejection: "Đã xử lý xong"), ``returned_at``, ``closed_at`` with ``outcome`` refused or
withdrawn, ``pauses`` (each supplement request and its completion) and ``due_at`` — the
appointment currently on the dossier (after an apology with a new date, or a restart after a
supplement, as the engine recorded it), which is what the provincial system synchronises
as ``NgayHenTra``. Nothing here is decided anew: the moments are the engine's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tthc_flow.engine import Dossier

END_KINDS = ("processed", "returned", "stopped", "withdrawn", "waiting", "period_end")
"""How the end time was found: Đã xử lý xong, Đã trả kết quả, Dừng xử lý / Từ chối, Công dân
yêu cầu rút hồ sơ, still waiting for a supplement (the request time), not finished."""


@dataclass(frozen=True, slots=True)
class PortalJudgement:
    """One dossier judged by the portal's 2.1 rule at a moment ``judged_at``."""

    code: str
    end_at: datetime
    """``NgayKetThucXuLy`` as the portal takes it (before the supplement wait is subtracted)."""
    end_kind: str
    supplement_requests: int
    supplement_wait: timedelta
    due_at: datetime | None
    """``NgayHenTra``: the appointment on the dossier (None: the procedure has no limit)."""
    on_time: bool
    reason: str

    @property
    def ended(self) -> bool:
        """Whether the dossier had an end of processing (not judged at the period end)."""
        return self.end_kind != "period_end"

    @property
    def compared_at(self) -> datetime:
        """The moment compared with ``NgayHenTra``: end time minus the supplement wait."""
        return self.end_at - self.supplement_wait


def portal_end(d: Dossier, judged_at: datetime) -> tuple[datetime, str]:
    """``NgayKetThucXuLy`` of a received dossier as seen at ``judged_at``, and its kind."""
    for moment, kind in (
        (d.resolved_at, "processed"),
        (d.returned_at, "returned"),
        # dừng xử lý / từ chối: refused, or closed for a supplement that never came (art. 19.5)
        (d.closed_at if d.outcome in ("refused", "closed") else None, "stopped"),
        (d.closed_at if d.outcome == "withdrawn" else None, "withdrawn"),
    ):
        if moment is not None and moment < judged_at:
            return moment, kind
    for pause in d.pauses:
        if pause.start < judged_at and (pause.end is None or pause.end >= judged_at):
            return pause.start, "waiting"
    return judged_at, "period_end"


def portal_judgement(d: Dossier, judged_at: datetime) -> PortalJudgement | None:
    """The portal's 2.1 judgement of ``d`` at ``judged_at``; None if never received."""
    received = d.received_at
    if received is None:
        return None
    end, kind = portal_end(d, judged_at)
    requests = [p for p in d.pauses if p.start <= end]
    wait = timedelta(0)
    for pause in requests:
        # only completed waits after the clock started; the waiting dossier's open one is
        # already its end time
        if pause.end is not None and pause.end <= end:
            wait += max(pause.end - max(pause.start, received), timedelta(0))
    due = due_as_of(d, judged_at)
    if len(requests) > 1:
        on_time, reason = False, f"late: {len(requests)} supplement requests (more than one)"
    elif due is None:
        on_time, reason = True, "on time: no appointment date and no time limit"
    elif end - wait <= due:
        on_time, reason = True, f"on time: {_when(end - wait)} <= NgayHenTra {_when(due)}"
    else:
        on_time, reason = False, f"late: {_when(end - wait)} > NgayHenTra {_when(due)}"
    return PortalJudgement(d.code, end, kind, len(requests), wait, due, on_time, reason)


def due_as_of(d: Dossier, at: datetime) -> datetime | None:
    """The appointment the dossier carried at ``at``: an apology made later is undone (its
    ``previous_due_at``). A restart after ``at`` (art. 19.5) cannot be undone: the fold keeps
    only the restarted date, so such a dossier is judged against it."""
    for reschedule in d.reschedules:
        if reschedule.at >= at:
            return reschedule.previous_due_at
    return d.due_at


def _when(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M")
