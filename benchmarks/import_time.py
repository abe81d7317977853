"""How long ``import tthc_flow`` takes in a fresh interpreter, and what it loads.

Prints the median of several fresh processes beside the bare interpreter's start-up (the
baseline: ``python -c pass``), and the heavy optional packages the import pulled in (none
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
t = time.perf_counter()
import tthc_flow
elapsed = time.perf_counter() - t
print(elapsed, ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def _run(code: str) -> tuple[float, str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, _, loaded = out.stdout.strip().partition(" ")
    return float(seconds), loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    _run(_PROBE.format(heavy=HEAVY))  # compile the .pyc files once
    probe = [_run(_PROBE.format(heavy=HEAVY)) for _ in range(runs)]
    loaded = {name for _, names in probe for name in names.split(",") if name}
    median = statistics.median(seconds for seconds, _ in probe)
    print(f"import tthc_flow: median {median * 1000:.0f} ms of {runs} fresh processes")
    print(f"heavy packages loaded: {', '.join(sorted(loaded)) or 'none'}")
    sys.exit(1 if loaded else 0)


if __name__ == "__main__":
    main()
