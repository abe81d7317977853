"""Indicator sets are versioned data: the shipped ones load, a bad one names file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tthc_flow.errors import InputError, NotFound
from tthc_flow.reports import INDICATOR_SETS, indicator_set


def test_shipped_sets() -> None:
    assert INDICATOR_SETS == ("2022", "2026")
    old, new = indicator_set("2022"), indicator_set("2026")
    # 2022: five groups 18/20/22/22/18 (Decree 118/2025 art. 32.1 keeps them)
    assert [g.points for g in old.groups] == [18, 20, 22, 22, 18]
    # 2026 (ChippedTopaz/qd766 web/dist/formula-maximums.js): payment split out, 12 + 10
    assert [g.points for g in new.groups] == [18, 20, 12, 22, 18, 10]
    assert (new.get("3.3a").points, new.get("3.3").points, new.get("3.1").points) == (
        12,
        None,
        None,
    )
    assert new.get("3.6").formula == old.get("3.6").formula  # same description document
    assert {s.id for s in new.indicators} - {s.id for s in old.indicators} == {"3.7", "3.8", "5.5"}
    with pytest.raises(KeyError) as missing:
        old.get("9.9")
    assert isinstance(missing.value, NotFound)
    assert (missing.value.kind, missing.value.name) == ("indicator", "9.9")
    assert "3.6" in missing.value.known
    with pytest.raises(KeyError) as missing:
        old.with_points({"9.9": 1})
    assert isinstance(missing.value, NotFound) and missing.value.name == "9.9"


def test_a_set_file_of_ones_own(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(
        'id: "mine"\ntitle: "t"\nsource: "s"\ngroups:\n  - {id: "1", name: "g", points: 10}\n'
        "indicators:\n"
        '  - {id: "2.1", group: "1", name: "n", points: 10, basis: computed, source: "s"}\n',
        encoding="utf-8",
    )
    assert indicator_set(path).get("2.1").points == 10


def test_a_bad_set_file_names_the_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        'id: "mine"\ntitle: "t"\nsource: "s"\ngroups:\n  - {id: "1", name: "g", points: 10}\n'
        "indicators:\n"
        '  - {id: "2.1", group: "1", name: "n", points: 10, basis: guessed, source: "s"}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        indicator_set(path)
    assert (caught.value.first.file, caught.value.first.line) == (str(path), 7)
    assert "basis" in caught.value.first.field
    path.write_text(
        path.read_text().replace("guessed", "computed").replace('group: "1"', 'group: "7"')
    )
    with pytest.raises(InputError, match="group '7' is not in groups"):
        indicator_set(path)
