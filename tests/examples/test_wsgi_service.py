"""examples/wsgi_service.py, driven over real HTTP on the loopback interface."""

from __future__ import annotations

import importlib.util
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from tthc_flow import Engine, SqlStore, load_catalog

EXAMPLE = Path(__file__).parents[2] / "examples" / "wsgi_service.py"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    spec = importlib.util.spec_from_file_location("wsgi_service", EXAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    engine = Engine(load_catalog(module.CATALOG), store=SqlStore.sqlite(tmp_path / "s.sqlite"))
    server = make_server("127.0.0.1", 0, module.make_app(engine), handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def call(url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_dossier_through_http(base_url: str) -> None:
    status, d = call(
        f"{base_url}/dossiers",
        {"procedure": "2.000128", "applicant": "Công ty A", "channel": "desk"},
    )
    assert status == 201 and d["state"] == "received" and d["code"].startswith("SCT-")
    code = d["code"]
    desk = {"actor": "clerk", "roles": ["one_stop"]}
    assert call(f"{base_url}/dossiers/{code}/handover", desk)[1]["state"] == "appraise"
    status, error = call(f"{base_url}/dossiers/{code}/approve", {"actor": "x", "roles": ["leader"]})
    assert status == 409 and "allowed" in error["error"]
    assert (error["kind"], error["trigger"], error["dossier_code"]) == (
        "TransitionNotAllowed",
        "approve",
        code,
    )
    assert "withdraw" in error["allowed"]
    status, error = call(f"{base_url}/dossiers/{code}/appraise", desk)
    assert status == 403
    assert error["kind"] == "PermissionDenied" and error["roles_allowed"] == ["specialist"]
    status, error = call(f"{base_url}/dossiers/{code}/withdraw", desk)
    assert status == 422 and "reason" in error["error"]
    assert error["kind"] == "InvalidCommand"
    status, d = call(f"{base_url}/dossiers/{code}/withdraw", {**desk, "reason": "xin rút"})
    assert status == 200 and d["state"] == "withdrawn"
    status, history = call(f"{base_url}/dossiers/{code}/history")
    assert [e["trigger"] for e in history] == ["receive", "handover", "withdraw"]
    assert call(f"{base_url}/dossiers/NOPE")[0] == 404


def test_two_service_processes_on_one_database_never_refuse_wrongly(tmp_path: Path) -> None:
    """The example started twice on one SQLite file, as a deployment runs it: each command
    goes to the other process than the one before, so each decides on dossiers the other
    moved on. Every step of every lifecycle is applied (no 409 for a stale view)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "TTHC_DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite'}"}
    env["PORT"] = "0"
    procs = []
    urls = []
    try:
        for _ in range(2):
            proc = subprocess.Popen(
                [sys.executable, str(EXAMPLE)], env=env, stdout=subprocess.PIPE, text=True
            )
            procs.append(proc)
            assert proc.stdout is not None
            line = proc.stdout.readline()  # "serving on http://127.0.0.1:PORT"
            urls.append(line.strip().rsplit(" ", 1)[-1])
        everyone = {"actor": "all", "roles": ["one_stop", "specialist", "leader"]}
        codes = []
        for i in range(10):
            status, d = call(
                f"{urls[i % 2]}/dossiers",
                {"procedure": "2.000234", "applicant": f"Cty {i}", "channel": "desk"},
            )
            assert status == 201, d
            codes.append(d["code"])
        turn = 0
        for trigger in ("handover", "appraise", "inspect", "approve", "return_result"):
            for code in codes:
                turn += 1
                status, d = call(f"{urls[turn % 2]}/dossiers/{code}/{trigger}", everyone)
                assert status == 200, (trigger, d)
        assert {call(f"{urls[0]}/dossiers/{c}")[1]["state"] for c in codes} == {"returned"}
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
