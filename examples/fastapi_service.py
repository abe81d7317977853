"""A FastAPI service on the engine: receipts, worklists, assignment and agency isolation, the
portal sync payloads and the applicant's notifications through the outbox.

Run: ``uvicorn --factory examples.fastapi_service:default_app`` (``pip install fastapi
uvicorn``), with ``TTHC_DB`` naming the database (a SQLite file, default
``tthc-service.sqlite``, or a ``postgresql+psycopg://`` URL), ``--workers 2`` for two
processes on PostgreSQL. Tests drive it over HTTP: ``tests/examples/test_fastapi_service.py``;
``benchmarks/service_load.py`` runs it under two worker processes.

Using the engine correctly from async endpoints:

* The engine and the store are synchronous (a command is one short database transaction).
  Each endpoint is ``async`` and runs the engine call in the thread pool
  (``run_in_threadpool``), so the event loop never waits on the database. One ``Engine``
  is shared by the pool's threads (it is thread-safe, docs/engine.md).
* Every command is decided inside the engine on the dossier as the database holds it: the
  service never reads a dossier, checks it and then writes (that would race another worker).
  Who may act is the engine's decision too: the official's agency (AgencyPolicy) and the
  deployment's own rule (``AgencyPolicy.authorize``), run inside the command.
* Clients send an ``Idempotency-Key`` header with each command: a retry after a timeout is
  answered from the stored event instead of acting twice.
* Library errors map to HTTP statuses once, in one exception handler, with their context.
* What leaves the service (the national portal's sync, SMS, e-mail, Zalo) is written to the
  outbox by the engine in each command's transaction; senders claim, send and acknowledge it
  (``POST /outbox/deliver`` on demand, or a delivery loop in each worker with
  ``TTHC_DELIVER_EVERY`` seconds): at least once, each message under a stable key.

Accounts are the vendor's: here a fixed ``OfficialDirectory`` and an ``X-Official`` header
stand in for the login, ``X-Applicant`` for the citizen's (VNeID) login and ``X-Gateway`` for a
payment gateway's signed callback.

Payments and the rating (:func:`add_payment_routes`, docs/payments.md): the leader asks for
payment (status 6, the total decided by the engine), the gateway's callback or the desk
records the payment (exactly the amount owed), the applicant rates the handling on the
criteria of Decree 118 art. 33.1.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from tthc_flow import (
    VN_TZ,
    ConcurrencyConflict,
    DossierNotFound,
    InvalidCommand,
    PermissionDenied,
    PolicyViolation,
    TransitionNotAllowed,
    TthcError,
)
from tthc_flow.engine import (
    Actor,
    AgencyPolicy,
    Applicant,
    Dossier,
    Engine,
    Official,
    OfficialDirectory,
    Policies,
    portal_status,
)
from tthc_flow.notify import NOTIFY_TOPICS, NotificationPolicy
from tthc_flow.portal import PORTAL_SYNC, PortalSyncPolicy
from tthc_flow.procedure import Catalog, load_catalog
from tthc_flow.reports import receipt_slip
from tthc_flow.store import Delivery, SqlStore, WorklistQuery, deliver

ROOT = Path(__file__).resolve().parent

OFFICIALS = OfficialDirectory(
    [
        Official("lan.nt", "Nguyễn Thị Lan", frozenset({"one_stop"}), "TTPVHCC", "MC"),
        Official("hung.tv", "Trần Văn Hùng", frozenset({"specialist"}), "SCT", "QLTM"),
        Official("mai.lt", "Lê Thị Mai", frozenset({"specialist"}), "SCT", "QLTM"),
        Official("hoa.dt", "Đỗ Thị Hoa", frozenset({"leader"}), "SCT", "QLTM", "Trưởng phòng"),
        Official("son.vv", "Vũ Văn Sơn", frozenset({"specialist"}), "STP", "HCTP"),
    ]
)
"""The officials of a province: the service centre's desk serves every department."""


def policies() -> Policies:
    """The centre (TTPVHCC) receives for every department; every account has an agency."""
    return Policies(
        agency=AgencyPolicy(serves={"TTPVHCC": frozenset({"*"})}, actors_need_agency=True)
    )


class Receipt(BaseModel):
    procedure_code: str
    applicant: str | Applicant  # a name, or the applicant record (contacts for the notices)
    channel: str = "desk"
    arguments: dict[str, Any] = Field(default_factory=dict)  # the command's own (case=...)
    data: dict[str, Any] = Field(default_factory=dict)  # what the dossier keeps


class Command(BaseModel):
    arguments: dict[str, Any] = Field(default_factory=dict)  # reason=, missing=...
    data: dict[str, Any] = Field(default_factory=dict)


class Assignment(BaseModel):
    lead: str
    cooperating: list[str] = Field(default_factory=list)
    observers: list[str] = Field(default_factory=list)
    unit: str | None = None
    reason: str | None = None


def dossier_json(d: Dossier) -> dict[str, Any]:
    """What the screens show of a dossier (the full JSON form is issue 17 item 10)."""
    a = d.assignment
    return {
        "code": d.code,
        "procedure_code": d.procedure_code,
        "agency_code": d.agency_code,
        "applicant": d.applicant,
        "channel": d.channel,
        "state": d.state,
        "version": d.version,
        "received_at": d.received_at.isoformat() if d.received_at else None,
        "due_at": d.due_at.isoformat() if d.due_at else None,
        "lead": None if a is None else {"id": a.lead.id, "name": a.lead.name},
    }


def official(x_official: Annotated[str, Header()]) -> Official:
    """The logged-in official (here: the ``X-Official`` header; the vendor's login really)."""
    found = OFFICIALS.get(x_official)
    if found is None:
        raise PermissionDenied(f"unknown official {x_official!r}", actor=x_official)
    return found


# module level: FastAPI reads these annotations from the module's names
Who = Annotated[Official, Depends(official)]
Key = Annotated[str | None, Header()]

_STATUS = (
    (PermissionDenied, 403),
    (DossierNotFound, 404),
    (ConcurrencyConflict, 409),
    (TransitionNotAllowed, 409),
    (PolicyViolation, 409),
    (InvalidCommand, 422),
)


def create_app(store: SqlStore, catalog: Catalog) -> FastAPI:
    """The service on ``store`` (opened by the caller, closed by the caller)."""
    engine = Engine(catalog, store=store, policies=replace(policies(), outbox=outbox(catalog)))
    api = FastAPI(title="tthc_flow one-stop service")
    add_outbox_routes(api, store)

    @api.exception_handler(TthcError)
    async def library_error(request: Request, exc: TthcError) -> JSONResponse:
        status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)
        body: dict[str, Any] = {"error": type(exc).__name__, "detail": str(exc)}
        if isinstance(exc, PermissionDenied):
            body.update(rule=exc.rule, agencies=list(exc.agencies), dossier=exc.dossier_code)
        if isinstance(exc, InvalidCommand):
            body["field"] = exc.field
        return JSONResponse(body, status_code=status)

    @api.post("/dossiers", status_code=201)
    async def receive(
        body: Receipt,
        who: Who,
        idempotency_key: Key = None,
    ) -> dict[str, Any]:
        command = engine.receive if body.channel != "online" else engine.submit
        d = await run_in_threadpool(
            command,
            body.procedure_code,
            body.applicant,
            body.channel,
            actor=who.actor,
            idempotency_key=idempotency_key,
            data=body.data,
            **body.arguments,
        )
        return dossier_json(d)

    @api.post("/dossiers/{code}/commands/{trigger}")
    async def fire(
        code: str,
        trigger: str,
        body: Command,
        who: Who,
        idempotency_key: Key = None,
    ) -> dict[str, Any]:
        d = await run_in_threadpool(
            engine.fire,
            code,
            trigger,
            who.actor,
            None,
            idempotency_key,
            data=body.data,
            **body.arguments,
        )
        return dossier_json(d)

    @api.post("/dossiers/{code}/assignment")
    async def assign(
        code: str,
        body: Assignment,
        who: Who,
        idempotency_key: Key = None,
    ) -> dict[str, Any]:
        def named(ids: list[str]) -> list[Official]:
            missing = [i for i in ids if OFFICIALS.get(i) is None]
            if missing:
                raise InvalidCommand(f"unknown officials {missing}", field="lead")
            return [OFFICIALS[i] for i in ids]

        lead = named([body.lead])[0]
        extra = {
            "cooperating": named(body.cooperating),
            "observers": named(body.observers),
            "unit": body.unit,
            "idempotency_key": idempotency_key,
        }
        if body.reason is None:
            d = await run_in_threadpool(lambda: engine.assign(code, lead, who.actor, **extra))
        else:
            reason = body.reason
            d = await run_in_threadpool(
                lambda: engine.reassign(code, lead, who.actor, reason=reason, **extra)
            )
        return dossier_json(d)

    @api.post("/dossiers/{code}/take-over")
    async def take_over(code: str, body: Command, who: Who) -> dict[str, Any]:
        reason = body.data.get("reason")
        d = await run_in_threadpool(lambda: engine.take_over(code, who.actor, reason=reason))
        return dossier_json(d)

    @api.get("/worklist")
    async def worklist(
        who: Who,
        mine: bool = False,
        role: str | None = None,
        unit: str | None = None,
        unassigned: bool = False,
        applicant: str | None = None,
        limit: int = 20,
        after: str | None = None,
    ) -> dict[str, Any]:
        # the tenant is the official's agency: never a parameter the client chooses
        query = WorklistQuery(
            agency=who.agency,
            assignee=who.id if mine else None,
            role=role,
            unit=unit,
            unassigned=unassigned,
            applicant=applicant,
            limit=limit,
            after=after,
        )
        page = await run_in_threadpool(store.worklist, query)
        return {
            "items": [
                {
                    "code": i.code,
                    "applicant": i.applicant,
                    "state": i.state,
                    "assignee": i.assignee,
                    "work_due_at": i.work_due_at.isoformat(),
                }
                for i in page.items
            ],
            "next": page.next_cursor,
        }

    @api.get("/dossiers/{code}/receipt-slip")
    async def slip(code: str, who: Who) -> dict[str, Any]:
        def build() -> dict[str, Any]:
            d = engine.get(code)
            if who.agency not in ("TTPVHCC", d.agency_code):  # tenant isolation of reads
                raise PermissionDenied(
                    f"{who.id} may not read dossier {code}", actor=who.id, dossier_code=code
                )
            definition = catalog.get(d.procedure_code, d.procedure_version)
            found = receipt_slip(d, engine.history(code), definition, officials=OFFICIALS)
            return asdict(found)

        return await run_in_threadpool(build)

    add_payment_routes(api, engine)
    return api


# ------------------------------------------------------------ payments and the rating
GATEWAYS = frozenset({"paygov"})
"""Payment gateways whose callbacks the service accepts (the vendor checks their signature)."""


class PaymentLineBody(BaseModel):
    name: str
    amount: int
    kind: str = "other"
    legal_basis: str


class PaymentRequestBody(BaseModel):
    lines: list[PaymentLineBody] | None = None
    """None: the dossier's unpaid fees, as the engine reads them."""
    obligations: list[str] = Field(default_factory=list)


class PaymentBody(BaseModel):
    method: str
    amount: int
    gateway: str | None = None
    transaction_id: str | None = None
    receipt_number: str | None = None


class RatingBody(BaseModel):
    scores: dict[str, int]
    comment: str | None = None
    via: str = "portal"


def payer(
    x_official: Annotated[str | None, Header()] = None,
    x_gateway: Annotated[str | None, Header()] = None,
) -> Actor:
    """Who records a payment: the desk official, or a known gateway's callback (system)."""
    if x_gateway is not None:
        if x_gateway not in GATEWAYS:
            raise PermissionDenied(f"unknown payment gateway {x_gateway!r}", actor=x_gateway)
        return Actor.of(f"gateway.{x_gateway}", "system")
    return official(x_official or "").actor


def applicant(x_applicant: Annotated[str, Header()]) -> Actor:
    """The citizen logged in on the portal (the vendor's VNeID login really)."""
    return Actor.of(x_applicant, "applicant")


Payer = Annotated[Actor, Depends(payer)]
Citizen = Annotated[Actor, Depends(applicant)]


def payment_json(d: Dossier) -> dict[str, Any]:
    """The dossier's payment requests, payments and rating, as the engine recorded them."""
    rating = d.rating
    return {
        "code": d.code,
        "state": d.state,
        "portal_status": portal_status(d.state),
        "payment_requests": [
            {
                "number": r.number,
                "lines": [asdict(line) for line in r.lines],
                "total": r.total,
                "paid_at": r.paid_at.isoformat() if r.paid_at else None,
            }
            for r in d.payment_requests
        ],
        "payments": [
            {
                "amount": p.amount,
                "method": p.method,
                "transaction_id": p.transaction_id,
                "receipt_number": p.receipt_number,
                "remit_due_at": p.remit_due_at.isoformat() if p.remit_due_at else None,
            }
            for p in d.payments
        ],
        "rating": None
        if rating is None
        else {"scores": rating.by_criterion, "dislike": rating.dislike, "via": rating.via},
    }


def add_payment_routes(api: FastAPI, engine: Engine) -> None:
    """The payment request, the payment and the rating (each one engine command)."""

    @api.post("/dossiers/{code}/payment-request")
    async def request_payment(
        code: str, body: PaymentRequestBody, who: Who, idempotency_key: Key = None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"obligations": body.obligations}
        if body.lines is not None:
            data["lines"] = [line.model_dump() for line in body.lines]
        d = await run_in_threadpool(
            engine.fire, code, "request_payment", who.actor, None, idempotency_key, **data
        )
        return payment_json(d)

    @api.post("/dossiers/{code}/payments")
    async def pay(
        code: str, body: PaymentBody, who: Payer, idempotency_key: Key = None
    ) -> dict[str, Any]:
        data = body.model_dump(exclude_none=True)
        d = await run_in_threadpool(
            engine.fire, code, "payment_done", who, None, idempotency_key, **data
        )
        return payment_json(d)

    @api.post("/dossiers/{code}/rating")
    async def rate(
        code: str, body: RatingBody, who: Citizen, idempotency_key: Key = None
    ) -> dict[str, Any]:
        data = body.model_dump(exclude_none=True)
        d = await run_in_threadpool(engine.fire, code, "rate", who, None, idempotency_key, **data)
        return payment_json(d)


# ----------------------------------------------------------------- the outbox: portal, notices

CONSUMERS = {
    "dvcqg": frozenset({PORTAL_SYNC}),  # the national portal's dossier sync (art. 27.2.d)
    "sms": frozenset({"notify.sms"}),
    "email": frozenset({"notify.email"}),
    "zalo": frozenset({"notify.zalo"}),
}
"""The senders of this deployment and the outbox topics each delivers."""
assert frozenset().union(*CONSUMERS.values()) == NOTIFY_TOPICS | {PORTAL_SYNC}


def outbox(catalog: Catalog) -> NotificationPolicy:
    """The portal sync of every event, and the applicant's notices (docs/notifications.md):
    only topics a sender of :data:`CONSUMERS` delivers (the engine's bare ``portal.status``
    and ``notify.*`` events would wait in the outbox for a consumer that never comes)."""
    sync = PortalSyncPolicy(topics=frozenset({PORTAL_SYNC}), definitions=catalog.get)
    return NotificationPolicy(base=sync, definitions=catalog.get)


class Sink:
    """Stands in for the transports (the portal's API, the SMS gateway, the mail server):
    keeps what was sent in ``sent`` and, with ``folder``, appends it as a JSON line to a file
    of this process (``benchmarks/service_load.py`` reads them back to count deliveries).
    A real sender passes ``delivery.key`` to its receiver as the idempotency key."""

    def __init__(self, folder: str | None = None) -> None:
        self.sent: list[tuple[str, Delivery]] = []
        self._file = None if folder is None else Path(folder) / f"sent-{os.getpid()}.jsonl"
        self._lock = threading.Lock()

    def send(self, consumer: str, delivery: Delivery) -> None:
        with self._lock:
            self.sent.append((consumer, delivery))
            if self._file is not None:
                line = {"consumer": consumer, "key": delivery.key, "topic": delivery.topic}
                with self._file.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(line) + "\n")


class DeliverRequest(BaseModel):
    consumer: str
    limit: int = Field(default=100, ge=1, le=1000)


def deliver_round(store: SqlStore, sink: Sink, consumer: str, limit: int = 100) -> int:
    """One round of ``consumer``: claim its topics' messages, send, acknowledge; failures
    go back with the store's retry backoff. The number delivered."""
    report = deliver(
        store,
        lambda message: sink.send(consumer, message),
        consumer=f"{consumer}@{os.getpid()}",  # the lease holder: this process
        now=datetime.now(VN_TZ),
        topics=CONSUMERS[consumer],
        limit=limit,
    )
    return report.delivered


def add_outbox_routes(api: FastAPI, store: SqlStore) -> None:
    """``POST /outbox/deliver`` (one round of one sender; a worker endpoint for a scheduler
    or a test, protected by the ``X-Worker-Token`` of ``TTHC_WORKER_TOKEN``)."""
    api.state.sink = Sink(os.environ.get("TTHC_SINK_DIR"))
    token = os.environ.get("TTHC_WORKER_TOKEN", "local-worker")

    @api.post("/outbox/deliver")
    async def deliver_now(
        body: DeliverRequest, x_worker_token: Annotated[str, Header()]
    ) -> dict[str, Any]:
        if x_worker_token != token:
            raise PermissionDenied("not a worker of this service", actor="worker")
        if body.consumer not in CONSUMERS:
            raise InvalidCommand(f"unknown consumer {body.consumer!r}", field="consumer")
        sink: Sink = api.state.sink
        done = await run_in_threadpool(deliver_round, store, sink, body.consumer, body.limit)
        return {"consumer": body.consumer, "delivered": done}


def start_delivery_loop(store: SqlStore, sink: Sink, every: float) -> threading.Thread:
    """Deliver every sender's messages every ``every`` seconds in a daemon thread of this
    worker process; several processes share the work (the store leases each message to one
    of them: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""

    def loop() -> None:
        while True:
            busy = False
            for consumer in CONSUMERS:
                try:
                    busy = deliver_round(store, sink, consumer) > 0 or busy
                except TthcError as exc:  # the database is away: try again next round
                    logging.getLogger("tthc.outbox").warning("%s: %s", consumer, exc)
            if not busy:
                time.sleep(every)

    thread = threading.Thread(target=loop, name="tthc-outbox", daemon=True)
    thread.start()
    return thread


def default_app() -> FastAPI:
    """The service on ``TTHC_DB`` with the example catalog (for ``uvicorn --factory``)."""
    db = os.environ.get("TTHC_DB", "tthc-service.sqlite")
    store = SqlStore(db, create=False) if "://" in db else SqlStore.sqlite(db)
    api = create_app(store, load_catalog(ROOT / "so-cong-thuong"))
    every = os.environ.get("TTHC_DELIVER_EVERY")
    if every:
        start_delivery_loop(store, api.state.sink, float(every))
    return api
