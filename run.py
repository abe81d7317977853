#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python 3.11+.

    python3 run.py demo    # the main job: a department's year on the example catalog
    python3 run.py test    # ruff, mypy and the whole test suite
    python3 run.py tthc ARGS...  # any CLI command inside the project's virtual environment

Both create (or refresh) ``.venv`` in the checkout and install the project into it, so a fresh
clone works without any manual step.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".tthc-installed"


def _run(*args: str | Path) -> None:
    completed = subprocess.run([str(a) for a in args], cwd=ROOT)
    if completed.returncode == 5 and "pytest" in map(str, args):
        print("error: pytest collected no tests (exit code 5): a failure", file=sys.stderr)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def ensure_venv() -> None:
    """Create the virtual environment and install the project, unless already up to date."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing tthc_flow and its tools into .venv ...", flush=True)
    _run(BIN / "python", "-m", "pip", "install", "-q", "--upgrade", "pip")
    _run(BIN / "python", "-m", "pip", "install", "-q", "-e", ".[all,dev]")
    STAMP.write_text(wanted)


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in {"demo", "test", "tthc"}:
        print(__doc__)
        sys.exit(2)
    ensure_venv()
    command, rest = argv[0], argv[1:]
    if command == "demo":
        _run(BIN / "tthc", "demo", *rest)
    elif command == "tthc":
        _run(BIN / "tthc", *rest)
    else:
        _run(BIN / "ruff", "check", "src", "tests", "benchmarks", "examples")
        _run(BIN / "ruff", "format", "--check", "src", "tests", "benchmarks", "examples")
        _run(BIN / "mypy")
        _run(BIN / "python", "-m", "pytest", "-n", "2", *rest)


if __name__ == "__main__":
    main(sys.argv[1:])
