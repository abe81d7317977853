"""The package as a user gets it: a wheel installed in a fresh virtual environment (issue 16).

The light core installs and runs without the extras (no numpy, click, rich, lxml, pytest);
each missing extra is named with its install command; with the ``cli`` and ``testing``
extras the ``tthc`` command runs and the documented pytest recipe (``pytest_plugins =
["tthc_flow.testing"]``) works outside the checkout, on the example catalog shipped in the
wheel. Needs the package index (PyPI) for the dependencies; ``slow``: about a minute.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

CORE_USE = """
import sys, tempfile, time
from datetime import datetime
from pathlib import Path
started = time.perf_counter()
import tthc_flow
heavy = [m for m in ("sqlalchemy", "numpy", "rich", "lxml", "click", "yaml") if m in sys.modules]
assert heavy == [], heavy
from tthc_flow import Actor, Engine, FixedClock, MemoryStore, SqlStore, VN_TZ, load_catalog
from tthc_flow.reports import to_xes
catalog = load_catalog(Path(tthc_flow.__file__).parent / "data" / "so-cong-thuong")
clock = FixedClock(datetime(2026, 3, 2, 8, tzinfo=VN_TZ))
with tempfile.TemporaryDirectory() as folder:
    for store in (MemoryStore(), SqlStore.sqlite(Path(folder) / "t.sqlite")):
        engine = Engine(catalog, store=store, clock=clock)
        dossier = engine.receive("2.000132", applicant="Công ty A", channel="desk")
        assert dossier.due_at is not None and store.verify().ok
        assert to_xes(engine.history(dossier.code)).startswith(b"<?xml")
try:
    import tthc_flow.simulation
except ImportError as error:
    print("simulation:", error)
print("ok")
"""

PLUGIN_TEST = """
from tthc_flow.simulation import simulate
from tthc_flow.testing import assert_policy

def test_the_small_department_meets_its_policy(small_scenario, sim_clock):
    result = simulate(small_scenario, replications=2, keep_events=False)
    assert_policy(result, on_time_rate_at_least=0.5)
"""


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, ROOT)
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("tthc_flow-*.whl")
    return found


def _fresh_venv(folder: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(folder)
    return folder / "bin" / "python"


def test_the_core_wheel_runs_without_the_extras(wheel: Path, tmp_path: Path) -> None:
    python = _fresh_venv(tmp_path / "venv")
    installed = _run(python, "-m", "pip", "install", "-q", wheel)
    assert installed.returncode == 0, installed.stderr
    for absent in ("numpy", "click", "rich", "lxml", "pytest", "matplotlib"):
        assert _run(python, "-c", f"import {absent}").returncode != 0, f"{absent} was installed"
    used = _run(python, "-c", CORE_USE, cwd=tmp_path)  # outside the checkout
    assert used.returncode == 0, used.stderr
    assert (
        "simulation: tthc_flow.simulation needs numpy: pip install 'tthc_flow[sim]'" in used.stdout
    )
    assert used.stdout.rstrip().endswith("ok")
    cli = _run(tmp_path / "venv" / "bin" / "tthc", "--help")
    assert cli.returncode == 1
    assert "pip install 'tthc_flow[cli]'" in cli.stderr and "Traceback" not in cli.stderr
    licence = _run(
        python,
        "-c",
        "import importlib.metadata as m; print(m.metadata('tthc_flow')['License-Expression'])",
    )
    assert licence.stdout.strip() == "Apache-2.0"


def test_the_cli_and_the_pytest_recipe_from_the_wheel(wheel: Path, tmp_path: Path) -> None:
    python = _fresh_venv(tmp_path / "venv")
    installed = _run(
        python, "-m", "pip", "install", "-q", f"tthc_flow[cli,testing] @ {wheel.as_uri()}"
    )
    assert installed.returncode == 0, installed.stderr
    cli = _run(tmp_path / "venv" / "bin" / "tthc", "--help")
    assert cli.returncode == 0 and "simulate" in cli.stdout, cli.stderr
    project = tmp_path / "department"
    project.mkdir()
    (project / "conftest.py").write_text('pytest_plugins = ["tthc_flow.testing"]\n')
    (project / "test_policy.py").write_text(textwrap.dedent(PLUGIN_TEST))
    tested = _run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "1 passed" in tested.stdout
