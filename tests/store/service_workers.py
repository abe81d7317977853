"""Processes for the service tests: command servers, outbox consumers and schedulers, each an
engine of its own on one shared database (a module, so that ``spawn`` can import it)."""

from __future__ import annotations

import os
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any

from tthc_flow.engine import Actor, Engine
from tthc_flow.errors import (
    ConcurrencyConflict,
    InvalidCommand,
    PermissionDenied,
    PolicyViolation,
    TransitionNotAllowed,
)
from tthc_flow.procedure import load_catalog
from tthc_flow.store import Delivery, SqlStore, deliver

CATALOG_DIR = Path(__file__).parents[2] / "examples" / "so-cong-thuong"
EVERYONE = Actor.of("all", "one_stop", "specialist", "leader")
OUTCOMES = {
    ConcurrencyConflict: "conflict",
    TransitionNotAllowed: "not_allowed",
    PermissionDenied: "denied",
    PolicyViolation: "policy",
    InvalidCommand: "invalid",
}


def open_store(url: str) -> SqlStore:
    """The store of a test process: commits are not forced to disk (the races under test do
    not depend on it, and a fsync per command would make the test minutes long)."""
    if url.startswith("sqlite"):
        return SqlStore(url, synchronous="OFF")
    return SqlStore(url)


def fast_url(url: str) -> str:
    """A PostgreSQL URL whose sessions commit without waiting for the disk."""
    if not url.startswith("postgresql"):
        return url
    if "options=" in url:
        return url + "%20-csynchronous_commit%3Doff"
    return url + ("&" if "?" in url else "?") + "options=-csynchronous_commit%3Doff"


def command_server(url: str, inbox: Any, outbox: Any) -> None:
    """Serve commands until ``None``: ``(id, "receive", procedure, applicant)`` or
    ``(id, "fire", code, trigger, at_iso | None)``; reply ``(id, outcome, code, state,
    version, seconds)`` with outcome "applied" or the refusal's name."""
    engine = Engine(load_catalog(CATALOG_DIR), store=open_store(url))
    outbox.put(("ready", os.getpid()))
    while True:
        request = inbox.get()
        if request is None:
            break
        rid, kind, *args = request
        started = time.perf_counter()
        try:
            if kind == "receive":
                dossier = engine.receive(args[0], applicant=args[1], channel="desk")
            else:
                code, trigger, when = args
                at = datetime.fromisoformat(when) if when else None
                extra = {"missing": ["Bản vẽ"]} if trigger == "request_supplement" else {}
                dossier = engine.fire(code, trigger, EVERYONE, at, **extra)
            reply = (rid, "applied", dossier.code, dossier.state, dossier.version)
        except tuple(OUTCOMES) as exc:
            name = next(v for k, v in OUTCOMES.items() if isinstance(exc, k))
            reply = (rid, name, args[0], str(exc), 0)
        except Exception:  # anything else is a bug the test reports
            reply = (rid, "error", args[0], traceback.format_exc(), 0)
        outbox.put((*reply, time.perf_counter() - started))
    engine.store.close()  # type: ignore[attr-defined]


def consumer(url: str, name: str, log: str, delay: float, until: float) -> None:
    """Deliver outbox messages: "send" is a line in ``log`` (flushed before the ack, so a
    SIGKILL between the two leaves the message to be delivered again)."""
    store = open_store(url)
    with open(log, "a", encoding="utf-8") as out:

        def send(item: Delivery) -> None:
            out.write(f"{item.key}\n")
            out.flush()
            time.sleep(delay)

        idle = 0
        while time.monotonic() < until and idle < 20:
            report = deliver(store, send, consumer=name, now=datetime.now().astimezone(), limit=20)
            idle = idle + 1 if report.delivered == 0 else 0
            if report.delivered == 0:
                time.sleep(0.05)
    store.close()


def scheduler(url: str, now_iso: str, barrier: Any, results: Any) -> None:
    """Run ``run_due`` at one moment until nothing is due; report what this process fired."""
    try:
        engine = Engine(load_catalog(CATALOG_DIR), store=open_store(url))
        now = datetime.fromisoformat(now_iso)
        barrier.wait()
        fired: list[tuple[str, str]] = []
        while True:
            found = engine.run_due(now, limit=25)
            fired += [(t.dossier_code, t.kind) for t in found]
            if not found and not engine.store.due_timers(now, limit=1):  # type: ignore[attr-defined]
                break
        results.put((os.getpid(), fired))
    except Exception:
        results.put((os.getpid(), traceback.format_exc()))
