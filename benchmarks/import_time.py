"""How long ``import tthc_flow`` takes in a fresh interpreter, and what it loads.

Prints the median of several fresh processes, in wall time and in CPU time (the CPU time is
what to compare on a busy machine: another process on the same cores stretches the wall time
but not the work), and the heavy optional packages the import pulled in (none
should be: SQLAlchemy, numpy, rich, lxml, click, PyYAML load on first use). The goal in
issue 16 is under 0.25 s on the project's 2-core machine.

    python benchmarks/import_time.py [--runs 21]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

HEAVY = ("sqlalchemy", "numpy", "rich", "lxml", "click", "yaml", "matplotlib", "openpyxl")

_PROBE = """
import sys, time
t, c = time.perf_counter(), time.process_time()
import tthc_flow
elapsed, cpu = time.perf_counter() - t, time.process_time() - c
print(elapsed, cpu, ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def _run(code: str) -> tuple[float, float, str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, cpu, *loaded = out.stdout.strip().split(" ")
    return float(seconds), float(cpu), "".join(loaded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    _run(_PROBE.format(heavy=HEAVY))  # compile the .pyc files once
    probe = [_run(_PROBE.format(heavy=HEAVY)) for _ in range(runs)]
    loaded = {name for _, _, names in probe for name in names.split(",") if name}
    median = statistics.median(seconds for seconds, _, _ in probe)
    cpu = statistics.median(cpu for _, cpu, _ in probe)
    print(
        f"import tthc_flow: median {median * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU "
        f"of {runs} fresh processes"
    )
    print(f"heavy packages loaded: {', '.join(sorted(loaded)) or 'none'}")
    sys.exit(1 if loaded else 0)


if __name__ == "__main__":
    main()
