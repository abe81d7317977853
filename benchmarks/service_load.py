"""A bounded load test of the FastAPI example under several worker processes on PostgreSQL.

Run: ``.venv/bin/python benchmarks/service_load.py [--dossiers 60] [--workers 2]
[--concurrency 8]`` with ``TTHC_BENCH_POSTGRES_URL`` or ``TTHC_TEST_POSTGRES_URL`` set
(``--url`` overrides). A test runs it small: ``tests/examples/test_service_load.py``.

It upgrades a fresh PostgreSQL schema, starts ``uvicorn --factory
examples.fastapi_service:default_app --workers N`` on it (each worker process with its own
``Engine``, ``SqlStore`` and outbox delivery loop), and drives ``--dossiers`` dossiers over
HTTP, a third on each channel (desk, postal, online: submitted, then accepted), through
receipt, hand-over, appraisal, inspection, approval and return, ``--concurrency`` dossiers at
a time; the load balancer (the kernel, between uvicorn's workers) sends each request to any
worker. Every command carries an ``Idempotency-Key``, and a ``409 ConcurrencyConflict`` is
retried (docs/service.md). Afterwards it checks that:

* every dossier ended returned and the store verifies (every chain, every summary row);
* no dossier code (the receipt number, art. 28) was issued twice;
* every outbox message was delivered, and delivered exactly once per consumer (the national
  portal's sync, SMS, e-mail, Zalo), counted from what the workers' senders wrote;

and prints the commands per second and the latency percentiles.
"""

from __future__ import annotations

import os
import sys

if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)  # benchmarks/calendar.py must not shadow the standard library's calendar

import argparse
import asyncio
import json
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import sqlalchemy as sa

from tthc_flow.store import SqlStore

ROOT = Path(__file__).resolve().parents[1]
CHANNELS = ("desk", "postal", "online")
STEPS = (
    ("handover", "lan.nt"),
    ("appraise", "hung.tv"),
    ("inspect", "mai.lt"),
    ("approve", "hoa.dt"),
    ("return_result", "lan.nt"),
)
CONSUMER_TOPICS = {
    "dvcqg": "portal.sync",
    "sms": "notify.sms",
    "email": "notify.email",
    "zalo": "notify.zalo",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Driver:
    """Sends the commands of one run and records each request's wall time."""

    def __init__(self, client: httpx.AsyncClient, run: str) -> None:
        self.client = client
        self.run = run
        self.latencies: list[float] = []
        self.retries = 0

    async def post(self, path: str, who: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"X-Official": who, "Idempotency-Key": f"{self.run}/{key}"}
        for _ in range(5):
            started = time.perf_counter()
            answer = await self.client.post(path, json=body, headers=headers)
            self.latencies.append(time.perf_counter() - started)
            if answer.status_code == 409 and answer.json()["error"] == "ConcurrencyConflict":
                self.retries += 1  # a real race: run the same command again
                continue
            if answer.status_code >= 300:
                raise RuntimeError(f"{path} as {who}: {answer.status_code} {answer.text}")
            result: dict[str, Any] = answer.json()
            return result
        raise RuntimeError(f"{path}: still conflicting after 5 attempts")

    async def dossier(self, i: int) -> str:
        channel = CHANNELS[i % len(CHANNELS)]
        applicant = {
            "type": "citizen",
            "name": f"Nguyễn Văn Tải {i}",
            "phone": f"09{i:08d}",
            "email": f"tai{i}@example.vn",
        }
        body = {"procedure_code": "2.000128", "applicant": applicant, "channel": channel}
        code = str((await self.post("/dossiers", "lan.nt", f"{i}/receive", body))["code"])
        if channel == "online":
            await self.post(f"/dossiers/{code}/commands/accept", "lan.nt", f"{i}/accept", {})
        for trigger, who in STEPS:
            await self.post(f"/dossiers/{code}/commands/{trigger}", who, f"{i}/{trigger}", {})
        return code


async def drive(base: str, dossiers: int, concurrency: int) -> tuple[list[str], Driver, float]:
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency * 2)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        driver = Driver(client, uuid.uuid4().hex[:8])

        async def one(i: int) -> str:
            async with gate:
                return await driver.dossier(i)

        started = time.perf_counter()
        codes = await asyncio.gather(*(one(i) for i in range(dossiers)))
        return list(codes), driver, time.perf_counter() - started


def start_service(url: str, workers: int, port: int, sink: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        TTHC_DB=url,
        TTHC_SINK_DIR=str(sink),
        TTHC_DELIVER_EVERY="0.2",
        PYTHONPATH=os.pathsep.join(
            [str(ROOT / "src"), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "examples.fastapi_service:default_app",
        "--workers",
        str(workers),
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_ready(base: str, process: subprocess.Popen[bytes], workers: int) -> None:
    """Until the service answers (each worker imports the library and the catalog)."""
    deadline = time.monotonic() + 120
    answered = 0
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                answered += 1
                if answered >= workers * 2:  # a few answers: the workers are up
                    return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the service did not start within 120 s")


def wait_delivered(url: str, timeout: float = 120) -> int:
    """Until no outbox message is pending; the number of messages."""
    engine = sa.create_engine(url)
    try:
        deadline = time.monotonic() + timeout
        while True:
            with engine.connect() as conn:
                total, pending = conn.exec_driver_sql(
                    "SELECT count(*), count(*) - count(delivered_at) FROM outbox"
                ).one()
            if pending == 0 or time.monotonic() > deadline:
                return int(total)
            time.sleep(0.3)
    finally:
        engine.dispose()


def check(url: str, codes: list[str], sink: Path) -> list[str]:
    """What went wrong (empty: every check holds)."""
    problems = []
    if len(set(codes)) != len(codes):
        problems.append(f"dossier codes issued twice: {len(codes) - len(set(codes))}")
    with SqlStore(url, create=False) as store:
        report = store.verify()
        if not report.ok:
            problems.append(f"the store does not verify: {report}")
        engine = store.engine
        with engine.connect() as conn:
            states = Counter(r[0] for r in conn.exec_driver_sql("SELECT state FROM dossiers").all())
            undelivered = conn.exec_driver_sql(
                "SELECT count(*) FROM outbox WHERE delivered_at IS NULL"
            ).scalar_one()
            keys = {
                (topic, key)
                for topic, key in conn.exec_driver_sql("SELECT topic, key FROM outbox").all()
            }
    if states != Counter({"returned": len(codes)}):
        problems.append(f"dossiers not all returned: {dict(states)}")
    if undelivered:
        problems.append(f"{undelivered} outbox messages not delivered")
    sent: Counter[tuple[str, str]] = Counter()
    files = sorted(sink.glob("sent-*.jsonl"))
    print(
        f"senders in {len(files)} processes delivered {[len(f.read_text().splitlines()) for f in files]}"
    )
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if CONSUMER_TOPICS[item["consumer"]] != item["topic"]:
                problems.append(f"{item['consumer']} got a {item['topic']} message")
            sent[(item["topic"], item["key"])] += 1
    twice = [k for k, n in sent.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} messages delivered more than once, e.g. {twice[0]}")
    if set(sent) != keys:
        problems.append(f"sent {len(set(sent))} distinct messages, the outbox holds {len(keys)}")
    return problems


def run(base_url: str, dossiers: int, workers: int, concurrency: int) -> int:
    schema = f"tthc_load_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base_url else "?"
    url = f"{base_url}{sep}options={quote(f'-csearch_path={schema}')}"
    process = None
    try:
        SqlStore(url).close()  # create the schema once, before the workers open it
        with tempfile.TemporaryDirectory() as folder:
            sink = Path(folder)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            process = start_service(url, workers, port, sink)
            wait_ready(base, process, workers)
            codes, driver, elapsed = asyncio.run(drive(base, dossiers, concurrency))
            messages = wait_delivered(url)
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
            problems = check(url, codes, sink)
        commands = len(driver.latencies)
        ms = [1000 * x for x in driver.latencies]
        print(
            f"{dossiers} dossiers, {commands} requests ({driver.retries} retried conflicts) "
            f"through {workers} workers, {concurrency} at a time: "
            f"{commands / elapsed:.1f} requests/s, {dossiers / elapsed:.1f} dossiers/s; "
            f"latency ms p50 {statistics.median(ms):.1f} p95 {percentile(ms, 0.95):.1f} "
            f"p99 {percentile(ms, 0.99):.1f} max {max(ms):.1f}; {messages} outbox messages"
        )
        for problem in problems:
            print(f"FAILED: {problem}")
        if not problems:
            print(
                "checks: every chain verifies, no receipt number twice, every outbox message "
                "delivered once per consumer"
            )
        return 1 if problems else 0
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--url",
        default=os.environ.get("TTHC_BENCH_POSTGRES_URL")
        or os.environ.get("TTHC_TEST_POSTGRES_URL"),
    )
    parser.add_argument("--dossiers", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("a PostgreSQL URL: --url or TTHC_BENCH_POSTGRES_URL")
    if args.workers < 2 or args.dossiers < 1 or args.concurrency < 1:
        parser.error("--workers at least 2, --dossiers and --concurrency at least 1")
    return run(args.url, args.dossiers, args.workers, args.concurrency)


if __name__ == "__main__":
    sys.exit(main())
