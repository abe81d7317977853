"""Assigned tasks (nhiệm vụ được giao): tracked like dossiers, with a due date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tthc_flow.reports._period import Period, judgement_moment
from tthc_flow.reports._rounding import percent


@dataclass(frozen=True, slots=True)
class Task:
    """A task assigned to the agency: done on time when ``done_at <= due_at``."""

    id: str
    title: str
    assigned_at: datetime
    due_at: datetime
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TaskStats:
    """Tasks of a period: assigned (carried over or new), done on time / late, in progress.

    A task counts when it was assigned before the period ended and was not done before it
    began. ``done_on_time + done_late + in_progress = assigned``; in-progress tasks are split
    into within / past their due date at the period end.
    """

    assigned: int
    done_on_time: int
    done_late: int
    in_progress: int
    in_progress_overdue: int

    @property
    def on_time_pct(self) -> float | None:
        """Done on time ÷ done, per cent."""
        return percent(self.done_on_time, self.done_on_time + self.done_late)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict, English keys."""
        return {
            "assigned": self.assigned,
            "done_on_time": self.done_on_time,
            "done_late": self.done_late,
            "in_progress": self.in_progress,
            "in_progress_overdue": self.in_progress_overdue,
            "on_time_pct": self.on_time_pct,
        }


def task_statistics(
    tasks: Iterable[Task], period: Period, *, as_of: datetime | None = None
) -> TaskStats:
    """Count ``tasks`` for ``period`` (Hải Phòng 2020: 300 = 224 on time + 6 late + 70 open).

    Open tasks are judged overdue at the period end, or at ``as_of`` (default now) if earlier.
    """

    start, end = period.start_at, period.end_at
    judged = judgement_moment(period, as_of)
    assigned = on_time = late = open_ = overdue = 0
    for task in tasks:
        if task.assigned_at >= end or (task.done_at is not None and task.done_at < start):
            continue
        assigned += 1
        if task.done_at is None or task.done_at >= end:
            open_ += 1
            overdue += int(judged > task.due_at)
        elif task.done_at <= task.due_at:
            on_time += 1
        else:
            late += 1
    return TaskStats(assigned, on_time, late, open_, overdue)
