"""Applicants as records (issue 17 item 4): validated IDs, the record folded into the dossier,
the older string form kept, the receiving centre apart from the deciding authority.

Sources: Decree 118/2025/ND-CP art. 17.1.a (identity by personal ID number, passport for
foreigners, organisation ID; when authorised, the principal's identity), art. 14.2 (any centre
in the province receives), art. 20.1 (the centre receives, the competent authority decides and
sends the result back to the centre), art. 28.2.a (the dossier code starts with the deciding
authority's identifier). Transcription: neornotl/rightly-beta, legal-sources/decrees-n-decisions/.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from tthc_flow import VN_TZ, Engine, FixedClock, InvalidCommand, load_catalog
from tthc_flow.engine import Applicant, ApplicantType, IdKind, IdNumber, Representative, replay
from tthc_flow.store import MemoryStore, SqlStore

CATALOG = load_catalog(Path(__file__).parents[2] / "examples" / "so-cong-thuong")
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)


def company() -> Applicant:
    return Applicant(
        type="enterprise",
        name="Công ty TNHH Xăng dầu Minh Phát",
        ids=[IdNumber(kind="tax_code", number="0101234567")],
        representative=Representative(
            name="Trần Thị Lan",
            kind="authorised",
            authorisation="Giấy ủy quyền số 12/2026/UQ",
            ids=[IdNumber(kind="citizen_id", number="001185012345")],
        ),
        phone="0912.345.678",
        email="lan@minhphat.vn",
        address="12 Lê Lợi, phường Hồng Gai",
    )


def engine(store: object | None = None) -> Engine:
    return Engine(CATALOG, store=store or MemoryStore(), clock=FixedClock(MONDAY_9))


# ------------------------------------------------------------------ the record


def test_id_numbers_are_checked_by_kind() -> None:
    assert IdNumber(kind="citizen_id", number="001085012345").number == "001085012345"
    assert IdNumber(kind="tax_code", number="0101234567-001").number == "0101234567-001"
    assert IdNumber(kind="passport", number="c1234567").number == "C1234567"
    for kind, bad in [
        ("citizen_id", "00108501234"),  # 11 digits
        ("citizen_id", "00108501234X"),
        ("tax_code", "01012345"),
        ("tax_code", "0101234567-01"),
        ("passport", "C12"),
    ]:
        with pytest.raises(ValidationError, match=kind):
            IdNumber(kind=kind, number=bad)


def test_contacts_are_checked_and_kept_without_separators() -> None:
    assert company().phone == "0912345678"
    with pytest.raises(ValidationError, match="phone"):
        Applicant(type="citizen", name="Lê Văn Nam", phone="12345")
    with pytest.raises(ValidationError, match="e-mail"):
        Applicant(type="citizen", name="Lê Văn Nam", email="nam.at.example")


def test_an_organisation_does_not_carry_a_personal_id() -> None:
    # art. 17.1.a: the person at the desk is the representative; the organisation has its own
    with pytest.raises(ValidationError, match=r"17\.1\.a"):
        Applicant(
            type="enterprise",
            name="Công ty A",
            ids=[IdNumber(kind="citizen_id", number="001085012345")],
        )


def test_an_authorised_representative_names_the_authorisation() -> None:
    with pytest.raises(ValidationError, match="authorisation"):
        Representative(name="Trần Thị Lan", kind="authorised")


def test_portal_codes_of_the_four_applicant_types() -> None:
    # LoaiDoiTuong: 1 công dân, 2 doanh nghiệp, 3 cơ quan nhà nước, 4 tổ chức khác
    assert [t.portal_code for t in ApplicantType] == [1, 2, 3, 4]


# ------------------------------------------------------------------ through the engine


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_the_record_is_folded_into_the_dossier_and_survives_replay(
    kind: str, tmp_path: Path
) -> None:
    store = MemoryStore() if kind == "memory" else SqlStore(f"sqlite:///{tmp_path / 't.db'}")
    e = engine(store)
    d = e.receive("2.000648", company(), "desk")
    assert d.applicant == "Công ty TNHH Xăng dầu Minh Phát"
    assert d.applicant_record == company()
    assert d.applicant_record is not None
    primary = d.applicant_record.primary_id
    assert primary is not None
    assert (primary.kind, primary.number) == (IdKind.TAX_CODE, "0101234567")
    assert replay(e.history(d.code)) == replace(e.get(d.code), as_of=None)
    assert e.get(d.code).applicant_record == company()


def test_the_string_form_still_works() -> None:
    d = engine().receive("2.000648", "Công ty A", "desk")
    assert d.applicant == "Công ty A"
    assert d.applicant_record is None


def test_the_receiving_centre_is_kept_apart_from_the_deciding_authority() -> None:
    # art. 14.2/20.1: the provincial centre receives; Sở Công Thương (SCT) decides; the
    # dossier code carries the deciding authority's identifier (art. 28.2.a)
    d = engine().receive("2.000648", company(), "desk", reception_centre="TTPVHCC-QN")
    assert d.agency_code == "SCT"
    assert d.reception_centre == "TTPVHCC-QN"
    assert d.code.startswith("SCT-")
    plain = engine().receive("2.000648", company(), "desk")
    assert plain.reception_centre is None


def test_a_record_with_text_no_store_can_hold_is_refused_and_nothing_is_stored() -> None:
    store = MemoryStore()
    e = engine(store)
    bad = company().model_copy(update={"address": "12 Lê Lợi\x00"})
    with pytest.raises(InvalidCommand, match="NUL") as caught:
        e.receive("2.000648", bad, "desk")
    assert caught.value.field == "applicant.address"
    first = e.receive("2.000648", company(), "desk")
    assert first.code.endswith("-0001")  # the refused command drew no number


def test_something_else_than_a_name_or_a_record_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="applicant"):
        engine().receive("2.000648", {"name": "Công ty A"}, "desk")  # type: ignore[arg-type]


def test_a_reused_key_must_carry_the_same_record() -> None:
    e = engine()
    d = e.receive("2.000648", company(), "desk", idempotency_key="k1")
    assert e.receive("2.000648", company(), "desk", idempotency_key="k1").code == d.code
    other = company().model_copy(update={"phone": "0987654321"})
    with pytest.raises(InvalidCommand):
        e.receive("2.000648", other, "desk", idempotency_key="k1")
