"""The code in README.md and docs/index.md runs as written and prints what its comments say.

Each snippet runs in a fresh temporary folder (with ``examples/`` linked in), in a separate
Python process. A ``print(...)`` line followed by ``# text`` on the same line, or by a line
that is only ``# text``, must print exactly ``text``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = [
    ("README.md", "## Embedding it"),
    ("docs/index.md", "## Getting started"),
    ("docs/payments.md", "## Example"),
]


def python_block(document: str, heading: str) -> str:
    """The first ```python block after ``heading`` in ``document``."""
    text = (ROOT / document).read_text(encoding="utf-8")
    start = text.index(heading)
    match = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert match, f"no python block after {heading!r} in {document}"
    return match.group(1)


def expected_output(code: str) -> list[str]:
    """The ``# output`` comments of the print lines, in order."""
    lines = code.splitlines()
    expected = []
    for i, line in enumerate(lines):
        if not line.startswith("print("):
            continue
        if "  # " in line:
            expected.append(line.split("  # ", 1)[1].strip())
        elif i + 1 < len(lines) and lines[i + 1].startswith("# "):
            expected.append(lines[i + 1][2:].strip())
        else:
            pytest.fail(f"print without an output comment: {line}")
    return expected


@pytest.mark.parametrize(("document", "heading"), SNIPPETS)
def test_snippet_prints_what_its_comments_say(document: str, heading: str, tmp_path: Path) -> None:
    code = python_block(document, heading)
    expected = expected_output(code)
    assert expected, f"{document}: the snippet shows no output"
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    script = tmp_path / "snippet.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == expected


def test_ci_runs_the_readme_commands_verbatim() -> None:
    block = (ROOT / "README.md").read_text(encoding="utf-8").split("## The two commands", 1)[1]
    match = re.search(r"```bash\n(.*?)```", block, re.S)
    assert match
    commands = [line.split("#", 1)[0].strip() for line in match.group(1).splitlines()]
    assert commands == ["python3 run.py demo", "python3 run.py test"]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    for command in commands:
        assert command in ci_lines, f"{command!r} is not run by .ci/run"
