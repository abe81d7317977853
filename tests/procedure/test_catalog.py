"""The catalog: versions, effective dates, lookups and immutable variants."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.procedure.procedure_samples import EXAMPLES, VALID
from tthc_flow import UnknownProcedure
from tthc_flow.procedure import Catalog, ProcedureDefinition, load_catalog, parse_procedure


def _version(
    number: int, start: str, end: str | None = None, code: str = "2.000128"
) -> ProcedureDefinition:
    text = (
        VALID.replace('code: "2.000128"', f'code: "{code}"')
        .replace("version: 1", f"version: {number}")
        .replace("effective_from: 2025-07-01", f"effective_from: {start}")
    )
    if end:
        text += f"effective_to: {end}\n"
    return parse_procedure(text)


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(
        [
            _version(2, "2025-07-01"),
            _version(1, "2018-02-02", "2025-06-30"),
            _version(1, "2020-01-01", code="2.000132"),
        ]
    )


def test_get_latest_and_given_version(catalog: Catalog) -> None:
    assert catalog.get("2.000128").version == 2
    assert catalog.get("2.000128", 1).effective_to == date(2025, 6, 30)
    with pytest.raises(UnknownProcedure, match="versions: 1, 2") as unknown:
        catalog.get("2.000128", 3)
    assert (unknown.value.code, unknown.value.version) == ("2.000128", 3)
    assert unknown.value.known == ("1", "2")
    assert isinstance(unknown.value, KeyError)  # old ``except KeyError`` still catches it


def test_unknown_code_suggests_close_matches(catalog: Catalog) -> None:
    with pytest.raises(UnknownProcedure, match=r"did you mean .*2\.000128"):
        catalog.get("2.000182")
    with pytest.raises(UnknownProcedure, match=r"did you mean 2\.000128.*LPG") as unknown:
        catalog.get("LPG")
    assert (unknown.value.code, unknown.value.version) == ("LPG", None)
    # both procedures of the fixture carry the sample's name, "... cửa hàng bán lẻ LPG chai"
    assert unknown.value.known == ("2.000128", "2.000132")


def test_effective_picks_the_version_in_force(catalog: Catalog) -> None:
    assert catalog.effective("2.000128", date(2025, 6, 30)).version == 1  # effective_to inclusive
    assert catalog.effective("2.000128", date(2025, 7, 1)).version == 2
    assert catalog.effective("2.000128", date(2018, 2, 2)).version == 1
    with pytest.raises(UnknownProcedure, match="in force on 2018-02-01"):
        catalog.effective("2.000128", date(2018, 2, 1))


def test_effective_prefers_the_later_start_when_periods_overlap() -> None:
    catalog = Catalog([_version(1, "2020-01-01"), _version(2, "2024-01-01")])
    assert catalog.effective("2.000128", date(2023, 12, 31)).version == 1
    assert catalog.effective("2.000128", date(2024, 1, 1)).version == 2


def test_listing(catalog: Catalog) -> None:
    assert catalog.codes() == ["2.000128", "2.000132"]
    assert [d.version for d in catalog.versions("2.000128")] == [1, 2]
    assert [d.key for d in catalog.latest()] == [("2.000128", 2), ("2.000132", 1)]
    assert [d.key for d in catalog] == [("2.000128", 1), ("2.000128", 2), ("2.000132", 1)]
    assert len(catalog) == 3
    assert "2.000128" in catalog and ("2.000128", 2) in catalog
    assert "2.999999" not in catalog and ("2.000128", 9) not in catalog and [] not in catalog
    assert catalog.fields() == ["Kinh doanh khí"]


def test_replace_returns_a_new_catalog(catalog: Catalog) -> None:
    faster = catalog.get("2.000128").model_copy(update={"name": "variant"})
    variant = catalog.replace(faster, _version(1, "2025-01-01", code="2.000999"))
    assert variant.get("2.000128").name == "variant"
    assert "2.000999" in variant
    assert catalog.get("2.000128").name != "variant" and "2.000999" not in catalog
    assert len(variant) == len(catalog) + 1


def test_catalog_is_immutable(catalog: Catalog) -> None:
    with pytest.raises(AttributeError):
        catalog._by_key = {}  # type: ignore[assignment]


def test_repeated_key_in_constructor_is_an_error() -> None:
    with pytest.raises(ValueError, match="given twice"):
        Catalog([_version(1, "2020-01-01"), _version(1, "2021-01-01")])


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_file_loads(path: Path) -> None:
    from tthc_flow.procedure import load_procedure

    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    definition = load_procedure(path)
    assert definition.agency_code == "SCT"


def test_example_folder_is_a_catalog() -> None:
    catalog = load_catalog(EXAMPLES)
    assert len(catalog.codes()) >= 16
    assert sum(d.on_the_spot for d in catalog.latest()) >= 4
    assert any(d.is_inter_agency for d in catalog.latest())
    assert catalog.source("2.000355", 2) == str(EXAMPLES / "atp-kinh-doanh-v2.yaml")
    assert catalog.effective("2.000355", date(2024, 1, 1)).version == 1
    assert {"An toàn thực phẩm", "Kinh doanh khí", "Xăng dầu", "Điện"} <= set(catalog.fields())
