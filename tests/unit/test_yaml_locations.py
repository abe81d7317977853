"""Located YAML loading shared by procedures, calendar overrides and scenarios."""

from __future__ import annotations

from tthc_flow._yaml import load_located


def test_locations_and_duplicate_keys() -> None:
    doc, problems = load_located("a.yaml", "a:\n  b: 1\n  b: 2\nc: [1, 2026-02-30]\n")
    assert doc.where(["a", "b"]) == (2, 6)
    assert [(p.line, p.column, p.field, p.message) for p in problems] == [
        (3, 3, "a.b", "duplicate key"),
        (4, 8, "c[1]", "invalid value: day is out of range for month"),
    ]


def test_syntax_error_names_the_line() -> None:
    _, problems = load_located("b.yaml", "a: [1\n")
    assert problems[0].line == 2 and "syntax" in problems[0].message


def test_unreadable_characters_are_a_problem_not_a_crash() -> None:
    _, problems = load_located("c.yaml", "a: \x99\x00\n")
    assert len(problems) == 1 and problems[0].file == "c.yaml"


def test_missing_file() -> None:
    _, problems = load_located("/nonexistent/x.yaml")
    assert "cannot read" in problems[0].message
