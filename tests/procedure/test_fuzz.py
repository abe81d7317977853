"""The loader never fails with anything but ProcedureDefinitionError, whatever the text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.procedure.procedure_samples import EXAMPLES
from tthc_flow import ProcedureDefinitionError
from tthc_flow.procedure import ProcedureDefinition, parse_procedure

SAMPLE_LINES = (
    (EXAMPLES / "tm-giay-phep-kinh-doanh-fdi.yaml").read_text(encoding="utf-8").splitlines()
)

YAMLISH = st.text(
    alphabet=st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyz0123456789_:-[]{},'\"&*!|>#%@ \n\t.ươđ")
    ),
    max_size=200,
)
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
        ]
    ),
    st.integers().map(str),
    st.text(max_size=12),
)


@st.composite
def mutated_sample(draw: st.DrawFn) -> str:
    lines = list(SAMPLE_LINES)
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


def _load_or_reject(text: str) -> None:
    try:
        result = parse_procedure(text, source="fuzz.yaml")
    except ProcedureDefinitionError as exc:
        assert exc.problems and all(p.file == "fuzz.yaml" for p in exc.problems)
    else:
        assert isinstance(result, ProcedureDefinition)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_random_text(text: str) -> None:
    _load_or_reject(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_sample())
def test_mutated_example(text: str) -> None:
    _load_or_reject(text)
