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
    status, error = call(f"{base_url}/dossiers/{code}/appraise", desk)
    assert status == 403
    status, error = call(f"{base_url}/dossiers/{code}/withdraw", desk)
    assert status == 422 and "reason" in error["error"]
    status, d = call(f"{base_url}/dossiers/{code}/withdraw", {**desk, "reason": "xin rút"})
    assert status == 200 and d["state"] == "withdrawn"
    status, history = call(f"{base_url}/dossiers/{code}/history")
    assert [e["trigger"] for e in history] == ["receive", "handover", "withdraw"]
    assert call(f"{base_url}/dossiers/NOPE")[0] == 404
