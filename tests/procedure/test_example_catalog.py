"""The example catalog of a provincial Department of Industry and Trade (issue 3's list).

Every procedure carries every field the issue names, with values that make sense together;
the catalog covers the seed fields, has the "4 tại chỗ" and inter-agency procedures the
README describes, and keeps versions apart by effective date.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.procedure.procedure_samples import EXAMPLES
from tthc_flow.procedure import (
    BUILTIN_ROLES,
    Channel,
    Level,
    OnlineLevel,
    ProcedureDefinition,
    TimeUnit,
    load_catalog,
)

CATALOG = load_catalog(EXAMPLES)
DOCUMENT = re.compile(r"^(Luật|Nghị định|Thông tư|Quyết định|Nghị quyết)\b.*\d+/\d{4}/[A-ZĐ\-]+")
ON_THE_SPOT = {"2.000004", "2.000207", "2.000352", "2.000621", "2.000649"}


@pytest.mark.parametrize("definition", list(CATALOG), ids=lambda d: f"{d.code}v{d.version}")
def test_every_procedure_carries_every_field(definition: ProcedureDefinition) -> None:
    assert re.fullmatch(r"[12]\.\d{6}", definition.code)
    assert definition.name[0].isupper() and len(definition.name) > 20
    assert definition.field and definition.result
    assert definition.level is Level.PROVINCE
    assert definition.agency == "Sở Công Thương" and definition.agency_code == "SCT"
    assert definition.legal_basis and all(DOCUMENT.match(text) for text in definition.legal_basis)
    limit = definition.time_limit
    assert limit.statutory.unit is TimeUnit.WORKING_DAYS and limit.statutory.value >= 5
    if definition.on_the_spot:
        assert limit.shortened is not None
        assert limit.shortened.unit is TimeUnit.WORKING_HOURS and limit.shortened.value <= 8
    assert definition.online in (OnlineLevel.PARTIAL, OnlineLevel.FULL)
    assert set(definition.channels) == {Channel.DESK, Channel.POSTAL, Channel.ONLINE}
    assert all(fee.amount > 0 and fee.name for fee in definition.fees)
    assert definition.components and all(c.name for c in definition.components)
    assert any(c.required for c in definition.components)
    steps = definition.workflow.steps
    assert steps[-1].role in {"leader", "one_stop"}  # someone who may sign ends the workflow
    assert all(step.role in BUILTIN_ROLES | set(definition.roles) for step in steps)
    assert sum(step.share for step in steps) <= limit.effective.value


def test_the_catalog_covers_the_seed_fields() -> None:
    assert len(CATALOG.codes()) >= 15
    assert set(CATALOG.fields()) >= {
        "An toàn thực phẩm",
        "Kinh doanh khí",
        "Xăng dầu",
        "Xúc tiến thương mại",
        "Thương mại quốc tế",
        "Lưu thông hàng hóa trong nước",
        "Công nghiệp (hóa chất)",
        "Điện",
        "Quản lý cạnh tranh",
    }


def test_on_the_spot_procedures_match_the_readme() -> None:
    flagged = {d.code for d in CATALOG.latest() if d.on_the_spot}
    assert flagged == ON_THE_SPOT
    assert all(CATALOG.get(code).workflow.base == "on_the_spot" for code in flagged)
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert 'Five procedures run "4 tại chỗ"' in readme
    for code in flagged:
        assert CATALOG.source(code, 1).rsplit("/", 1)[-1].removesuffix(".yaml") in readme


def test_inter_agency_and_fee_free_procedures() -> None:
    inter = [d for d in CATALOG.latest() if d.is_inter_agency]
    assert [d.code for d in inter] == ["2.000646"]
    (ministry,) = inter[0].agencies
    assert ministry.name == "Bộ Công Thương"
    assert any(not d.fees for d in CATALOG.latest())  # e.g. promotion registration is free


def test_chemicals_follow_the_2025_law() -> None:
    """Luật Hóa chất 69/2025/QH15 replaced the 2007 law on 1/1/2026."""
    old = CATALOG.effective("2.000234", date(2025, 12, 31))
    new = CATALOG.effective("2.000234", date(2026, 1, 1))
    assert (old.version, new.version) == (1, 2)
    assert any("06/2007/QH12" in text for text in old.legal_basis)
    assert any("69/2025/QH15" in text for text in new.legal_basis)
    assert not any("06/2007/QH12" in text for text in new.legal_basis)
