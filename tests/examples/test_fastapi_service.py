"""examples/fastapi_service.py driven over HTTP (httpx on the ASGI app): receipts at the
service centre for a department, worklists with pages, assignment, agency isolation, the
receipt slip with the officer's name."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
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
