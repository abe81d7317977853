"""Warm start: a replication that begins with the dossiers a store holds open at a moment.

:class:`WarmReplication` is the simulator's :class:`~tthc_flow.simulation._des.Replication`
(same engine, same queues, same random streams for new arrivals) with three additions:

* before anything else, at ``as_of``, every open dossier is put where it stands (its own
  state, appointment, step, pause and apologies, as the store folded them) into the engine's
  store and into the queue of the role that holds it, and carries on from there;
* new arrivals start at ``as_of`` (those drawn for earlier that day are dropped) with the
  fitted weekday and per-procedure monthly factors;
* at the end, each warm dossier's outcome and the period's flow indicators are read from the
  final dossiers (the engine's decisions and the reports' own 766 formulas, never recomputed).

Modelling choices, said once: a dossier in a step starts that step's work afresh (the log
cannot say how far along it is); a supplement wait that has already lasted longer than its
drawn duration restarts its draw from ``as_of`` (memoryless residual). Dossiers in states the
simulator does not model (waiting for a payment, "4 tại chỗ" at the desk in a trimmed
lifecycle, an open consultation) stay as they are and are reported as not simulated.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from tthc_flow.engine import Dossier, Event, replay
from tthc_flow.errors import ConfigurationError, NaiveDatetimeError, TthcError
from tthc_flow.forecast._arrivals import ArrivalFit
from tthc_flow.procedure import RECEIVED, RESULT_READY, SUBMITTED, SUPPLEMENT_REQUESTED
from tthc_flow.reports import IndicatorSet, Period, indicator_set, indicators
from tthc_flow.simulation import Scenario, SimulationStore, Variant
from tthc_flow.simulation._des import (
    _D,
    A_ABANDON,
    A_COLLECT,
    A_SUPP_DELAY,
    DAY_S,
    N_ATTR,
    N_SERVICE,
    T_RECEPTION,
    T_STEP,
    Replication,
    ReplicationData,
    _Task,
    stream,
)

ON_TIME, LATE, NO_RESULT, STILL_OPEN, NOT_SIMULATED = range(5)
OUTCOMES = ("on_time", "late", "no_result", "still_open", "not_simulated")
"""Outcome of a warm dossier in one replication: resolved by its appointment (the engine's
``resolution_timeliness`` early or on time), late (resolved late, or still open after the
drain and past its appointment), left without a result (withdrawn, refused, closed), still
open and not yet due after the drain, or not simulated."""

FLOW_INDICATORS = ("2.1", "3.2", "3.3a")
"""766 indicators that depend on the flow of dossiers the simulator produces: on time (2.1),
procedures used online (3.2), full-process online share (3.3a). The others need data the
simulator does not make up (electronic results, payments, inputs)."""


@dataclass(frozen=True)
class WarmStart:
    """What a store holds at ``as_of``: open dossiers and those ended since ``since``."""

    as_of: datetime
    open: tuple[Dossier, ...]
    ended: tuple[Dossier, ...] = ()
    """Dossiers closed (returned, withdrawn, refused, stopped) between ``since`` and ``as_of``:
    they count in the period's indicators."""


def _ended_at(d: Dossier) -> datetime | None:
    moments = [m for m in (d.resolved_at, d.returned_at, d.closed_at) if m is not None]
    return max(moments) if moments else None


def states_at(events: Iterable[Event], as_of: datetime) -> list[Dossier]:
    """Every dossier as it stood at ``as_of``: its events up to that moment, replayed."""
    by_code: dict[str, list[Event]] = {}
    for event in events:
        if event.at <= as_of:
            by_code.setdefault(event.dossier_code, []).append(event)
    return [replay(sorted(e, key=lambda x: x.version)) for e in by_code.values()]


def warm_start(
    dossiers: Iterable[Dossier] | None = None,
    *,
    events: Iterable[Event] | None = None,
    as_of: datetime,
    since: datetime | None = None,
) -> WarmStart:
    """The open dossiers at ``as_of`` (aware), from a store's final ``dossiers`` (when
    ``as_of`` is now, or later than its last event) or by replaying its ``events`` up to
    ``as_of`` (a moment in the past, e.g. a back-test). ``since``: also keep dossiers that
    ended between it and ``as_of`` (the period's start), for its indicators."""
    if as_of.tzinfo is None:
        raise NaiveDatetimeError("as_of must be an aware datetime (Asia/Ho_Chi_Minh)")
    if (dossiers is None) == (events is None):
        raise ConfigurationError(
            "give either dossiers or events (exactly one of them)",
            setting="warm_start.dossiers",
            allowed=("dossiers", "events"),
        )
    if events is not None:
        states = states_at(events, as_of)
    else:
        assert dossiers is not None
        states = []
        for d in dossiers:
            if d.updated_at > as_of:
                raise ConfigurationError(
                    f"dossier {d.code} changed at {d.updated_at.isoformat()}, after as_of "
                    f"{as_of.isoformat()}: give the store's events to look back",
                    setting="warm_start.as_of",
                    value=as_of,
                )
            states.append(d)
    open_now = sorted((replace(d, as_of=None) for d in states if d.is_open), key=lambda d: d.code)
    ended: list[Dossier] = []
    if since is not None:
        for d in states:
            moment = _ended_at(d)
            if not d.is_open and moment is not None and moment >= since:
                ended.append(replace(d, as_of=None))
    return WarmStart(as_of, tuple(open_now), tuple(sorted(ended, key=lambda d: d.code)))


class ForecastStore(SimulationStore):
    """A lean simulation store that starts with the warm dossiers and keeps every dossier's
    last state (the period's indicators are read from them), and never hands out the code of
    a dossier it already holds."""

    def __init__(self, warm: WarmStart) -> None:
        super().__init__(keep_events=False)
        self._dossiers = {d.code: d for d in (*warm.ended, *warm.open)}
        self._taken = set(self._dossiers)
        self.render: Callable[[str, date, int], str] | None = None

    def append(
        self, events: Sequence[Event], dossier: Dossier, *, timers: Any = None, messages: Any = ()
    ) -> Sequence[Event]:
        """Count the events and keep the dossier's state (closed ones too)."""
        self.event_count += len(events)
        if events:
            self._dossiers[events[0].dossier_code] = dossier
        return events

    def next_sequence(self, agency_code: str, day: date) -> int:
        """The day's next number whose code no warm dossier has."""
        while True:
            value = super().next_sequence(agency_code, day)
            if self.render is None or self.render(agency_code, day, value) not in self._taken:
                return value


@dataclass
class WarmOutcome:
    """One replication's result: the simulator's data, each warm dossier's outcome and end
    (POSIX time of the result, NaN without), and the period's flow indicators
    (id: numerator, denominator, points)."""

    data: ReplicationData
    outcomes: bytes
    ends: array[float]
    indicators: dict[str, tuple[int | None, int | None, float | None]] = field(default_factory=dict)
    not_simulated: dict[str, str] = field(default_factory=dict)


class WarmReplication(Replication):
    """A replication of ``scenario`` that starts from ``warm`` (see the module docs)."""

    def __init__(
        self,
        scenario: Scenario,
        variant: Variant | None,
        seed: int,
        replication: int,
        warm: WarmStart,
        *,
        arrivals: dict[str, ArrivalFit] | None = None,
        period: Period | None = None,
        indicators_of: IndicatorSet | str = "2022",
    ) -> None:
        self.warm = warm
        self.forecast_store = ForecastStore(warm)
        super().__init__(
            scenario, variant, seed, replication, store=self.forecast_store, keep_events=False
        )
        self.forecast_store.render = self.engine.policies.dossier_code.render
        self.fitted = arrivals or {}
        self.start_ts = warm.as_of.timestamp()
        self.period = period
        self.indicator_set = (
            indicators_of
            if isinstance(indicators_of, IndicatorSet)
            else indicator_set(indicators_of)
        )
        self.index_of: dict[int, int] = {}
        self.not_simulated: dict[str, str] = {}

    # ------------------------------------------------------------------ arrivals
    def _rate_on(self, code: str, rate: float, day: date) -> float:
        fit = self.fitted.get(code)
        if fit is None:
            return super()._rate_on(code, rate, day)
        return rate * fit.weekday[day.weekday()] * fit.month[day.month - 1]

    def _new_dossier(
        self, proc: Any, channel: str, ua: list[float], us: list[float], at: float
    ) -> None:
        if at >= self.start_ts:  # earlier ones that day are in the store already
            super()._new_dossier(proc, channel, ua, us, at)

    # ------------------------------------------------------------------ warm start
    def run(self) -> ReplicationData:
        """Place the warm dossiers at ``as_of``, then simulate as usual."""
        self.push(self.start_ts, self._warm_start)
        return super().run()

    def _warm_start(self, ts: float) -> None:
        dossiers = self.warm.open
        rng = stream(self.seed, self.replication, "warm")
        ua_all = rng.random((len(dossiers), N_ATTR)).tolist()
        us_all = rng.random((len(dossiers), N_SERVICE)).tolist()
        # queues in the order dossiers reached their current state (FIFO as in the office)
        order = sorted(range(len(dossiers)), key=lambda i: (_since(dossiers[i]), dossiers[i].code))
        for i in order:
            d = dossiers[i]
            reason = self._place(ts, i, d, ua_all[i], us_all[i])
            if reason is not None:
                self.not_simulated[d.code] = reason
        if len(self.data.backlog) == 1:  # the first morning's count, taken before they came
            day, _ = self.data.backlog[0]
            self.data.backlog[0] = (day, self.open_count)

    def _place(self, ts: float, i: int, d: Dossier, ua: list[float], us: list[float]) -> str | None:
        try:
            definition = self.catalog_like.get(d.procedure_code, d.procedure_version)
        except TthcError as error:
            return str(error)
        if any(c.answered_at is None for c in d.consultations):
            return "waiting for a consulted body's opinion (not modelled)"
        proc = self._proc(definition)
        ids = [s.id for s in definition.workflow.steps]
        x = _D(proc, d.channel, d.on_the_spot, ua, us)
        x.code = d.code
        x.arrival = x.submitted = d.submitted_at.timestamp()
        x.received = d.received_at.timestamp() if d.received_at is not None else 0.0
        x.due = d.due_at.timestamp() if d.due_at is not None else math.inf
        desk = self.pool(proc.desk_role).actors[0]
        state = d.state
        if state == SUBMITTED:
            self._admit(x, i)
            hours = self.reception[x.channel](us[0])
            self._enqueue(self.pool(proc.desk_role), _Task(x, T_RECEPTION, hours, ts, x.spot), ts)
        elif state == SUPPLEMENT_REQUESTED:
            pause = d.pauses[-1]
            if pause.origin == SUBMITTED:
                x.supp_rec = True
            elif pause.origin in ids:
                x.step = ids.index(pause.origin)
                x.supp_rec = x.supp_app = True
            else:
                return f"paused from {pause.origin!r}, a state the simulator does not model"
            self._admit(x, i)
            self._resume_later(ts, x, d)
        elif state == RECEIVED:
            self._admit(x, i)
            if d.due_at is not None:
                self._set_due(ts, x, d)
            self._fire(x, proc.triggers["handover"], desk, ts)
            x.step = 0
            task = self._next_step(ts, x)
            if task is not None:
                self._enqueue(self.pool(proc.desk_role), task, ts)
        elif state in ids:
            self._admit(x, i)
            x.step = ids.index(state)
            if d.due_at is not None:
                self._set_due(ts, x, d)
            _, role, sampler = proc.steps[x.step]
            task = _Task(x, T_STEP, sampler(us[3 + x.step % (N_SERVICE - 3)]), ts, x.spot)
            self._enqueue(self.pool(role), task, ts)
        elif state == RESULT_READY:
            self._admit(x, i)
            x.resolved = True
            if x.channel == "desk" or (x.channel == "online" and proc.collect_at_desk):
                self.push(ts + self.collect(ua[A_COLLECT]) * DAY_S, self._collect, x)
            else:
                self._return(ts, x, desk, x.channel)
        else:
            return f"state {state!r} is not modelled by the simulator"
        return None

    def _admit(self, x: _D, i: int) -> None:
        self.live[id(x)] = x
        self.open_count += 1
        self.index_of[id(x)] = i

    def _resume_later(self, ts: float, x: _D, d: Dossier) -> None:
        pause = d.pauses[-1]
        closes = pause.closes_at.timestamp() if pause.closes_at is not None else None
        x.due_ver += 1
        if x.ua[A_ABANDON] < self.branching.abandon_supplement:
            if closes is not None:
                self.push(max(ts, closes), self._close, x)
            else:
                self.push(max(ts, pause.start.timestamp() + self.close_after), self._abandon, x)
            return
        delay = self.supp_delay(x.ua[A_SUPP_DELAY]) * DAY_S
        back = pause.start.timestamp() + delay
        if back <= ts:
            back = ts + delay  # waited longer than drawn already: a fresh draw from now
        if closes is not None and back > closes:
            self.push(max(ts, closes), self._close, x)
        else:
            self.push(back, self._supplement_back, x)

    # ------------------------------------------------------------------ the end
    def outcome(self) -> WarmOutcome:
        """Run and read every warm dossier's outcome and the period's indicators."""
        data = self.run()
        outcomes = bytearray(len(self.warm.open))
        ends = array("d", [math.nan]) * len(self.warm.open)
        store = self.forecast_store
        for i, d in enumerate(self.warm.open):
            if d.code in self.not_simulated:
                outcomes[i] = NOT_SIMULATED
                continue
            final = store.load(d.code)
            assert final is not None
            outcomes[i] = _judged(final, self.drain_ts)
            if final.resolved_at is not None:
                ends[i] = final.resolved_at.timestamp()
        found: dict[str, tuple[int | None, int | None, float | None]] = {}
        if self.period is not None:
            for indicator in indicators(
                store.dossiers(),
                self.period,
                # the baseline catalog: a variant's renumbered versions (version + 1000) are
                # not in it, so their dossiers count everywhere except 3.3a's eligibility
                self.scenario.catalog,
                as_of=self.period.end_at,
                indicator_set=self.indicator_set,
            ):
                if indicator.id in FLOW_INDICATORS:
                    found[indicator.id] = (
                        indicator.numerator,
                        indicator.denominator,
                        indicator.points,
                    )
        return WarmOutcome(data, bytes(outcomes), ends, found, dict(self.not_simulated))


def _since(d: Dossier) -> datetime:
    """When the dossier reached its current state (its last step's entry, else its last
    change)."""
    for row in reversed(d.step_rows):
        if row[5] is None:
            return row[3]
    return d.updated_at


def _judged(final: Dossier, drain_ts: float) -> int:
    if final.resolved_at is not None:
        return LATE if final.resolution_timeliness == "late" else ON_TIME
    if not final.is_open:
        return NO_RESULT
    if final.due_at is not None and final.due_at.timestamp() < drain_ts:
        return LATE
    return STILL_OPEN


__all__ = [
    "FLOW_INDICATORS",
    "OUTCOMES",
    "ForecastStore",
    "WarmOutcome",
    "WarmReplication",
    "WarmStart",
    "warm_start",
]
