"""Personal data beside the hash chain (issue 17 item 9): kept apart, joined on read, erased on
request while every chain still verifies, online and offline.

Sources: Law 91/2025/QH15 art. 2.1 (personal data), 4.1 (the right to request erasure), 14.1
(when data are deleted; safe deletion that prevents recovery), read in secondary sources;
Decree 13/2023/ND-CP art. 16.2 (refusals before the Law); Decree 118/2025/ND-CP (the dossier
is processed, so an open one keeps its data). RFC 2104 (HMAC). docs/personal-data.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tthc_flow import VN_TZ, Engine, FixedClock, load_catalog
from tthc_flow.audit import audit_export, audit_store, save_export
from tthc_flow.engine import (
    Actor,
    Applicant,
    IdNumber,
    PersonalDataPolicy,
    Policies,
    Representative,
)
from tthc_flow.errors import IntegrityError, PermissionDenied, PolicyViolation
from tthc_flow.reports import to_ocel, to_xes
from tthc_flow.store import DossierQuery, MemoryStore, SqlStore, WorklistQuery

CATALOG = load_catalog(Path(__file__).parents[2] / "examples" / "so-cong-thuong")
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
DESK = Actor("desk-01", frozenset({"one_stop"}), agency="SCT")
DPO = Actor("dpo-01", frozenset({"data_protection"}), name="Lê Thị Hoa")
BASIS = "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15, Điều 14.1.a"

NAME, CITIZEN_ID, PHONE = "Nguyễn Văn Bình", "001085012345", "0912345678"
REPRESENTATIVE, REPRESENTATIVE_ID = "Trần Thị Lan", "001185054321"
EMAIL, ADDRESS = "binh.nguyen@example.vn", "12 Lê Lợi, phường Hồng Gai"
SECRETS = (NAME, CITIZEN_ID, PHONE, REPRESENTATIVE, REPRESENTATIVE_ID, EMAIL, ADDRESS)
SEARCH_KEY = "nguyen van binh"  # the worklist's applicant_key of NAME, by hand


def citizen() -> Applicant:
    return Applicant(
        type="citizen",
        name=NAME,
        ids=[IdNumber(kind="citizen_id", number=CITIZEN_ID)],
        representative=Representative(
            name=REPRESENTATIVE,
            kind="authorised",
            authorisation="Giấy ủy quyền 7/2026",
            ids=[IdNumber(kind="citizen_id", number=REPRESENTATIVE_ID)],
        ),
        phone=PHONE,
        email=EMAIL,
        address=ADDRESS,
    )


def engine(store: Any, policy: PersonalDataPolicy | None = None) -> Engine:
    policies = Policies(personal_data=policy or PersonalDataPolicy())
    return Engine(CATALOG, store=store, clock=FixedClock(MONDAY_9), policies=policies)


def closed_dossier(e: Engine) -> str:
    code = e.receive("2.000132", citizen(), "desk", actor=DESK).code
    e.fire(code, "withdraw", DESK, reason="rút theo đề nghị")
    return code


def raw_texts(store: Any) -> str:
    """Everything the chain holds as hashed text, plus (SQL) every raw ``events`` row."""
    hashed = "\n".join(e.canonical_payload() for e in store.events())
    if isinstance(store, SqlStore):
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT * FROM events")).all()
        hashed += "\n".join(str(tuple(row)) for row in rows)
    return hashed


# ------------------------------------------------------------------ kept apart


def test_the_chain_holds_a_commitment_and_reads_see_the_values(store: Any) -> None:
    e = engine(store)
    dossier = e.receive("2.000132", citizen(), "desk", actor=DESK)
    hashed = raw_texts(store)
    for secret in SECRETS:
        assert secret not in hashed
    first = store.load_events(dossier.code)[0]
    marker = json.loads(first.canonical_payload())["personal_data"]
    assert marker["hash_version"] == 4 and len(marker["commitment"]) == 64
    # every reader sees the payload as it was written
    assert first.payload["applicant"] == NAME
    assert store.load(dossier.code).applicant_record == citizen()
    assert e.get(dossier.code).applicant == NAME
    assert store.verify().ok
    page = store.worklist(WorklistQuery(agency="SCT", applicant_id=CITIZEN_ID))
    assert [row.code for row in page.items] == [dossier.code]


def test_the_commitment_is_the_documented_hmac(store: Any) -> None:
    """By hand from docs/personal-data.md: HMAC-SHA256 under the event's nonce over
    "tthc_flow personal data", code, version and the values' canonical JSON, joined by
    U+001F (sorted keys, no spaces, non-ASCII kept)."""
    e = engine(store)
    code = e.receive("2.000132", "Hộ kinh doanh Bình An", "desk", actor=DESK).code
    event = store.load_events(code)[0]
    values = '{"applicant":"Hộ kinh doanh Bình An"}'
    text_ = "\x1f".join(["tthc_flow personal data", code, "1", values])
    expected = hmac.new(bytes.fromhex(event.personal_nonce), text_.encode(), hashlib.sha256)
    marker = event.payload["personal_data"]
    assert marker == {"commitment": expected.hexdigest(), "hash_version": 4}


def test_the_worklist_searches_the_record_primary_id_not_the_data_key(store: Any) -> None:
    e = engine(store)
    code = e.receive(
        "2.000132", citizen(), "desk", actor=DESK, data={"applicant_id_number": "079999000111"}
    ).code
    found = store.worklist(WorklistQuery(agency="SCT", applicant_id=CITIZEN_ID)).items
    assert [row.code for row in found] == [code]
    assert store.worklist(WorklistQuery(agency="SCT", applicant_id="079999000111")).items == []


# -------------------------------------------------------------------- erasure


def test_erasure_keeps_every_chain_provable_and_leaves_no_value(store: Any, tmp_path: Path) -> None:
    e = engine(store)
    code = closed_dossier(e)
    other = e.receive("2.000132", "Công ty TNHH Khác", "desk", actor=DESK).code
    erased = e.erase_personal_data(
        code, reason="Đơn đề nghị ngày 05/03/2026", legal_basis=BASIS, actor=DPO
    )
    assert erased.applicant == "[đã xoá]"
    record = erased.applicant_record
    assert record is not None and record.type == "citizen" and record.ids == ()
    assert record.representative is None and record.phone is None
    assert store.load(code) == erased
    assert store.load(other).applicant == "Công ty TNHH Khác"  # another dossier untouched
    history = store.load_events(code)
    last = history[-1]
    assert (last.effect, last.actor, last.to_state) == (
        "erase_personal_data",
        "dpo-01",
        "withdrawn",
    )
    assert last.payload["legal_basis"] == BASIS and last.payload["mode"] == "erase"
    # the chain, the audit and the offline verifier all still prove it
    assert store.verify().ok
    assert audit_store(store).ok
    export = tmp_path / "chain.jsonl"
    save_export(store, export)
    assert audit_export(export).ok
    # no erased value anywhere a reader or an export reaches
    everything = [
        raw_texts(store),
        export.read_text(encoding="utf-8"),
        to_xes(store.events()).decode(),
        json.dumps(to_ocel(store.dossiers(), store.events()), ensure_ascii=False, default=str),
        repr(list(store.events())),
        repr(list(store.dossiers())),
        repr(store.summaries(_all())),
        repr(store.claim("test", now=MONDAY_9, limit=50)),
    ]
    for secret in SECRETS:
        for place in everything:
            assert secret not in place
    assert store.worklist(WorklistQuery(agency="SCT", applicant_id=CITIZEN_ID)).items == []


def _all() -> DossierQuery:
    return DossierQuery()


def test_pseudonymisation_writes_a_random_pseudonym(store: Any) -> None:
    e = engine(store)
    code = closed_dossier(e)
    dossier = e.erase_personal_data(
        code, reason="yêu cầu", legal_basis=BASIS, actor=DPO, pseudonymise=True
    )
    assert dossier.applicant.startswith("Người nộp #") and len(dossier.applicant) == 19
    assert store.load_events(code)[-1].payload["pseudonym"] == dossier.applicant
    assert store.verify().ok
    assert NAME not in repr(list(store.events()))


def test_erasure_is_refused_where_the_data_must_be_kept(store: Any) -> None:
    e = engine(store, PersonalDataPolicy(retain_closed_for=timedelta(days=365)))
    open_code = e.receive("2.000132", citizen(), "desk", actor=DESK).code
    with pytest.raises(PolicyViolation, match="still being processed"):
        e.erase_personal_data(open_code, reason="x", legal_basis=BASIS, actor=DPO)
    code = closed_dossier(e)
    with pytest.raises(PolicyViolation, match="retain_closed_for"):
        e.erase_personal_data(code, reason="x", legal_basis=BASIS, actor=DPO)
    with pytest.raises(PermissionDenied, match="data_protection"):
        e.erase_personal_data(code, reason="x", legal_basis=BASIS, actor=DESK)
    later = MONDAY_9 + timedelta(days=366)
    e.erase_personal_data(code, reason="x", legal_basis=BASIS, actor=DPO, at=later)
    with pytest.raises(PolicyViolation, match="already erased"):
        e.erase_personal_data(code, reason="x", legal_basis=BASIS, actor=DPO, at=later)
    assert e.get(open_code).applicant == NAME  # refusals changed nothing
    assert store.verify().ok


def test_version_2_chains_verify_and_cannot_be_erased(store: Any) -> None:
    """Events written with the data inside the hashed text (as before this change) keep
    their bytes and verify; erasing them would need a rewritten chain: refused."""
    e = engine(store, PersonalDataPolicy(keep_apart=False))
    code = closed_dossier(e)
    first = store.load_events(code)[0]
    assert NAME in first.canonical_payload() and "personal_data" not in first.payload
    assert store.verify().ok
    with pytest.raises(PolicyViolation, match="hash version 2"):
        engine(store).erase_personal_data(code, reason="x", legal_basis=BASIS, actor=DPO)
    assert store.verify().ok


# ------------------------------------------------------------------- forgeries


def _forge(store: Any, code: str, change: str) -> None:
    if isinstance(store, SqlStore):
        with store.engine.begin() as conn:
            if change == "delete":
                conn.execute(text("DELETE FROM personal_data WHERE dossier_code = :c"), {"c": code})
            else:
                conn.execute(
                    text(
                        "UPDATE personal_data SET data = replace(data, :a, :b) WHERE "
                        "dossier_code = :c"
                    ),
                    {"a": NAME, "b": "Nguyễn Văn Bính", "c": code},
                )
        return
    kept = store._personal[code]  # the memory store's rows beside the chain
    if change == "delete":
        del store._personal[code]
    else:
        store._personal[code] = {
            v: (nonce, data.replace(NAME, "Nguyễn Văn Bính")) for v, (nonce, data) in kept.items()
        }


@pytest.mark.parametrize("change", ["rewrite", "delete"])
def test_a_forged_or_removed_value_is_caught(store: Any, change: str) -> None:
    e = engine(store)
    code = e.receive("2.000132", citizen(), "desk", actor=DESK).code
    _forge(store, code, change)
    report = store.verify()
    reason = "do not match their commitment" if change == "rewrite" else "missing or erased"
    assert not report.ok and report.problems[0].dossier_code == code
    assert report.problems[0].version == 1 and reason in report.problems[0].reason
    if isinstance(store, SqlStore):
        with pytest.raises(IntegrityError, match=reason):
            store.load(code)


# ---------------------------------------------------------------- the SQLite file


def test_erased_values_leave_no_byte_in_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "office.sqlite"

    def file_bytes() -> bytes:
        return b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(path.name))

    with SqlStore.sqlite(path) as store:
        e = engine(store)
        code = closed_dossier(e)
        e.receive("2.000132", "Công ty TNHH Khác", "desk", actor=DESK)
        store.engine.dispose()
        before = file_bytes()
        present = [s for s in (*SECRETS, SEARCH_KEY) if s.encode() in before]
        assert NAME.encode() in before and CITIZEN_ID.encode() in before  # the test can fail
        e.erase_personal_data(code, reason="yêu cầu", legal_basis=BASIS, actor=DPO)
        assert store.verify().ok
    after = file_bytes()
    assert present and [s for s in present if s.encode() in after] == []
    assert "Công ty TNHH Khác".encode() in after


# ------------------------------------------------------------------ migration


def test_a_version_4_database_is_converted(sql_url: str) -> None:
    """A database of schema version 4 (no personal_data table, events of hash version 2) is
    upgraded at open: its chains still verify, new dossiers keep their data apart."""
    with SqlStore(sql_url) as store:
        e = engine(store, PersonalDataPolicy(keep_apart=False))
        old = closed_dossier(e)
        with store.engine.begin() as conn:
            conn.execute(text("DROP TABLE personal_data"))
            conn.execute(text("DROP TABLE assignment_members"))  # step 6, after this one
            conn.execute(text("DELETE FROM schema_version WHERE version >= 5"))
    with pytest.raises(Exception, match="older than version 6"):
        SqlStore(sql_url, create=False).close()
    with SqlStore(sql_url) as store:
        with store.engine.connect() as conn:
            versions = conn.execute(text("SELECT version FROM schema_version")).scalars().all()
        assert sorted(versions) == [1, 2, 3, 4, 5, 6]
        assert store.verify().ok and store.load(old).applicant == NAME
        e = engine(store)
        new = closed_dossier(e)
        assert NAME not in store.load_events(new)[0].canonical_payload()
        e.erase_personal_data(new, reason="yêu cầu", legal_basis=BASIS, actor=DPO)
        assert store.verify().ok and store.load(new).applicant == "[đã xoá]"
        assert store.load(old).applicant == NAME


def test_the_memory_store_reads_its_own_kept_values() -> None:
    store = MemoryStore()
    e = engine(store)
    code = e.receive("2.000132", citizen(), "desk", actor=DESK).code
    assert [ev.payload.get("applicant") for ev in store.changes().events] == [NAME]
    assert store.find_idempotent(None, "none") is None
    assert store.load_events(code)[0].personal_nonce
