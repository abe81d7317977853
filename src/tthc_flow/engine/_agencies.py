"""Inter-agency (liên thông) summary: each agency's part of a dossier and its timeliness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine._dossier import Dossier


@dataclass(frozen=True)
class AgencyShare:
    """One agency's part of a dossier, from the steps it held (process control slip).

    ``time_used`` is working time when a calendar is given, else elapsed time; ``share`` is
    that time over the time all steps used (0 when none was used). ``early``, ``on_time`` and
    ``late`` count its finished steps by :class:`~tthc_flow.engine.TimelinessPolicy`;
    ``open`` its steps in progress; ``transfers_late`` the steps that reached it after their
    hand-over deadline (TransferPolicy).
    """

    agency: str
    steps: int
    time_used: timedelta
    share: float
    early: int
    on_time: int
    late: int
    open: int
    transfers_late: int


def agency_summary(
    dossier: Dossier, calendar: WorkCalendar | None = None, now: datetime | None = None
) -> list[AgencyShare]:
    """Each agency's share and timeliness in ``dossier``, lead agency first.

    Steps without an agency belong to the lead agency (``dossier.agency_code``). Open steps
    count their time until ``now`` (default: the snapshot's ``as_of``, else its last change).
    """
    until = now or dossier.as_of or dossier.updated_at
    order: list[str] = []
    used: dict[str, timedelta] = {}
    counts: dict[str, dict[str, int]] = {}
    for step in dossier.steps:
        agency = step.agency or dossier.agency_code
        if agency not in counts:
            order.append(agency)
            used[agency] = timedelta(0)
            counts[agency] = dict.fromkeys(
                ("steps", "early", "on_time", "late", "open", "transfers_late"), 0
            )
        end = step.left_at or until
        if calendar is not None:
            spent = calendar.working_time_between(step.entered_at, end)
        else:
            spent = max(end - step.entered_at, timedelta(0))
        used[agency] += spent
        c = counts[agency]
        c["steps"] += 1
        if step.left_at is None:
            c["open"] += 1
        elif step.timeliness in ("early", "on_time", "late"):
            c[step.timeliness] += 1
        if step.transfer_late:
            c["transfers_late"] += 1
    total = sum(used.values(), timedelta(0))
    return [
        AgencyShare(
            agency=agency,
            time_used=used[agency],
            share=used[agency] / total if total else 0.0,
            **counts[agency],
        )
        for agency in order
    ]
