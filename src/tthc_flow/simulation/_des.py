"""One replication: a discrete-event simulation that drives the real engine.

Queues, staff and service times live here; every state change of a dossier is a command to
the production :class:`~tthc_flow.engine.Engine` at the simulated moment (``at=`` and a
:class:`FixedClock` moved along), so due dates, pauses, apologies and timeliness follow the
same rules as in production. The event list is a plain ``heapq`` of
``(time, sequence, kind, ...)`` tuples: no generator per dossier, which matters at a
million dossiers.

Random numbers come from separate streams per procedure: arrivals, dossier attributes
(channel, branching) and service times. Every dossier draws a fixed number of uniforms
from each, so a variant (more staff, "4 tại chỗ", another channel mix) sees the same
dossiers with the same difficulty: common random numbers.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import perf_counter
from typing import Any

import numpy as np

from tthc_flow._time import VN_TZ
from tthc_flow.engine import (
    SYSTEM,
    Actor,
    Dossier,
    Engine,
    Event,
    FixedClock,
    OnTheSpotPolicy,
    PersonalDataPolicy,
    Policies,
)
from tthc_flow.errors import ConfigurationError, PolicyViolation, TthcError
from tthc_flow.procedure import (
    RECEIVED,
    RESULT_READY,
    SUBMITTED,
    SUPPLEMENT_REQUESTED,
    Catalog,
    Effect,
    Lifecycle,
    OnlineLevel,
    ProcedureDefinition,
    build_lifecycle,
)
from tthc_flow.simulation._distributions import Fixed, Sampler
from tthc_flow.simulation._replay import ReplayedArrival
from tthc_flow.simulation._scenario import (
    CHANNELS,
    PhasedCatalog,
    PinnedCatalog,
    Rate,
    Scenario,
    Variant,
)
from tthc_flow.simulation._worktime import WorkTime
from tthc_flow.store import Store

DAY_S = 86400.0
N_ATTR = 12  # uniforms per dossier from the attribute stream (channel and branching)
N_SERVICE = 10  # uniforms per dossier from the service stream (0, 1 reception; 2 return; 3+ steps)

# uniform slots of the attribute stream
A_CHANNEL, A_SUPP_REC, A_SUPP_APP, A_ABANDON, A_WITHDRAW, A_REJECT = 0, 1, 2, 3, 4, 5
A_APOLOGY, A_SUPP_DELAY, A_POST_IN, A_POST_OUT, A_COLLECT = 6, 7, 8, 9, 10

# task kinds
T_RECEPTION, T_STEP, T_RETURN = range(3)

APPLICANT = Actor.of("applicant", "applicant")


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """An independent generator for one named stream (stable across processes and runs)."""
    digest = hashlib.sha256(f"{seed}:{replication}:{name}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


@dataclass
class ReplicationData:
    """Raw outcome of one replication; :mod:`._kpis` turns it into estimates."""

    replication: int
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    processing_days: array[float] = field(default_factory=lambda: array("d"))
    citizen_days: array[float] = field(default_factory=lambda: array("d"))
    wait_sum: dict[str, float] = field(default_factory=dict)
    wait_n: dict[str, int] = field(default_factory=dict)
    busy_hours: dict[str, float] = field(default_factory=dict)
    staff: dict[str, int] = field(default_factory=dict)
    measured_hours: float = 0.0
    measured_by_role: dict[str, float] = field(default_factory=dict)
    capacity_hours: dict[str, float] = field(default_factory=dict)
    hours_per_day: float = 8.0
    backlog: list[tuple[str, int]] = field(default_factory=list)
    events: int = 0
    seconds: float = 0.0
    store: Any = None


def _trigger(lifecycle: Lifecycle, code: str, source: str, effect: Effect) -> tuple[str, str]:
    """The trigger (and a role allowed to fire it) of ``effect`` from ``source``: looked up in
    the procedure's own compiled lifecycle, so a procedure that names its moves otherwise is
    simulated as it is defined (issue 16: the simulator hard-coded the standard names)."""
    for t in lifecycle.transitions:
        if t.source == source and t.effect is effect:
            role = "one_stop" if "one_stop" in t.roles else min(t.roles, default="one_stop")
            return t.trigger, role
    raise TthcError(f"procedure {code}: no {effect.value} transition from {source} to simulate")


class _Proc:
    """What the simulator needs of one procedure version, precomputed."""

    __slots__ = (
        "agencies", "channels", "code", "collect_at_desk", "components", "desk_role",
        "remaining", "reschedule", "spot", "steps", "triggers",
    )  # fmt: skip

    def __init__(
        self, definition: ProcedureDefinition, samplers: Callable[[str, str, str], Sampler]
    ):
        self.code = definition.code
        self.spot = definition.on_the_spot
        self.channels = frozenset(c.value for c in definition.channels)
        # partial online service (level 3): the result is collected in person at the desk
        self.collect_at_desk = definition.online is OnlineLevel.PARTIAL
        self.steps = [
            (s.trigger, s.role, samplers(definition.code, s.id, s.role))
            for s in definition.workflow.steps
        ]
        # the agency each step belongs to (liên thông): its actor acts for that agency
        self.agencies = [s.agency for s in definition.workflow.steps]
        means = [sampler.mean for _, _, sampler in self.steps]
        self.remaining = [sum(means[i + 1 :]) for i in range(len(means))]
        self.components = [c.name for c in definition.components[:1]] or ["Thành phần hồ sơ"]
        # the simulator models "4 tại chỗ" itself on the untrimmed lifecycle (OnTheSpotPolicy)
        lifecycle = build_lifecycle(definition, trim_on_the_spot=False)
        first, last = definition.workflow.steps[0].id, definition.workflow.steps[-1].id
        code = definition.code
        looked_up = {
            "accept": (SUBMITTED, Effect.ACCEPT),
            "supplement_at_reception": (SUBMITTED, Effect.REQUEST_SUPPLEMENT),
            "handover": (RECEIVED, Effect.HANDOVER),
            "supplement_in_step": (first, Effect.REQUEST_SUPPLEMENT),
            "withdraw": (first, Effect.WITHDRAW),
            "lapse": (SUPPLEMENT_REQUESTED, Effect.WITHDRAW),
            "resume": (SUPPLEMENT_REQUESTED, Effect.RESUME),
            "reject": (last, Effect.REJECT),
            "return": (RESULT_READY, Effect.RETURN),
        }
        self.triggers = {
            name: _trigger(lifecycle, code, source, effect)[0]
            for name, (source, effect) in looked_up.items()
        }
        self.reschedule = [  # the apology of each step (art. 19.6)
            _trigger(lifecycle, code, step.id, Effect.RESCHEDULE)[0]
            for step in definition.workflow.steps
        ]
        self.desk_role = _trigger(lifecycle, code, SUBMITTED, Effect.ACCEPT)[1]


class _D:
    """Simulator-side state of one dossier."""

    __slots__ = (
        "arrival", "busy_until", "cf", "channel", "code", "counted", "due", "due_ver", "pool",
        "proc", "received", "resolved", "spot", "step", "submitted", "supp_app", "supp_rec",
        "ua", "us", "visits",
    )  # fmt: skip

    def __init__(self, proc: _Proc, channel: str, spot: bool, ua: list[float], us: list[float]):
        self.proc, self.channel, self.spot, self.ua, self.us = proc, channel, spot, ua, us
        self.code = ""
        self.arrival = self.submitted = self.received = self.due = self.busy_until = 0.0
        self.resolved = False
        self.counted = True
        self.step = -1
        self.due_ver = 0
        self.pool: _Pool | None = None
        self.supp_rec = self.supp_app = False
        self.cf = 2  # visits a paper-only desk process would need: submit and collect
        self.visits = 0


class _Task:
    __slots__ = ("d", "enq", "hours", "kind", "spot")

    def __init__(self, d: _D, kind: int, hours: float, enq: float, spot: bool) -> None:
        self.d, self.kind, self.hours, self.enq, self.spot = d, kind, hours, enq, spot


class _Pool:
    """A role's staff: ``servers`` people (None: as many as needed) and a FIFO queue in which
    "4 tại chỗ" tasks go first (the applicant is waiting at the desk)."""

    __slots__ = (
        "actors", "busy", "cap", "cap_w", "end_w", "free", "hi", "lo", "retire", "role",
        "servers", "wait_n", "wait_sum", "warm_w", "wt",
    )  # fmt: skip

    def __init__(
        self, role: str, servers: int | None, wt: WorkTime, warm_ts: float, end_ts: float
    ) -> None:
        self.role = role
        self.servers = servers
        self.wt = wt  # the role's working time (its own hours, or the calendar's)
        self.warm_w = wt.to_work(warm_ts)
        self.end_w = wt.to_work(end_ts)
        self.cap = 0.0  # staff-hours available over the measured period
        self.cap_w = self.warm_w
        self.retire = 0  # people to take off when they finish their current task
        count = servers or 1
        self.actors = [Actor.of(f"{role}-{i + 1}", role) for i in range(count)]
        self.free = list(range(count - 1, -1, -1))
        self.hi: deque[_Task] = deque()
        self.lo: deque[_Task] = deque()
        self.busy = 0.0
        self.wait_sum = 0.0
        self.wait_n = 0

    def queued(self) -> int:
        return len(self.hi) + len(self.lo)

    def note_capacity(self, ts: float) -> None:
        """Add the staff-hours of the current headcount up to ``ts``."""
        w = min(max(self.wt.to_work(ts), self.warm_w), self.end_w)
        if w > self.cap_w:
            self.cap += (self.servers or 0) * (w - self.cap_w)
            self.cap_w = w


class Replication:
    """Runs one replication of a scenario (optionally a variant) against an engine."""

    def __init__(
        self,
        scenario: Scenario,
        variant: Variant | None,
        seed: int,
        replication: int,
        store: Store | None = None,
        keep_events: bool = True,
        on_day: Callable[[], None] | None = None,
        *,
        shard: int = 0,
        shards: int = 1,
    ) -> None:
        from tthc_flow.simulation._store import SimulationStore

        m = scenario.model
        self.scenario, self.variant, self.seed, self.replication = (
            scenario,
            variant,
            seed,
            replication,
        )
        self.on_day = on_day
        self.shard, self.shards = shard, shards
        self.phase_from = variant.effective_from if variant is not None else None
        catalog: Catalog = scenario.catalog_for(variant)
        self.catalog_like: Catalog | PinnedCatalog | PhasedCatalog = (
            PinnedCatalog(catalog, m.catalog_as_of) if m.catalog_as_of else catalog
        )
        if self.phase_from is not None and variant is not None:
            # a dated variant: the baseline's procedures before the day, the variant's after
            base = scenario.catalog
            self.catalog_like = PhasedCatalog(
                PinnedCatalog(base, m.catalog_as_of) if m.catalog_as_of else base,
                scenario.changed_definitions(variant),
                self.phase_from,
            )
        self.cal = scenario.calendar
        self.own_store = store is None
        self.store: Store = store if store is not None else SimulationStore(keep_events)
        start = m.horizon.start
        self.clock = FixedClock(datetime.combine(start, time(0), VN_TZ))
        # the engine as deployed, with one documented exception: "4 tại chỗ" is modelled by
        # the simulator (the clerk carries the dossier through its steps in one visit) on the
        # untrimmed lifecycle, so OnTheSpotPolicy(trimmed=False) (docs/simulation.md). The
        # simulated applicants are no one, so their "personal data" stay in the chain: a
        # random commitment nonce per event would make the same seed write other bytes
        compat = Policies(
            on_the_spot=OnTheSpotPolicy(trimmed=False),
            personal_data=PersonalDataPolicy(keep_apart=False),
        )
        self.engine = Engine(
            self.catalog_like,
            calendar=self.cal,
            store=self.store,
            clock=self.clock,
            policies=compat,
        )
        for name in _hook_names(catalog):
            # hooks notify people or other systems; in a simulation they do nothing
            self.engine.register_hook(name, _no_hook)
        last = min(self.cal.last_day, m.horizon.end + timedelta(days=600))
        self.wt = WorkTime(self.cal, start, last)
        self.wt_last = last
        self.hpd = self.cal.hours_per_day.total_seconds() / 3600.0
        self.end_ts = _midnight(m.horizon.end + timedelta(days=1))
        self.warm_ts = _midnight(start + timedelta(days=m.horizon.warmup_days))
        self.end_w = self.wt.to_work(self.end_ts)
        # after the horizon, arrivals stop and the office works off what is open (the drain)
        self.drain_ts = max(
            self.wt.from_work(self.end_w + m.horizon.drain_working_days * self.hpd), self.end_ts
        )
        self.warm_w = self.wt.to_work(self.warm_ts)
        self.branching = m.branching
        self.close_after = (self.engine.policies.supplement.close_after_days or 15) * DAY_S
        self._samplers: dict[Any, Sampler] = {}
        self._procs: dict[tuple[str, int], _Proc] = {}
        self._procs_on: dict[tuple[str, date], _Proc] = {}
        self.staff, self.hours = self._staff(variant)
        self.mix = self._channels(variant)
        self.staff_after, self.mix_after = self.staff, self.mix
        self._channel_bounds: dict[frozenset[str], list[tuple[str, float]]] = {}
        if self.phase_from is not None:
            self.staff, _ = self._staff(None)
            self.mix = self._channels(None)
        self.reception = {
            ch: self._sampler(("reception", ch), m.service.reception.get(ch) or m.service.reception.get("default") or Fixed(dist="fixed", value=0.25))
            for ch in CHANNELS
        }  # fmt: skip
        self.ret = self._sampler(("return",), m.service.return_)
        d = m.delays
        self.supp_delay = self._sampler(("supp",), d.supplement)
        self.transit = self._sampler(("transit",), d.postal_transit)
        self.collect = self._sampler(("collect",), d.collection)
        self.pools: dict[str, _Pool] = {}
        self._acting_for: dict[tuple[Actor, str], Actor] = {}
        self.heap: list[tuple[Any, ...]] = []
        self.seq = 0
        self.open_count = 0
        self.live: dict[int, _D] = {}  # arrived, not yet closed (by id)
        self.data = ReplicationData(replication, seed)
        self.counts: dict[str, int] = dict.fromkeys(
            ("arrived", "received", "resolved", "approved", "rejected", "early", "on_time", "late",
             "withdrawn", "returned", "rescheduled", "apology_refused", "supplements_reception",
             "supplements_appraisal", "on_the_spot", "visits", "visits_counterfactual",
             "visits_saved", "open_at_end", "resolved_at_end", "in_progress_at_end", "censored", "censored_overdue",
             "desk", "postal", "online"),
            0,
        )  # fmt: skip
        self._arrival_rates()

    # ------------------------------------------------------------------ set-up
    def _sampler(self, key: Any, dist: Any) -> Sampler:
        found = self._samplers.get(key)
        if found is None:
            found = self._samplers[key] = Sampler(dist)
        return found

    def _step_sampler(self, code: str, step_id: str, role: str) -> Sampler:
        service = self.scenario.model.service
        dist = (
            service.steps.get(f"{code}/{step_id}")
            or service.steps.get(step_id)
            or service.roles.get(role)
            or service.default
        )
        assert dist is not None  # the loader checked every role has a service time
        return self._sampler(("step", code, step_id, role), dist)

    def _proc(self, definition: ProcedureDefinition) -> _Proc:
        found = self._procs.get(definition.key)
        if found is None:
            found = self._procs[definition.key] = _Proc(definition, self._step_sampler)
        return found

    def _proc_on(self, code: str, day: date) -> _Proc:
        """The procedure version in force on ``day`` (as the engine will pick it), memoised:
        asked at every receipt, and the catalog's answer depends only on the code and day."""
        key = (code, day)
        found = self._procs_on.get(key)
        if found is None:
            found = self._procs_on[key] = self._proc(self.catalog_like.effective(code, day))
        return found

    def _staff(
        self, variant: Variant | None
    ) -> tuple[dict[str, int], dict[str, tuple[tuple[time, time], ...]]]:
        """Headcount (None: unlimited) and working hours of every role, variant applied."""
        pools = dict(self.scenario.model.staff)
        if variant is not None:
            pools.update(variant.staff)
            for role, extra in variant.extra_staff.items():
                pool = pools.get(role)
                if pool is not None and isinstance(pool.count, int):
                    pools[role] = pool.model_copy(update={"count": pool.count + extra})
        staff: dict[str, int] = {
            r: p.count for r, p in pools.items() if not isinstance(p.count, str)
        }
        hours = {
            r: tuple((period.start, period.end) for period in p.hours)
            for r, p in pools.items()
            if p.hours
        }
        if self.shards > 1:
            for role, count in staff.items():
                if count < self.shards:
                    raise ConfigurationError(
                        f"shards={self.shards} needs at least {self.shards} people in every "
                        f"limited role; {role!r} has {count}",
                        setting="simulate.shards",
                        value=self.shards,
                    )
                share, extra = divmod(count, self.shards)
                staff[role] = share + (1 if self.shard < extra else 0)
        return staff, hours

    def _channels(self, variant: Variant | None) -> dict[str, float]:
        mix = dict(self.scenario.model.channels)
        if variant is not None and variant.channels is not None:
            mix = dict(variant.channels)
        if variant is not None and variant.online_share is not None:
            others = sum(v for k, v in mix.items() if k != "online")
            rest = 1.0 - variant.online_share
            mix = {
                k: (v / others * rest if others else 0.0) for k, v in mix.items() if k != "online"
            }
            mix["online"] = variant.online_share
        total = sum(mix.values())
        return {k: v / total for k, v in mix.items()} if total else {"desk": 1.0}

    def pool(self, role: str) -> _Pool:
        found = self.pools.get(role)
        if found is None:
            hours = self.hours.get(role)
            wt = self.wt
            if hours is not None:
                wt = WorkTime(self.cal, self.wt.first, self.wt_last, hours)
            found = _Pool(role, self.staff.get(role), wt, self.warm_ts, self.end_ts)
            self.pools[role] = found
        return found

    def _arrival_rates(self) -> None:
        """Base rate per working day of every procedure (before seasonality)."""
        m = self.scenario.model
        a = m.arrivals
        season = {month: a.seasonality.get(month, 1.0) for month in range(1, 13)}
        self.season = season
        codes = self.scenario.catalog.codes()
        horizon_weight = 0.0
        year_weight = 0.0
        day = m.horizon.start
        while day <= m.horizon.end:
            if self.cal.is_working_day(day):
                horizon_weight += season[day.month]
            day += timedelta(days=1)
        year = m.horizon.start.year
        day = date(year, 1, 1)
        while day.year == year:
            if self.cal.is_working_day(day):
                year_weight += season[day.month]
            day += timedelta(days=1)

        def per_day(rate: Rate) -> float:
            if rate.per_working_day is not None:
                return rate.per_working_day
            if rate.per_year is not None:
                return rate.per_year / year_weight if year_weight else 0.0
            assert rate.per_horizon is not None
            return rate.per_horizon / horizon_weight if horizon_weight else 0.0

        rates: dict[str, float] = {code: per_day(r) for code, r in a.procedures.items()}
        shared = [c for c in codes if c not in rates]
        if a.total is not None and shared:
            weights = {c: a.weights.get(c, 1.0) for c in shared}
            total_w = sum(weights.values())
            base = per_day(a.total)
            for code in shared:
                rates[code] = base * weights[code] / total_w if total_w else 0.0
        self.rates = {c: r / self.shards for c, r in sorted(rates.items()) if r > 0}
        self.replay_by_day: dict[int, list[ReplayedArrival]] | None = None
        if self.scenario.replayed is not None:
            self.rates = {}
            self.replay_by_day = {}
            for index, arrival in enumerate(self.scenario.replayed):
                if index % self.shards == self.shard:
                    offset = self.wt.day_offset(arrival.ts)
                    self.replay_by_day.setdefault(offset, []).append(arrival)
                    self.rates.setdefault(arrival.code, 0.0)
        suffix = f"@{self.shard}/{self.shards}" if self.shards > 1 else ""
        self.streams = {
            code: (
                stream(self.seed, self.replication, f"arrivals:{code}{suffix}"),
                stream(self.seed, self.replication, f"attributes:{code}{suffix}"),
                stream(self.seed, self.replication, f"service:{code}{suffix}"),
            )
            for code in self.rates
        }

    # ------------------------------------------------------------------ the loop
    def push(self, ts: float, handler: Callable[..., None], *args: Any) -> None:
        """Call ``handler(ts, *args)`` at ``ts`` (ties in the order pushed)."""
        self.seq += 1
        heapq.heappush(self.heap, (ts, self.seq, handler, args))

    def run(self) -> ReplicationData:
        """Simulate the horizon; returns the raw data."""
        began = perf_counter()
        first_day = self.scenario.model.horizon.start
        self.last_offset = (self.scenario.model.horizon.end - first_day).days
        self.push(self.wt.origin, self._day, 0)
        self.push(self.end_ts, self._horizon_end)
        heap, pop, drain_ts = self.heap, heapq.heappop, self.drain_ts
        while heap:
            ts, _, handler, args = pop(heap)
            if ts > drain_ts:
                break
            handler(ts, *args)
        self._finish()
        self.data.seconds = perf_counter() - began
        return self.data

    # every command carries its moment (at=); the clock itself moves once a day
    _at = staticmethod(WorkTime.dt)

    def _for_step(self, d: _D, actor: Actor) -> Actor:
        """``actor`` acting for the agency of the dossier's current step (liên thông): the
        engine refuses a step of another agency (AgencyPolicy.require_same_agency)."""
        agency = d.proc.agencies[d.step]
        if agency is None:
            return actor
        found = self._acting_for.get((actor, agency))
        if found is None:
            found = Actor(actor.id, actor.roles, agency)
            self._acting_for[(actor, agency)] = found
        return found

    def _fire(self, d: _D, trigger: str, actor: Actor, ts: float, **arguments: Any) -> Dossier:
        # positional: fire(code, trigger, actor, at, idempotency_key, **arguments); the simulator
        # passes only command arguments (reason, missing, new_due_at); WorkTime.dt inlined
        return self.engine.fire(
            d.code, trigger, actor, datetime.fromtimestamp(ts, VN_TZ), None, **arguments
        )

    # ------------------------------------------------------------------ arrivals
    def _day(self, ts: float, offset: int) -> None:
        day = self.wt.date_of(offset)
        self.clock.set(self._at(ts))
        if self.phase_from is not None and day >= self.phase_from:
            self._change_phase(ts)
        self.data.backlog.append((day.isoformat(), self.open_count))
        if self.on_day is not None:
            self.on_day()
        if offset < self.last_offset:
            self.push(ts + DAY_S, self._day, offset + 1)
        if self.replay_by_day is not None:
            self._replay_day(day, offset)
            return
        hours = self.wt.day_hours(offset)
        if hours <= 0:
            return
        w0 = self.wt.day_start_work(offset)
        for code, rate in self.rates.items():
            arr, attr, serv = self.streams[code]
            n = int(arr.poisson(self._rate_on(code, rate, day)))
            if not n:
                continue
            times = arr.random(n).tolist()
            ua_all = attr.random((n, N_ATTR)).tolist()
            us_all = serv.random((n, N_SERVICE)).tolist()
            proc = self._proc_on(code, day)
            for u, ua, us in zip(times, ua_all, us_all, strict=True):
                channel = self._channel(proc, ua[A_CHANNEL])
                self._new_dossier(proc, channel, ua, us, self.wt.from_work(w0 + u * hours))

    def _rate_on(self, code: str, rate: float, day: date) -> float:
        """Expected arrivals of ``code`` on working day ``day`` (its base rate and the month's
        factor; the forecast's replication adds weekday and per-procedure factors)."""
        return rate * self.season[day.month]

    def _new_dossier(
        self, proc: _Proc, channel: str, ua: list[float], us: list[float], at: float
    ) -> None:
        d = _D(proc, channel, proc.spot and channel == "desk", ua, us)
        d.arrival = at
        d.counted = at >= self.warm_ts
        d.submitted = at
        if channel == "postal":
            d.submitted = at - self.transit(ua[A_POST_IN]) * DAY_S
        self.push(at, self._arrive, d)

    def _replay_day(self, day: date, offset: int) -> None:
        """The logged arrivals of the day, each with uniforms from its procedure's streams."""
        assert self.replay_by_day is not None
        for arrival in self.replay_by_day.get(offset, ()):
            _, attr, serv = self.streams[arrival.code]
            ua = attr.random(N_ATTR).tolist()
            us = serv.random(N_SERVICE).tolist()
            proc = self._proc_on(arrival.code, day)
            channel = arrival.channel
            if channel not in proc.channels:  # the catalog changed since: draw a channel
                channel = self._channel(proc, ua[A_CHANNEL])
            self._new_dossier(proc, channel, ua, us, arrival.ts)

    def _change_phase(self, ts: float) -> None:
        """A dated variant starts: its channel mix and headcounts from this morning."""
        self.phase_from = None
        self.mix = self.mix_after
        self._channel_bounds.clear()
        for role, count in self.staff_after.items():
            if count != self.staff.get(role):
                self._resize(self.pool(role), count, ts)
        self.staff = self.staff_after

    def _resize(self, pool: _Pool, count: int, ts: float) -> None:
        pool.note_capacity(ts)
        old = pool.servers
        if old is None:
            return
        pool.servers = count
        if count > old:
            for index in range(len(pool.actors), len(pool.actors) + count - old):
                pool.actors.append(Actor.of(f"{pool.role}-{index + 1}", pool.role))
                pool.free.append(index)
            while pool.free and (pool.hi or pool.lo):
                task = pool.hi.popleft() if pool.hi else pool.lo.popleft()
                self._start(pool, pool.free.pop(), task, ts)
        else:
            drop = old - count
            while drop and pool.free:  # idle people leave at once, busy ones after their task
                pool.free.pop()
                drop -= 1
            pool.retire += drop

    def _channel(self, proc: _Proc, u: float) -> str:
        bounds = self._channel_bounds.get(proc.channels)
        if bounds is None:
            bounds = self._channel_bounds[proc.channels] = self._bounds(proc.channels)
        for channel, upper in bounds:
            if u < upper:
                return channel
        return bounds[-1][0]

    def _bounds(self, channels: frozenset[str]) -> list[tuple[str, float]]:
        """Each offered channel with the upper end of its share of [0, 1) under the current
        mix (computed once per channel set and mix: it is drawn for every arrival)."""
        offered = [(c, self.mix.get(c, 0.0)) for c in CHANNELS if c in channels]
        total = sum(w for _, w in offered)
        if total <= 0:
            return [(offered[0][0], math.inf)]
        bounds = []
        acc = 0.0
        for channel, weight in offered:
            acc += weight / total
            bounds.append((channel, acc))
        return bounds

    def _arrive(self, ts: float, d: _D) -> None:
        self.live[id(d)] = d
        if d.counted:
            self.counts["arrived"] += 1
            self.counts[d.channel] += 1
        if d.channel == "desk":
            d.visits += 1
        hours = self.reception[d.channel](d.us[0])
        self._enqueue(self.pool(d.proc.desk_role), _Task(d, T_RECEPTION, hours, ts, d.spot), ts)

    # ------------------------------------------------------------------ queues
    def _enqueue(self, pool: _Pool, task: _Task, ts: float) -> None:
        task.d.pool = pool
        if pool.servers is None:
            self._start(pool, 0, task, ts)
        elif pool.free:
            self._start(pool, pool.free.pop(), task, ts)
        elif task.spot:
            pool.hi.append(task)
        else:
            pool.lo.append(task)

    def _start(self, pool: _Pool, server: int, task: _Task, ts: float) -> None:
        wt = pool.wt
        start_w = wt.work_at_next(ts)
        finish_w = start_w + task.hours
        finish = wt.from_work(finish_w)
        d = task.d
        d.busy_until = finish
        d.pool = None
        if d.counted and task.enq >= self.warm_ts:
            pool.wait_sum += start_w - wt.to_work(task.enq)
            pool.wait_n += 1
        lo, hi = max(start_w, pool.warm_w), min(finish_w, pool.end_w)
        if hi > lo:
            pool.busy += hi - lo
        self.push(finish, self._done, pool, server, task)

    def _done(self, ts: float, pool: _Pool, server: int, task: _Task) -> None:
        if task.kind == T_RECEPTION:
            follow = self._reception_done(ts, task.d, pool.actors[server])
        elif task.kind == T_STEP:
            follow = self._step_done(ts, task.d, pool.actors[server if pool.servers else 0])
        else:
            self._return_done(ts, task.d, pool.actors[server if pool.servers else 0])
            follow = None
        if pool.servers is None:
            if follow is not None:
                self._start(pool, 0, follow, ts)
            return
        if follow is not None:  # "4 tại chỗ": the same clerk carries on with the applicant
            self._start(pool, server, follow, ts)
        elif pool.retire:
            pool.retire -= 1
        elif pool.hi:
            self._start(pool, server, pool.hi.popleft(), ts)
        elif pool.lo:
            self._start(pool, server, pool.lo.popleft(), ts)
        else:
            pool.free.append(server)

    # ------------------------------------------------------------------ handling
    def _reception_done(self, ts: float, d: _D, clerk: Actor) -> _Task | None:
        b = self.branching
        if not d.code and not d.supp_rec and d.ua[A_SUPP_REC] < b.supplement_at_reception:
            dossier = self.engine.submit(
                d.proc.code, "applicant", d.channel, at=self._at(d.arrival), on_the_spot=d.spot
            )
            d.code = dossier.code
            self.open_count += 1
            paused = self._fire(
                d, d.proc.triggers["supplement_at_reception"], clerk, ts, missing=d.proc.components
            )
            d.supp_rec = True
            if d.counted:
                self.counts["supplements_reception"] += 1
            self._ask_supplement(ts, d, paused)
            return None
        if d.code:
            dossier = self._fire(d, d.proc.triggers["accept"], clerk, ts)
        else:
            # the engine takes the version in force on the day of receipt (a dossier keeps the
            # version it was received under): one that arrived before a dated variant but is
            # received on or after its day follows the new version, so the simulator does too
            at = self._at(ts)
            proc = self._proc_on(d.proc.code, at.date())
            if proc is not d.proc:
                d.proc = proc
                d.spot = proc.spot and d.channel == "desk"
            dossier = self.engine.receive(
                d.proc.code,
                "applicant",
                d.channel,
                at=at,
                actor=clerk,
                on_the_spot=d.spot,
            )
            d.code = dossier.code
            self.open_count += 1
        d.received = ts
        if d.counted:
            self.counts["received"] += 1
            self.counts["on_the_spot"] += d.spot
        self._set_due(ts, d, dossier)
        self._fire(d, d.proc.triggers["handover"], clerk, ts)
        d.step = 0
        return self._next_step(ts, d)

    def _next_step(self, ts: float, d: _D) -> _Task | None:
        _, role, sampler = d.proc.steps[d.step]
        task = _Task(d, T_STEP, sampler(d.us[3 + d.step % (N_SERVICE - 3)]), ts, d.spot)
        if d.spot and role == d.proc.desk_role:
            return task
        self._enqueue(self.pool(role), task, ts)
        return None

    def _ask_supplement(self, ts: float, d: _D, paused: Dossier) -> None:
        d.cf += 1
        d.due_ver += 1  # the clock stops: a pending apology check no longer applies
        if d.ua[A_ABANDON] < self.branching.abandon_supplement:
            # the engine decided when the request lapses (closes_at, art. 19.5); a request at
            # reception has none: the simulated applicant gives up after close_after instead
            closes_at = paused.closes_at
            if closes_at is not None:
                self.push(closes_at.timestamp(), self._close, d)
            else:
                self.push(ts + self.close_after, self._abandon, d)
        else:
            self.push(ts + self.supp_delay(d.ua[A_SUPP_DELAY]) * DAY_S, self._supplement_back, d)

    def _step_done(self, ts: float, d: _D, actor: Actor) -> _Task | None:
        b = self.branching
        actor = self._for_step(d, actor)
        trigger, _, _ = d.proc.steps[d.step]
        last = d.step == len(d.proc.steps) - 1
        if d.step == 0 and not d.supp_app and d.ua[A_SUPP_APP] < b.supplement_during_appraisal:
            d.supp_app = True
            try:
                paused = self._fire(
                    d, d.proc.triggers["supplement_in_step"], actor, ts, missing=d.proc.components
                )
            except PolicyViolation:
                # too late to ask (SupplementPolicy: once, within the working days after the
                # receipt that art. 19.5 allows): as in an office, the step goes on without it
                pass
            else:
                if d.counted:
                    self.counts["supplements_appraisal"] += 1
                self._ask_supplement(ts, d, paused)
                return None
        if d.step == 0 and d.ua[A_WITHDRAW] < b.withdraw:
            self._fire(d, d.proc.triggers["withdraw"], APPLICANT, ts, reason="Người nộp rút hồ sơ")
            self._closed(d, "withdrawn")
            return None
        if last and d.ua[A_REJECT] < b.reject:
            dossier = self._fire(
                d, d.proc.triggers["reject"], actor, ts, reason="Không đủ điều kiện"
            )
        else:
            dossier = self._fire(d, trigger, actor, ts)
        if not last:
            d.step += 1
            return self._next_step(ts, d)
        self._resolved(ts, d, dossier)
        return None

    def _resolved(self, ts: float, d: _D, dossier: Dossier) -> None:
        d.resolved = True
        d.due_ver += 1
        if d.counted:
            c = self.counts
            c["resolved"] += 1
            c["approved" if dossier.outcome == "approved" else "rejected"] += 1
            c[dossier.resolution_timeliness or "late"] += 1
            # the engine's figure (clock start to result on its calendar), the one the reports
            # read: the KPI and the report's processing mean agree (issue 16)
            seconds = dossier.processing_seconds
            assert seconds is not None
            self.data.processing_days.append(seconds / (self.hpd * 3600.0))
        if d.channel == "desk" or (d.channel == "online" and d.proc.collect_at_desk):
            if d.spot:
                self._return(ts, d, self.pool(d.proc.desk_role).actors[0], "desk")
            else:
                self.push(ts + self.collect(d.ua[A_COLLECT]) * DAY_S, self._collect, d)
        else:
            self._return(ts, d, self.pool(d.proc.desk_role).actors[0], d.channel)

    def _collect(self, ts: float, d: _D) -> None:
        d.visits += 1
        ready = self.wt.next_working(ts)
        self._enqueue(
            self.pool(d.proc.desk_role), _Task(d, T_RETURN, self.ret(d.us[2]), ready, False), ready
        )

    def _return_done(self, ts: float, d: _D, clerk: Actor) -> None:
        self._return(ts, d, clerk, "desk")

    def _return(self, ts: float, d: _D, clerk: Actor, method: str) -> None:
        self._fire(d, d.proc.triggers["return"], clerk, ts, method=method)
        if d.counted:
            in_hand = ts + (self.transit(d.ua[A_POST_OUT]) * DAY_S if method == "postal" else 0.0)
            self.data.citizen_days.append((in_hand - d.submitted) / DAY_S)
            self.counts["returned"] += 1
            self.counts["visits"] += d.visits
            self.counts["visits_counterfactual"] += d.cf
        self._closed(d, None)

    def _closed(self, d: _D, outcome: str | None) -> None:
        self.open_count -= 1
        del self.live[id(d)]
        d.due_ver += 1
        if outcome is not None and d.counted:
            self.counts[outcome] += 1

    def _supplement_back(self, ts: float, d: _D) -> None:
        if d.channel == "desk":
            d.visits += 1
        dossier = self._fire(d, d.proc.triggers["resume"], APPLICANT, ts)
        if d.step < 0:  # supplement at reception: the desk checks the dossier again
            hours = self.reception[d.channel](d.us[1])
            self._enqueue(self.pool(d.proc.desk_role), _Task(d, T_RECEPTION, hours, ts, d.spot), ts)
            return
        self._set_due(ts, d, dossier)
        _, role, sampler = d.proc.steps[d.step]
        task = _Task(d, T_STEP, sampler(d.us[3 + d.step % (N_SERVICE - 3)]), ts, False)
        self._enqueue(self.pool(role), task, ts)

    def _abandon(self, ts: float, d: _D) -> None:
        self._fire(
            d, d.proc.triggers["lapse"], SYSTEM, ts, reason="Không bổ sung hồ sơ trong thời hạn"
        )
        self._closed(d, "withdrawn")

    def _close(self, ts: float, d: _D) -> None:
        # "đóng hồ sơ" at the engine's closes_at (outcome closed); the KPI bucket stays
        # "withdrawn" (the dossier left without a result)
        self._fire(d, "stop", SYSTEM, ts, reason="Không hoàn thiện hồ sơ")
        self._closed(d, "withdrawn")

    # ------------------------------------------------------------------ apologies
    def _set_due(self, ts: float, d: _D, dossier: Dossier) -> None:
        """Remember the appointment and plan the last moment to apologise (art. 19.6)."""
        assert dossier.due_at is not None
        d.due = dossier.due_at.timestamp()
        d.due_ver += 1
        if dossier.reschedules:
            return
        wt = self.wt
        offset = wt.day_offset(d.due) - 1
        while offset >= 0 and wt.day_hours(offset) <= 0:
            offset -= 1
        if offset < 0:
            return
        last_ok_start, last_ok_end = wt.day_span(offset)
        if ts >= last_ok_end:
            return  # too short a limit to apologise a working day ahead
        self.push(max(ts, last_ok_start), self._watch, d, d.due_ver)

    def _watch(self, ts: float, d: _D, version: int) -> None:
        if version != d.due_ver or d.resolved:
            return
        wt = self.wt
        mean = d.proc.steps[d.step][2].mean
        if d.pool is None:  # in service
            finish_w = wt.to_work(max(d.busy_until, ts))
        else:
            servers = d.pool.servers or 1
            finish_w = wt.to_work(ts) + (d.pool.queued() / servers + 1.0) * mean
        finish_w += d.proc.remaining[d.step]
        if wt.from_work(finish_w) <= d.due:
            return
        if d.ua[A_APOLOGY] >= self.branching.apology:
            return
        # new appointment: the end of the working day one working day after the estimate
        target = wt.from_work(finish_w + self.hpd)
        offset = wt.day_offset(target)
        while wt.day_hours(offset) <= 0:
            offset += 1
        new_due = max(wt.day_span(offset)[1], d.due + 3600.0)
        try:
            self._fire(
                d,
                d.proc.reschedule[d.step],
                self._for_step(d, self.pool(d.proc.steps[d.step][1]).actors[0]),
                ts,
                new_due_at=wt.dt(new_due),
                reason="Hồ sơ cần thêm thời gian thẩm định",
            )
        except PolicyViolation:
            if d.counted:
                self.counts["apology_refused"] += 1
            return
        d.due = new_due
        d.due_ver += 1
        if d.counted:
            self.counts["rescheduled"] += 1

    # ------------------------------------------------------------------ the end
    def _horizon_end(self, ts: float) -> None:
        """Snapshot at the end of the horizon (what a report on that day shows)."""
        c = self.counts
        c["open_at_end"] = self.open_count
        c["resolved_at_end"] = c["resolved"]
        # in progress as a report on that day counts them: received, no result yet
        c["in_progress_at_end"] = sum(
            1 for d in self.live.values() if d.counted and d.received and not d.resolved
        )

    def _finish(self) -> None:
        data = self.data
        c = self.counts
        # still open after the drain: censored; past their appointment they are late already
        for d in self.live.values():
            if d.counted and not d.resolved:
                c["censored"] += 1
                c["censored_overdue"] += d.received > 0 and d.due < self.drain_ts
        c["visits_saved"] = c["visits_counterfactual"] - c["visits"]
        data.counts = dict(c)
        measured = max(self.end_w - self.warm_w, 0.0)
        data.measured_hours = measured
        data.hours_per_day = self.hpd
        for role, pool in sorted(self.pools.items()):
            data.wait_sum[role] = pool.wait_sum
            data.wait_n[role] = pool.wait_n
            data.busy_hours[role] = pool.busy
            data.measured_by_role[role] = max(pool.end_w - pool.warm_w, 0.0)
            pool.note_capacity(self.end_ts)
            if pool.servers is not None:
                data.capacity_hours[role] = pool.cap
            if pool.servers is not None:
                data.staff[role] = pool.servers
        data.events = getattr(self.store, "event_count", 0)
        if self.own_store:
            from tthc_flow.simulation._store import SimulationStore

            assert isinstance(self.store, SimulationStore)
            data.store = self.store if self.store.keep_events else None


def merge_shards(parts: list[ReplicationData]) -> list[ReplicationData]:
    """One :class:`ReplicationData` per replication: its shards (independent offices) added up.

    Counts, busy hours, waits, staff and the daily backlog add; processing and citizen times
    are pooled; ``seconds`` is the slowest shard's (they run side by side).
    """
    merged: dict[int, ReplicationData] = {}
    for part in sorted(parts, key=lambda p: p.replication):
        into = merged.get(part.replication)
        if into is None:
            merged[part.replication] = part
            continue
        for name, value in part.counts.items():
            into.counts[name] = into.counts.get(name, 0) + value
        into.processing_days.extend(part.processing_days)
        into.citizen_days.extend(part.citizen_days)
        for target, source in (
            (into.wait_sum, part.wait_sum),
            (into.wait_n, part.wait_n),
            (into.busy_hours, part.busy_hours),
            (into.staff, part.staff),
            (into.capacity_hours, part.capacity_hours),
        ):
            for key, amount in source.items():
                target[key] = target.get(key, 0) + amount  # type: ignore[assignment]
        into.backlog = [
            (day, a + b) for (day, a), (_, b) in zip(into.backlog, part.backlog, strict=True)
        ]
        into.events += part.events
        into.seconds = max(into.seconds, part.seconds)
    return [merged[r] for r in sorted(merged)]


def _hook_names(catalog: Catalog) -> set[str]:
    names: set[str] = set()
    for definition in catalog:
        for transition in definition.workflow.transitions:
            names.update(transition.hooks)
        for step in definition.workflow.steps:
            names.update(step.on_enter)
    return names


def _no_hook(dossier: Dossier, event: Event) -> None:
    return None


def _midnight(day: date) -> float:
    return datetime.combine(day, time(0), VN_TZ).timestamp()


__all__ = ["Replication", "ReplicationData", "merge_shards"]
