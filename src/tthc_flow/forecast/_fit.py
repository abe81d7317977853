"""Fitting a simulation model to a department's own event log (any store).

What is read, and how (docs/forecast.md, "Fitting"):

* arrivals: every dossier created in the window (its first event), per procedure and working
  day (a dossier created on a day off counts on the next working day, when the simulator's
  office would see it), fitted by :mod:`._arrivals`;
* step service times: the process control slip (``Dossier.step_rows``) says when a step was
  entered and left and who left it; the log has no "work started" event, so the time spent
  queueing is taken out with the actor's own history: a person works on one dossier at a time,
  so the work on a step began at ``max(entered, that person's previous action)``, and the
  service time is the working time from then to leaving (exact for a FIFO single server that
  starts the next task as soon as the previous one is done, the simulator's model). The family
  is chosen by KS (:mod:`._goodness`) per procedure and step, or per role, or for every step
  when there are fewer than ``min_values`` values;
* branching: shares of supplements at reception and during appraisal, abandoned supplements,
  withdrawals and rejections, and of foreseen lateness met with an apology;
* channel mix; staff: the people (actor ids) who acted in each role;
* delays: supplement waits (request to completion) and, for desk results, result to collection.

Reception times are not in the log (it records the receipt, not the applicant's arrival at the
desk): they are taken as given (``reception_hours``), and the report says so.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine import Dossier, Event
from tthc_flow.errors import ConfigurationError
from tthc_flow.forecast._arrivals import POOL_BELOW, ArrivalFit, fit_arrivals
from tthc_flow.forecast._goodness import FitChoice, choose
from tthc_flow.procedure import SUBMITTED

MIN_VALUES = 20
"""A step with fewer service times than this takes its role's fit (or the pooled one)."""
PEOPLE_ROLES_EXCLUDED = frozenset({"applicant", "system"})
NOT_A_TASK_END = frozenset(
    {"reschedule", "consult", "answer", "pay_fee", "custom", "report_error", "correct"}
)
"""Effects a person records without finishing a task (an apology sent while appraising
another dossier): left out of "that person's previous action"."""


@dataclass(frozen=True, slots=True)
class Share:
    """An estimated probability: ``hits`` of ``trials``."""

    hits: int
    trials: int
    default: float = 0.0

    @property
    def value(self) -> float:
        """``hits / trials``, or the default without trials."""
        return self.hits / self.trials if self.trials else self.default

    @property
    def half_width(self) -> float:
        """Half the 95 % normal-approximation interval (NaN without trials)."""
        if not self.trials:
            return math.nan
        p = self.value
        return 1.96 * math.sqrt(p * (1.0 - p) / self.trials)


@dataclass
class FittedModel:
    """A department's model, fitted to its log over ``start..end`` (both inclusive)."""

    start: date
    end: date
    dossiers: int
    pooled_arrivals: ArrivalFit
    arrivals: dict[str, ArrivalFit]
    steps: dict[tuple[str, str], FitChoice]
    roles: dict[str, FitChoice]
    pooled_service: FitChoice | None
    branching: dict[str, Share]
    channels: dict[str, int]
    staff: dict[str, int]
    supplement_days: FitChoice | None
    collection_days: FitChoice | None
    reception_hours: float
    notes: list[str] = field(default_factory=list)

    @property
    def channel_mix(self) -> dict[str, float]:
        """Share of each channel among created dossiers."""
        total = sum(self.channels.values())
        return {k: v / total for k, v in sorted(self.channels.items())} if total else {}

    def step_service(self, code: str, step_id: str, role: str) -> tuple[str, FitChoice | None]:
        """The fit used for a step, and at which level (``step``, ``role``, ``pooled``)."""
        if (code, step_id) in self.steps:
            return "step", self.steps[(code, step_id)]
        if role in self.roles:
            return "role", self.roles[role]
        return "pooled", self.pooled_service


def _local_day(moment: datetime) -> date:
    return moment.astimezone(VN_TZ).date()


def _arrival_day(calendar: WorkCalendar, moment: datetime) -> date:
    day = _local_day(moment)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def _working_days(calendar: WorkCalendar, start: date, end: date) -> list[date]:
    days = []
    day = start
    while day <= end:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


class _ActorTimes:
    """Each person's action moments, to find when they were last busy before a moment."""

    def __init__(self, events: Iterable[Event]) -> None:
        moments: dict[str, set[datetime]] = defaultdict(set)
        self.roles: dict[str, set[str]] = defaultdict(set)
        for event in events:
            # a submission is the applicant's (recorded under the desk's name when online)
            if event.role in PEOPLE_ROLES_EXCLUDED or event.effect == "submit":
                continue
            if event.effect not in NOT_A_TASK_END:
                self.roles[event.role].add(event.actor)
                moments[event.actor].add(event.at)
        self.sorted = {actor: sorted(times) for actor, times in moments.items()}

    def previous(self, actor: str, before: datetime) -> datetime | None:
        times = self.sorted.get(actor)
        if not times:
            return None
        index = bisect_left(times, before)
        return times[index - 1] if index else None


def _choose_or_none(values: list[float]) -> FitChoice | None:
    positive = [v for v in values if v > 0]
    return choose(positive) if positive else None


def fit_log(
    dossiers: Iterable[Dossier],
    events: Iterable[Event],
    calendar: WorkCalendar,
    start: date,
    end: date,
    *,
    reception_hours: float = 0.25,
    min_values: int = MIN_VALUES,
    pool_below: int = POOL_BELOW,
) -> FittedModel:
    """Fit arrivals, service times, branching, channels, staff and delays to the dossiers
    created in ``start..end`` (dates, both inclusive) and the events of the log.

    ``dossiers`` are final states (as the store holds them); ``events`` the store's events
    (for who did what when). Raises :class:`~tthc_flow.errors.ConfigurationError` (a
    ValueError) when the window holds no working day or no dossier.
    """
    if end < start:
        raise ConfigurationError(
            f"the fitting window ends ({end}) before it starts ({start})",
            setting="fit_log.end",
            value=end,
        )
    days = _working_days(calendar, start, end)
    index = {day: i for i, day in enumerate(days)}
    created: list[Dossier] = []
    counts: dict[str, list[int]] = {}
    for d in dossiers:
        day = _arrival_day(calendar, d.submitted_at)
        if day not in index:
            continue
        created.append(d)
        counts.setdefault(d.procedure_code, [0] * len(days))[index[day]] += 1
    if not created:
        raise ConfigurationError(
            f"no dossier was created in {start}..{end}: nothing to fit",
            setting="fit_log.start",
            value=(start, end),
        )
    pooled, arrivals = fit_arrivals(days, counts, pool_below=pool_below)
    actors = _ActorTimes(events)
    per_step: dict[tuple[str, str], list[float]] = defaultdict(list)
    per_role: dict[str, list[float]] = defaultdict(list)
    hours = calendar.working_time_between
    for d in created:
        for step, role, _, entered, _, left, actor, _, _ in d.step_rows:
            if left is None or actor is None or actor not in actors.sorted:
                continue  # not left, or left by the applicant (a withdrawal), not by staff
            began = entered
            previous = actors.previous(actor, left)
            if previous is not None and previous > began:
                began = previous
            value = hours(began, left).total_seconds() / 3600.0
            if value > 0:
                per_step[(d.procedure_code, step)].append(value)
                per_role[role].append(value)
    steps = {key: choose(v) for key, v in sorted(per_step.items()) if len(v) >= min_values}
    roles = {role: choose(v) for role, v in sorted(per_role.items()) if len(v) >= min_values}
    everything = [v for values in per_step.values() for v in values]
    pooled_service = choose(everything) if everything else None
    model = FittedModel(
        start=start,
        end=end,
        dossiers=len(created),
        pooled_arrivals=pooled,
        arrivals=arrivals,
        steps=steps,
        roles=roles,
        pooled_service=pooled_service,
        branching=_branching(created),
        channels=dict(Counter(d.channel for d in created)),
        staff={role: len(people) for role, people in sorted(actors.roles.items())},
        supplement_days=_choose_or_none(
            [
                (p.end - p.start).total_seconds() / 86400.0
                for d in created
                for p in (d.pauses[:-1] if _left_while_paused(d) else d.pauses)
                if p.end is not None  # supplied; a closure's end is no supplement
            ]
        ),
        collection_days=_collection(created),
        reception_hours=reception_hours,
    )
    model.notes.append(
        f"reception: {reception_hours} working hours per dossier, as given (the log records "
        "the receipt, not the applicant's arrival at the desk)"
    )
    if pooled_service is None:
        model.notes.append("no finished step in the window: no service time could be fitted")
    return model


def _collection(created: list[Dossier]) -> FitChoice | None:
    waits = [
        (d.returned_at - d.resolved_at).total_seconds() / 86400.0
        for d in created
        if d.channel == "desk" and d.returned_at is not None and d.resolved_at is not None
    ]
    if not waits:
        return None
    # under an hour is the desk handing the result over, not the applicant staying away
    positive = [w for w in waits if w > 1.0 / 24.0]
    if len(positive) * 2 < len(waits):  # mostly collected at once: no delay to speak of
        return None
    return choose(positive)


def _left_while_paused(d: Dossier) -> bool:
    """Closed or withdrawn while waiting for the supplement (the closure ends the pause at
    the same moment, or leaves it open)."""
    if d.is_open or not d.pauses or d.outcome not in ("withdrawn", "closed"):
        return False
    last = d.pauses[-1]
    return last.end is None or last.end == d.closed_at


def _branching(created: list[Dossier]) -> dict[str, Share]:
    at_reception = [any(p.origin == SUBMITTED for p in d.pauses) for d in created]
    received = [d for d in created if d.received_at is not None]
    during = [any(p.origin != SUBMITTED for p in d.pauses) for d in received]
    paused = [d for d in created if d.pauses]
    decided = [d for d in paused if d.pauses[-1].end is not None or not d.is_open]
    abandoned = [d for d in decided if _left_while_paused(d)]
    withdrawn = [d for d in received if d.outcome == "withdrawn" and not _left_while_paused(d)]
    resolved = [d for d in created if d.outcome in ("approved", "rejected")]
    rescheduled = sum(1 for d in created if d.reschedules)
    late_unapologised = sum(
        1 for d in resolved if d.resolution_timeliness == "late" and not d.reschedules
    )
    return {
        "supplement_at_reception": Share(sum(at_reception), len(created)),
        "supplement_during_appraisal": Share(sum(during), len(received)),
        "abandon_supplement": Share(len(abandoned), len(decided)),
        "withdraw": Share(len(withdrawn), len(received)),
        "reject": Share(sum(1 for d in resolved if d.outcome == "rejected"), len(resolved)),
        "apology": Share(rescheduled, rescheduled + late_unapologised, default=1.0),
    }


__all__ = ["MIN_VALUES", "FittedModel", "Share", "fit_log"]
