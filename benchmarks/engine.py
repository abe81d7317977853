"""Engine throughput and memory against bare `transitions`, measured in one process.

    .venv/bin/python benchmarks/engine.py [--dossiers 20000] [--runs 5]

Baselines (issue 4), each on N dossiers with 3 transitions:
  machine_per_dossier  a new transitions.Machine for every dossier, kept while the dossier is
                       (a service holds its open dossiers, so the design keeps their machines)
  shared_add_model     one Machine, add_model per dossier, the dossier stays a model
  shared_trigger       one Machine, machine.events[t].trigger(obj) on plain objects
  The first two are also run "discarded" (machine dropped / remove_model right after the
  three transitions): a lower bound for those designs that no real service reaches.
Ours: Engine in memory (deadlines on the Vietnamese calendar, policies, hash-chained events,
MemoryStore) firing handover -> appraise -> approve on received dossiers.
Prints transitions/s (median of runs) and the ratios; then bytes per open dossier.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from transitions import Machine  # noqa: E402

from tthc_flow._time import VN_TZ  # noqa: E402
from tthc_flow.engine import Actor, Dossier, Engine, FixedClock  # noqa: E402
from tthc_flow.engine._events import Event  # noqa: E402
from tthc_flow.procedure import Catalog, build_lifecycle, parse_procedure  # noqa: E402
from tthc_flow.store import MemoryStore  # noqa: E402

PROCEDURE = """
code: "2.000001"
effective_from: 2020-01-01
name: Thủ tục đo hiệu năng
field: Công nghiệp
level: province
agency: Sở Công Thương
agency_code: SCT
legal_basis: [benchmark]
time_limit: {statutory: {value: 10, unit: working_days}, shortened: {value: 7, unit: working_days}}
channels: [desk]
result: Giấy phép
workflow:
  steps:
    - {id: appraisal, name: Thẩm định, role: specialist, share: 5, action: appraise}
    - {id: approval, name: Phê duyệt, role: leader, share: 2, action: approve}
"""
TRIGGERS = [
    ("handover", "received", "appraisal"),
    ("appraise", "appraisal", "approval"),
    ("approve", "approval", "result_ready"),
]
# The baselines get the procedure's whole lifecycle (every state and transition the engine
# compiles), as a Machine-per-dossier design would have to build for each dossier.
_LIFECYCLE = build_lifecycle(parse_procedure(PROCEDURE, "bench.yaml"))
STATES = [state.name for state in _LIFECYCLE.states]
SPECS = [
    {"trigger": t.trigger, "source": t.source, "dest": t.dest}
    for t in _LIFECYCLE.transitions
    if not t.guard
]


class Model:
    def __init__(self) -> None:
        self.state = "received"


def machine_per_dossier(n: int, keep: bool = True) -> float:
    kept: list[Machine] = []
    start = time.perf_counter()
    for _ in range(n):
        model = Model()
        machine = Machine(
            model=model,
            states=STATES,
            transitions=SPECS,
            initial="received",
            auto_transitions=False,
        )
        if keep:
            kept.append(machine)
        model.handover()  # type: ignore[attr-defined]
        model.appraise()  # type: ignore[attr-defined]
        model.approve()  # type: ignore[attr-defined]
    return 3 * n / (time.perf_counter() - start)


def shared_add_model(n: int, keep: bool = True) -> float:
    machine = Machine(
        model=None, states=STATES, transitions=SPECS, initial="received", auto_transitions=False
    )
    start = time.perf_counter()
    for _ in range(n):
        model = Model()
        machine.add_model(model)
        model.handover()  # type: ignore[attr-defined]
        model.appraise()  # type: ignore[attr-defined]
        model.approve()  # type: ignore[attr-defined]
        if not keep:
            machine.remove_model(model)
    return 3 * n / (time.perf_counter() - start)


def shared_trigger(n: int) -> float:
    machine = Machine(
        model=None, states=STATES, transitions=SPECS, initial="received", auto_transitions=False
    )
    models = [Model() for _ in range(n)]
    events = [machine.events[t] for t, _, _ in TRIGGERS]
    start = time.perf_counter()
    for model in models:
        for event in events:
            event.trigger(model)
    return 3 * n / (time.perf_counter() - start)


def new_engine() -> tuple[Engine, list[str]]:
    catalog = Catalog([parse_procedure(PROCEDURE, "bench.yaml")])
    engine = Engine(
        catalog, store=MemoryStore(), clock=FixedClock(datetime(2026, 1, 5, 8, tzinfo=VN_TZ))
    )
    return engine, []


def ours(n: int) -> float:
    engine, _ = new_engine()
    base = datetime(2026, 1, 5, 8, tzinfo=VN_TZ)
    codes = [engine.receive("2.000001", "A", "desk", at=base).code for _ in range(n)]
    desk, specialist, leader = (
        Actor.of("a", "one_stop"),
        Actor.of("b", "specialist"),
        Actor.of("c", "leader"),
    )
    t1, t2, t3 = (base + timedelta(hours=h) for h in (1, 2, 3))
    fire = engine.fire
    start = time.perf_counter()
    for code in codes:
        fire(code, "handover", desk, t1)
        fire(code, "appraise", specialist, t2)
        fire(code, "approve", leader, t3)
    return 3 * n / (time.perf_counter() - start)


def median_rate(function: Callable[[int], float], n: int, runs: int) -> float:
    rates = []
    for _ in range(runs):
        gc.collect()
        rates.append(function(n))
    return statistics.median(rates)


class SnapshotOnlyStore(MemoryStore):
    """Keeps dossier snapshots but drops events: isolates the cost of the dossier itself."""

    keep_events = False  # no chain kept: the engine writes no hashes, timers or messages

    def append(self, events: Sequence[Event], dossier: Dossier, **_: object) -> Sequence[Event]:
        self._dossiers[dossier.code] = dossier
        return events


def bytes_per_open_dossier(n: int, keep_events: bool) -> float:
    catalog = Catalog([parse_procedure(PROCEDURE, "bench.yaml")])
    store = MemoryStore() if keep_events else SnapshotOnlyStore()
    engine = Engine(catalog, store=store)
    base = datetime(2026, 1, 5, 8, tzinfo=VN_TZ)
    engine.receive("2.000001", "warm-up", "desk", at=base)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        engine.receive("2.000001", f"Applicant {i}", "desk", at=base + timedelta(seconds=i))
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory-dossiers", type=int, default=100_000)
    args = parser.parse_args()
    n, runs = args.dossiers, args.runs
    print(f"{n} dossiers x 3 transitions, median of {runs} runs (transitions/s)")
    rates = {
        "machine_per_dossier": median_rate(machine_per_dossier, n, runs),
        "  (discarded)": median_rate(partial(machine_per_dossier, keep=False), n, runs),
        "shared_add_model": median_rate(shared_add_model, n, runs),
        "  (remove_model)": median_rate(partial(shared_add_model, keep=False), n, runs),
        "shared_trigger": median_rate(shared_trigger, n, runs),
        "tthc_flow engine": median_rate(ours, n, runs),
    }
    for name, rate in rates.items():
        print(f"  {name:<22}{rate:>12,.0f}")
    engine_rate = rates["tthc_flow engine"]
    print(
        f"ratio engine / shared_trigger      {engine_rate / rates['shared_trigger']:.2f}x (target >= 0.5)"
    )
    print(
        f"ratio engine / machine_per_dossier {engine_rate / rates['machine_per_dossier']:.1f}x (target >= 10)"
    )
    print(
        f"ratio engine / machine_per_dossier discarded {engine_rate / rates['  (discarded)']:.1f}x"
    )
    m = args.memory_dossiers
    total = bytes_per_open_dossier(m, keep_events=True)
    dossier_only = bytes_per_open_dossier(m, keep_events=False)
    print(
        f"memory, {m:,} open dossiers: {dossier_only:,.0f} B per dossier snapshot, "
        f"{total:,.0f} B with its receipt event and indexes (aim: < 2,048 B + events)"
    )


if __name__ == "__main__":
    main()
