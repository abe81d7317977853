"""Simulation speed: the engine-driven simulator against a plain SimPy model of the same queues.

    python benchmarks/simulation.py            # 10,000 and 1,000,000 dossiers (minutes)
    python benchmarks/simulation.py --quick    # 10,000 and 100,000 dossiers

Each year runs in one process and as ``--shards`` independent offices in parallel processes
(the small one ``--repeat`` times, median; the big one once, with a progress bar).

The SimPy baseline has the same arrivals, desk, specialists and leaders with the same service
means, but no engine, no calendar and no events: it is the floor the engine's bookkeeping
(due dates, events, snapshots) adds to. The simulated years keep no event log
(``keep_events=False``), so their events are not hashed.
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

import simpy  # noqa: E402

from tthc_flow.simulation import parse_scenario, simulate  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def scenario_text(per_year: int, scale: float) -> str:
    staff = {
        k: max(1, round(v * scale))
        for k, v in {"one_stop": 3, "specialist": 6, "leader": 2, "inspection_team": 2}.items()
    } | {"ministry_officer": "unlimited"}
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


def simpy_baseline(n: int, scale: float) -> float:
    """Seconds for a plain SimPy model of n dossiers through desk -> specialist x2 -> leader -> desk."""
    rng = random.Random(1)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=max(1, round(3 * scale)))
    spec = simpy.Resource(env, capacity=max(1, round(6 * scale)))
    lead = simpy.Resource(env, capacity=max(1, round(2 * scale)))
    hours = 250 * 8.0
    rate = n / hours

    def dossier() -> simpy.events.ProcessGenerator:
        for resource, mean in ((desk, 0.25), (spec, 1.0), (spec, 1.0), (lead, 0.2), (desk, 0.1)):
            with resource.request() as req:
                yield req
                yield env.timeout(rng.expovariate(1 / mean))

    def source() -> simpy.events.ProcessGenerator:
        for _ in range(n):
            yield env.timeout(rng.expovariate(rate))
            env.process(dossier())

    began = time.perf_counter()
    env.process(source())
    env.run()
    return time.perf_counter() - began


def run_engine(n: int, shards: int, progress: bool) -> tuple[float, float, int, float]:
    """Wall seconds, dossiers received, events and summed CPU seconds of one simulated year."""
    scenario = parse_scenario(scenario_text(n, n / 10_000), "bench.yaml", EXAMPLES)
    began = time.perf_counter()
    result = simulate(scenario, keep_events=False, progress=progress, shards=shards)
    wall = time.perf_counter() - began
    rep = result.replications[0]
    return wall, result["received"].mean, rep.events, rep.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 instead of 1,000,000")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the small year (median)")
    parser.add_argument("--shards", type=int, default=2, help="offices run in parallel")
    args = parser.parse_args()
    big = 100_000 if args.quick else 1_000_000
    for n, repeat in ((10_000, args.repeat), (big, 1)):
        scale = n / 10_000
        # SimPy's one process against ours in one process and in shards (independent offices)
        simpy_s = statistics.median(simpy_baseline(n, scale) for _ in range(repeat))
        for shards in sorted({1, args.shards}):
            runs = [run_engine(n, shards, progress=n > 10_000) for _ in range(repeat)]
            wall, done, events, _ = sorted(runs)[len(runs) // 2]
            print(
                f"{n:>9,} dossiers/year, shards={shards}: engine simulator {wall:7.1f} s "
                f"({done / wall:7.0f} dossiers/s, {events:,} events); "
                f"plain SimPy {simpy_s:6.1f} s ({n / simpy_s:7.0f} dossiers/s); "
                f"ratio {wall / simpy_s:5.1f}x (median of {repeat})"
            )


if __name__ == "__main__":
    main()
