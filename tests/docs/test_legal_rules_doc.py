"""docs/legal-rules.md names, for each encoded rule, the test that pins it: those tests exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "legal-rules.md"
# `tests/x/test_y.py::test_a`, then optional `::test_b` shorthands for the same file
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)((?:::\w+)?)`((?:, `::\w+`)*)")


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def _references() -> list[tuple[str, list[str]]]:
    table = DOC.read_text(encoding="utf-8").split("## Research notes")[0]
    found = []
    for match in REFERENCE.finditer(table):
        names = [match.group(2).removeprefix("::")] if match.group(2) else []
        names += re.findall(r"`::(\w+)`", match.group(3))
        found.append((match.group(1), names))
    return found


def test_every_rule_row_names_a_test() -> None:
    table = DOC.read_text(encoding="utf-8").split("## Research notes")[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    rules = [row for row in rows if not row.startswith("| rule ")]
    assert len(rules) >= 25
    assert all("`tests/" in row for row in rules), [r for r in rules if "`tests/" not in r]


def test_the_named_test_files_and_functions_exist() -> None:
    references = _references()
    assert references
    for file, names in references:
        path = ROOT / file
        assert path.is_file(), f"docs/legal-rules.md names {file}, which does not exist"
        missing = set(names) - _test_names(path)
        assert not missing, f"docs/legal-rules.md names {sorted(missing)} in {file}: not found"
