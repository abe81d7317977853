"""Simulation speed: the engine-driven simulator against a SimPy model of the same queueing system.

    python benchmarks/simulation.py            # 10,000 and 1,000,000 dossiers (many minutes)
    python benchmarks/simulation.py --quick    # 10,000 and 100,000 dossiers
    python benchmarks/simulation.py --quick --no-scale   # skip replications/s and the cluster

The SimPy baseline is built from the same scenario and catalog: every procedure's arrival
rate, the channel mix, each procedure's steps with their roles and service-time
distributions, reception per channel, a second reception after a supplement at reception,
the first step served twice after a supplement during appraisal, "4 tại chỗ" desk dossiers
kept by the clerk who received them (and first in every queue), the result handed over at
the desk for desk and partial-online dossiers, the same headcounts, and time in working
hours of the same calendar. It has no engine, no calendar arithmetic and no events: the
floor that the engine's bookkeeping (due dates, events, snapshots, apologies) adds to.

Both models print their utilisation per role; the script exits with status 1 unless they
agree within ``--tolerance`` points and both did the same work (dossiers arrived and
completed within 4 Poisson standard deviations). The simulated years keep no event log
(``keep_events=False``).

Then it measures replications/s of the small year on 1 and 2 local worker processes and on
a Dask ``LocalCluster`` of 2 worker processes (if ``tthc_flow[dask]`` is installed), checks
that the cluster's results are the local pool's, and projects the cost of 1,000 replications
of a 1,000,000-dossier year from the measured one-process time of the big year.
"""

from __future__ import annotations

import sys
from pathlib import Path

# benchmarks/calendar.py would shadow the standard library's calendar module
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import timedelta  # noqa: E402
from typing import Any  # noqa: E402

import simpy  # noqa: E402

from tthc_flow.procedure import OnlineLevel  # noqa: E402
from tthc_flow.simulation import Scenario, parse_scenario, simulate  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BASE_STAFF = {"one_stop": 3, "specialist": 6, "leader": 2, "inspection_team": 2}


def scenario_text(per_year: int, scale: float) -> str:
    staff = {k: max(1, round(v * scale)) for k, v in BASE_STAFF.items()} | {
        "ministry_officer": "unlimited"
    }
    return f"""
name: bench {per_year}
horizon: {{start: 2026-01-01, end: 2026-12-31}}
catalog: so-cong-thuong
seed: 1
arrivals:
  total: {{per_year: {per_year}}}
channels: {{desk: 0.6, postal: 0.1, online: 0.3}}
staff: {staff}
service:
  reception: {{default: {{dist: exponential, mean: 0.25}}}}
  roles:
    specialist: {{dist: exponential, mean: 1.0}}
    leader: {{dist: exponential, mean: 0.2}}
    one_stop: {{dist: exponential, mean: 0.5}}
  default: {{dist: exponential, mean: 2.0}}
branching: {{supplement_at_reception: 0.05, supplement_during_appraisal: 0.02}}
"""


def bench_scenario(n: int) -> Scenario:
    return parse_scenario(scenario_text(n, n / 10_000), "bench.yaml", EXAMPLES)


# ---------------------------------------------------------------------- the SimPy model
@dataclass
class SimpyRun:
    seconds: float
    arrived: int
    completed: int
    utilisation: dict[str, float] = field(default_factory=dict)


def _draw(rng: random.Random, dist: Any) -> Any:
    """A sampler for the scenario's distribution (the benchmark scenario's two kinds)."""
    if dist.dist == "exponential":
        rate = 1.0 / dist.mean
        return lambda: rng.expovariate(rate)
    if dist.dist == "fixed":
        value = float(dist.value)
        return lambda: value
    raise SystemExit(f"the SimPy model has no {dist.dist!r} distribution")


def simpy_model(scenario: Scenario, seed: int = 1) -> SimpyRun:
    """The scenario's queueing system in plain SimPy, time in working hours.

    Built from the scenario and catalog only (not from the simulator's code)."""
    m = scenario.model
    cal = scenario.calendar
    rng = random.Random(seed)
    hpd = cal.hours_per_day.total_seconds() / 3600.0
    day, days = m.horizon.start, 0
    while day <= m.horizon.end:
        days += cal.is_working_day(day)
        day += timedelta(days=1)
    horizon_h = days * hpd
    # calendar days outside the office (supplements) as the working hours they span on average
    per_calendar_day = hpd * days / ((m.horizon.end - m.horizon.start).days + 1)
    env = simpy.Environment()
    resources = {
        role: simpy.PriorityResource(env, capacity=pool.count)
        for role, pool in m.staff.items()
        if isinstance(pool.count, int)
    }
    busy = dict.fromkeys(m.staff, 0.0)
    service = m.service

    def step_dist(code: str, step_id: str, role: str) -> Any:
        return (
            service.steps.get(f"{code}/{step_id}")
            or service.steps.get(step_id)
            or service.roles.get(role)
            or service.default
        )

    procedures = []
    for definition in scenario.catalog:
        if definition.code in {p[0] for p in procedures}:
            continue
        definition = scenario.catalog.effective(definition.code, m.horizon.start)
        offered = [c.value for c in definition.channels]
        mix = [(c, m.channels.get(c, 0.0)) for c in ("desk", "postal", "online") if c in offered]
        steps = [
            (s.role, _draw(rng, step_dist(definition.code, s.id, s.role)))
            for s in definition.workflow.steps
        ]
        procedures.append(
            (
                definition.code,
                mix,
                steps,
                definition.on_the_spot,
                definition.online is OnlineLevel.PARTIAL,
            )
        )
    assert m.arrivals.total is not None and m.arrivals.total.per_year is not None
    # the shared total in equal shares (the benchmark scenario gives no weights)
    per_hour = m.arrivals.total.per_year * days / _year_working_days(scenario) / horizon_h
    reception = {
        ch: _draw(rng, service.reception.get(ch) or service.reception["default"])
        for ch in ("desk", "postal", "online")
    }
    give_back = _draw(rng, service.return_)
    supplement_h = float(m.delays.supplement.mean) * per_calendar_day
    b = m.branching
    done = [0, 0]  # arrived, completed

    def serve(role: str, hours: float, priority: int) -> Any:
        resource = resources.get(role)
        if resource is None:  # unlimited: no queue
            yield env.timeout(hours)
        else:
            with resource.request(priority=priority) as req:
                yield req
                yield from work(role, hours)
        return None

    def work(role: str, hours: float) -> Any:
        start = env.now
        yield env.timeout(hours)
        busy[role] += max(0.0, min(start + hours, horizon_h) - min(start, horizon_h))

    def dossier(proc: tuple[Any, ...]) -> Any:
        _, mix, steps, spot_procedure, collect_at_desk = proc
        u, acc, channel = rng.random(), 0.0, mix[-1][0]
        total = sum(w for _, w in mix)
        for name, weight in mix:
            acc += weight / total
            if u < acc:
                channel = name
                break
        spot = spot_procedure and channel == "desk"
        priority = 0 if spot else 1
        first = 0
        if rng.random() < b.supplement_at_reception:
            yield from serve("one_stop", reception[channel](), priority)
            yield env.timeout(supplement_h)
        if spot:
            # "4 tại chỗ": the clerk who receives carries on with the desk's steps, same visit
            with resources["one_stop"].request(priority=0) as req:
                yield req
                yield from work("one_stop", reception[channel]())
                while first < len(steps) and steps[first][0] == "one_stop":
                    yield from work("one_stop", steps[first][1]())
                    first += 1
        else:
            yield from serve("one_stop", reception[channel](), priority)
        for index in range(first, len(steps)):
            role, draw = steps[index]
            if index == 0 and rng.random() < b.supplement_during_appraisal:
                yield from serve(role, draw(), priority)
                yield env.timeout(supplement_h)
            yield from serve(role, draw(), priority)
        if not spot and (channel == "desk" or (channel == "online" and collect_at_desk)):
            yield from serve("one_stop", give_back(), 1)
        done[1] += 1

    weights = [1.0] * len(procedures)

    def source() -> Any:
        while True:
            gap = rng.expovariate(per_hour)
            if env.now + gap >= horizon_h:
                return
            yield env.timeout(gap)
            done[0] += 1
            env.process(dossier(rng.choices(procedures, weights)[0]))

    began = time.perf_counter()
    env.process(source())
    env.run()
    seconds = time.perf_counter() - began
    utilisation = {
        role: busy[role] / (resource.capacity * horizon_h) for role, resource in resources.items()
    }
    return SimpyRun(seconds, done[0], done[1], utilisation)


def _year_working_days(scenario: Scenario) -> int:
    """Working days of the horizon's calendar year (``per_year`` is a rate per such year)."""
    year = scenario.model.horizon.start.year
    day, count = scenario.model.horizon.start.replace(month=1, day=1), 0
    while day.year == year:
        count += scenario.calendar.is_working_day(day)
        day += timedelta(days=1)
    return count


# ---------------------------------------------------------------------- the simulator
@dataclass
class EngineRun:
    seconds: float
    arrived: int
    completed: int
    events: int
    utilisation: dict[str, float]


def engine_model(scenario: Scenario, progress: bool = False) -> EngineRun:
    began = time.perf_counter()
    result = simulate(scenario, keep_events=False, progress=progress, workers=1)
    seconds = time.perf_counter() - began
    data = result.replications[0]
    utilisation = {
        role: data.busy_hours[role] / hours for role, hours in data.capacity_hours.items()
    }
    return EngineRun(
        seconds, data.counts["arrived"], data.counts["returned"], data.events, utilisation
    )


def compare_models(n: int, repeat: int, tolerance: float) -> tuple[list[str], EngineRun]:
    """Run both models ``repeat`` times (alternating), print medians; return the failures."""
    scenario = bench_scenario(n)
    ours: list[EngineRun] = []
    theirs: list[SimpyRun] = []
    for _ in range(repeat):
        theirs.append(simpy_model(scenario))
        ours.append(engine_model(scenario, progress=n > 100_000))
    e = sorted(ours, key=lambda r: r.seconds)[len(ours) // 2]
    s = sorted(theirs, key=lambda r: r.seconds)[len(theirs) // 2]
    e_s = statistics.median(r.seconds for r in ours)
    s_s = statistics.median(r.seconds for r in theirs)
    print(
        f"{n:>9,} dossiers/year, one process: engine simulator {e_s:7.2f} s "
        f"({e.arrived / e_s:6.0f} dossiers/s, {e.events:,} events); SimPy {s_s:7.2f} s "
        f"({s.arrived / s_s:6.0f} dossiers/s); ratio {e_s / s_s:4.2f}x (median of {repeat})"
    )
    failures: list[str] = []
    for role in sorted(s.utilisation):
        a, b = e.utilisation[role], s.utilisation[role]
        flag = "" if abs(a - b) <= tolerance else "  <-- differ"
        print(f"    utilisation {role:<16} simulator {a:5.3f}  SimPy {b:5.3f}{flag}")
        if flag:
            failures.append(f"{n}: utilisation of {role} {a:.3f} vs {b:.3f}")
    for what, a, b in (("arrived", e.arrived, s.arrived), ("completed", e.completed, s.completed)):
        print(f"    {what:<28} simulator {a:>9,}  SimPy {b:>9,}")
        if abs(a - b) > 4 * max(a, b) ** 0.5:
            failures.append(f"{n}: {what} {a} vs {b}")
    return failures, e


# ---------------------------------------------------------------------- replications/s
def replication_rates(replications: int) -> tuple[list[str], dict[str, float]]:
    """Replications/s of the 10,000-dossier year on 1 and 2 local workers and a LocalCluster."""
    scenario = bench_scenario(10_000)
    rates: dict[str, float] = {}
    failures: list[str] = []
    outcomes: dict[str, Any] = {}

    def timed(label: str, **kwargs: Any) -> None:
        began = time.perf_counter()
        result = simulate(scenario, replications=replications, keep_events=False, **kwargs)
        rates[label] = replications / (time.perf_counter() - began)
        outcomes[label] = [(r.counts, r.processing_days, r.busy_hours) for r in result.replications]
        print(f"    {label:<34} {rates[label]:5.2f} replications/s")

    print(f"{replications} replications of the 10,000-dossier year:")
    timed("1 local worker", workers=1)
    timed("2 local worker processes", workers=2)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("    Dask LocalCluster: skipped (pip install 'tthc_flow[dask]')")
        return failures, rates
    from tthc_flow.simulation import dask_executor

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
    ):
        timed("Dask LocalCluster, 2 worker processes", executor=dask_executor(client))
    if outcomes["Dask LocalCluster, 2 worker processes"] != outcomes["2 local worker processes"]:
        failures.append("the cluster's results differ from the local pool's")
    else:
        print("    the cluster's results are the local pool's, replication by replication")
    return failures, rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 instead of 1,000,000")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the small year (median)")
    parser.add_argument("--tolerance", type=float, default=0.03, help="utilisation points")
    parser.add_argument("--replications", type=int, default=6, help="for replications/s")
    parser.add_argument("--no-scale", action="store_true", help="skip replications/s")
    args = parser.parse_args()
    big = 100_000 if args.quick else 1_000_000
    failures: list[str] = []
    runs: dict[int, EngineRun] = {}
    for n, repeat in ((10_000, args.repeat), (big, 1 if big >= 1_000_000 else 3)):
        found, runs[n] = compare_models(n, repeat, args.tolerance)
        failures += found
    if not args.no_scale:
        found, rates = replication_rates(args.replications)
        failures += found
        one = runs[big].seconds * 1_000_000 / big
        scaled = "measured" if big == 1_000_000 else f"scaled linearly from {big:,}"
        speedup = rates["2 local worker processes"] / rates["1 local worker"]
        print(
            f"projected: 1,000 replications of a 1,000,000-dossier year = "
            f"{one * 1000 / 3600:,.0f} core-hours ({one:,.0f} s each, {scaled}); "
            f"{one * 1000 / 3600 / speedup:,.0f} h on this machine's 2 local workers "
            f"(speed-up {speedup:.2f}x), about {one * 1000 / 3600 / 100:,.1f} h on 100 such cores"
        )
    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
