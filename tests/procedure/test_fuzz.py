"""The loaders never fail with anything but their own error, whatever the text.

Covers the procedure loader and the calendar overrides loader (both go through
``tthc_flow._yaml``), including hostile YAML: recursive aliases, very deep nesting,
"billion laughs" alias bombs, infinite numbers, explicit tags PyYAML cannot construct,
characters YAML forbids and bytes that are not UTF-8. Every problem of the fuzzed text names
its line and column. About 2,000 inputs per run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.procedure.procedure_samples import EXAMPLES
from tthc_flow import CalendarOverrideError, InputError, ProcedureDefinitionError
from tthc_flow.calendar import CalendarOverrides, load_overrides, overrides_from_text
from tthc_flow.procedure import ProcedureDefinition, load_procedure, parse_procedure

SAMPLE_TEXT = (EXAMPLES / "tm-giay-phep-kinh-doanh-fdi.yaml").read_text(encoding="utf-8")
SAMPLE_LINES = SAMPLE_TEXT.splitlines()
OVERRIDE_LINES = (
    (EXAMPLES.parent / "calendar" / "overrides.yaml").read_text(encoding="utf-8").splitlines()
)

YAMLISH = st.text(
    alphabet=st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyz0123456789_:-[]{},'\"&*!|>#%@ \n\t.ươđ")
    ),
    max_size=200,
)
TAGGED = [
    "!!bool maybe",
    "!!timestamp x",
    "!!timestamp 2026-02-30",
    "2026-02-30",
    "!!int abc",
    "!!float x",
    "!!binary ==",
    "!!set {a}",
    "!!omap [a]",
    "!!pairs 1",
    "!!null x",
    "!!str [a]",
    "!!merge x",
    "!!python/name:os.system ''",
    "!local x",
    "{<<: 1}",
    "{<<: [1]}",
    "{!!int abc: 1}",
    "{2026-02-30: 1}",
    "{!!timestamp x: 1}",
    "9" * 5000,
]
"""Scalars PyYAML resolves, or is told by an explicit tag, to construct but cannot."""

FORBIDDEN = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x9f", "\ud800", "\udfff", "\ufffe", "\uffff"]
"""Characters the YAML reader refuses anywhere in a file."""

HARMLESS = ["\t", "\r", "\ufeff", "\x85", "\u2028", "\u00a0", "ư"]
"""Characters YAML accepts but that break lines or columns in surprising ways."""

SCALARS = st.one_of(
    st.sampled_from(
        [
            "",
            "~",
            "null",
            "[]",
            "{}",
            "-1",
            "0",
            "1e309",
            "2025-02-30",
            "yes",
            "*a",
            "&a x",
            "!!python/object:os.system ''",
            "'unclosed",
            "[a, b",
            ".inf",
            "-.inf",
            ".nan",
            "&r [*r]",
            "&m {a: *m}",
            "&g {<<: *g}",
            "{value: .inf}",
            "[" * 80 + "]" * 80,
            *TAGGED,
        ]
    ),
    st.integers().map(str),
    st.text(max_size=12),
)


@st.composite
def mutated_sample(draw: st.DrawFn, sample: tuple[str, ...] = tuple(SAMPLE_LINES)) -> str:
    lines = list(sample)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(st.sampled_from(["delete", "swap", "value", "key", "duplicate"]))
        line = lines[index]
        if action == "delete":
            del lines[index]
        elif action == "swap":
            other = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            if ":" in line and ":" in lines[other]:
                head, _, value = line.partition(":")
                other_head, _, other_value = lines[other].partition(":")
                lines[index], lines[other] = f"{head}:{other_value}", f"{other_head}:{value}"
        elif action == "value" and ":" in line:
            lines[index] = line.partition(":")[0] + ": " + draw(SCALARS)
        elif action == "key":
            indent = line[: len(line) - len(line.lstrip())]
            lines.insert(
                index,
                f"{indent}{draw(st.from_regex(r'[a-z_]{1,10}', fullmatch=True))}: {draw(SCALARS)}",
            )
        else:
            lines.insert(index, line)
        if not lines:
            break
    return "\n".join(lines) + "\n"


@st.composite
def scarred(draw: st.DrawFn, sample: str = SAMPLE_TEXT) -> str:
    """``sample`` with a few characters inserted or replaced: forbidden ones, odd line
    breaks, tag indicators."""
    text = sample
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        char = draw(st.sampled_from([*FORBIDDEN, *HARMLESS, "!!", "&", "*", "<<: ", "? "]))
        cut = draw(st.integers(min_value=0, max_value=1))
        text = text[:at] + char + text[at + cut :]
    return text


def assert_located(exc: InputError, name: str = "fuzz.yaml") -> None:
    """``exc`` lists problems, and each about the file ``name`` has a line and a column."""
    assert exc.problems, str(exc)
    assert all(p.file == name for p in exc.problems), str(exc)
    assert all(p.line is not None and p.column is not None for p in exc.problems), str(exc)


def _load_or_reject(text: str) -> None:
    try:
        result = parse_procedure(text, source="fuzz.yaml")
    except ProcedureDefinitionError as exc:
        assert_located(exc)
    else:
        assert isinstance(result, ProcedureDefinition)


def _laughs(levels: int) -> str:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "recursive list": "code: &x [*x]\n",
    "recursive mapping": "workflow: &x {steps: *x}\n",
    "recursive merge": "workflow: &x {<<: *x}\n",
    "deep lists": "code: " + "[" * 1200 + "]" * 1200 + "\n",
    "deep mappings": "code: " + "{a: " * 1200 + "1" + "}" * 1200 + "\n",
    "billion laughs": _laughs(9),
    "complex key": "? [a, b]\n: 1\n",
}


def _overrides_or_reject(text: str) -> None:
    try:
        result = overrides_from_text(text, name="fuzz.yaml")
    except CalendarOverrideError as exc:
        assert_located(exc)
    else:
        assert isinstance(result, CalendarOverrides)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_yaml_is_a_located_error(text: str) -> None:
    for load, error in (
        (parse_procedure, ProcedureDefinitionError),
        (overrides_from_text, CalendarOverrideError),
    ):
        with pytest.raises(error) as caught:
            load(text, "hostile.yaml")
        assert caught.value.first.line is not None, str(caught.value)


def test_infinite_numbers_are_rejected_where_they_are_written() -> None:
    text = SAMPLE_TEXT.replace(
        "{value: 23, unit: working_days}", "{value: .inf, unit: working_days}"
    )
    assert text != SAMPLE_TEXT
    with pytest.raises(ProcedureDefinitionError) as caught:
        parse_procedure(text, "inf.yaml")
    assert caught.value.first.field == "time_limit.shortened.value"
    assert "finite" in caught.value.first.message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_random_text(text: str) -> None:
    _load_or_reject(text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_sample())
def test_mutated_example(text: str) -> None:
    _load_or_reject(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scarred())
def test_scarred_example(text: str) -> None:
    _load_or_reject(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scarred("\n".join(OVERRIDE_LINES) + "\n"))
def test_scarred_overrides(text: str) -> None:
    _overrides_or_reject(text)


@pytest.mark.parametrize("text", [*TAGGED, *(f"code: {t}" for t in TAGGED)])
def test_unconstructible_values_are_located(text: str) -> None:
    _load_or_reject(text + "\n")
    _overrides_or_reject(text + "\n")


@pytest.mark.parametrize("char", FORBIDDEN)
def test_forbidden_characters_are_located(char: str) -> None:
    text = SAMPLE_TEXT.replace("name:", f"na{char}me:", 1)
    line = next(n for n, t in enumerate(SAMPLE_LINES, 1) if "name:" in t)
    with pytest.raises(ProcedureDefinitionError) as caught:
        parse_procedure(text, "fuzz.yaml")
    assert_located(caught.value)
    assert caught.value.first.line == line
    assert caught.value.first.column == SAMPLE_LINES[line - 1].index("name:") + 3
    assert f"U+{ord(char):04X}" in caught.value.first.message


@pytest.mark.parametrize("bad", [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf"])
def test_bytes_that_are_not_utf8_are_located(tmp_path: Path, bad: bytes) -> None:
    lines = SAMPLE_TEXT.encode("utf-8").split(b"\n")
    lines[4] = "  ư".encode() + bad + lines[4]
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"\n".join(lines))
    for load, error in (
        (load_procedure, ProcedureDefinitionError),
        (load_overrides, CalendarOverrideError),
    ):
        with pytest.raises(error) as caught:
            load(path)
        assert_located(caught.value, str(path))
        assert (caught.value.first.line, caught.value.first.column) == (5, 4)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_random_text_as_overrides(text: str) -> None:
    _overrides_or_reject(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_sample(tuple(OVERRIDE_LINES)))
def test_mutated_overrides(text: str) -> None:
    _overrides_or_reject(text)
