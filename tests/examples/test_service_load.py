"""benchmarks/service_load.py run small: the FastAPI example under two uvicorn worker
processes on PostgreSQL, three channels at once; every chain verifies, no receipt number is
issued twice, every outbox message is delivered once per consumer (issue 17, "done when")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.postgres
def test_the_example_under_two_workers_on_postgresql() -> None:
    url = os.environ.get("TTHC_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("TTHC_TEST_POSTGRES_URL is not set")
    script = ROOT / "benchmarks" / "service_load.py"
    done = subprocess.run(
        [sys.executable, str(script), "--url", url, "--dossiers", "9", "--concurrency", "3"],
        capture_output=True,
        text=True,
        timeout=400,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "9 dossiers, 57 requests" in done.stdout  # 6 commands each, 3 online accepts
    assert "every outbox message delivered once per consumer" in done.stdout
