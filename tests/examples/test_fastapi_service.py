"""examples/fastapi_service.py driven over HTTP (httpx on the ASGI app): receipts at the
service centre for a department, worklists with pages, assignment, agency isolation, the
receipt slip with the officer's name."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")

from examples.fastapi_service import create_app  # noqa: E402

from tthc_flow.procedure import load_catalog  # noqa: E402
from tthc_flow.store import SqlStore  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, scenario: Callable[[Any], Awaitable[None]]) -> None:
    async def main() -> None:
        with SqlStore.sqlite(tmp_path / "service.db") as store:
            app = create_app(store, load_catalog(ROOT / "examples" / "so-cong-thuong"))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://tthc") as client:
                await scenario(client)

    asyncio.run(main())


def as_(official: str, key: str | None = None) -> dict[str, str]:
    headers = {"X-Official": official}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


async def receive(client: Any, applicant: str, key: str) -> str:
    body = {"procedure_code": "2.000128", "applicant": applicant, "channel": "desk"}
    answer = await client.post("/dossiers", json=body, headers=as_("lan.nt", key))
    assert answer.status_code == 201, answer.text
    code: str = answer.json()["code"]
    moved = await client.post(
        f"/dossiers/{code}/commands/handover", json={}, headers=as_("lan.nt", key + "-h")
    )
    assert moved.json()["state"] == "appraise", moved.text
    return code


def test_the_service_end_to_end(tmp_path: Path) -> None:
    async def scenario(client: Any) -> None:
        codes = [await receive(client, f"Công ty {n}", f"r{n}") for n in "ABC"]
        # a retried receipt (same key) is the same dossier
        again = await client.post(
            "/dossiers",
            json={"procedure_code": "2.000128", "applicant": "Công ty A", "channel": "desk"},
            headers=as_("lan.nt", "rA"),
        )
        assert again.json()["code"] == codes[0]

        # the department's specialists' pool, two at a time
        first = (
            await client.get("/worklist?role=specialist&limit=2", headers=as_("hoa.dt"))
        ).json()
        assert [i["code"] for i in first["items"]] == codes[:2] and first["next"]
        rest = await client.get(
            "/worklist",
            params={"role": "specialist", "after": first["next"]},
            headers=as_("hoa.dt"),
        )
        assert [i["code"] for i in rest.json()["items"]] == codes[2:]
        assert rest.json()["next"] is None
        # another department sees none of them
        other = await client.get("/worklist", headers=as_("son.vv"))
        assert other.json()["items"] == []

        assigned = await client.post(
            f"/dossiers/{codes[0]}/assignment",
            json={"lead": "hung.tv", "cooperating": ["mai.lt"], "unit": "QLTM"},
            headers=as_("hoa.dt", "a1"),
        )
        assert assigned.json()["lead"] == {"id": "hung.tv", "name": "Trần Văn Hùng"}
        mine = (await client.get("/worklist?mine=true", headers=as_("hung.tv"))).json()
        assert [i["code"] for i in mine["items"]] == [codes[0]]

        # a Sở Tư pháp specialist may not appraise a Sở Công Thương dossier
        denied = await client.post(
            f"/dossiers/{codes[0]}/commands/appraise", json={}, headers=as_("son.vv")
        )
        assert denied.status_code == 403
        assert denied.json()["rule"] == "AgencyPolicy.home_agency"
        assert denied.json()["agencies"] == ["SCT"]
        done = await client.post(
            f"/dossiers/{codes[0]}/commands/appraise", json={}, headers=as_("hung.tv", "p1")
        )
        assert done.json()["state"] == "inspect"
        wrong = await client.post(
            f"/dossiers/{codes[0]}/commands/approve", json={}, headers=as_("hung.tv")
        )
        assert wrong.status_code in (403, 409)

        taken = await client.post(f"/dossiers/{codes[1]}/take-over", json={}, headers=as_("mai.lt"))
        assert taken.json()["lead"]["name"] == "Lê Thị Mai"

        slip = await client.get(f"/dossiers/{codes[0]}/receipt-slip", headers=as_("hung.tv"))
        assert slip.status_code == 200 and slip.json()["received_by"] == "Nguyễn Thị Lan"
        hidden = await client.get(f"/dossiers/{codes[0]}/receipt-slip", headers=as_("son.vv"))
        assert hidden.status_code == 403
        unknown = await client.get("/worklist", headers=as_("nobody"))
        assert unknown.status_code == 403
        bad = await client.get("/worklist?after=nonsense", headers=as_("hung.tv"))
        assert bad.status_code == 422 and bad.json()["field"] == "after"

    run(tmp_path, scenario)


WORKER = {"X-Worker-Token": "local-worker"}
RECORD = {
    "type": "enterprise",
    "name": "Công ty TNHH Gas Minh Phát",
    "ids": [{"kind": "tax_code", "number": "0101234567"}],
    "phone": "0912345678",
    "email": "lienhe@minhphat.vn",
}


async def drain(client: Any, consumer: str) -> int:
    """Deliver rounds of ``consumer`` until nothing is left (a dossier's next message is
    handed out once the previous one is acknowledged)."""
    total = 0
    while True:
        answer = await client.post("/outbox/deliver", json={"consumer": consumer}, headers=WORKER)
        assert answer.status_code == 200, answer.text
        if not answer.json()["delivered"]:
            return total
        total += answer.json()["delivered"]


def test_portal_sync_and_notifications_leave_through_the_outbox(tmp_path: Path) -> None:
    """Three channels, the record on the national portal after every event (art. 27.2.d)
    and the applicant's receipt notice on SMS, e-mail and Zalo (docs/notifications.md)."""
    sink: Any = None

    async def scenario(client: Any) -> None:
        codes = {}
        for channel in ("desk", "postal", "online"):
            body = {"procedure_code": "2.000128", "applicant": RECORD, "channel": channel}
            answer = await client.post("/dossiers", json=body, headers=as_("lan.nt", channel))
            assert answer.status_code == 201, answer.text
            codes[channel] = answer.json()["code"]
        online = codes["online"]
        accepted = await client.post(
            f"/dossiers/{online}/commands/accept", json={}, headers=as_("lan.nt", "acc")
        )
        assert accepted.json()["state"] == "received", accepted.text
        desk = codes["desk"]
        for trigger, who in (
            ("handover", "lan.nt"),
            ("appraise", "hung.tv"),
            ("inspect", "hung.tv"),
            ("approve", "hoa.dt"),
            ("return_result", "lan.nt"),
        ):
            moved = await client.post(
                f"/dossiers/{desk}/commands/{trigger}", json={}, headers=as_(who, trigger)
            )
            assert moved.status_code == 200, moved.text
        due = accepted.json()["due_at"]

        # nothing is sent by the commands themselves: the senders claim it
        assert sink.sent == []
        # desk: 6 events, postal: 1, online: submit + accept
        assert await drain(client, "dvcqg") == 6 + 1 + 2
        portal = [d for c, d in sink.sent if c == "dvcqg"]
        last = [d for d in portal if d.dossier_code == desk][-1].payload["record"]
        assert (last["TrangThaiHoSo"], last["KenhThucHien"], last["SoGiayToChuHoSo"]) == (
            "10",  # Đã trả kết quả
            "1",
            "0101234567",
        )
        channels = {d.dossier_code: d.payload["record"]["KenhThucHien"] for d in portal}
        assert channels == {desk: "1", codes["postal"]: "3", online: "2"}

        # receipts of the three (one SMS each) and the desk dossier's result (early: the
        # same day as its receipt, long before its appointment)
        assert await drain(client, "sms") == 4
        sms = {(d.dossier_code, d.payload["kind"]): d.payload for c, d in sink.sent if c == "sms"}
        assert sms[(desk, "early_return")]["to"] == "0912345678"
        moment = datetime.fromisoformat(due)
        printed = (
            f"{moment.hour:02d} giờ {moment.minute:02d} phút, ngày {moment.day:02d} tháng "
            f"{moment.month:02d} năm {moment.year}"
        )
        assert sms[(online, "receipt")]["body"] == (
            f"Hồ sơ {online} đã được tiếp nhận. Hẹn trả kết quả: {printed}."
        )
        assert await drain(client, "email") == 4 and await drain(client, "zalo") == 4
        assert await drain(client, "sms") == 0  # each message once
        refused = await client.post("/outbox/deliver", json={"consumer": "sms"}, headers={})
        assert refused.status_code == 422  # no worker token
        wrong = await client.post("/outbox/deliver", json={"consumer": "fax"}, headers=WORKER)
        assert wrong.status_code == 422 and wrong.json()["field"] == "consumer"

    async def main() -> None:
        nonlocal sink
        with SqlStore.sqlite(tmp_path / "service.db") as store:
            app = create_app(store, load_catalog(ROOT / "examples" / "so-cong-thuong"))
            sink = app.state.sink
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://tthc") as client:
                await scenario(client)

    asyncio.run(main())
