"""A dossier as JSON (issue 17 item 10): ``Dossier.to_dict()`` gives JSON-ready data in the
documented shape (docs/dossier-json.md), ``Dossier.from_dict`` reads it back to an equal
dossier, and ``DossierModel.model_json_schema()`` describes it for API documentation."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from tthc_flow import VN_TZ, Actor, Dossier, Engine, FixedClock, load_catalog
from tthc_flow.engine import Applicant, DossierModel, FileRef, IdNumber, SubmittedDocument
from tthc_flow.store import MemoryStore, SqlStore

CATALOG = load_catalog(Path(__file__).parents[2] / "examples" / "so-cong-thuong")
DESK = Actor.of("le.thu", "one_stop")
SPECIALIST = Actor.of("pham.an", "specialist")
LEADER = Actor.of("giam.doc", "leader")
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=VN_TZ)


def eventful(e: Engine) -> str:
    """A dossier with something in every collection: documents, a supplement, a
    consultation, an apology, a paid fee, a result."""
    applicant = Applicant(
        type="citizen",
        name="Nguyễn Văn An",
        ids=[IdNumber(kind="citizen_id", number="001085012345")],
        phone="0912345678",
    )
    doc = SubmittedDocument(
        component="Văn bản nghiệm thu về phòng cháy và chữa cháy",
        digitised=True,
        file=FileRef(uri="s3://hs/pccc.pdf", sha256=SHA, size=1024),
    )
    d = e.receive(
        "2.000648", applicant, "desk", at=at(2, 9), documents=[doc], data={"note": "lần đầu"}
    )
    e.fire(d.code, "handover", DESK, at=at(2, 10))
    e.fire(d.code, "consult", SPECIALIST, at=at(3, 9), body="Công an tỉnh", within_working_days=2)
    e.fire(d.code, "record_answer", SPECIALIST, at=at(4, 9), body="Công an tỉnh")
    e.fire(d.code, "request_supplement", SPECIALIST, at=at(4, 10), missing=["Bản vẽ mặt bằng"])
    lease = SubmittedDocument(component="Tài liệu chứng minh cửa hàng thuộc sở hữu hoặc thuê")
    e.fire(d.code, "submit_supplement", DESK, at=at(6, 10), documents=[lease])
    e.fire(d.code, "appraise", SPECIALIST, at=at(9, 9))
    e.fire(d.code, "inspect", SPECIALIST, at=at(10, 9))
    e.fire(
        d.code, "reschedule", LEADER, at=at(11, 9), new_due_at=at(25, 17), reason="Chờ kiểm tra lại"
    )
    e.fire(d.code, "approve", LEADER, at=at(12, 9), fee_paid=True)
    e.fire(d.code, "sign_result", LEADER, at=at(12, 10), result_type="KQ1", name="GCN")
    return d.code


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_to_dict_and_back_gives_the_same_dossier(kind: str, tmp_path: Path) -> None:
    store = MemoryStore() if kind == "memory" else SqlStore(f"sqlite:///{tmp_path / 't.db'}")
    e = Engine(CATALOG, store=store, clock=FixedClock(at(2, 9)))
    d = e.get(eventful(e))
    assert d.consultations and d.reschedules and d.results and d.pauses[0].documents
    text = json.dumps(d.to_dict(), ensure_ascii=False)  # plain JSON, no custom encoder
    back = Dossier.from_dict(json.loads(text))
    assert back == d
    assert back.received_at is not None and back.received_at.tzinfo is VN_TZ
    assert back.steps == d.steps and back.to_dict() == d.to_dict()


def test_the_shape_is_documented_and_stable() -> None:
    e = Engine(CATALOG, store=MemoryStore(), clock=FixedClock(at(2, 9)))
    data = e.get(eventful(e)).to_dict()
    assert data["schema_version"] == 1
    assert data["received_at"] == "2026-03-02T09:00:00+07:00"
    assert data["applicant_record"]["ids"][0] == {
        "kind": "citizen_id",
        "number": "001085012345",
        "issued_on": None,
        "issued_by": None,
    }
    assert data["steps"][0]["step"] == "appraise" and data["steps"][0]["actor"] == "pham.an"
    assert data["pauses"][0]["missing"] == ["Bản vẽ mặt bằng"]
    assert data["results"][0]["code"] == "001085012345.KQ1"
    assert data["data"] == {"fee_paid": True, "note": "lần đầu"}
    documented = (Path(__file__).parents[2] / "docs" / "dossier-json.md").read_text(
        encoding="utf-8"
    )
    for key in data:
        described = f"`{key}`" in documented or f"`{key}[]`" in documented
        assert described, f"docs/dossier-json.md does not describe {key}"
    schema = DossierModel.model_json_schema()
    assert set(schema["properties"]) == set(data)


def test_bad_data_is_refused() -> None:
    e = Engine(CATALOG, store=MemoryStore(), clock=FixedClock(at(2, 9)))
    data = e.get(eventful(e)).to_dict()
    with pytest.raises(ValidationError):
        Dossier.from_dict({**data, "unknown_field": 1})
    with pytest.raises(ValidationError):
        Dossier.from_dict({**data, "schema_version": 2})
