"""examples/fastapi_service.py over HTTP: a payment request (status 6), payments through a
gateway's callback or at the desk, and the applicant's rating (docs/payments.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("httpx")
pytest.importorskip("fastapi")

from tests.examples.test_fastapi_service import as_, receive, run

FEE = 1_200_000  # 2.000128's appraisal fee in the example catalog (Thông tư 168/2016/TT-BTC)


async def at_approval(client: Any, applicant: str, key: str) -> str:
    code = await receive(client, applicant, key)
    for step in ("appraise", "inspect"):
        moved = await client.post(
            f"/dossiers/{code}/commands/{step}", json={}, headers=as_("hung.tv", f"{key}-{step}")
        )
        assert moved.status_code == 200, moved.text
    return code


def test_an_online_payment_and_a_rating(tmp_path: Path) -> None:
    async def scenario(client: Any) -> None:
        code = await at_approval(client, "Công ty Gas A", "g1")
        asked = await client.post(
            f"/dossiers/{code}/payment-request", json={}, headers=as_("hoa.dt", "pr1")
        )
        assert asked.status_code == 200, asked.text
        body = asked.json()
        assert (body["state"], body["portal_status"]) == ("awaiting_payment", 6)
        (request,) = body["payment_requests"]
        assert request["total"] == FEE and request["lines"][0]["legal_basis"].startswith(
            "Thông tư 168/2016/TT-BTC"
        )
        online = {"method": "online", "gateway": "PayGov", "transaction_id": "PG-001"}
        short = await client.post(
            f"/dossiers/{code}/payments",
            json={**online, "amount": 1_000_000},
            headers={"X-Gateway": "paygov"},
        )
        assert short.status_code == 409 and "partial" in short.json()["detail"]
        stranger = await client.post(
            f"/dossiers/{code}/payments",
            json={**online, "amount": FEE},
            headers={"X-Gateway": "elsewhere"},
        )
        assert stranger.status_code == 403
        paid = await client.post(
            f"/dossiers/{code}/payments",
            json={**online, "amount": FEE},
            headers={"X-Gateway": "paygov", "Idempotency-Key": "pay1"},
        )
        assert paid.status_code == 200, paid.text
        assert paid.json()["state"] == "approve"
        (payment,) = paid.json()["payments"]
        assert (payment["amount"], payment["transaction_id"]) == (FEE, "PG-001")
        assert payment["remit_due_at"] is not None  # art. 24.3

        early = await client.post(
            f"/dossiers/{code}/rating", json={"scores": {"a": 5}}, headers={"X-Applicant": "c1"}
        )
        assert early.status_code == 409  # before the result
        approved = await client.post(
            f"/dossiers/{code}/commands/approve", json={}, headers=as_("hoa.dt", "ap1")
        )
        assert approved.json()["state"] == "result_ready", approved.text
        wrong = await client.post(
            f"/dossiers/{code}/rating", json={"scores": {"f": 5}}, headers={"X-Applicant": "c1"}
        )
        assert wrong.status_code == 422 and wrong.json()["field"] == "data.scores.f"
        rated = await client.post(
            f"/dossiers/{code}/rating",
            json={"scores": {"a": 5, "dd": 2}, "comment": "Cán bộ chậm trả lời"},
            headers={"X-Applicant": "c1"},
        )
        assert rated.status_code == 200, rated.text
        assert rated.json()["rating"] == {
            "scores": {"a": 5, "dd": 2},
            "dislike": True,  # 2 is below "Bình thường" (3)
            "via": "portal",
        }
        twice = await client.post(
            f"/dossiers/{code}/rating", json={"scores": {"a": 4}}, headers={"X-Applicant": "c1"}
        )
        assert twice.status_code == 409

    run(tmp_path, scenario)


def test_a_desk_payment_for_given_lines(tmp_path: Path) -> None:
    async def scenario(client: Any) -> None:
        code = await at_approval(client, "Hộ kinh doanh B", "d1")
        lines = [
            {
                "name": "Phí thẩm định điều kiện kinh doanh (thành phố, thị xã)",
                "amount": FEE,
                "kind": "fee",
                "legal_basis": "Thông tư 168/2016/TT-BTC",
            },
            {
                "name": "Lệ phí cấp Giấy chứng nhận",
                "amount": 200_000,
                "kind": "charge",
                "legal_basis": "Nghị quyết HĐND tỉnh",
            },
        ]
        asked = await client.post(
            f"/dossiers/{code}/payment-request", json={"lines": lines}, headers=as_("hoa.dt")
        )
        assert asked.json()["payment_requests"][0]["total"] == 1_400_000  # 1,200,000 + 200,000
        no_receipt = await client.post(
            f"/dossiers/{code}/payments",
            json={"method": "desk", "amount": 1_400_000},
            headers=as_("lan.nt"),
        )
        assert no_receipt.status_code == 422 and no_receipt.json()["field"] == "data.receipt_number"
        paid = await client.post(
            f"/dossiers/{code}/payments",
            json={"method": "desk", "amount": 1_400_000, "receipt_number": "BL-000123"},
            headers=as_("lan.nt"),
        )
        assert paid.status_code == 200, paid.text
        (payment,) = paid.json()["payments"]
        assert (payment["method"], payment["receipt_number"], payment["remit_due_at"]) == (
            "desk",
            "BL-000123",
            None,
        )
        assert paid.json()["payment_requests"][0]["paid_at"] is not None

    run(tmp_path, scenario)
