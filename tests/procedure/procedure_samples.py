"""A small valid procedure as YAML text, and helpers to locate its lines, for the loader tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tthc_flow import Problem, ProcedureDefinitionError
from tthc_flow.procedure import load_procedure

VALID = """\
code: "2.000128"
version: 1
effective_from: 2025-07-01
name: Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai
field: Kinh doanh khí
level: province
agency: Sở Công Thương
agency_code: SCT
legal_basis: [Nghị định số 87/2018/NĐ-CP]
time_limit:
  statutory: {value: 15, unit: working_days}
  shortened: {value: 10, unit: working_days}
online: partial
channels: [desk, online]
result: Giấy chứng nhận
workflow:
  steps:
    - id: appraise
      name: Thẩm định hồ sơ
      role: specialist
      share: 5
      action: appraise
    - id: approve
      name: Phê duyệt
      role: leader
      share: 2
      action: approve
"""

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "so-cong-thuong"


def position(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the ``occurrence``-th line containing ``needle``, at its start."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in text")


def problems_of(tmp_path: Path, text: str, name: str = "proc.yaml") -> list[Problem]:
    """The problems the loader reports for ``text`` written to ``tmp_path / name``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProcedureDefinitionError) as caught:
        load_procedure(path)
    return caught.value.problems


def located(problems: list[Problem], field: str) -> Problem:
    """The single problem about ``field`` (fails when there is none or several)."""
    matching = [p for p in problems if p.field == field]
    assert len(matching) == 1, f"expected one problem at {field}, got {[str(p) for p in problems]}"
    return matching[0]
