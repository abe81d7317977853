"""Durable timers: the moments the law or a policy attaches to a dossier, decided by the engine.

After every event the engine computes the dossier's timers (:func:`timers_of`) and hands the
store only what changed (:class:`TimerChange`), in the same transaction as the event. A
scheduler then asks the store "what is due now" in one indexed query and fires each timer
once (:meth:`tthc_flow.engine.Engine.run_due`). A timer that already fired keeps its fired
mark as long as its moment does not change, so a reminder is not sent again because the
dossier moved to another step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine._dossier import ROW_DUE_AT, ROW_LEFT_AT, Dossier
from tthc_flow.errors import CalendarError
from tthc_flow.procedure import SUBMITTED

DUE_SOON = "due_soon"
"""The appointment is near: time to finish, or to apologise (the apology needs notice)."""
OVERDUE = "overdue"
"""The appointment has passed and the dossier is unresolved."""
STEP_OVERDUE = "step_overdue"
"""The current step's deadline (its share of the limit) has passed."""
ONLINE_ALERT = "online_alert"
"""An online submission still unseen: staff must be alerted (Decree 118/2025/ND-CP art. 17.2)."""
ONLINE_ACCEPT = "online_accept"
"""An online submission still neither received nor sent back for a supplement at the end of
its 8 working hours (art. 17.2, ``OnlineReceiptPolicy``)."""
SUPPLEMENT_WINDOW = "supplement_window"
"""The last working day on which a gap found in appraisal may still be sent back to the
applicant (Decree 118/2025/ND-CP art. 19.5: within 3 working days of receipt)."""
CLOSE_UNSUPPLEMENTED = "close_unsupplemented"
"""The supplement did not arrive in time: the dossier is closed (a command, not a message)."""

MESSAGE_TIMERS = frozenset(
    {DUE_SOON, OVERDUE, STEP_OVERDUE, ONLINE_ALERT, ONLINE_ACCEPT, SUPPLEMENT_WINDOW}
)
"""Timers whose firing is an outbox message (``timer.<kind>``); the others run a command."""


class Timer(NamedTuple):
    """One pending moment of a dossier: ``kind`` (one per dossier) at ``due_at``."""

    kind: str
    due_at: datetime


class TimerChange(NamedTuple):
    """What an append changes in a dossier's timers: ``put`` (set or moved; a moved timer
    fires again) and ``clear`` (kinds no longer pending). False when nothing changes.
    (Named tuples: one is built per command, a frozen dataclass costs several times more.)"""

    put: tuple[Timer, ...] = ()
    clear: tuple[str, ...] = ()


NO_CHANGE = TimerChange()


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminder timers fire.

    ``due_soon_working_days`` (default 2): the ``due_soon`` reminder fires this many working
    days before the appointment, at the same time of day, so the unit at fault still has a
    working day to send the apology that Decree 118/2025/ND-CP art. 19.6 requires "at least
    one working day before" the due date (``ReschedulePolicy.min_notice_days``). None: no
    ``due_soon`` timer. ``step_overdue`` (default True): a timer at each step's deadline
    (the process control slip's share, art. 18-20). Local practice [N]: configurable.
    """

    due_soon_working_days: int | None = 2
    step_overdue: bool = True


def pending_due_at(d: Dossier) -> datetime | None:
    """The appointment reminders look at: set while the dossier is open, received, unresolved
    and not waiting for a supplement (its clock is stopped then), else None."""
    if d.due_at is None or d.resolved_at is not None or d.outcome is not None:
        return None
    if not d.is_open or d.paused:
        return None
    return d.due_at


def timers_of(
    dossier: Dossier,
    due_soon: Callable[[datetime], datetime | None],
    reminders: ReminderPolicy,
    supplement_window: Callable[[Dossier], datetime | None] | None = None,
) -> dict[str, datetime]:
    """The pending timers of ``dossier`` by kind (empty for a closed dossier).

    ``due_soon`` gives the ``due_soon`` moment of an appointment (None: no reminder); the
    engine passes :func:`due_soon_at` with its calendar, remembered per appointment.
    ``supplement_window`` gives the ``supplement_window`` moment (the engine's own rule of
    art. 19.5, the one its refusal uses); None leaves that timer out."""
    if not dossier.is_open:
        return {}
    found: dict[str, datetime] = {}
    if dossier.state == SUBMITTED:  # not received yet: the desk's deadlines of art. 17.2
        if dossier.alert_due_at is not None:
            found[ONLINE_ALERT] = dossier.alert_due_at
        if dossier.accept_due_at is not None:
            found[ONLINE_ACCEPT] = dossier.accept_due_at
        return found
    if dossier.paused:
        closes_at = dossier.closes_at  # decided with the request (SupplementPolicy, art. 19.5)
        if closes_at is not None:
            found[CLOSE_UNSUPPLEMENTED] = closes_at
        return found
    due = pending_due_at(dossier)
    if due is not None:
        found[OVERDUE] = due
        soon = due_soon(due)
        if soon is not None:
            found[DUE_SOON] = soon
        window = supplement_window(dossier) if supplement_window is not None else None
        if window is not None and window < due:
            found[SUPPLEMENT_WINDOW] = window
        rows = dossier.step_rows
        if reminders.step_overdue and rows and rows[-1][ROW_LEFT_AT] is None:
            step_due = rows[-1][ROW_DUE_AT]
            if step_due is not None:
                found[STEP_OVERDUE] = step_due
    return found


def due_soon_at(
    due: datetime, calendar: WorkCalendar, reminders: ReminderPolicy
) -> datetime | None:
    """When the ``due_soon`` reminder of an appointment fires (None: no such reminder)."""
    days = reminders.due_soon_working_days
    if days is None:
        return None
    try:
        soon = calendar.add_working_days_at(due, -days)
    except CalendarError:  # the calendar ends before: no reminder rather than a guess
        return None
    return soon if soon < due else None


def timer_change(before: dict[str, datetime], after: dict[str, datetime]) -> TimerChange:
    """The change from ``before`` to ``after`` (unchanged timers keep their fired mark)."""
    if before == after:
        return NO_CHANGE
    get = before.get
    put = tuple([Timer(k, v) for k, v in after.items() if get(k) != v])
    clear = tuple([k for k in before if k not in after])
    return TimerChange(put, clear)
