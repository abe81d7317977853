"""A one-stop service embedding tthc_flow behind plain WSGI (no web framework needed).

Run it:  TTHC_DATABASE_URL=sqlite:///tthc.sqlite python examples/wsgi_service.py
(PostgreSQL: TTHC_DATABASE_URL=postgresql+psycopg://user@host/db; several processes can share it.)

    POST /dossiers                      {"procedure": "2.000128", "applicant": "...", "channel": "desk"}
    POST /dossiers/<code>/<trigger>     {"actor": "clerk-01", "roles": ["one_stop"], ...data}
    GET  /dossiers/<code>               the dossier
    GET  /dossiers/<code>/history       its events

Errors map to HTTP: 404 unknown dossier or procedure, 403 role, 409 wrong state, 422 a legal
rule or a bad argument. Several processes can serve the same database: every command is
decided on the dossier as the database holds it, and a command that loses a race with another
process (ConcurrencyConflict) is decided again here, up to three times, before a 409 says so
(docs/service.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from wsgiref.simple_server import make_server

from tthc_flow import Actor, Dossier, Engine, SqlStore, load_catalog
from tthc_flow.errors import (
    ConcurrencyConflict,
    DossierNotFound,
    InvalidCommand,
    PermissionDenied,
    PolicyViolation,
    TransitionNotAllowed,
    TthcError,
    UnknownProcedure,
)

CATALOG = Path(__file__).parent / "so-cong-thuong"
STATUS = {
    DossierNotFound: "404 Not Found",
    UnknownProcedure: "404 Not Found",
    PermissionDenied: "403 Forbidden",
    TransitionNotAllowed: "409 Conflict",
    ConcurrencyConflict: "409 Conflict",
    PolicyViolation: "422 Unprocessable Entity",
    InvalidCommand: "422 Unprocessable Entity",
}
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
T = TypeVar("T")


def _error_body(error: TthcError) -> dict[str, Any]:
    """The message and the error's own fields (the state and allowed triggers, the policy
    and article, the roles allowed...: docs/errors.md), so a client reads no message."""
    body: dict[str, Any] = {"error": str(error), "kind": type(error).__name__}
    for name, value in vars(error).items():
        body[name] = list(value) if isinstance(value, tuple) else value
    return json.loads(json.dumps(body, default=str))  # a moment or a date as its text


def retrying(command: Callable[[], T], attempts: int = 3) -> T:
    """Run ``command``; a lost race (another process wrote the dossier between the decision
    and the commit) is decided again on the stored dossier."""
    for _ in range(attempts - 1):
        try:
            return command()
        except ConcurrencyConflict:
            continue
    return command()


def dossier_json(d: Dossier) -> dict[str, Any]:
    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "code": d.code,
        "procedure": d.procedure_code,
        "state": d.state,
        "received_at": when(d.received_at),
        "due_at": when(d.due_at),
        "resolved_at": when(d.resolved_at),
        "timeliness": d.timeliness.value if d.timeliness else None,
    }


def make_app(engine: Engine) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI application around ``engine``."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def reply(status: str, body: Any) -> list[bytes]:
            data = json.dumps(body, ensure_ascii=False).encode()
            start_response(status, [("Content-Type", "application/json; charset=utf-8")])
            return [data]

        parts = [p for p in environ.get("PATH_INFO", "").split("/") if p]
        method = environ["REQUEST_METHOD"]
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
            if method == "POST" and parts == ["dossiers"]:
                procedure, applicant, channel = (
                    body.pop("procedure"),
                    body.pop("applicant"),
                    body.pop("channel"),
                )
                kept = body.pop("data", None)  # what the dossier keeps; the rest are arguments
                d = retrying(
                    lambda: engine.receive(procedure, applicant, channel, data=kept, **body)
                )
                return reply("201 Created", dossier_json(d))
            if method == "POST" and len(parts) == 3 and parts[0] == "dossiers":
                actor = Actor.of(body.pop("actor"), *body.pop("roles"))
                kept = body.pop("data", None)
                d = retrying(lambda: engine.fire(parts[1], parts[2], actor, data=kept, **body))
                return reply("200 OK", dossier_json(d))
            if method == "GET" and len(parts) == 2 and parts[0] == "dossiers":
                return reply("200 OK", dossier_json(engine.get(parts[1])))
            if method == "GET" and len(parts) == 3 and parts[2] == "history":
                events = engine.history(parts[1])
                return reply(
                    "200 OK",
                    [
                        {
                            "trigger": e.trigger,
                            "at": e.at.isoformat(),
                            "actor": e.actor,
                            "hash": e.hash,
                        }
                        for e in events
                    ],
                )
            return reply("404 Not Found", {"error": "no such route"})
        except TthcError as error:  # first: some are also ValueError or KeyError
            status = next((s for kind, s in STATUS.items() if isinstance(error, kind)), None)
            return reply(status or "400 Bad Request", _error_body(error))
        except (KeyError, TypeError, ValueError) as error:
            return reply("400 Bad Request", {"error": f"bad request: {error}"})

    return app


def main() -> None:
    url = os.environ.get("TTHC_DATABASE_URL", "sqlite:///tthc.sqlite")
    engine = Engine(load_catalog(CATALOG), store=SqlStore(url))
    with make_server("127.0.0.1", int(os.environ.get("PORT", "8000")), make_app(engine)) as server:
        print(f"serving on http://127.0.0.1:{server.server_port}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
