"""docs/errors.md: its tree is the one in errors.py's docstring, and its examples run."""

from __future__ import annotations

import re
from pathlib import Path

from tthc_flow import errors

DOC = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def _tree_lines(text: str) -> list[str]:
    return [
        line.strip() for line in text.splitlines() if "── " in line or line.strip() == "TthcError"
    ]


def test_the_page_draws_the_tree_of_the_code() -> None:
    page = DOC.read_text(encoding="utf-8")
    drawing = re.search(r"```text\n(.*?)```", page, re.S)
    assert drawing is not None and errors.__doc__ is not None
    assert _tree_lines(drawing[1]) == _tree_lines(errors.__doc__)
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.TthcError)
    ]
    assert len(_tree_lines(drawing[1])) == len(classes)  # one line per error, none missing


def test_the_examples_of_the_page_run() -> None:
    for block in re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        exec(compile(block, str(DOC), "exec"), {})
